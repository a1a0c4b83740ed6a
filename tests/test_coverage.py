"""Station coverage: Voronoi cells against brute force, partitions, township shares, official tables."""

from itertools import combinations

import numpy as np
import pandas as pd
import geopandas as gpd
import pytest
import shapely

from geoairplan import datasets
from geoairplan.coverage import (agreement_report, assign_townships, coverage_analysis, official_coverage,
                                 prepare_stations, read_official_coverage, station_cells, station_key,
                                 township_station_map, voronoi_cells, write_coverage_outputs)
from geoairplan.errors import InputError

PT3 = ["屏東", "潮州", "恆春"]
SEED_ROWS = [  # the seed tables as printed (003 L95-97, 002 L4344-4347, 001 L2482)
    ("屏東縣", "屏東站", "屏東市、麟洛鄉、長治鄉、高樹鄉、里港鄉、九如鄉、內埔鄉、鹽埔鄉、三地門鄉、霧台鄉、瑪家鄉等十一鄉鎮"),
    ("屏東縣", "潮州站", "東港鎮、潮州鎮、萬丹鄉、新園鄉、林邊鄉、竹田鄉、崁頂鄉、新埤鄉、南州鄉、萬巒鄉、枋寮鄉、佳冬鄉、"
                      "泰武鄉、來義鄉、春日鄉、琉球鄉等十六鄉鎮"),
    ("屏東縣", "恆春站", "恆春鎮、枋山鄉、車城鄉、滿州鄉、獅子鄉、牡丹鄉等六鄉鎮"),
    ("雲林縣", "斗六測站", "斗六市、林內鄉、古坑鄉、蔴桐鄉、虎尾鎮、斗南鎮；大埤鄉"),
    ("雲林縣", "崙背測站", "崙背鄉、二崙鄉、西螺鎮、褒忠鄉、土庫鎮、元長鄉、北港鎮"),
    ("雲林縣", "麥寮測站", "麥寮鄉、東勢鄉"),
    ("雲林縣", "台西測站", "台西鄉、四湖鄉、口湖鄉、水林鄉"),
    ("澎湖縣", "馬公站", "全澎湖縣"),
]


def _tm2_stations(names):
    return datasets.load_stations().set_index("name_zh").loc[names].to_crs(3826)


def _brute_force_nearest(xy_pts, xy_st):
    d = ((xy_pts[:, None, :] - xy_st[None, :, :]) ** 2).sum(-1)
    order = np.sort(d, axis=1)
    margin = np.sqrt(order[:, 1]) - np.sqrt(order[:, 0]) if xy_st.shape[0] > 1 else np.full(len(d), np.inf)
    return d.argmin(1), margin


def _sample_in(geom, n, seed):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = geom.bounds
    pts = []
    while len(pts) < n:
        xy = rng.uniform([x0, y0], [x1, y1], size=(4 * n, 2))
        inside = shapely.contains_xy(geom, xy[:, 0], xy[:, 1])
        pts.extend(xy[inside].tolist())
    return np.array(pts[:n])


# --------------------------------------------------------------------------- Voronoi

def test_voronoi_cells_keep_input_order_and_match_brute_force():
    rng = np.random.default_rng(7)
    xy = rng.uniform(150_000, 250_000, size=(25, 2)) + [0, 2_400_000]
    cells = voronoi_cells(gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=3826))
    assert len(cells) == 25
    assert all(c.contains(shapely.Point(p)) for c, p in zip(cells, xy))  # cell i holds point i
    probe = rng.uniform(140_000, 260_000, size=(2000, 2)) + [0, 2_400_000]
    nearest, margin = _brute_force_nearest(probe, xy)
    hit = np.array([np.flatnonzero(shapely.contains_xy(cells.to_numpy(), x, y)) for x, y in probe], dtype=object)
    ok = margin > 1.0
    assert all(len(h) == 1 and h[0] == n for h, n in zip(hit[ok], nearest[ok]))


