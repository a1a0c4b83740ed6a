"""Warning zones per hour: townships and dissolved polygons (EPSG:3826).

* **Measurement-based** (004 Art. 4(2), L16; 003 L90): a station at a level
  warns its coverage area, so the zone of a level in an hour is the union of
  the townships covered by every station at that level. Coverage comes from
  :func:`geoairplan.coverage.township_station_map` (the official seed table
  where one exists: 屏東縣 003 Table 2, 雲林縣 002 Table 7.3, 澎湖縣 001) or
  from a mapping passed in.
* **Forecast-based** (004 Art. 4(1), L15; 003 L90 "發布之警告涵蓋區域為全縣"): a
  forecast level for the county's air-quality zone on a day makes the whole
  county the zone for every hour of that day.
* **River dust** (雲林縣, 002 Table 7.2 / L4296): a trigger makes the coverage
  areas of 崙背 and 麥寮 the zone.

A township's level in an hour is the highest over the three bases; ``basis``
says which set it. Levels are ranked on the common 1-5 scale (2022 codes in
``level_2022``; the level table's own codes in ``level``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoairplan import datasets
from geoairplan.coverage import read_official_coverage, township_station_map
from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2
from geoairplan.reference.names import station_key
from geoairplan.reference.stations import COVERAGE_TYPES
from geoairplan.warnings.forecast import forecast_for
from geoairplan.warnings.rules import LEVEL_ZH_2022, LEVELS_2022, NONE, load_warning_rules

__all__ = ["Zones", "coverage_map", "warning_zones", "dissolve_zones"]


def _key(name):
    return station_key(name)


def coverage_map(county: str, mapping=None) -> pd.DataFrame:
    """``county, township, station, source`` for ``county``: ``mapping`` (DataFrame or CSV path with
    township and station columns; county optional) or, by default,
    :func:`geoairplan.coverage.township_station_map` (official table where one exists).
    A given mapping is checked by :func:`geoairplan.coverage.read_official_coverage`: every MOI
    township of the county exactly once (a township missing, listed twice or misspelt raises
    :class:`InputError` with the nearest spelling); a blank county cell means ``county``; rows of
    other counties are reported in ``attrs["problems"]``."""
    county = datasets.check_county(county)
    if mapping is None:
        m = township_station_map(county, types=COVERAGE_TYPES)
        out = m[["county", "township", "station"]].copy()
        out["source"] = m["source"] if "source" in m.columns else m.attrs.get("source", "official")
        out["station"] = out["station"].map(_key)
        out.attrs.update(m.attrs)
        return out.reset_index(drop=True)
    # the one coverage-table check (also `geoairplan coverage --official`): long or one row per station,
    # English or Chinese headers; every township of the county exactly once, names checked with
    # suggestions, rows of other counties reported (attrs["problems"]), a misspelt county refused
    src = str(mapping) if isinstance(mapping, (str, PathLike)) else "coverage mapping"
    checked = read_official_coverage(mapping, county=county, source=src)
    out = pd.DataFrame({"county": county, "township": checked["township"].to_numpy(),
                        "station": checked["station"].to_numpy(),
                        "source": (checked["source"].fillna("given").to_numpy() if "source" in checked.columns
                                   else "given")})
    out.attrs["source"] = "given"
    out.attrs["problems"] = checked.attrs.get("problems", Problems())
    return out.reset_index(drop=True)


@dataclass
class Zones:
    """Warning zones of one county.

    ``townships``: one row per hour and warned township (``time, county,
    township, station, level, level_2022, level_zh, level_rank, basis,
    pollutant``); ``zones``: one row per hour and level (``time, county,
    level, level_2022, level_zh, level_rank, basis, stations, townships,
    n_townships``); ``polygons``: the same rows with the dissolved township
    polygons (EPSG:3826); ``mapping``: the coverage used.
    """

    county: str
    townships: pd.DataFrame
    zones: pd.DataFrame
    polygons: gpd.GeoDataFrame
    mapping: pd.DataFrame
    problems: Problems = field(default_factory=Problems)


def _county_stations(county: str) -> set[str]:
    """The county's embedded stations, every type (those not of :data:`COVERAGE_TYPES` take no part in
    the computed coverage, and are reported when they have data)."""
    try:
        st = datasets.load_stations(county)
        return {_key(s) for s in st["name_zh"]}
    except (InputError, OSError):
        return set()


def _county_stations_of_types(county: str) -> set[str]:
    """The county's embedded stations of :data:`COVERAGE_TYPES` (the computed coverage's stations)."""
    try:
        return {_key(s) for s in datasets.load_stations(county, types=COVERAGE_TYPES)["name_zh"]}
    except (InputError, OSError):
        return set()


def _known_stations() -> set[str]:
    """Every station of the embedded station list and coverage tables (any county)."""
    out: set[str] = set()
    for load, col in ((datasets.load_stations, "name_zh"), (datasets.load_coverage_official, "station")):
        try:
            out |= {_key(s) for s in load()[col]}
        except (InputError, OSError):
            pass
    return out


def warning_zones(levels: pd.DataFrame, county: str, *, mapping=None, forecast: pd.DataFrame | None = None,
                  river: pd.DataFrame | None = None, rules=None, townships: gpd.GeoDataFrame | None = None,
                  forecast_issued: pd.DataFrame | None = None) -> Zones:
    """Warning zones of ``county`` for every hour of the level table.

    Parameters
    ----------
    levels : pandas.DataFrame
        Output of :func:`~geoairplan.warnings.levels.compute_levels`.
    county : str
        The county.
    mapping : pandas.DataFrame or str or Path, optional
        Coverage (see :func:`coverage_map`); default the official table where one exists.
    forecast : pandas.DataFrame, optional
        Checked forecast (:func:`~geoairplan.warnings.forecast.read_forecast`): each day whose
        forecast for the county's zone is L1 or above warns the whole county.
    river : pandas.DataFrame, optional
        Output of :func:`~geoairplan.warnings.riverdust.river_dust` (雲林縣 only).
    rules : str or Rules, optional
        The rules the levels were computed with (default ``levels.attrs["rules"]``).
    townships : geopandas.GeoDataFrame, optional
        Township polygons (default the embedded MOI townships of the county).
    forecast_issued : pandas.DataFrame, optional
        The forecast-based warnings as issued hour by hour (``time, station, level_rank,
        measured_rank``; ``station`` empty for the whole county, else a coverage station), from
        :func:`geoairplan.warnings.timeline.forecast_warnings`. When given it replaces the
        day-by-day reading of ``forecast`` (004 Art. 14 may have lowered or lifted them).

    A ``measured_rank`` column in ``levels`` (the issued level in ``level_rank``, 004 Art. 10 L60)
    is carried to the township rows as ``measured_level`` beside the issued ``level_2022``.

    Returns
    -------
    Zones
        Township rows, zone rows and dissolved polygons per hour and level.
    """
    county = datasets.check_county(county)
    probs = Problems()
    m = coverage_map(county, mapping)
    src = f"coverage ({m.attrs.get('source', 'given')})"
    probs.extend(m.attrs.get("problems") or [])
    try:
        R = load_warning_rules(rules or levels.attrs.get("rules", "warning_2022"))
    except InputError:  # a rule table given as a path: label ranks with the 2022 codes
        R = load_warning_rules("warning_2022")
    lv = levels.copy()
    lv["skey"] = lv["station"].map(_key)
    in_map = set(m["station"])
    ours = _county_stations(county)
    present = set(lv["skey"])
    typed = _county_stations_of_types(county)
    for s in sorted((present & ours) - in_map):
        why = "" if s in typed else f" (not of the coverage station types {'、'.join(COVERAGE_TYPES)})"
        probs.add(src, f"station {s}", f"a {county} station with data is not in the coverage table{why}: its levels "
                  "make no warning zone (fix: add it to the coverage mapping)", severity="warning")
    for s in sorted(in_map - present):
        towns = "、".join(m.loc[m["station"] == s, "township"])
        probs.add(src, f"station {s}", f"no data for this station: its townships ({towns}) cannot be warned from "
                  "measurements", severity="warning")
    others = sorted(present - in_map - ours - _known_stations())
    if others:
        probs.add(src, f"{len(others)} stations", f"stations of no known county, not used for the zones of "
                  f"{county}: " + ", ".join(others), severity="warning")
    hours = pd.DatetimeIndex(sorted(lv["time"].unique()))
    parts = []
    meas = lv[lv["level_rank"] > 0].merge(m[["township", "station"]], left_on="skey", right_on="station",
                                          suffixes=("", "_m"))
    if len(meas):
        parts.append(pd.DataFrame({"time": meas["time"], "township": meas["township"], "station": meas["skey"],
                                   "level_rank": meas["level_rank"], "basis": "measurement",
                                   "pollutant": meas["pollutant"],
                                   "measured_rank": (meas["measured_rank"] if "measured_rank" in meas.columns
                                                     else meas["level_rank"])}))
    all_towns = datasets.township_names(county)
    if forecast_issued is not None:
        fi = forecast_issued[forecast_issued["level_rank"] > 0]
        fi = fi[fi["time"].isin(hours)]
        for st, g in fi.groupby("station", sort=True):
            towns = all_towns if not st else list(m.loc[m["station"] == st, "township"])
            if not towns:
                continue
            parts.append(pd.DataFrame({
                "time": np.repeat(g["time"].to_numpy(), len(towns)), "township": np.tile(towns, len(g)),
                "station": st, "level_rank": np.repeat(g["level_rank"].to_numpy(), len(towns)),
                "basis": "forecast", "pollutant": np.repeat(g["pollutant"].to_numpy(), len(towns)),
                "measured_rank": np.repeat(g["measured_rank"].to_numpy(), len(towns))}))
    elif forecast is not None and len(hours):
        days = sorted({t.date() for t in hours})
        for d in days:
            f = forecast_for(forecast, county, d, as_of=d - _dt.timedelta(days=1))
            if f is None or f["level_rank"] <= 0:
                continue
            hh = hours[np.array([t.date() == d for t in hours])]
            parts.append(pd.DataFrame({
                "time": np.repeat(hh, len(all_towns)), "township": np.tile(all_towns, len(hh)), "station": "",
                "level_rank": int(f["level_rank"]), "basis": "forecast", "pollutant": f.get("pollutant") or ""}))
    if river is not None and len(river) and county == "雲林縣":
        trig = river[river["level_rank"] > 0]
        resp = [_key(s) for s in river.attrs.get("response_stations", sorted(set(river["station"])))]
        rt = m[m["station"].isin(resp)]
        for s in sorted(set(resp) - set(m["station"])):
            probs.add(src, f"station {s}", "river-dust response station is not in the coverage table: its area "
                      "cannot be drawn", severity="warning")
        if len(trig) and len(rt):
            g = trig.groupby("time")["level_rank"].max().reset_index()
            g = g[g["time"].isin(hours)]
            parts.append(pd.DataFrame({
                "time": np.repeat(g["time"].to_numpy(), len(rt)), "township": np.tile(rt["township"].to_numpy(), len(g)),
                "station": np.tile(rt["station"].to_numpy(), len(g)),
                "level_rank": np.repeat(g["level_rank"].to_numpy(), len(rt)), "basis": "river_dust",
                "pollutant": "pm10"}))
    cols = ["time", "county", "township", "station", "level", "level_2022", "level_zh", "level_rank", "basis",
            "pollutant", "measured_level"]
    if parts:
        allp = pd.concat(parts, ignore_index=True)
        allp["time"] = pd.DatetimeIndex(allp["time"]).tz_convert(hours.tz) if hours.tz is not None else allp["time"]
        mx = allp.groupby(["time", "township"])["level_rank"].transform("max")
        top = allp[allp["level_rank"] == mx]
        agg = top.groupby(["time", "township"], sort=True).agg(
            level_rank=("level_rank", "max"),
            basis=("basis", lambda s: ";".join(sorted(set(s)))),
            station=("station", lambda s: ";".join(sorted({x for x in s if x}))),
            pollutant=("pollutant", lambda s: ";".join(_uniq(";".join(x for x in s if x).split(";")))),
        ).reset_index()
        if "measured_rank" in allp.columns:
            mr = allp.assign(measured_rank=allp["measured_rank"].fillna(allp["level_rank"]))
            mr = mr.groupby(["time", "township"], sort=True)["measured_rank"].max()
            agg["measured_rank"] = mr.reindex(pd.MultiIndex.from_frame(agg[["time", "township"]])).to_numpy()
        else:
            agg["measured_rank"] = agg["level_rank"]
        order = {t: i for i, t in enumerate(all_towns)}
        agg["_o"] = agg["township"].map(order)
        agg = agg.sort_values(["time", "_o"]).drop(columns="_o").reset_index(drop=True)
        agg["county"] = county
        agg["level"] = [R.code(int(r)) for r in agg["level_rank"]]
        agg["level_2022"] = [LEVELS_2022[int(r) - 1] for r in agg["level_rank"]]
        agg["level_zh"] = [LEVEL_ZH_2022[c] for c in agg["level_2022"]]
        agg["measured_level"] = [_measured(r) for r in agg["measured_rank"]]
        towns_long = agg[cols]
    else:
        towns_long = pd.DataFrame(columns=cols)
    zones = _zone_rows(towns_long, all_towns)
    polys = dissolve_zones(zones, county, townships)
    return Zones(county=county, townships=towns_long, zones=zones, polygons=polys, mapping=m, problems=probs)


def _measured(rank) -> str:
    """The 2022 code of a measured rank (``none`` below L1, ``insufficient`` without a level)."""
    if rank is None or pd.isna(rank) or int(rank) < 0:
        return "insufficient"
    return NONE if int(rank) == 0 else LEVELS_2022[int(rank) - 1]


def _uniq(items):
    seen = []
    for x in items:
        if x and x not in seen:
            seen.append(x)
    return seen


def _zone_rows(towns_long: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    cols = ["time", "county", "level", "level_2022", "level_zh", "level_rank", "basis", "stations", "townships",
            "n_townships"]
    if len(towns_long) == 0:
        return pd.DataFrame(columns=cols)
    g = towns_long.groupby(["time", "level_rank"], sort=True)
    out = g.agg(county=("county", "first"), level=("level", "first"), level_2022=("level_2022", "first"),
                level_zh=("level_zh", "first"),
                basis=("basis", lambda s: ";".join(sorted(set(";".join(s).split(";"))))),
                stations=("station", lambda s: ";".join(sorted({x for v in s for x in v.split(";") if x}))),
                townships=("township", lambda s: "、".join(s)),
                n_townships=("township", "size")).reset_index()
    return out.sort_values(["time", "level_rank"], ascending=[True, False])[cols].reset_index(drop=True)


def dissolve_zones(zones: pd.DataFrame, county: str, townships: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """One polygon per (hour, level): the union of the zone's townships, EPSG:3826."""
    if townships is None:
        townships = datasets.load_townships(county)
    tw = townships.to_crs(TM2) if townships.crs is not None else townships.set_crs(TM2)
    name_col = "TOWNNAME" if "TOWNNAME" in tw.columns else "township"
    geoms = dict(zip(tw[name_col], tw.geometry))
    cache: dict[str, object] = {}

    def union(txt: str):
        if txt not in cache:
            parts = [geoms[t] for t in txt.split("、") if t in geoms]
            cache[txt] = shapely.union_all(parts) if parts else None
        return cache[txt]

    geo = [union(t) for t in zones["townships"]] if len(zones) else []
    return gpd.GeoDataFrame(zones.copy(), geometry=gpd.GeoSeries(geo, crs=TM2), crs=TM2)
