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
number itself: 2 of 3, 2 of 4). The stations are every station of the county
in the national MOENV network (:func:`network_stations`: 004 L35-L36 "轄區內
...空氣品質監測站"; 屏東縣 has 5, half = 3), or a list passed in; the coverage
table (003 Table 2) only draws zones. The conditions, and the county tiers of
屏東縣 (003 L129-L174), are rule data: ``data/rules/county_rules_2022.csv``. The station condition holds on D
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
from geoairplan.errors import InputError
from geoairplan.reference.names import station_key
from geoairplan.reference.stations import load_stations as load_registry
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


def network_stations(county: str, mapping=None) -> list[str]:
    """The stations Art. 7 counts for ``county``: every station of the county in the national MOENV
    network (004 L35-L36 "轄區內二分之一以上空氣品質監測站", "任一空氣品質監測站").

    The regulation does not restrict the station types, and 002 L1207 counts the 環保署
    "自動監測站" of a county whatever their type (一般測站 and 工業測站 alike). geoairplan therefore
    counts every station of :func:`geoairplan.reference.stations.load_stations` in the county, of
    every type of :data:`~geoairplan.reference.stations.SITE_TYPES` (一般站, 交通站, 工業站, 國家公園站,
    背景站, 其他) **and** the stations whose type the sources do not state (屏東(琉球), 屏東(枋山)
    publish AQI in aqx_p_432 but are missing from the older aqx_p_07 list). County-run and
    river-dust stations (002 L1209) are not in the registry and are not counted. The stations of a
    given coverage ``mapping`` are added (a user's table may name stations the registry lacks).
    The coverage table itself only draws zones.
    """
    county = datasets.check_county(county)
    keys: set[str] = set()
    try:
        keys |= {station_key(s) for s in load_registry(county)["name_zh"]}  # every type, typed or not
    except (InputError, OSError):
        pass
    if mapping is not None or not keys:
        try:
            keys |= set(coverage_map(county, mapping)["station"])
        except (InputError, OSError):
            pass
    return sorted(keys)


def _county_station_keys(county, mapping, stations) -> list[str]:
    if stations is not None:
        return sorted({station_key(s) for s in stations})
    return sorted(set(coverage_map(county, mapping)["station"]))


def load_county_rules(county: str, rule: str, rules="county_rules_2022") -> pd.DataFrame:
    """The rows of ``data/rules/county_rules_2022.csv`` for ``county`` and ``rule`` (``forecast_area``
    or ``centre``): the national rows (county ``*``) plus the county's own. For ``forecast_area``
    the county's row replaces the national one."""
    df = rules if isinstance(rules, pd.DataFrame) else datasets.load_rules(rules)
    df = df[df["rule"] == rule].fillna("")
    own = df[df["county"] == county]
    nat = df[df["county"] == "*"]
    if rule == "forecast_area":
        return (own if len(own) else nat).reset_index(drop=True)
    return pd.concat([nat, own], ignore_index=True)


def forecast_area(county: str) -> tuple[str, str]:
    """``(whole_county | station_areas, seed line)``: where a forecast-based warning applies in ``county``
    (004 L15 national default; 003 L90 屏東縣 whole county; 002 L4339 雲林縣 and 001 L2390 澎湖縣 by
    station coverage area, for forecast values too)."""
    r = load_county_rules(county, "forecast_area")
    if len(r) == 0:
        return "whole_county", "004 L15"
    return str(r["value"].iloc[0]), str(r["source_lines"].iloc[0])


_LEVEL_EN = {1: "初級預警", 2: "中級預警", 3: "輕度嚴重惡化", 4: "中度嚴重惡化", 5: "重度嚴重惡化"}


def _rank_of(code: str) -> int:
    return 0 if not code else LEVELS_2022.index(code) + 1


def _cite(article: str, lines: str) -> str:
    seed, _, ln = lines.partition(" ")
    if seed == "004":
        return f"(004 {article}, {ln})"
    return f"({article}, {lines})"


def command_centre(levels: pd.DataFrame, county: str, *, forecast: pd.DataFrame | None = None, mapping=None,
                   stations: list[str] | None = None, days: list[dt.date] | None = None,
                   rules="county_rules_2022") -> pd.DataFrame:
    """Art. 7 for every day of the level table: may / must the county set up its command centre?

    The conditions are rule data (``data/rules/county_rules_2022.csv``, rows ``centre``): the
    national rows of 004 L35-L36 for every county, and a county's own tiers where its plan sets
    them (屏東縣 003 L129-L130, L150-L151, L172-L174: the centre at deterioration level is set up
    即成立之 when the forecast shows a deterioration level from the next day).

    The stations are every station of the county in the national network
    (:func:`network_stations`; 004 L35-L36 speak of the county's stations, not of a coverage
    table), or the list ``stations``.

    Returns one row per day: ``date, county, decision`` (``must``, ``may``, ``none``: the national
    Art. 7), ``decision_zh, may_set_up, must_set_up, may_dissolve, n_stations, stations,
    half_needed, max_at_L1, max_at_L2, max_at_S1`` (largest number of stations at or above the level
    in one hour of the day), ``forecast_next_day, forecast_day_after, reason`` (the clauses met,
    with seed lines), ``tier, tier_zh, tier_decision, tier_reason`` (the highest county tier met,
    empty where the county sets none).
    """
    county = datasets.check_county(county)
    keys = sorted({station_key(s) for s in stations}) if stations is not None else network_stations(county, mapping)
    n = len(keys)
    lv = levels[levels["station"].map(station_key).isin(keys)]
    tz = levels["time"].dt.tz
    hours = pd.DatetimeIndex(sorted(levels["time"].unique()))
    rank = lv.pivot_table(index="time", columns="station", values="level_rank", aggfunc="max").reindex(hours)
    rank = rank.fillna(-1)
    at = {k: (rank >= k) for k in range(1, 6)}
    cnt = {k: at[k].sum(axis=1) for k in at}
    if days is None:
        days = sorted({t.date() for t in hours})
    crules = load_county_rules(county, "centre", rules)
    rows = []
    for d in days:
        sel = np.array([t.date() == d for t in hours])
        fd1, fd2 = d + dt.timedelta(days=1), d + dt.timedelta(days=2)
        f1 = forecast_for(forecast, county, fd1, as_of=d)
        f2 = forecast_for(forecast, county, fd2, as_of=d)
        r1 = None if f1 is None else int(f1["level_rank"])
        r2 = None if f2 is None else int(f2["level_rank"])

        def station_clause(kind, k):
            c = cnt[k][sel]
            ok = [(half_or_more(int(v), n) if kind == "half" else int(v) >= 1) for v in c]
            if not any(ok):
                return None
            i = int(np.flatnonzero(ok)[0])
            t = c.index[i]
            names = [s for s in at[k].columns if at[k].loc[t, s]]
            if kind == "half":
                return (f"{int(c.iloc[i])} of {n} stations (half or more) at {_LEVEL_EN[k]} or above at "
                        f"{t:%Y-%m-%d %H:%M} ({'、'.join(names)})")
            return f"{'、'.join(names)} at {_LEVEL_EN[k]} or above at {t:%Y-%m-%d %H:%M}"

        met = []  # (row, reason)
        for r in crules.to_dict("records"):
            parts = []
            if r["stations"]:
                sc = station_clause(r["stations"], _rank_of(r["station_level"]))
                if sc is None:
                    continue
                parts.append(sc)
            need1, need2 = _rank_of(r["forecast_d1"]), _rank_of(r["forecast_d2"])
            if need1 and need2:
                if r1 is None or r2 is None or r1 < need1 or r2 < need2:
                    continue
                if need1 == need2:
                    parts.append(f"forecast {fd1} {_lvl(r1)} and {fd2} {_lvl(r2)}: two consecutive days at "
                                 f"{_LEVEL_EN[need1]} or above from the next day")
                else:
                    parts.append(f"forecast {fd1} {_lvl(r1)} and {fd2} {_lvl(r2)}: next day {_LEVEL_EN[need1]} or "
                                 f"above and the day after {_LEVEL_EN[need2]} or deterioration")
            elif need1:
                if r1 is None or r1 < need1:
                    continue
                parts.append(f"forecast {fd1} {_lvl(r1)}" if r["stations"] else
                             f"forecast {fd1} {_lvl(r1)}: {_LEVEL_EN[need1]} or above from the next day")
            met.append((r, " and ".join(parts) + " " + _cite(r["article"], r["source_lines"])))
        nat = [(r, why) for r, why in met if r["county"] == "*"]
        reasons_must = [why for r, why in nat if r["decision"] == "must"]
        reasons_may = [why for r, why in nat if r["decision"] == "may"]
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
        own = [(r, why) for r, why in met if r["county"] != "*"]
        tier = tier_zh = tier_dec = tier_reason = ""
        if own:
            order = list(dict.fromkeys(crules.loc[crules["county"] != "*", "tier"]))  # highest tier first
            best = min(own, key=lambda rw: (order.index(rw[0]["tier"]), rw[0]["decision"] != "must"))
            tier, tier_zh = best[0]["tier"], best[0]["tier_zh"]
            same = [(r, w) for r, w in own if r["tier"] == tier]
            tier_dec = "must" if any(r["decision"] == "must" for r, _ in same) else "may"
            tier_reason = "; ".join(w for _, w in same)
        rows.append({
            "date": d.isoformat(), "county": county, "decision": decision, "decision_zh": DECISION_ZH[decision],
            "may_set_up": may or must, "must_set_up": must, "may_dissolve": not (may or must),
            "n_stations": n, "stations": ";".join(keys), "half_needed": math.ceil(n / 2) if n else 0,
            "max_at_L1": int(cnt[1][sel].max()) if sel.any() else 0,
            "max_at_L2": int(cnt[2][sel].max()) if sel.any() else 0,
            "max_at_S1": int(cnt[3][sel].max()) if sel.any() else 0,
            "forecast_next_day": _lvl(r1), "forecast_day_after": _lvl(r2), "reason": reason,
            "tier": tier, "tier_zh": tier_zh, "tier_decision": tier_dec, "tier_reason": tier_reason})
    out = pd.DataFrame(rows)
    out.attrs["tz"] = str(tz)
    return out


def _track(times, ranks, improving, improving12, *, county: str, pingtung_advisory: bool):
    """Art. 4(2)/13/14 state machine of one station coverage area: events and the issued rank per hour."""
    issued, holding = 0, False
    events, out = [], []
    for t, r in zip(times, ranks):
        r = int(r)
        d = t.date()
        ev = None
        if r < 0:
            out.append(issued)
            continue
        if r > issued:
            why = ("level reached: warning for the station's coverage area (004 Art. 4(2), L16)" if issued == 0
                   else "higher level reached: warning level adjusted (004 Art. 13, L68)")
            if issued == 0 and improving12(d):
                if r <= 2 and pingtung_advisory:
                    why += ("; the forecast shows easing within 12 h: 004 Art. 4(2) (L16) does not require "
                            "issuing, but 屏東縣 issues advisory levels (L1/L2) on reaching them (003 L105)")
                else:
                    why += ("; the forecast shows easing within 12 h: 004 Art. 4(2) (L16) does not require issuing"
                            + (" (003 L105 likewise ties deterioration levels to the 12-h condition)"
                               if pingtung_advisory else "") + "; recorded as issued, the county may hold back")
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
            events.append((t, d, ev))
        out.append(issued)
    return events, out


def _forecast_flags(forecast, county):
    cache: dict = {}

    def improving(d):
        if (d, 6) not in cache:
            f = forecast_for(forecast, county, d) if county is not None else None
            cache[(d, 6)] = None if f is None else f.get("improving_6h")
        return cache[(d, 6)]

    def improving12(d):
        if (d, 12) not in cache:
            f = forecast_for(forecast, county, d) if county is not None else None
            cache[(d, 12)] = bool(f is not None and f.get("improving_12h"))
        return cache[(d, 12)]

    return improving, improving12


def lower_lift(levels: pd.DataFrame, county: str | None = None, *, forecast: pd.DataFrame | None = None,
               mapping=None, stations: list[str] | None = None, with_issued: bool = False):
    """Art. 14 events per station coverage area: ``time, date, county, station, action`` (``issue``,
    ``raise``, ``hold``, ``may_lower``, ``may_lift``), ``from_level, to_level`` (2022 codes),
    ``reason``. Stations: the county's coverage stations (or ``stations``; all when no county).

    With ``with_issued`` also returns the level table of those stations with ``measured_rank``
    (the level measured) and ``level_rank`` replaced by the **issued** rank of the station's
    coverage area in that hour (004 Art. 10, L60: measures follow the level issued).
    """
    if county is not None:
        county = datasets.check_county(county)
        keys = set(_county_station_keys(county, mapping, stations))
        lv = levels[levels["station"].map(station_key).isin(keys)]
    else:
        lv = levels
    lv = lv.sort_values(["station", "time"])
    improving, improving12 = _forecast_flags(forecast, county)
    events, issued_parts = [], []
    for st, g in lv.groupby("station", sort=True):
        evs, iss = _track(list(g["time"]), g["level_rank"].to_numpy(), improving, improving12,
                          county=county or "", pingtung_advisory=county == "屏東縣")
        for t, d, ev in evs:
            events.append({"time": t, "date": d.isoformat(), "county": county or "", "station": st,
                           "action": ev[0], "from_level": _lvl(ev[1]), "to_level": _lvl(ev[2]), "reason": ev[3]})
        if with_issued:
            issued_parts.append(g.assign(measured_rank=g["level_rank"].to_numpy(), level_rank=iss))
    cols = ["time", "date", "county", "station", "action", "from_level", "to_level", "reason"]
    ev = pd.DataFrame(events, columns=cols)
    if not with_issued:
        return ev
    iss = pd.concat(issued_parts, ignore_index=True) if issued_parts else lv.assign(measured_rank=lv["level_rank"])
    iss.attrs = dict(levels.attrs)
    return ev, iss
