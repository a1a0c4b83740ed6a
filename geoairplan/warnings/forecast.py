"""The forecast input: next-day levels by air-quality zone (or county) and forecast trends.

004 Art. 3-4 (L11-L16) make the central forecast the basis of forecast-based
warnings, of the command-centre conditions (Art. 7, L35-L36) and of the
trends in Art. 4(2) ("預測未來十二小時...無減緩惡化之趨勢", L16) and Art. 14
("預測空氣品質在未來六小時有減緩惡化趨勢", L70). geoairplan does not forecast; it
reads a small CSV:

============== ==============================================================
column         meaning
============== ==============================================================
date           the day the forecast is for (``2025-01-16``)
area           an air-quality zone (``高屏``, ``高屏空品區``, ``雲嘉南`` ...) or a
               county (``屏東縣``); a county row wins over its zone's row
level          ``none``, ``L1``, ``L2``, ``S1``, ``S2``, ``S3`` (or 初級預警,
               中級預警, 輕度/中度/重度嚴重惡化, or 002's 預警二級 ... names)
improving_6h   optional yes/no: the forecast shows an easing trend within 6 h
               during that day (Art. 14 lowering)
improving_12h  optional yes/no: easing within 12 h (Art. 4(2) issuing)
pollutant      optional: the forecast's main pollutant (``pm2.5``, ``o3`` ...)
issued         optional: the day the forecast was issued; for a decision on
               day D the latest forecast issued on or before D is used
============== ==============================================================
"""

from __future__ import annotations

import datetime as dt
import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from geoairplan.errors import InputError
from geoairplan.io.tables import is_scenario, read_text_table
from geoairplan.reference.geography import AQ_ZONES, county_names
from geoairplan.reference.names import normalize_name, suggest
from geoairplan.warnings.rules import LEVELS_2022, NONE, parse_level

__all__ = ["read_forecast", "forecast_for", "zone_of"]

_TRUE = {"yes", "y", "true", "t", "1", "是", "有", "improving"}
_FALSE = {"no", "n", "false", "f", "0", "否", "無", "not improving"}


def zone_of(county: str) -> str | None:
    return AQ_ZONES.get(county)


def _area(text, where, src) -> str:
    s = normalize_name(text)
    if s is None:
        raise InputError("no area", file=src, where=where, fix="write an air-quality zone (高屏) or a county (屏東縣)")
    z = re.sub(r"(空氣品質區|空品區)$", "", s)
    zones = sorted(set(AQ_ZONES.values()))
    if z in zones:
        return z
    if s in county_names():
        return s
    hint = suggest(s, zones + county_names())
    raise InputError(f"unknown area {text!r}", file=src, where=where,
                     fix=("did you mean " + " or ".join(hint) + "? " if hint else "")
                     + "zones: " + ", ".join(zones) + "; or a county name")


def _bool(v, where, src):
    if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
        return None
    k = str(v).strip().lower()
    if k in _TRUE:
        return True
    if k in _FALSE:
        return False
    raise InputError(f"{v!r} is not yes or no", file=src, where=where, fix="write yes or no (or leave it empty)")


def read_forecast(forecast: str | PathLike | pd.DataFrame | None) -> pd.DataFrame | None:
    """The forecast table, checked: ``date, area, level, level_rank, improving_6h, improving_12h,
    pollutant, issued``; ``attrs["source"]`` and ``attrs["scenario"]`` (the table declares itself made-up
    scenario data in a ``data_kind`` column, :func:`geoairplan.io.is_scenario`). ``None`` passes through. Raises :class:`InputError` naming the row for an
    unknown area or level, an unreadable date, or a repeated (date, area, issued)."""
    if forecast is None:
        return None
    if isinstance(forecast, pd.DataFrame):
        df, src = forecast.copy(), "forecast"
    else:
        p = Path(forecast)
        if not p.exists():
            raise InputError("forecast file not found", file=p, fix="check the path given to --forecast")
        df = read_text_table(p, source="forecast")
        src = str(p)
    df.columns = [str(c).strip().lower() for c in df.columns]
    for c in ("date", "area", "level"):
        if c not in df.columns:
            raise InputError(f"missing column {c!r}; the file has {', '.join(df.columns)}", file=src, where="header",
                             fix="a forecast has the columns date, area, level (and optionally improving_6h, "
                                 "improving_12h, pollutant, issued)")
    rows = []
    for i, r in enumerate(df.to_dict("records")):
        where = f"row {i + 2}"
        d = pd.to_datetime(str(r["date"]), errors="coerce")
        if pd.isna(d):
            raise InputError(f"date {r['date']!r} cannot be read", file=src, where=where, fix="write dates like 2025-01-16")
        iss = r.get("issued")
        issd = None
        if iss is not None and not (isinstance(iss, float) and np.isnan(iss)) and str(iss).strip():
            issd = pd.to_datetime(str(iss), errors="coerce")
            if pd.isna(issd):
                raise InputError(f"issued {iss!r} cannot be read", file=src, where=where,
                                 fix="write dates like 2025-01-15")
            issd = issd.date()
        lv = parse_level(r["level"], where=where, file=src)
        pol = r.get("pollutant")
        pol = None if pol is None or (isinstance(pol, float) and np.isnan(pol)) or not str(pol).strip() \
            else str(pol).strip().lower()
        rows.append({"date": d.date(), "area": _area(r["area"], where, src), "level": lv,
                     "level_rank": 0 if lv == NONE else LEVELS_2022.index(lv) + 1,
                     "improving_6h": _bool(r.get("improving_6h"), where, src),
                     "improving_12h": _bool(r.get("improving_12h"), where, src),
                     "pollutant": pol, "issued": issd, "_row": i + 2})
    out = pd.DataFrame(rows, columns=["date", "area", "level", "level_rank", "improving_6h", "improving_12h",
                                      "pollutant", "issued", "_row"])
    key = out[["date", "area"]].assign(issued=out["issued"].astype(str))
    dup = key.duplicated(keep="first")
    if dup.any():
        r = out[dup].iloc[0]
        raise InputError(f"the forecast for {r['date']} {r['area']} is given twice", file=src, where=f"row {r['_row']}",
                         fix="keep one row per date and area (add an 'issued' column for successive forecasts)")
    out.attrs["source"] = src
    out.attrs["scenario"] = is_scenario(df)
    return out


def forecast_for(fc: pd.DataFrame | None, county: str, date: dt.date, *, as_of: dt.date | None = None) -> dict | None:
    """The forecast row (as a dict) for ``county`` on ``date``: the county's own row if any, else
    its air-quality zone's; among several issues, the latest issued on or before ``as_of``."""
    if fc is None or len(fc) == 0:
        return None
    for area in (county, zone_of(county)):
        if area is None:
            continue
        sub = fc[(fc["area"] == area) & (fc["date"] == date)]
        if as_of is not None and sub["issued"].notna().any():
            sub = sub[sub["issued"].isna() | (sub["issued"].map(lambda d: d is not None and d <= as_of))]
        if len(sub):
            if sub["issued"].notna().any():
                sub = sub.assign(_k=sub["issued"].map(lambda d: d or dt.date.min)).sort_values("_k")
                return sub.iloc[-1].drop(labels="_k").to_dict()
            return sub.iloc[0].to_dict()
    return None
