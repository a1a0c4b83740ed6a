"""Decisions: the command centre (004 Art. 7) and lowering / lifting warnings (004 Art. 14).

Art. 7 (004 L33-L36), evaluated for a county and a day D from the measured
station levels of D and the forecast (issued on D) for D+1 ("隔日") and D+2
("再次日"):

* **may set up** (得成立, L35): the forecast shows D+1 at 初級預警 or above *and*
  D+2 at 中級預警 or a deterioration level; or half or more ("二分之一以上") of
  the county's stations are at 初級預警 or above *and* the forecast shows D+1 at
  中級預警 or above;
* **must set up** (應成立, L36): the forecast shows two consecutive days at
  中級預警 or above starting from D+1 ("隔日起...連續二日": read as D+1 and
  D+2); or half or more of the stations are at 中級預警 or above; or any station
  is at 輕度嚴重惡化 or above ("輕度嚴重惡化或以上").

"Half or more" is ``2 × n_at_level >= n_stations`` ("以上" includes the
number itself: 2 of 3, 2 of 4). The stations are the county's stations in
the coverage table (the ones that define warning zones; 屏東縣: 屏東, 潮州,
恆春 of 003 Table 2), or a list passed in. The station condition holds on D
when it holds in any hour of D (the same hour for all stations); a station
whose level is ``insufficient`` is not counted as at a level. "At level X"
means "at X or above" (the digest's reading; only L36 says "或以上").

Art. 14 (004 L70-L71), per station coverage area and hour, with the
warning's issued level tracked through the hours:

* a level above the issued one raises it (issue at the first hour at L1 or
  above; Art. 4(2) L16, Art. 13 L68 adjustment);
* **may lower** (得調降): the level is below the issued level (but at L1 or
  above) *and* the forecast shows an easing trend within 6 h on that day
  (``improving_6h``); the issued level becomes the current level. Without
  that forecast the warning is held (one ``hold`` event per stretch);
* **may lift** (得解除): the level is below 初級預警 (no trend needed);
* hours with ``insufficient`` data change nothing.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from geoairplan import datasets
from geoairplan.reference.names import station_key
from geoairplan.warnings.forecast import forecast_for
from geoairplan.warnings.rules import LEVELS_2022, NONE
from geoairplan.warnings.zones import coverage_map

__all__ = ["command_centre", "lower_lift", "half_or_more", "DECISION_ZH"]

DECISION_ZH = {"must": "應成立", "may": "得成立", "none": "未達成立條件"}


def half_or_more(k: int, n: int) -> bool:
    """"二分之一以上": ``k`` stations of ``n`` are half or more (2 of 3, 2 of 4, not 1 of 3)."""
    return n > 0 and 2 * k >= n


def _lvl(rank) -> str:
    if rank is None:
        return "no forecast"
    return NONE if rank <= 0 else LEVELS_2022[int(rank) - 1]


def _county_station_keys(county, mapping, stations) -> list[str]:
    if stations is not None:
        return sorted({station_key(s) for s in stations})
    return sorted(set(coverage_map(county, mapping)["station"]))


def command_centre(levels: pd.DataFrame, county: str, *, forecast: pd.DataFrame | None = None, mapping=None,
                   stations: list[str] | None = None, days: list[dt.date] | None = None) -> pd.DataFrame:
    """Art. 7 for every day of the level table: may / must the county set up its command centre?

    Returns one row per day: ``date, county, decision`` (``must``, ``may``, ``none``),
    ``decision_zh, may_set_up, must_set_up, may_dissolve, n_stations, stations, half_needed,
    max_at_L1, max_at_L2, max_at_S1`` (largest number of stations at or above the level in one
    hour of the day), ``forecast_next_day, forecast_day_after, reason`` (the clauses met, with
    004 line numbers).
    """
    county = datasets.check_county(county)
    keys = _county_station_keys(county, mapping, stations)
    n = len(keys)
    lv = levels[levels["station"].map(station_key).isin(keys)]
    tz = levels["time"].dt.tz
    hours = pd.DatetimeIndex(sorted(levels["time"].unique()))
    rank = lv.pivot_table(index="time", columns="station", values="level_rank", aggfunc="max").reindex(hours)
    rank = rank.fillna(-1)
    at = {k: (rank >= k) for k in (1, 2, 3)}
    cnt = {k: at[k].sum(axis=1) for k in at}
    if days is None:
        days = sorted({t.date() for t in hours})
    rows = []
    for d in days:
        sel = np.array([t.date() == d for t in hours])
        f1 = forecast_for(forecast, county, d + dt.timedelta(days=1), as_of=d)
        f2 = forecast_for(forecast, county, d + dt.timedelta(days=2), as_of=d)
        r1 = None if f1 is None else int(f1["level_rank"])
        r2 = None if f2 is None else int(f2["level_rank"])
        cond = {}
        for k in (1, 2):
            c = cnt[k][sel]
            ok = [half_or_more(int(v), n) for v in c]
            if any(ok):
                i = int(np.flatnonzero(ok)[0])
                t = c.index[i]
                names = [s for s in at[k].columns if at[k].loc[t, s]]
                cond[k] = (t, int(c.iloc[i]), names)
        c3 = cnt[3][sel]
        if (c3 >= 1).any():
            t = c3.index[int(np.flatnonzero((c3 >= 1).to_numpy())[0])]
            cond[3] = (t, int(c3.loc[t]), [s for s in at[3].columns if at[3].loc[t, s]])
        reasons_must, reasons_may = [], []
        fd1, fd2 = d + dt.timedelta(days=1), d + dt.timedelta(days=2)
        if r1 is not None and r2 is not None and r1 >= 2 and r2 >= 2:
            reasons_must.append(f"forecast {fd1} {_lvl(r1)} and {fd2} {_lvl(r2)}: two consecutive days at 中級預警 or "
                                "above from the next day (004 Art. 7(1)(二), L36)")
        if 2 in cond:
            t, k, names = cond[2]
            reasons_must.append(f"{k} of {n} stations (half or more) at 中級預警 or above at {t:%Y-%m-%d %H:%M} "
                                f"({'、'.join(names)}) (004 Art. 7(1)(二), L36)")
        if 3 in cond:
            t, k, names = cond[3]
            reasons_must.append(f"{'、'.join(names)} at 輕度嚴重惡化 or above at {t:%Y-%m-%d %H:%M} "
                                "(004 Art. 7(1)(二), L36)")
        if r1 is not None and r2 is not None and r1 >= 1 and r2 >= 2:
            reasons_may.append(f"forecast {fd1} {_lvl(r1)} and {fd2} {_lvl(r2)}: next day 初級預警 or above and the "
                               "day after 中級預警 or deterioration (004 Art. 7(1)(一), L35)")
        if 1 in cond and r1 is not None and r1 >= 2:
            t, k, names = cond[1]
            reasons_may.append(f"{k} of {n} stations (half or more) at 初級預警 or above at {t:%Y-%m-%d %H:%M} "
                               f"({'、'.join(names)}) and forecast {fd1} {_lvl(r1)} (004 Art. 7(1)(一), L35)")
        must, may = bool(reasons_must), bool(reasons_may)
        decision = "must" if must else ("may" if may else "none")
        if must or may:
            reason = "; ".join(reasons_must + reasons_may)
        else:
            bits = [f"at most {int(cnt[1][sel].max()) if sel.any() else 0} of {n} stations at 初級預警 or above, "
                    f"{int(cnt[2][sel].max()) if sel.any() else 0} at 中級預警 or above, none at 輕度嚴重惡化"]
            if forecast is None:
                bits.append("no forecast given: the forecast conditions were not evaluated")
            else:
                bits.append(f"forecast {fd1} {_lvl(r1)}, {fd2} {_lvl(r2)}")
            reason = "no condition of 004 Art. 7(1) met: " + "; ".join(bits)
        rows.append({
            "date": d.isoformat(), "county": county, "decision": decision, "decision_zh": DECISION_ZH[decision],
            "may_set_up": may or must, "must_set_up": must, "may_dissolve": not (may or must),
            "n_stations": n, "stations": ";".join(keys), "half_needed": math.ceil(n / 2) if n else 0,
            "max_at_L1": int(cnt[1][sel].max()) if sel.any() else 0,
            "max_at_L2": int(cnt[2][sel].max()) if sel.any() else 0,
            "max_at_S1": int(cnt[3][sel].max()) if sel.any() else 0,
            "forecast_next_day": _lvl(r1), "forecast_day_after": _lvl(r2), "reason": reason})
    out = pd.DataFrame(rows)
    out.attrs["tz"] = str(tz)
    return out


def lower_lift(levels: pd.DataFrame, county: str | None = None, *, forecast: pd.DataFrame | None = None,
               mapping=None, stations: list[str] | None = None) -> pd.DataFrame:
    """Art. 14 events per station coverage area: ``time, date, county, station, action`` (``issue``,
    ``raise``, ``hold``, ``may_lower``, ``may_lift``), ``from_level, to_level`` (2022 codes),
    ``reason``. Stations: the county's coverage stations (or ``stations``; all when no county)."""
    if county is not None:
        county = datasets.check_county(county)
        keys = set(_county_station_keys(county, mapping, stations))
        lv = levels[levels["station"].map(station_key).isin(keys)]
    else:
        lv = levels
    lv = lv.sort_values(["station", "time"])
    events = []
    imp6_cache: dict = {}

    def improving(d):
        if d not in imp6_cache:
            f = forecast_for(forecast, county, d) if county is not None else None
            imp6_cache[d] = None if f is None else f.get("improving_6h")
        return imp6_cache[d]

    def improving12(d):
        f = forecast_for(forecast, county, d) if county is not None else None
        return bool(f is not None and f.get("improving_12h"))

    for st, g in lv.groupby("station", sort=True):
        issued = 0
        holding = False
        for t, r in zip(g["time"], g["level_rank"].to_numpy()):
            r = int(r)
            if r < 0:
                continue
            d = t.date()
            ev = None
            if r > issued:
                why = ("level reached: warning for the station's coverage area (004 Art. 4(2), L16)" if issued == 0
                       else "higher level reached: warning level adjusted (004 Art. 13, L68)")
                if issued == 0 and improving12(d):
                    why += ("; the forecast shows easing within 12 h, so Art. 4(2) does not require issuing "
                            "(屏東縣 issues advisory levels on reaching them, 003 L105)")
                ev = ("issue" if issued == 0 else "raise", issued, r, why)
                issued, holding = r, False
            elif r == 0 and issued > 0:
                ev = ("may_lift", issued, 0, "below 初級預警: the warning may be lifted (004 Art. 14, L71)")
                issued, holding = 0, False
            elif 0 < r < issued:
                imp = improving(d)
                if imp:
                    ev = ("may_lower", issued, r, "below the issued level and the forecast shows easing within "
                          "6 h: the level may be lowered (004 Art. 14, L70)")
                    issued, holding = r, False
                elif not holding:
                    why = "no forecast of easing within 6 h given" if imp is None else "the forecast shows no easing within 6 h"
                    ev = ("hold", issued, issued, f"below the issued level but {why}: not lowered (004 Art. 14, L70)")
                    holding = True
            else:
                holding = holding and r < issued
            if ev:
                events.append({"time": t, "date": d.isoformat(), "county": county or "", "station": st,
                               "action": ev[0], "from_level": _lvl(ev[1]), "to_level": _lvl(ev[2]),
                               "reason": ev[3]})
    cols = ["time", "date", "county", "station", "action", "from_level", "to_level", "reason"]
    return pd.DataFrame(events, columns=cols)
