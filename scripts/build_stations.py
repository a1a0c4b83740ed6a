"""Build data/stations.csv: every MOENV air-quality station, with township, zone and type.

Inputs (all in ``data/sources/moenv/``, public MOENV files, see the README there)
------------------------------------------------------------------------------
* ``moenv_stations_aqx_p_07.csv``: the MOENV station list ``aqx_p_07`` (80
  stations; ``twd97lon/twd97lat`` are degrees despite their names), with
  ``sitetype``, ``areaname`` (zone), ``siteid``, ``siteengname``.
* ``moenv_aqx_p_432_snapshot.csv``: one hour of the real-time feed
  ``aqx_p_432`` (84 stations, ``longitude/latitude/siteid``): the positions of
  stations newer than the list (屏東（枋山）, 屏東（琉球）, 南投（鹿谷）,
  新北（樹林）); names are normalised (full-width brackets folded).
* ``stations_southern_region.csv``: the 33 southern stations of the earlier
  build (MOENV station list lon/lat). Their rows are kept as they were
  (position, township, pollutants) where the new sources agree within 50 m;
  every disagreement above 50 m is printed and listed in data/README.md.
* ``data/stations_meta.csv``: station type and pollutants of the 33 from the
  seeds (kept in ``station_type``, ``pollutants``, ``pollutants_source``).
* ``data/townships.gpkg``: county and township by spatial join of the point
  in EPSG:3826 (never typed by hand; the published ``township`` is compared).

Rules
-----
* Position: the southern list for its 33 rows (when within 50 m of aqx_p_07),
  else aqx_p_07, else the aqx_p_432 snapshot. ``source`` says which; no
  coordinate is invented.
* ``sitetype``: aqx_p_07's ``sitetype`` in the six-value vocabulary 一般站,
  交通站, 工業站, 國家公園站, 背景站, 其他 (the file writes ``公園站`` and
  ``其它站``); empty for stations the list lacks (the snapshot carries no type).
* ``zone``: MOENV's zoning by county (``AQ_ZONES``); aqx_p_07's ``areaname``
  agrees for every listed station (islands: the list writes 其他).
* ``pollutants`` keeps its meaning (the pollutants a station measures, ``;``
  separated codes). For stations outside the seeds the six-pollutant MOENV
  automatic-station suite is *assumed* and said so in ``pollutants_source``.

Run: ``python scripts/build_stations.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "data" / "sources" / "moenv"
P07 = SRC / "moenv_stations_aqx_p_07.csv"
P432 = SRC / "moenv_aqx_p_432_snapshot.csv"
SOUTH = SRC / "stations_southern_region.csv"
sys.path.insert(0, str(ROOT))

from geoairplan.datasets import load_townships, AQ_ZONES  # noqa: E402
from geoairplan.reference.names import normalize_name  # noqa: E402
from geoairplan.reference.stations import normalize_sitetype  # noqa: E402

RETRIEVED = "2026-11-23"
RETRIEVED_REAL = "2026-11-29"
AGREE_M = 50.0
SUITE = "pm2.5;pm10;o3;so2;no2;co"
P432_POLS = {"pm2.5": "pm2.5", "pm10": "pm10", "o3": "o3", "so2": "so2", "no2": "no2", "co": "co"}
SRC_P07 = "MOENV station list aqx_p_07 (twd97lon/twd97lat, degrees)"
SRC_P432 = "MOENV real-time feed aqx_p_432 snapshot 2026/08/18 19:00 (longitude/latitude)"

COLUMNS = ["name_zh", "name_en", "county", "township", "zone", "lon", "lat", "x_tm2", "y_tm2",
           "station_type", "pollutants", "pollutants_source", "source", "source_file", "retrieved",
           "siteid", "sitetype", "township_published"]


def _tm2(lon, lat) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(np.asarray(lon, float), np.asarray(lat, float)), crs=4326).to_crs(3826)


def main() -> None:
    p07 = pd.read_csv(P07, dtype=str)
    p432 = pd.read_csv(P432, dtype=str)
    south = pd.read_csv(SOUTH, dtype=str)
    meta = pd.read_csv(ROOT / "data" / "stations_meta.csv", dtype=str).set_index("name_zh")
    old = pd.read_csv(ROOT / "data" / "stations.csv", dtype=str)
    for df in (p07, p432):
        df["name_zh"] = df["sitename"].map(normalize_name)
    assert p07["name_zh"].is_unique and p432["name_zh"].is_unique
    p07 = p07.set_index("name_zh")
    p432 = p432.set_index("name_zh")
    names = list(south["name_zh"]) + sorted(
        (set(p07.index) | set(p432.index)) - set(south["name_zh"]),
        key=lambda n: (int((p07["siteid"].get(n) if n in p07.index else p432["siteid"][n]))))
    rows, report = [], []
    south = south.set_index("name_zh")
    for n in names:
        cand = []  # (source label, source file, lon, lat) in order of preference
        if n in south.index:
            cand.append((south.at[n, "source"], "data/sources/moenv/stations_southern_region.csv",
                         south.at[n, "lon"], south.at[n, "lat"]))
        if n in p07.index:
            cand.append((SRC_P07, "data/sources/moenv/moenv_stations_aqx_p_07.csv",
                         p07.at[n, "twd97lon"], p07.at[n, "twd97lat"]))
        if n in p432.index:
            cand.append((SRC_P432, "data/sources/moenv/moenv_aqx_p_432_snapshot.csv",
                         p432.at[n, "longitude"], p432.at[n, "latitude"]))
        kept = cand[0]
        pts = _tm2([c[2] for c in cand], [c[3] for c in cand])
        for c, p in zip(cand[1:], pts.iloc[1:]):
            d = float(pts.iloc[0].distance(p))
            if d > AGREE_M:
                report.append((n, kept[0], c[0], d))
        siteid = p07["siteid"].get(n) if n in p07.index else (p432["siteid"].get(n) if n in p432.index else None)
        name_en = (p07["siteengname"].get(n) if n in p07.index else None)
        if name_en is None and n in south.index:
            name_en = south.at[n, "name_en"]
        rows.append({"name_zh": n, "name_en": name_en, "lon": kept[2], "lat": kept[3], "source": kept[0],
                     "source_file": kept[1], "siteid": siteid,
                     "sitetype": normalize_sitetype(p07["sitetype"].get(n)) if n in p07.index else None,
                     "township_published": normalize_name(p07["township"].get(n)) if n in p07.index else None,
                     "county_published": normalize_name((p07 if n in p07.index else p432)["county"].get(n))
                     if (n in p07.index or n in p432.index) else normalize_name(south.at[n, "county_zh"]),
                     "areaname": p07["areaname"].get(n) if n in p07.index else None})
    out = pd.DataFrame(rows)
    pts = _tm2(out["lon"], out["lat"])
    towns = load_townships().to_crs(3826)[["COUNTYNAME", "TOWNNAME", "geometry"]]
    j = gpd.sjoin(gpd.GeoDataFrame(out, geometry=pts.values, crs=3826), towns, how="left", predicate="within")
    assert j.index.is_unique and j["TOWNNAME"].notna().all(), j[j["TOWNNAME"].isna()]
    bad = j["COUNTYNAME"] != out["county_published"]
    assert not bad.any(), j[bad][["name_zh", "COUNTYNAME", "county_published"]]
    out["county"] = j["COUNTYNAME"].to_numpy()
    out["township"] = j["TOWNNAME"].to_numpy()
    out["zone"] = out["county"].map(AQ_ZONES)
    zone_pub = out["areaname"].str.replace("空品區", "", regex=False)
    zbad = zone_pub.notna() & (zone_pub != out["zone"]) & ~((zone_pub == "其他") & (out["zone"] == "離島"))
    assert not zbad.any(), out[zbad]
    out["x_tm2"] = pts.x.round(1).to_numpy()
    out["y_tm2"] = pts.y.round(1).to_numpy()
    in_meta = out["name_zh"].isin(meta.index)
    out["station_type"] = out["name_zh"].map(meta["station_type"]).where(in_meta, None)
    out["pollutants"] = out["name_zh"].map(meta["pollutants"]).where(in_meta, SUITE)
    not_meta_src = []
    for n in out["name_zh"]:
        s = "MOENV automatic-station six-pollutant suite, assumed (not stated in aqx_p_07 or aqx_p_432)"
        if n in p432.index:
            empty = [p for p, c in P432_POLS.items() if not str(p432.at[n, c] if pd.notna(p432.at[n, c]) else "").strip()
                     or str(p432.at[n, c]).strip() in ("-", "ND", "x")]
            if empty:
                s += f"; empty in the aqx_p_432 snapshot hour: {', '.join(empty)}"
        not_meta_src.append(s)
    out["pollutants_source"] = out["name_zh"].map(meta["pollutants_source"]).where(in_meta, pd.Series(not_meta_src))
    out["retrieved"] = np.where(out["source_file"].str.endswith("stations_southern_region.csv"), RETRIEVED,
                                RETRIEVED_REAL)
    # the 33 earlier rows must come out as they were (same values in their columns)
    new = out[COLUMNS].astype(str)
    was = old.astype(str).set_index("name_zh")
    for c in [c for c in old.columns if c not in ("name_zh", "source_file")]:
        a = new.set_index("name_zh").loc[was.index, c]
        diff = a != was[c]
        assert not diff.any(), (c, pd.DataFrame({"new": a[diff], "old": was[c][diff]}))
    tdiff = out[out["township_published"].notna() & (out["township_published"] != out["township"])]
    out[COLUMNS].to_csv(ROOT / "data" / "stations.csv", index=False, lineterminator="\n")
    print(f"wrote data/stations.csv: {len(out)} stations, {out['county'].nunique()} counties")
    print(f"positions that disagree by more than {AGREE_M:.0f} m: {len(report)}")
    for n, k, o, d in report:
        print(f"  {n}: {d:.0f} m; kept {k}; other {o}")
    print("published township differs from the spatial join of the published point:")
    for r in tdiff.itertuples():
        print(f"  {r.name_zh}: published {r.township_published}, join {r.township}")


if __name__ == "__main__":
    main()