def test_voronoi_refuses_lon_lat():
    with pytest.raises(InputError, match="projected"):
        voronoi_cells(gpd.GeoSeries(gpd.points_from_xy([120.5, 120.6], [22.6, 22.7]), crs=4326))


@pytest.mark.parametrize("county,names", [("屏東縣", None), ("雲林縣", None), ("屏東縣", PT3)])
def test_county_cells_agree_with_brute_force_nearest_station(county, names):
    cells = station_cells(county, stations=names)
    st = cells.attrs["stations"]
    st = st[st["used"]].set_index("station").loc[cells["station"]]
    xy_st = np.column_stack([st.geometry.x, st.geometry.y])
    land = shapely.union_all(datasets.load_townships(county).to_crs(3826).geometry.to_numpy())
    probe = _sample_in(land, 1500, seed=11)
    nearest, margin = _brute_force_nearest(probe, xy_st)
    ok = margin > 1.0
    for (x, y), n in zip(probe[ok], nearest[ok]):
        inside = np.flatnonzero(shapely.intersects_xy(cells.geometry.to_numpy(), x, y))
        assert inside.tolist() == [n]


@pytest.mark.parametrize("county", datasets.SEED_COUNTIES)
def test_cells_partition_the_county_land(county):
    cells = station_cells(county, stations="all")
    outline = datasets.load_counties(county).to_crs(3826).geometry.iloc[0]
    towns = shapely.union_all(datasets.load_townships(county).to_crs(3826).geometry.to_numpy())
    land_km2 = shapely.union(outline, towns).area / 1e6
    assert cells["area_km2"].sum() == pytest.approx(land_km2, rel=1e-3)
    assert cells.geometry.area.sum() / 1e6 == pytest.approx(outline.area / 1e6, rel=5e-3)
    for a, b in combinations(cells.geometry, 2):
        assert a.intersection(b).area < 1.0
    # every island is land of some cell (琉球鄉 off Pingtung, Penghu's islands)
    parts = shapely.get_parts(towns)
    covered = shapely.union_all(cells.geometry.to_numpy())
    assert all(covered.buffer(1).contains(p) for p in parts)


def test_penghu_one_station_covers_every_island():
    res = coverage_analysis("澎湖縣")
    assert res.cells["station"].tolist() == ["馬公"]
    assert len(shapely.get_parts(res.cells.geometry.iloc[0])) >= 20
    assert (res.assignment["station"] == "馬公").all() and (res.assignment["share"] > 0.999).all()
    assert res.summary()["agree"] == 6 and res.summary()["differ"] == []


# --------------------------------------------------------------------------- township assignment

@pytest.mark.parametrize("county", ["屏東縣", "雲林縣"])
def test_every_township_one_majority_station_or_flag(county):
    res = coverage_analysis(county, stations="all", include_neighbours=True)
    a, sh = res.assignment, res.shares
    assert len(a) == len(datasets.township_names(county)) and a["township"].is_unique
    tot = sh.groupby("township")["share"].sum()
    assert np.allclose(tot.loc[a["township"]].to_numpy(), 1.0, atol=1e-6)
    best = sh.sort_values("share", ascending=False).drop_duplicates("township").set_index("township")
    assert (best.loc[a["township"], "station"].to_numpy() == a["station"].to_numpy()).all()
    assert (a["majority"] == (a["share"] > 0.5)).all()
    assert (a["majority"] | a["station"].notna()).all()
    # with the neighbours, no station holds a majority of these (measured)
    expected = {"屏東縣": ["霧臺鄉"], "雲林縣": ["大埤鄉"]}[county]
    assert res.no_majority == expected


