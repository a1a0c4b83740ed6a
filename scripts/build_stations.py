"""Build data/stations.csv: the 33 southern MOENV stations with township and zone.

Inputs
------
* ``../shared/reference/stations_southern_region.csv``: station names and
  lon/lat as published in the MOENV station list (aqx_p_07; TWD97 geographic
  = WGS84 within 1 m).
* ``data/stations_meta.csv``: station type and the pollutants each station
  measures, transcribed from the seeds (see data/README.md).
* ``data/townships.gpkg``: county and township are filled in by a spatial
  join of the published point in EPSG:3826 (never typed by hand).

The air-quality zone follows MOENV's zoning by county (雲嘉南: 雲林縣, 嘉義縣,
嘉義市, 臺南市; 高屏: 高雄市, 屏東縣; 花東: 臺東縣, 花蓮縣; 離島: 澎湖縣,
金門縣, 連江縣).

Run: ``python scripts/build_stations.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "reference" / "stations_southern_region.csv"
sys.path.insert(0, str(ROOT))

from geoairplan.datasets import load_townships, AQ_ZONES  # noqa: E402
from geoairplan.reference.names import normalize_name  # noqa: E402

RETRIEVED = "2026-11-23"


def main() -> None:
    ref = pd.read_csv(REF, dtype=str)
    pts = gpd.GeoDataFrame(ref, geometry=gpd.points_from_xy(ref.lon.astype(float), ref.lat.astype(float)),
                           crs=4326).to_crs(3826)
    towns = load_townships().to_crs(3826)[["COUNTYNAME", "TOWNNAME", "geometry"]]
    j = gpd.sjoin(pts, towns, how="left", predicate="within")
    assert j.index.is_unique and j["TOWNNAME"].notna().all(), j[j["TOWNNAME"].isna()]
    claimed = ref["county_zh"].map(normalize_name)
    bad = j["COUNTYNAME"] != claimed
    assert not bad.any(), j[bad]
    meta_path = ROOT / "data" / "stations_meta.csv"
    meta = pd.read_csv(meta_path, dtype=str).set_index("name_zh")
    out = pd.DataFrame({
        "name_zh": ref["name_zh"],
        "name_en": ref["name_en"],
        "county": j["COUNTYNAME"].to_numpy(),
        "township": j["TOWNNAME"].to_numpy(),
        "zone": j["COUNTYNAME"].map(AQ_ZONES).to_numpy(),
        "lon": ref["lon"],
        "lat": ref["lat"],
        "x_tm2": pts.geometry.x.round(1).to_numpy(),
        "y_tm2": pts.geometry.y.round(1).to_numpy(),
        "station_type": ref["name_zh"].map(meta["station_type"]),
        "pollutants": ref["name_zh"].map(meta["pollutants"]),
        "pollutants_source": ref["name_zh"].map(meta["pollutants_source"]),
        "source": ref["source"],
        "source_file": "shared/reference/stations_southern_region.csv",
        "retrieved": RETRIEVED,
    })
    assert out["pollutants"].notna().all(), out[out["pollutants"].isna()]
    out.to_csv(ROOT / "data" / "stations.csv", index=False, lineterminator="\n")
    print(f"wrote data/stations.csv: {len(out)} stations")


if __name__ == "__main__":
    main()
