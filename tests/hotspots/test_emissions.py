"""geoairplan.hotspots.emissions: sources, grid, townships, township tables, kernel density."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.grid import cell_index
from geoairplan.hotspots import emissions as em
from geoairplan.results import RunMeta

# two points in 斗六市 and one in 麥寮鄉 (TM2 metres)
DOULIU = (205870.0, 2621470.0)
MAILIAO = (168500.0, 2629500.0)


def _csv(tmp_path, text, name="src.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _sources(rows):
    df = pd.DataFrame(rows)
    return em.prepare_sources(df, source="t.csv")


# --------------------------------------------------------------------------- grid


def test_grid_edges_at_whole_km_and_boundary_points_split():
    s = _sources({"C_NO": ["A", "B"], "UTM_E": [171999.9, 172000.0], "UTM_N": [2620500.0, 2620500.0],
                  "NOX_EMI": [1.0, 2.0]})
    g = em.grid_emissions(s, 1000)
    assert len(g) == 2
    by = g.set_index("cell_id")
    assert by.at["E171N2620", "nox_t"] == 1.0
    assert by.at["E172N2620", "nox_t"] == 2.0
    for geom in g.geometry:
        for v in geom.bounds:
            assert v % 1000 == 0
    assert cell_index([171999.9, 172000.0], [0, 0], 1000)[0].tolist() == [171, 172]
    # negative coordinates (Kinmen lies west of the TM2 false origin) floor, not truncate
    assert cell_index([-0.5], [0], 1000)[0].tolist() == [-1]


def test_grid_totals_conserved_and_empty_cells_over_area():
    from geoairplan import datasets

    rng = np.random.default_rng(1)
    n = 200
    x = rng.uniform(180000, 215000, n)
    y = rng.uniform(2600000, 2630000, n)
    s = _sources({"C_NO": [f"P{i}" for i in range(n)], "UTM_E": x, "UTM_N": y,
                  "NOX_EMI": rng.gamma(1, 10, n), "PM_EMI": rng.gamma(1, 1, n)})
    area = datasets.load_counties("雲林縣")
    g = em.grid_emissions(s, 1000, area=area)
    for k, col in (("nox", "nox_emi"), ("pm", "pm_emi")):
        assert g[f"{k}_t"].sum() == pytest.approx(s[col].sum(), rel=1e-12)
    assert g["n_sources"].sum() == n
    assert (g["n_sources"] == 0).sum() > 500  # the county's empty cells are there for Gi*
    assert g["cell_id"].is_unique
    # Yunlin is about 1,291 km²: land inside the cells adds up to the county's area
    assert g["land_km2"].sum() == pytest.approx(area.to_crs(3826).area.sum() / 1e6, rel=1e-6)


def test_density_units_t_per_yr_per_km2():
    s = _sources({"C_NO": ["A"], "UTM_E": [200100.0], "UTM_N": [2620100.0], "SOX_EMI": [2.0]})
    g1 = em.grid_emissions(s, 1000)
    g5 = em.grid_emissions(s, 500)
    assert g1["sox_density"].iloc[0] == pytest.approx(2.0)
    assert g5["sox_density"].iloc[0] == pytest.approx(8.0)  # 2 t in 0.25 km²
    assert g5["area_km2"].iloc[0] == pytest.approx(0.25)
    with pytest.raises(InputError):
        em.grid_emissions(s, 0)


# --------------------------------------------------------------------------- reading and checks


def test_read_sources_bad_rows_reported_never_silent(tmp_path):
    p = _csv(tmp_path, "C_NO,UTM_E,UTM_N,TOWNSHIP,NOX_EMI,PM_EMI\n"
                       f"P1,{DOULIU[0]},{DOULIU[1]},,5,1\n"          # row 2 fine
                       "P2,,,,3,1\n"                                  # row 3 no place at all
                       ",,,斗六市,4,\n"                                # row 4 township only
                       f"P4,{DOULIU[0]},{DOULIU[1]},,-2,1\n"         # row 5 negative
                       f"P5,{DOULIU[0]},{DOULIU[1]},,abc,1\n"        # row 6 non-numeric
                       f"P6,12x,{DOULIU[1]},,1,1\n")                 # row 7 bad coordinate
    s = em.read_sources(p)
    probs = s.attrs["problems"].to_frame()
    text = "\n".join(probs["where"] + " " + probs["reason"])
    assert "row 3" in text and "no coordinates and no township" in text
    assert "row 5, nox_emi" in text and "negative" in text
    assert "row 6, nox_emi" in text and "not a number" in text
    assert "row 7" in text and "not two numbers" in text
    assert set(s["row"]) == {2, 4, 5, 6}
    only = s[s["row"] == 4].iloc[0]
    assert only["basis"] == "township" and only["township"] == "斗六市" and only.geometry is None
    assert probs.loc[probs["where"] == "row 4", "severity"].tolist() == ["warning"]
    # unusable values are NaN (not counted), not zero and not the raw text
    assert np.isnan(s.loc[s["row"] == 5, "nox_emi"].iloc[0])
    assert np.isnan(s.loc[s["row"] == 6, "nox_emi"].iloc[0])
    assert s.loc[s["row"] == 6, "pm_emi"].iloc[0] == 1.0
    assert all(p.source == str(p_) for p, p_ in zip(s.attrs["problems"], [p] * 99))


def test_read_sources_chinese_headers_lonlat_and_wrong_crs(tmp_path):
    p = _csv(tmp_path, "管制編號,經度,緯度,氮氧化物,鄉鎮市\nP9,120.5450,23.7119,12.5,斗六市\n")
    s = em.read_sources(p)
    assert s["nox_emi"].tolist() == [12.5]
    assert s.crs.to_epsg() == 3826
    assert 200000 < s["x"].iloc[0] < 210000
    # degrees given as TM2 metres: a whole-file CRS problem, named with the fix
    p2 = _csv(tmp_path, "C_NO,UTM_E,UTM_N,NOX_EMI\nA,120.54,23.71,1\nB,120.55,23.72,1\n", "deg.csv")
    with pytest.raises(InputError) as e:
        em.read_sources(p2)
    assert "deg.csv" in str(e.value) and "EPSG:4326" in str(e.value)
    p3 = _csv(tmp_path, "C_NO,UTM_E,UTM_N\nA,205000,2620000\n", "noemi.csv")
    with pytest.raises(InputError, match="no emission column"):
        em.read_sources(p3)


def test_township_aggregation_points_and_township_only():
    s = _sources({"C_NO": ["A", "B", "C", "D"], "UTM_E": [DOULIU[0], MAILIAO[0], None, None],
                  "UTM_N": [DOULIU[1], MAILIAO[1], None, None], "township": [None, "崙背鄉", "斗六市", "不存在鄉"],
                  "NOX_EMI": [1.0, 10.0, 2.0, 4.0]})
    t = em.township_emissions(s, county="雲林縣").set_index("township")
    assert t.at["斗六市", "nox_t"] == 3.0
    assert t.at["斗六市", "n_points"] == 1 and t.at["斗六市", "n_township_only"] == 1
    assert t.at["麥寮鄉", "nox_t"] == 10.0
    assert t.at["斗六市", "nox_density"] == pytest.approx(3.0 / t.at["斗六市", "area_km2"])
    assert 90 < t.at["斗六市", "area_km2"] < 105  # 斗六市 is about 94 km²
    reasons = " ".join(p.reason for p in t.attrs["problems"])
    assert "stated township 崙背鄉 but the point lies in 麥寮鄉" in reasons
    assert "不存在鄉" in reasons  # an unknown township is reported, not counted
    assert t["nox_t"].sum() == 13.0


def test_county_filter_reports_what_it_leaves_out():
    s = em.prepare_sources(pd.DataFrame({"C_NO": ["A", "B"], "UTM_E": [DOULIU[0], 178000.0],
                                         "UTM_N": [DOULIU[1], 2545000.0], "NOX_EMI": [1, 1]}),
                           county="雲林縣")
    assert s["c_no"].tolist() == ["A"]
    assert any("outside 雲林縣" in p.reason for p in s.attrs["problems"])


# --------------------------------------------------------------------------- township tables


def _table():
    rows = []
    for town, vals in {"斗六市": (16.4, 123), "麥寮鄉": (205, 2946), "虎尾鎮": (8.85, 48.3)}.items():
        rows += [{"county": "雲林縣", "township": town, "pollutant": "粒狀物", "value": vals[0]},
                 {"county": "雲林縣", "township": town, "pollutant": "氮氧化物", "value": vals[1]}]
    rows += [{"county": "雲林縣", "township": "荊桐鄉", "pollutant": "氮氧化物", "value": "10.8"},  # OCR typo
             {"county": "雲林縣", "township": "斗六鎮", "pollutant": "粒狀物", "value": 1},       # wrong name
             {"county": "雲林縣", "township": "林內鄉", "pollutant": "粒狀物", "value": -1}]
    return pd.DataFrame(rows)


def test_township_table_choropleth_and_printed_total():
    layer = em.township_table(_table(), source="t.csv")
    t = layer.set_index("township")
    assert t.at["麥寮鄉", "nox_t"] == 2946
    assert t.at["莿桐鄉", "nox_t"] == 10.8  # 荊桐 normalised to 莿桐
    assert np.isnan(t.at["林內鄉", "pm_t"])  # negative: not mapped
    assert not t.at["口湖鄉", "in_table"] and np.isnan(t.at["口湖鄉", "nox_t"])
    reasons = " ".join(p.reason for p in layer.attrs["problems"])
    assert "斗六鎮" in reasons and "斗六市" in reasons  # suggestion
    assert "negative" in reasons
    printed = pd.DataFrame({"pollutant": ["粒狀物", "氮氧化物"], "value": [230, 3128]})
    chk = em.check_township_total(layer, printed).set_index("pollutant")
    assert chk.at["pm", "sum_of_townships"] == pytest.approx(230.25)
    assert chk.at["pm", "difference"] == pytest.approx(0.25)
    assert chk.at["nox", "difference"] == pytest.approx(2946 + 123 + 48.3 + 10.8 - 3128)
    assert chk.at["nox", "difference_pct"] == pytest.approx(100 * 0.1 / 3128, abs=1e-3)
    dup = pd.concat([_table(), _table().iloc[:1]])
    with pytest.raises(InputError, match="several"):
        em.township_table(dup)


# --------------------------------------------------------------------------- kernel density


def test_bandwidth_rule_is_scott_with_kish_n():
    from scipy.stats import gaussian_kde

    rng = np.random.default_rng(3)
    x, y, w = rng.normal(0, 3000, 50), rng.normal(0, 1000, 50), rng.gamma(2, 1, 50)
    h = em.bandwidth_rule(x, y, w)
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    sigma = math.sqrt((np.average((x - mx) ** 2, weights=w) + np.average((y - my) ** 2, weights=w)) / 2)
    factor = gaussian_kde(np.vstack([x, y]), weights=w).factor  # scipy's Scott factor, n_eff^(-1/6)
    assert h == pytest.approx(sigma * factor, rel=1e-12)
    assert em.bandwidth_rule(x, y, w, "silverman") == h
    with pytest.raises(InputError):
        em.bandwidth_rule([1.0], [2.0])


def test_kde_matches_brute_force_and_integrates_to_total():
    s = _sources({"C_NO": ["A", "B", "C"], "UTM_E": [200000.0, 203000.0, 203000.0],
                  "UTM_N": [2620000.0, 2621000.0, 2621000.0], "NOX_EMI": [5.0, 2.0, 1.0]})
    k = em.kde_surface(s, "nox", bandwidth=1500, resolution=250)
    assert float(k.tags["total_t_per_yr"]) == 8.0 and k.unit == "t/yr/km2"
    assert k.values.sum() * 0.25 ** 2 == pytest.approx(8.0, rel=1e-3)
    # brute force (no cut-off) at pixel centres within the 4 h reach of both sources
    t = k.transform
    for qx, qy in [(201500, 2620500), (200000, 2620000), (203100, 2621900), (199000, 2618000)]:
        c, r = int((qx - t.c) // t.a), int((qy - t.f) // t.e)
        px, py = t.c + (c + 0.5) * t.a, t.f + (r + 0.5) * t.e
        want = sum(e * math.exp(-((px - x) ** 2 + (py - y) ** 2) / (2 * 1500 ** 2)) / (2 * math.pi * 1500 ** 2)
                   for x, y, e in [(200000, 2620000, 5), (203000, 2621000, 3)]) * 1e6
        assert k.values[r, c] == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert t.c % 250 == 0 and t.f % 250 == 0
    with pytest.raises(InputError):
        em.kde_surface(s, "so2")  # nobody emits SOx


def test_geotiff_epsg3826(tmp_path):
    import rasterio

    s = _sources({"C_NO": ["A", "B"], "UTM_E": [200000.0, 204000.0], "UTM_N": [2620000.0, 2623000.0],
                  "PM25_EMI": [1.0, 3.0]})
    k = em.kde_surface(s, "pm2.5")
    assert float(k.tags["bandwidth_m"]) == pytest.approx(
        em.bandwidth_rule([200000, 204000], [2620000, 2623000], [1, 3]))
    tags = RunMeta(capability="hotspots", pollutant="pm25", scenario=True).tags()
    path = k.to_geotiff(tmp_path / "k.tif", tags=tags)
    with rasterio.open(path) as r:
        assert r.crs.to_epsg() == 3826 and r.nodata is not None
        assert r.tags()["units"] == "t/yr/km2" and r.tags()["data_kind"] == "scenario"
        np.testing.assert_allclose(r.read(1), k.values.astype("float32"))
    assert path.read_bytes() == k.to_geotiff(tmp_path / "k2.tif", tags=tags).read_bytes()
    with rasterio.open(k.to_geotiff(tmp_path / "m.tif", tags=RunMeta(capability="hotspots").tags())) as r:
        assert r.tags()["data_kind"] == "measured" and "scenario" not in r.tags()


# --------------------------------------------------------------------------- Yunlin, 002 Table 2.27 (real data)


def test_yunlin_declared_total_vs_printed_total():
    from geoairplan.hotspots.report import township_hotspots

    res = township_hotspots(pollutant="nox", permutations=99)
    chk = res.total_check.set_index("pollutant")
    # the 20 township rows against the printed 總計 row (265 / 1,041 / 3,185 / 994 t)
    expect = {"pm": (265.58, 265), "sox": (1041.01, 1041), "nox": (3184.39, 3185), "nmhc": (993.72, 994)}
    for k, (rows, printed) in expect.items():
        assert chk.at[k, "sum_of_townships"] == pytest.approx(rows, abs=1e-6)
        assert chk.at[k, "printed_total"] == printed
        assert chk.at[k, "difference"] == pytest.approx(rows - printed, abs=1e-6)
    top = res.top_townships(3)
    assert top["township"].tolist() == ["麥寮鄉", "斗六市", "虎尾鎮"]
    assert top["share_pct"].iloc[0] == pytest.approx(100 * 2946 / 3184.39, abs=0.01)
    assert len(res.townships) == 20 and res.townships["in_table"].all()
    assert not res.problems


def test_yunlin_gi_star_equals_esda_on_queen_townships():
    import copy
    from esda import G_Local
    from libpysal.weights import Queen
    from geoairplan.hotspots.report import township_hotspots

    res = township_hotspots(pollutant="pm", permutations=999, seed=12345)
    t = res.townships
    q = Queen.from_dataframe(t.reset_index(drop=True), use_index=False)
    ref = G_Local(t["pm_density"].to_numpy(), q, transform="B", star=True, permutations=999, seed=12345, n_jobs=1)
    np.testing.assert_allclose(t["gi_z"], ref.Zs, rtol=1e-12)
    np.testing.assert_allclose(t["p_sim"], ref.p_sim)
    by = t.set_index("township")
    # a single dominant township is not a cluster: 麥寮鄉 has the highest density but its neighbours
    # are low, so its conditional-permutation p is large; 崙背鄉 (next to it) is the 90 % hot spot
    assert by.at["麥寮鄉", "gi_bin"] == 0
    assert by.at["崙背鄉", "gi_bin"] == 1
    assert by.at["四湖鄉", "gi_bin"] < 0


# --------------------------------------------------------------------------- same-name townships


def _twin_townships():
    import geopandas as gpd
    from shapely.geometry import box
    return gpd.GeoDataFrame({"COUNTYNAME": ["臺北市", "臺中市"], "TOWNNAME": ["大安區", "大安區"]},
                            geometry=[box(300000, 2768000, 305000, 2773000), box(210000, 2690000, 215000, 2695000)],
                            crs=3826)


def test_same_name_townships_in_two_counties_are_not_double_counted():
    s = _sources({"C_NO": ["A", "B"], "UTM_E": [302000.0, None], "UTM_N": [2770000.0, None],
                  "county": [None, "臺中市"], "township": [None, "大安區"], "NOX_EMI": [5.0, 7.0]})
    t = em.township_emissions(s, _twin_townships()).set_index("county")
    assert t.at["臺北市", "nox_t"] == 5.0 and t.at["臺北市", "n_sources"] == 1
    assert t.at["臺中市", "nox_t"] == 7.0 and t.at["臺中市", "n_township_only"] == 1
    assert t["nox_t"].sum() == 12.0


def test_same_name_township_without_county_is_reported_not_counted_twice():
    s = _sources({"C_NO": ["B"], "UTM_E": [None], "UTM_N": [None], "township": ["大安區"], "NOX_EMI": [7.0]})
    t = em.township_emissions(s, _twin_townships())
    assert t["nox_t"].sum() == 0.0
    assert any("several counties" in p.reason for p in t.attrs["problems"])


def test_hotspot_analysis_takes_only_the_named_county_of_a_township_only_row():
    from geoairplan.hotspots.report import hotspot_analysis
    s = pd.DataFrame({"C_NO": ["A", "A2", "A3", "B"], "UTM_E": [DOULIU[0], DOULIU[0] + 1000, DOULIU[0] + 2000, None],
                      "UTM_N": [DOULIU[1]] * 3 + [None], "county": ["雲林縣"] * 3 + ["新竹市"],
                      "township": [None, None, None, "東區"], "NOX_EMI": [1.0, 0.0, 0.0, 4.0]})
    res = hotspot_analysis(s, permutations=0, bandwidth=2000)
    assert set(res.townships["county"]) == {"雲林縣", "新竹市"}  # not 臺南市 / 嘉義市 東區
    t = res.townships.set_index(["county", "township"])
    assert t.loc[("新竹市", "東區"), "nox_t"] == 4.0
    assert res.townships["nox_t"].sum() == 5.0


def test_township_table_reports_rows_of_other_counties():
    tab = pd.concat([_table(), pd.DataFrame([{"county": "臺中市", "township": "大安區", "pollutant": "氮氧化物",
                                              "value": 3}])], ignore_index=True)
    layer = em.township_table(tab, county="雲林縣", source="t.csv")
    warn = [p for p in layer.attrs["problems"] if "other counties" in p.reason]
    assert len(warn) == 1 and warn[0].where == "1 row(s)" and f"rows {len(tab) + 1}" in warn[0].reason
    assert warn[0].severity == "warning"


# --------------------------------------------------------------------------- user parameters


@pytest.mark.parametrize("kw", [dict(resolution=0), dict(resolution=-250), dict(bandwidth=-5),
                                dict(bandwidth=0)])
def test_kde_rejects_non_positive_parameters(kw):
    s = _sources({"C_NO": ["A", "B"], "UTM_E": [DOULIU[0], MAILIAO[0]], "UTM_N": [DOULIU[1], MAILIAO[1]],
                  "NOX_EMI": [1.0, 2.0]})
    with pytest.raises(InputError, match="positive"):
        em.kde_surface(s, "nox", **kw)


@pytest.mark.parametrize("kw", [dict(bandwidth=-5), dict(resolution=0), dict(permutations=-1)])
def test_hotspot_analysis_bad_parameter_is_an_error_not_a_warning(kw):
    from geoairplan.hotspots.report import hotspot_analysis
    s = pd.DataFrame({"C_NO": ["A", "B"], "UTM_E": [DOULIU[0], MAILIAO[0]], "UTM_N": [DOULIU[1], MAILIAO[1]],
                      "NOX_EMI": [1.0, 2.0]})
    with pytest.raises(InputError):
        hotspot_analysis(s, county="雲林縣", **{"permutations": 0, **kw})


def test_township_hotspots_rejects_negative_permutations():
    from geoairplan.hotspots.report import township_hotspots
    with pytest.raises(InputError, match="permutations"):
        township_hotspots(None, permutations=-1)


# --------------------------------------------------------------------------- study area (issue 11, item 2)


@pytest.mark.parametrize("county", [None, "雲林縣"])
def test_a_cell_with_sources_is_never_a_cold_spot_on_the_county_study_area(county):
    """Without --county the grid once held only the 19 cells with sources: the 10-source 斗六 cluster was
    "cold spot, 99 %". Gi* runs on the study area's land grid (zeros included), with or without --county."""
    from geoairplan import datasets
    from geoairplan.hotspots.report import hotspot_analysis

    res = hotspot_analysis(datasets.data_dir() / "scenario" / "sources_scenario.csv", county=county, grid=1000,
                           permutations=99, bandwidth=2000)
    g = res.grid
    assert res.meta.counties == ("雲林縣",) and res.params["study_area"] == ["雲林縣"]
    assert res.summary()["study_area"]["counties"] == ["雲林縣"]
    assert res.meta.title.startswith("雲林縣 ")
    assert "雲林縣" in res.summary_text().splitlines()[0]
    # the grid is the county's land grid, not the cells of the sources
    assert len(g) > 1500 and (g["n_sources"] == 0).sum() > 1500
    land = datasets.load_counties("雲林縣").to_crs(3826).geometry.union_all()
    assert g.geometry.intersects(land).all()
    douliu = gpd.sjoin(g, datasets.load_townships("雲林縣").to_crs(3826).query("TOWNNAME == '斗六市'")[["geometry"]],
                       predicate="intersects")
    cluster = douliu[douliu["n_sources"] > 0]
    assert cluster["n_sources"].sum() == 10
    assert (cluster["gi_bin"] >= 0).all(), cluster[["cell_id", "n_sources", "gi_bin"]]
    assert (g.loc[g["n_sources"] > 0, "gi_bin"] >= 0).all()
    # and the kernel density covers the study area too
    w, s, e, n = land.bounds
    kb = res.kde.bounds
    assert kb[0] <= w + 1 and kb[1] <= s + 1 and kb[2] >= e - 1 and kb[3] >= n - 1


def test_without_county_the_maps_name_the_study_area():
    from geoairplan import datasets
    from geoairplan.hotspots.report import hotspot_analysis
    from geoairplan.maps.hotspots import _source_line

    res = hotspot_analysis(datasets.data_dir() / "scenario" / "sources_scenario.csv", grid=1000, permutations=0,
                           bandwidth=2000)
    assert "研究範圍 study area：雲林縣（污染源所在縣市" in _source_line(res)
    assert res.meta.display_title().startswith("雲林縣 ")