def test_no_majority_flag_on_a_township_split_three_ways():
    town = datasets.load_townships("屏東縣").to_crs(3826).set_index("TOWNNAME").geometry["屏東市"]
    c = town.centroid
    ang = np.deg2rad([90, 210, 330])
    st = gpd.GeoDataFrame({"station": ["A", "B", "C"]},
                          geometry=gpd.points_from_xy(c.x + 1500 * np.cos(ang), c.y + 1500 * np.sin(ang)), crs=3826)
    res = coverage_analysis("屏東縣", stations=st, official=False)
    row = res.assignment.set_index("township").loc["屏東市"]
    assert not row["majority"] and row["share"] < 0.5 and row["n_stations"] == 3
    assert "屏東市" in res.no_majority and "no station holds a majority" in res.summary_text()


# --------------------------------------------------------------------------- official tables

def test_official_tables_reproduce_the_seed_counts():
    off = datasets.load_coverage_official()
    counts = off.groupby(["county", "station"]).size().to_dict()
    assert counts == {("屏東縣", "屏東"): 11, ("屏東縣", "潮州"): 16, ("屏東縣", "恆春"): 6,
                      ("雲林縣", "斗六"): 7, ("雲林縣", "崙背"): 7, ("雲林縣", "麥寮"): 2, ("雲林縣", "臺西"): 4,
                      ("澎湖縣", "馬公"): 6}
    for county in datasets.SEED_COUNTIES:
        checked = official_coverage(county)  # raises if a township is missing, doubled or unknown
        assert sorted(checked["township"]) == sorted(datasets.township_names(county))
        assert checked["township"].is_unique


def test_seed_tables_as_printed_parse_to_the_embedded_table():
    printed = pd.DataFrame(SEED_ROWS, columns=["縣市", "測站名稱", "涵蓋區域"])
    for county in datasets.SEED_COUNTIES:
        mine = read_official_coverage(printed, county=county)
        emb = official_coverage(county)
        assert mine[["county", "station", "township"]].equals(emb[["county", "station", "township"]])
    pt = read_official_coverage(printed, county="屏東縣").set_index("township")
    assert pt.loc["霧臺鄉", "township_as_printed"] == "霧台鄉" and pt.loc["霧臺鄉", "station"] == "屏東"
    yl = read_official_coverage(printed, county="雲林縣").set_index("township")
    assert yl.loc["莿桐鄉", "township_as_printed"] == "蔴桐鄉" and yl.loc["臺西鄉", "station"] == "臺西"


def _pingtung_table(tmp_path, edit=None, header=("county", "station", "township")):
    off = datasets.load_coverage_official("屏東縣")[["county", "station", "township"]]
    if edit:
        off = edit(off.copy())
    off.columns = list(header)
    path = tmp_path / "mine.csv"
    off.to_csv(path, index=False)
    return path


def test_user_table_with_chinese_headers_and_tai_spelling(tmp_path):
    def edit(df):
        df.loc[df["township"] == "霧臺鄉", "township"] = "霧台鄉"
        return df
    path = _pingtung_table(tmp_path, edit, header=("縣市", "測站", "鄉鎮市區"))
    df = read_official_coverage(path, county="屏東縣")
    assert len(df) == 33 and "霧臺鄉" in set(df["township"])


def test_user_table_saved_as_excel_unicode_text_is_read_with_the_shared_reader(tmp_path):
    # Excel's "Unicode text": UTF-16 with BOM, tab-separated (the old reader knew only utf-8/cp950 CSV)
    path = _pingtung_table(tmp_path)
    p16 = tmp_path / "mine16.txt"
    p16.write_text(pd.read_csv(path, dtype=str).to_csv(sep="\t", index=False), encoding="utf-16")
    df = read_official_coverage(p16, county="屏東縣")
    assert len(df) == 33 and df["township"].is_unique


def test_unknown_township_suggests_the_nearest_spelling(tmp_path):
    def edit(df):
        df.loc[df["township"] == "霧臺鄉", "township"] = "霧抬鄉"
        return df
    path = _pingtung_table(tmp_path, edit)
    with pytest.raises(InputError) as e:
        read_official_coverage(path, county="屏東縣")
    msg = str(e.value)
    assert "霧抬鄉" in msg and "did you mean 霧臺鄉" in msg and "mine.csv" in msg and "row 11" in msg


