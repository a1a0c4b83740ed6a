"""Taiwan's administrative geography as geoairplan embeds it: counties, townships, air-quality zones.

The polygons are MOI's township boundaries (鄉鎮市區界線), 368 townships in 22
counties and cities, built into ``data/townships.gpkg`` by
``scripts/build_townships.py`` (see ``data/README.md``). Names are in MOI's
official spelling (臺, 恆); :func:`check_county` accepts what users write
(台南市, 屏東) and suggests spellings for what it cannot place.

>>> from geoairplan.reference import geography
>>> len(geography.county_names())
22
>>> geography.check_county("台東")
'臺東縣'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from geoairplan.errors import InputError
from geoairplan.reference.names import normalize_name, suggest

__all__ = ["data_dir", "county_names", "normalize_county", "check_county", "township_names",
           "load_townships", "load_counties", "AQ_ZONES", "SEED_COUNTIES", "zone_of"]

#: The three counties whose plans are the seeds of this project.
SEED_COUNTIES = ("屏東縣", "雲林縣", "澎湖縣")

#: MOENV air-quality zones (空品區) by county.
AQ_ZONES = {
    "基隆市": "北部", "臺北市": "北部", "新北市": "北部", "桃園市": "北部",
    "新竹市": "竹苗", "新竹縣": "竹苗", "苗栗縣": "竹苗",
    "臺中市": "中部", "彰化縣": "中部", "南投縣": "中部",
    "雲林縣": "雲嘉南", "嘉義縣": "雲嘉南", "嘉義市": "雲嘉南", "臺南市": "雲嘉南",
    "高雄市": "高屏", "屏東縣": "高屏", "宜蘭縣": "宜蘭", "花蓮縣": "花東", "臺東縣": "花東",
    "澎湖縣": "離島", "金門縣": "離島", "連江縣": "離島",
}


def data_dir() -> Path:
    """The folder holding the embedded data (inside an installed wheel, or the repo's ``data/``)."""
    here = Path(__file__).resolve().parent.parent
    for cand in (here / "data", here.parent / "data"):
        if (cand / "townships.gpkg").exists():
            return cand
    raise InputError("geoairplan's embedded data folder is missing", where=str(here),
                     fix="reinstall geoairplan (pip install -e . from a clone)")


@lru_cache(maxsize=None)
def _townships() -> gpd.GeoDataFrame:
    return gpd.read_file(data_dir() / "townships.gpkg", layer="townships", engine="pyogrio")


@lru_cache(maxsize=None)
def _counties() -> gpd.GeoDataFrame:
    return gpd.read_file(data_dir() / "townships.gpkg", layer="counties", engine="pyogrio")


def county_names() -> list[str]:
    """Official names of Taiwan's 22 counties and cities, in MOI code order."""
    return _counties()["COUNTYNAME"].tolist()


def normalize_county(name: str | None) -> str | None:
    """Official county name; accepts a name without its 縣/市 suffix when unambiguous.

    Returns the normalised text unchanged when it is no county (callers decide
    whether that is an error); see :func:`check_county`.
    """
    s = normalize_name(name)
    if s is None:
        return None
    names = county_names()
    if s in names:
        return s
    hits = [n for n in names if n[:-1] == s]
    return hits[0] if len(hits) == 1 else s


def check_county(county: str | None, *, where: str = "county") -> str | None:
    """The official spelling of ``county``; raises :class:`InputError` with suggestions when unknown.

    Parameters
    ----------
    county : str or None
        A county or city as users write it (``台南``, ``屏東縣``). None passes through.
    where : str
        The parameter named in the error (the CLI shows it as its option).
    """
    if county is None:
        return None
    name = normalize_county(county)
    if name not in county_names():
        hint = suggest(county, county_names())
        raise InputError(f"unknown county {county!r}", where=where,
                         fix=("did you mean " + " or ".join(hint) + "?") if hint else
                         "use an official name such as 屏東縣, 雲林縣 or 澎湖縣")
    return name


def zone_of(county: str) -> str | None:
    """The MOENV air-quality zone of a county (屏東縣 -> 高屏)."""
    return AQ_ZONES.get(normalize_county(county))


def load_townships(county: str | None = None) -> gpd.GeoDataFrame:
    """All 368 MOI townships (or one county's), EPSG:4326, official names; a fresh copy."""
    gdf = _townships()
    if county is not None:
        gdf = gdf[gdf["COUNTYNAME"] == check_county(county)]
    return gdf.reset_index(drop=True).copy()


def load_counties(county: str | None = None) -> gpd.GeoDataFrame:
    """County outlines (22), EPSG:4326, official names; a fresh copy."""
    gdf = _counties()
    if county is not None:
        gdf = gdf[gdf["COUNTYNAME"] == check_county(county)]
    return gdf.reset_index(drop=True).copy()


def township_names(county: str | None = None) -> list[str]:
    """Township names (official spelling) of a county, or of all Taiwan, in MOI order."""
    return load_townships(county)["TOWNNAME"].tolist()
