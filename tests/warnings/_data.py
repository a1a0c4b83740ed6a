"""Small made-up tables the warning tests build on (tidy hourly rows, level tables, 屏東縣's coverage)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoairplan import datasets
from geoairplan.warnings import load_warning_rules

T0 = pd.Timestamp("2025-01-01 00:00", tz="Asia/Taipei")


MOENV_UNIT = {"pm2.5": "ug/m3", "pm10": "ug/m3", "so2": "ppb", "no2": "ppb", "o3": "ppb", "co": "ppm"}


def tidy(rows, *, t0=T0):
    """rows: (station, hour, pollutant, value[, unit[, flag]]) -> the tidy MOENV table."""
    recs = []
    for r in rows:
        st, h, p, v = r[:4]
        unit = r[4] if len(r) > 4 and r[4] else MOENV_UNIT.get(p, "")
        flag = r[5] if len(r) > 5 else ("valid" if v is not None and np.isfinite(v) else "missing")
        recs.append({"time": t0 + pd.Timedelta(hours=h), "station": st, "siteid": None, "pollutant": p,
                     "value": np.nan if v is None else float(v), "raw": "" if v is None else str(v),
                     "unit": unit, "flag": flag})
    return pd.DataFrame(recs)


def series(station, pollutant, values, *, unit=None, start=0):
    return [(station, start + i, pollutant, v, unit) for i, v in enumerate(values)]


def at(levels, station, hour):
    t = T0 + pd.Timedelta(hours=hour)
    r = levels[(levels["station"] == station) & (levels["time"] == t)]
    assert len(r) == 1
    return r.iloc[0]


PT = "屏東縣"
# the embedded official coverage of 屏東縣 (003 Table 2), as an explicit mapping
MAPPING = datasets.load_coverage_official(PT)[["county", "township", "station"]]


def levels_frame(ranks: dict[str, list[int]], *, t0=T0):
    """A level table with given ranks per station and hour (what compute_levels returns)."""
    R = load_warning_rules()
    recs = []
    for st, rs in ranks.items():
        for h, r in enumerate(rs):
            recs.append({"time": t0 + pd.Timedelta(hours=h), "station": st, "level": R.code(r), "level_rank": r,
                         "pollutant": "pm2.5" if r > 0 else ""})
    df = pd.DataFrame(recs)
    df.attrs["rules"] = "warning_2022"
    return df