def test_township_of_another_county_is_named_as_such(tmp_path):
    def edit(df):
        df.loc[df["township"] == "霧臺鄉", "township"] = "美濃區"
        return df
    with pytest.raises(InputError, match="美濃區 is in 高雄市"):
        read_official_coverage(_pingtung_table(tmp_path, edit), county="屏東縣")


def test_township_listed_twice_or_missing_is_an_error(tmp_path):
    def twice(df):
        return pd.concat([df, pd.DataFrame([{"county": "屏東縣", "station": "屏東", "township": "萬丹鄉"}])])
    with pytest.raises(InputError) as e:
        read_official_coverage(_pingtung_table(tmp_path, twice), county="屏東縣")
    assert "萬丹鄉 is listed 2 times" in str(e.value) and "潮州, 屏東" in str(e.value)

    def missing(df):
        return df[~df["township"].isin(["琉球鄉", "枋山鄉"])]
    with pytest.raises(InputError) as e:
        read_official_coverage(_pingtung_table(tmp_path, missing), county="屏東縣")
    assert "2 township(s)" in str(e.value) and "琉球鄉" in str(e.value) and "枋山鄉" in str(e.value)


def test_printed_count_is_checked():
    rows = [r for r in SEED_ROWS if r[0] == "屏東縣"]
    rows[2] = ("屏東縣", "恆春站", "恆春鎮、枋山鄉、車城鄉、滿州鄉、獅子鄉、牡丹鄉等七鄉鎮")
    with pytest.raises(InputError, match="等七鄉鎮"):
        read_official_coverage(pd.DataFrame(rows, columns=["縣市", "測站", "涵蓋區域"]), county="屏東縣")


def test_station_key_normalises_station_names():
    assert station_key("台西測站") == "臺西" and station_key("恒春站") == "恆春"
    assert station_key("屏東（琉球）") == "屏東(琉球)" and station_key("馬公") == "馬公"


# --------------------------------------------------------------------------- agreement

def test_pingtung_agreement_with_the_three_stations():
    res = coverage_analysis("屏東縣", stations=PT3)
    rep = res.report.set_index("township")
    assert len(rep) == 33 and rep["agree"].sum() == 31
    assert res.summary()["differ"] == ["萬丹鄉", "枋山鄉"]
    assert rep.loc["萬丹鄉", ["official_station", "computed_station"]].tolist() == ["潮州", "屏東"]
    assert rep.loc["萬丹鄉", "computed_share"] == pytest.approx(0.647, abs=0.002)
    assert rep.loc["萬丹鄉", "official_share"] == pytest.approx(0.353, abs=0.002)
    assert rep.loc["枋山鄉", ["official_station", "computed_station"]].tolist() == ["恆春", "潮州"]
    assert rep.loc["枋山鄉", "computed_share"] == pytest.approx(0.650, abs=0.002)
    assert rep.loc["枋山鄉", "official_share"] == pytest.approx(0.349, abs=0.002)
    # 獅子鄉 agrees, by a hair
    assert rep.loc["獅子鄉", "agree"] and rep.loc["獅子鄉", "computed_share"] == pytest.approx(0.505, abs=0.002)
    # by brute force: the share of sample points of each township nearest each station
    st = _tm2_stations(PT3)
    xy_st = np.column_stack([st.geometry.x, st.geometry.y])
    towns = datasets.load_townships("屏東縣").to_crs(3826).set_index("TOWNNAME").geometry
    for town, station, share in [("萬丹鄉", "屏東", 0.647), ("枋山鄉", "潮州", 0.650)]:
        pts = _sample_in(towns[town], 4000, seed=3)
        nearest, _ = _brute_force_nearest(pts, xy_st)
        assert (nearest == PT3.index(station)).mean() == pytest.approx(share, abs=0.025)
    # the default station set is the official table's (the 琉球 and 枋山 stations are left out, and said so)
    default = coverage_analysis("屏東縣")
    assert default.cells["station"].tolist() == PT3
    assert any("屏東(琉球)" in p.where for p in default.problems)


def test_yunlin_agreement():
    res = coverage_analysis("雲林縣")
    rep = res.report.set_index("township")
    assert res.summary()["differ"] == ["虎尾鎮", "北港鎮", "東勢鄉"]
    assert rep.loc["虎尾鎮", ["official_station", "computed_station"]].tolist() == ["斗六", "崙背"]
    assert rep.loc["北港鎮", ["official_station", "computed_station"]].tolist() == ["崙背", "臺西"]
    assert rep.loc["北港鎮", "computed_share"] > 0.98
    assert rep.loc["東勢鄉", ["official_station", "computed_station"]].tolist() == ["麥寮", "臺西"]
    assert rep.loc["東勢鄉", "computed_share"] == pytest.approx(0.544, abs=0.002)


def test_agreement_report_on_a_hand_made_case():
    towns = gpd.GeoDataFrame({"COUNTYNAME": ["X", "X"], "TOWNNAME": ["a", "b"], "TOWNCODE": ["1", "2"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=3826)
    cells = gpd.GeoDataFrame({"station": ["P", "Q"]},
                             geometry=[shapely.box(0, 0, 13, 10), shapely.box(13, 0, 20, 10)], crs=3826)
    a, sh = assign_townships(cells, towns)
    assert a["station"].tolist() == ["P", "Q"] and a["share"].tolist() == pytest.approx([1.0, 0.7])
    rep = agreement_report(a, sh, pd.DataFrame({"township": ["a", "b"], "station": ["P", "P"]}))
    assert rep["agree"].tolist() == [True, False]
    assert rep["official_share"].tolist() == pytest.approx([1.0, 0.3])


# --------------------------------------------------------------------------- per pollutant, neighbours

def test_pollutant_uses_only_stations_that_measure_it(tmp_path):
    st = datasets.load_stations("屏東縣")[["name_zh", "lon", "lat"]].rename(columns={"name_zh": "測站"})
    st["pollutants"] = ["pm2.5;pm10;o3;so2", "pm2.5;pm10;o3", "pm2.5;pm10;o3;so2", "pm2.5", "pm2.5"]
    path = tmp_path / "st.csv"
    st.to_csv(path, index=False)
    so2 = station_cells("屏東縣", stations=path, pollutant="SO2")
    assert so2["station"].tolist() == [st["測站"][0], st["測站"][2]]
    assert so2["pollutant"].eq("so2").all()
    assert so2["area_km2"].sum() == pytest.approx(datasets.load_townships("屏東縣").to_crs(3826).area.sum() / 1e6,
                                                  rel=1e-3)
    with pytest.raises(InputError, match="unknown pollutant"):
        station_cells("屏東縣", stations=path, pollutant="pm1")


def test_neighbours_take_part_when_asked():
    alone = coverage_analysis("雲林縣", official=False)
    assert set(alone.cells["station_county"]) == {"雲林縣"}
    near = coverage_analysis("雲林縣", include_neighbours=True)
    outside = near.cells[near.cells["station_county"] != "雲林縣"]
    assert {"新港", "朴子"} <= set(outside["station"])
    assert near.assignment.set_index("township").loc["北港鎮", "station"] == "新港"
    some = coverage_analysis("雲林縣", include_neighbours=3_000.0)  # 新港 2.9 km away, 朴子 4.7 km
    assert set(some.cells["station"]) == {"斗六", "崙背", "麥寮", "臺西", "新港"}
    for r in (near, some):
        assert r.cells["area_km2"].sum() == pytest.approx(r.land_km2, rel=1e-6)


# --------------------------------------------------------------------------- township_station_map

def test_township_station_map_official_where_it_exists():
    df = township_station_map("屏東縣")
    assert list(df.columns) == ["county", "township", "station", "source"]
    assert df.attrs["source"] == "official" and (df["source"] == "official").all()
    assert len(df) == 33 and df.set_index("township").loc["萬丹鄉", "station"] == "潮州"
    comp = township_station_map("屏東縣", stations=PT3, official=False)
    assert comp.attrs["source"] == "computed" and comp.set_index("township").loc["萬丹鄉", "station"] == "屏東"
    kh = township_station_map("高雄市")
    assert kh.attrs["source"] == "computed" and len(kh) == 38 and kh["station"].notna().all()
    assert set(kh["station"]) <= set(datasets.load_stations("高雄市")["name_zh"])
    with pytest.raises(InputError, match="no station in 臺北市"):
        township_station_map("台北市")


# --------------------------------------------------------------------------- bad stations

def test_duplicate_station_positions_are_refused():
    st = datasets.load_stations("屏東縣").iloc[:2].copy()
    st.loc[st.index[1], "geometry"] = st.geometry.iloc[0]
    with pytest.raises(InputError, match="same position"):
        prepare_stations(st.rename(columns={"name_zh": "station"}))


def test_station_at_sea_is_reported_and_far_at_sea_refused():
    st = pd.DataFrame({"station": ["A", "B"], "lon": [120.5, 120.40], "lat": [22.7, 22.45]})  # B: 東港 offshore
    res = coverage_analysis("屏東縣", stations=st, official=False)
    prob = [p for p in res.problems if p.where == "station B"]
    assert prob and "at sea" in prob[0].reason and prob[0].severity == "warning"
    far = pd.DataFrame({"station": ["A", "Z"], "lon": [120.5, 119.9], "lat": [22.7, 22.2]})
    with pytest.raises(InputError, match="not on land"):
        prepare_stations(far)


def test_unknown_embedded_station_name_suggests():
    with pytest.raises(InputError, match="did you mean 恆春"):
        station_cells("屏東縣", stations=["屏東", "恒春市"])


# --------------------------------------------------------------------------- outputs

def test_outputs_are_deterministic(tmp_path):
    res = coverage_analysis("屏東縣", stations=PT3)
    a = write_coverage_outputs(res, tmp_path / "a", maps=False)
    b = write_coverage_outputs(coverage_analysis("屏東縣", stations=PT3), tmp_path / "b", maps=False)
    for fa, fb in zip(a, b):
        assert fa.name == fb.name and fa.read_bytes() == fb.read_bytes(), fa.name
    import pyogrio
    layers = dict(pyogrio.list_layers(tmp_path / "a" / "coverage.gpkg"))
    assert {"cells", "township_assignment", "official_coverage", "disagreements"} <= set(layers)
    dis = gpd.read_file(tmp_path / "a" / "coverage.gpkg", layer="disagreements")
    assert dis.crs.to_epsg() == 3826 and sorted(dis["township"]) == sorted(["萬丹鄉", "枋山鄉"])


@pytest.mark.slow
def test_demo_maps_three_seed_counties(tmp_path):
    from geoairplan.demo import STEPS
    from geoairplan.maps.coverage import coverage_web_map, demo_maps

    assert ("coverage", "geoairplan.maps.coverage:demo_maps") in STEPS
    entries = demo_maps(tmp_path, offline=True)
    assert len(entries) == 9 and {e.kind for e in entries} == {"web", "static", "data"}
    for e in entries:
        assert (tmp_path / e.path).stat().st_size > 0 and e.path.startswith("coverage/")
    assert "萬丹鄉" in entries[0].description and "枋山鄉" in entries[0].description
    ph = pd.read_csv(tmp_path / "coverage" / "penghu" / "agreement.csv")
    assert len(ph) == 6 and ph["agree"].all()
    # the web map is deterministic
    res = coverage_analysis("澎湖縣")
    a = coverage_web_map(res, tmp_path / "a.html", offline=True).read_bytes()
    b = coverage_web_map(res, tmp_path / "b.html", offline=True).read_bytes()
    assert a == b
