"""The decisions of an episode as one timeline: forecast warnings, Art. 11, 13 and 16, and the events table.

Every row of :func:`events_table` is one decision in one hour: ``issue``, ``raise``, ``hold``,
``lower``, ``lift`` (a warning), ``centre may`` / ``centre must`` (a command centre),
``notify`` (whom the county tells), with the level issued, the level measured beside it, the
area, the article and the seed line it follows, and why. The maps and the bulletin read it.

* **Forecast-based warnings** (004 Art. 4(1), L15): :func:`forecast_warnings` issues the level of
  the forecast for the day (the forecast issued the day before), over the whole county
  (national default; 屏東縣 003 L90) or by station coverage area where the county's plan says so
  for forecast values too (雲林縣 002 L4339, 澎湖縣 001 L2390; ``data/rules/county_rules_2022.csv``).
  Art. 14 then applies to it as to a measured warning: **lower** (L70) when every station of
  the area is below the issued level and the forecast shows easing within 6 h; **lift** (L71)
  when every station is below 初級預警 and either the forecast day is over or the forecast shows
  easing (geoairplan's reading: during its own day without easing the forecast still expects
  the level, so the warning is held, one ``hold`` event).
* **Art. 13** (004 L68): after a deterioration warning (輕度 or above) is issued, the warning is
  reassessed every six hours: :func:`reassess_6h` writes ``raise``, ``hold`` or ``lower`` at each
  six-hour mark from the issue, comparing the issued level with the one six hours before.
* **Art. 11** (004 L63-L64): :func:`upwind_notifications`. After a forecast-based (Art. 4(1))
  中級預警 or deterioration warning, the county that is the most upwind of its air-quality zone
  notifies its directly adjacent upwind counties. Annex 5 (the list of upwind neighbours) is
  not in the seed (004 L62 only marks it): neighbours are the counties whose MOI outline touches
  the county's, "upwind" means the bearing to the neighbour's centroid is within 45° of the
  day's mean wind direction (speed-weighted vector mean of the wind measured that day at the
  stations of the zone's counties and of their neighbours, national registry: one wind per zone
  and day). The exception for folk events
  (但屬當地民俗活動...) cannot be judged from data and is stated in the reason.
* **Art. 16** (004 L76): :func:`central_centre`. Per day, the counties other than 連江縣, 金門縣 and
  澎湖縣 whose Art. 7 decision is ``must`` are counted; nine or more: the central command centre
  must be set up. Counting also the ``may`` counties reaching nine gives ``centre may``.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from geoairplan.io.crs import TM2
from geoairplan.reference.geography import AQ_ZONES, load_counties
from geoairplan.reference.names import station_key
from geoairplan.warnings.decisions import _lvl, forecast_area, network_stations
from geoairplan.warnings.forecast import forecast_for
from geoairplan.warnings.rules import LEVELS_2022
from geoairplan.warnings.zones import coverage_map

__all__ = ["forecast_warnings", "reassess_6h", "upwind_notifications", "central_centre", "events_table",
           "EVENT_COLUMNS", "ART16_EXCLUDED"]

#: Columns of the events table.
EVENT_COLUMNS = ["time", "date", "county", "event", "level", "measured_level", "area", "article", "seed_line",
                 "reason"]
#: Counties Art. 16 leaves out of the count (004 L76: 除連江縣、金門縣及澎湖縣以外).
ART16_EXCLUDED = ("連江縣", "金門縣", "澎湖縣")
_ORDER = {"issue": 0, "raise": 1, "hold": 2, "lower": 3, "lift": 4, "centre must": 5, "centre may": 6, "notify": 7}


def _measured_series(levels: pd.DataFrame, keys, hours) -> pd.Series:
    """Highest measured rank over ``keys`` per hour (-1 when no station has a level)."""
    lv = levels[levels["station"].map(station_key).isin(set(keys))]
    if len(lv) == 0:
        return pd.Series(-1, index=hours)
    col = "measured_rank" if "measured_rank" in lv.columns else "level_rank"
    return lv.groupby("time")[col].max().reindex(hours).fillna(-1).astype(int)


def forecast_warnings(levels: pd.DataFrame, county: str, forecast: pd.DataFrame | None, *, mapping=None):
    """Forecast-based warnings of ``county`` hour by hour (004 Art. 4(1) L15, Art. 14 L70-L71).

    Returns
    -------
    events : pandas.DataFrame
        :data:`EVENT_COLUMNS` rows (``issue``, ``raise``, ``hold``, ``lower``, ``lift``).
    issued : pandas.DataFrame
        ``time, station`` (empty for the whole county, else the coverage station), ``level_rank``
        (issued), ``measured_rank``, ``pollutant``: what :func:`~geoairplan.warnings.zones.warning_zones`
        draws (``forecast_issued``).
    """
    hours = pd.DatetimeIndex(sorted(levels["time"].unique()))
    cols_i = ["time", "station", "level_rank", "measured_rank", "pollutant"]
    if forecast is None or len(forecast) == 0 or len(hours) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS), pd.DataFrame(columns=cols_i)
    kind, line = forecast_area(county)
    if kind == "station_areas":
        areas = {s: [s] for s in sorted(set(coverage_map(county, mapping)["station"]))}
        where = f"station coverage area, also for forecast values ({line})"
    else:
        areas = {"": network_stations(county, mapping)}
        where = f"whole county ({line})"
    fdays = {}
    for d in sorted({t.date() for t in hours}):
        f = forecast_for(forecast, county, d, as_of=d - dt.timedelta(days=1))
        fdays[d] = f
    events, rows = [], []
    for area, keys in areas.items():
        meas = _measured_series(levels, keys, hours)
        label = f"{area} 涵蓋區域" if area else "全縣"
        issued, holding, pol = 0, False, ""
        prev_day = None
        for t in hours:
            d = t.date()
            new_day, prev_day = d != prev_day, d
            f = fdays[d]
            fr = int(f["level_rank"]) if f is not None else 0
            m = int(meas.loc[t])
            ev = None
            if fr > issued and new_day:
                why = (f"forecast for {d} (issued {f.get('issued') or 'the day before'}) at {_lvl(fr)}: warning for the "
                       f"{where} (004 Art. 4(1), L15)")
                ev = ("issue" if issued == 0 else "raise", fr, "Art. 4(1)", f"004 L15; {line}", why)
                issued, holding, pol = fr, False, (f.get("pollutant") or "")
            elif issued > 0 and m >= 0:
                imp6 = f.get("improving_6h") if f is not None else None
                day_over = fr < issued  # the forecast of the day no longer expects the issued level
                if m == 0 and (day_over or imp6):
                    ev = ("lift", 0, "Art. 14", "004 L71", "every station below 初級預警 and " +
                          ("the forecast for the day is below the issued level" if day_over else
                           "the forecast shows easing within 6 h") + ": the forecast warning may be lifted "
                          "(004 Art. 14, L71)")
                    issued, holding = 0, False
                elif 0 < m < issued and imp6:
                    ev = ("lower", m, "Art. 14", "004 L70", f"stations at most {_lvl(m)}, below the issued "
                          f"{_lvl(issued)}, and the forecast shows easing within 6 h: lowered (004 Art. 14, L70)")
                    issued, holding = m, False
                elif m < issued and not holding:
                    why = ("the forecast for the day still expects the level and shows no easing within 6 h"
                           if not imp6 else "")
                    ev = ("hold", issued, "Art. 14", "004 L70-L71", f"stations at most {_lvl(m)}, below the issued "
                          f"{_lvl(issued)}, but {why}: held (004 Art. 14, L70-L71)")
                    holding = True
            if ev:
                events.append({"time": t, "date": d.isoformat(), "county": county, "event": ev[0],
                               "level": _lvl(ev[1]), "measured_level": _lvl(m) if m >= 0 else "insufficient",
                               "area": label, "article": ev[2], "seed_line": ev[3], "reason": ev[4]})
            rows.append((t, area, issued, m, pol))
    ev = pd.DataFrame(events, columns=EVENT_COLUMNS)
    iss = pd.DataFrame(rows, columns=cols_i)
    return ev, iss


_ACTION = {"issue": ("issue", "Art. 4(2)", "004 L16"), "raise": ("raise", "Art. 13", "004 L68"),
           "hold": ("hold", "Art. 14", "004 L70"), "may_lower": ("lower", "Art. 14", "004 L70"),
           "may_lift": ("lift", "Art. 14", "004 L71")}


def station_events(ev: pd.DataFrame, issued: pd.DataFrame) -> pd.DataFrame:
    """:func:`~geoairplan.warnings.decisions.lower_lift` events as :data:`EVENT_COLUMNS` rows."""
    if ev is None or len(ev) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    meas = {(r.station, r.time): int(r.measured_rank) for r in issued.itertuples()} if len(issued) else {}
    rows = []
    for r in ev.itertuples():
        e, art, line = _ACTION[r.action]
        m = meas.get((r.station, r.time), -1)
        rows.append({"time": r.time, "date": r.date, "county": r.county, "event": e, "level": r.to_level,
                     "measured_level": _lvl(m) if m >= 0 else "insufficient", "area": f"{r.station} 涵蓋區域",
                     "article": art, "seed_line": line, "reason": r.reason})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def reassess_6h(issued: pd.DataFrame, county: str, *, area_col: str = "station") -> pd.DataFrame:
    """Art. 13 (004 L68): six-hourly reassessment of every issued deterioration warning.

    ``issued`` has ``time``, ``area_col``, ``level_rank`` (issued) and ``measured_rank``. From the
    hour a warning reaches 輕度嚴重惡化 (rank 3) every sixth hour gets a ``raise`` / ``hold`` /
    ``lower`` event comparing the issued level with the issued level six hours before; the
    reassessment ends when the warning is below 輕度嚴重惡化.
    """
    rows = []
    if issued is None or len(issued) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    for area, g in issued.sort_values("time").groupby(area_col, sort=True):
        times, iss = list(g["time"]), g["level_rank"].astype(int).tolist()
        meas = g["measured_rank"].astype(int).tolist()
        start = None
        for i, (t, r) in enumerate(zip(times, iss)):
            if start is None:
                if r >= 3:
                    start, prev = t, r
                continue
            if (t - start) % pd.Timedelta(hours=6) == pd.Timedelta(0):
                e = "raise" if r > prev else ("lower" if r < prev else "hold")
                rows.append({"time": t, "date": t.date().isoformat(), "county": county, "event": e,
                             "level": _lvl(r), "measured_level": _lvl(meas[i]) if meas[i] >= 0 else "insufficient",
                             "area": f"{area} 涵蓋區域" if area else "全縣", "article": "Art. 13", "seed_line": "004 L68",
                             "reason": f"six-hourly reassessment of the deterioration warning issued at "
                                       f"{start:%Y-%m-%d %H:%M}: {_lvl(prev)} six hours ago, now {_lvl(r)} "
                                       f"(measured {_lvl(meas[i]) if meas[i] >= 0 else 'insufficient'}) "
                                       "(004 Art. 13, L68)"})
                prev = r
                if r < 3:
                    start = None
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def centre_events(cc: pd.DataFrame, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """``centre must`` / ``centre may`` rows from :func:`~geoairplan.warnings.decisions.command_centre`
    (the national decision and, where the county sets tiers, its tier)."""
    rows = []
    first = {}
    for t in hours:
        first.setdefault(t.date().isoformat(), t)
    tz = hours.tz

    def when(reason, day):
        """The hour the first clause met names (``at 2025-01-16 15:00``), else the day's first hour."""
        m = re.search(r"at (\d{4}-\d{2}-\d{2} \d{2}:\d{2})", reason or "")
        if m:
            t = pd.Timestamp(m.group(1))
            return t.tz_localize(tz) if tz is not None else t
        return first.get(day)

    for r in cc.to_dict("records"):
        if r["decision"] in ("must", "may"):
            t = when(r["reason"], r["date"])
            lines = sorted({x for x in ("L35", "L36") if x in r["reason"]})
            rows.append({"time": t, "date": r["date"], "county": r["county"], "event": f"centre {r['decision']}",
                         "level": "", "measured_level": "", "area": "空氣污染防制指揮中心", "article": "Art. 7",
                         "seed_line": "004 " + "-".join(lines) if lines else "004 L35-L36", "reason": r["reason"]})
        if r.get("tier"):
            t = when(r["tier_reason"], r["date"])
            lines = sorted(set(re.findall(r"00[1-4] L\d+", r["tier_reason"])))
            rows.append({"time": t, "date": r["date"], "county": r["county"], "event": f"centre {r['tier_decision']}",
                         "level": "", "measured_level": "", "area": r["tier_zh"],
                         "article": f"Art. 7 ({r['county']} tier)", "seed_line": "; ".join(lines),
                         "reason": r["tier_reason"]})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def central_centre(cc: pd.DataFrame, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """Art. 16 (004 L76): per day, ``centre must`` for 中央空氣污染防制指揮中心 when nine or more
    counties (連江縣, 金門縣, 澎湖縣 not counted) must set up their centre; ``centre may`` when the
    counties that must or may reach nine. Days below both give no row (the count is in every
    reason)."""
    rows = []
    if cc is None or len(cc) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    first = {}
    for t in hours:
        first.setdefault(t.date().isoformat(), t)
    for d, g in cc.groupby("date", sort=True):
        g = g[~g["county"].isin(ART16_EXCLUDED)]
        must = sorted(g.loc[g["decision"] == "must", "county"])
        may = sorted(g.loc[g["decision"] == "may", "county"])
        if len(must) >= 9:
            ev = "centre must"
        elif len(must) + len(may) >= 9:
            ev = "centre may"
        else:
            continue
        rows.append({"time": first.get(d), "date": d, "county": "全國", "event": ev, "level": "",
                     "measured_level": "", "area": "中央空氣污染防制指揮中心", "article": "Art. 16",
                     "seed_line": "004 L76",
                     "reason": f"{len(must)} counties must set up their command centre ({'、'.join(must)})"
                               + (f", {len(may)} may ({'、'.join(may)})" if may else "")
                               + "; 9 or more (連江縣、金門縣、澎湖縣 not counted): central command centre "
                               + ("must be set up" if ev == "centre must" else "if the counties that may do so")
                               + " (004 Art. 16, L76)"})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def _wind(clean: pd.DataFrame | None, stations, day: dt.date):
    """Speed-weighted mean wind direction (from, degrees) and mean speed at ``stations`` on ``day``."""
    if clean is None or len(clean) == 0:
        return None
    c = clean[clean["valid"] & clean["station"].map(station_key).isin(set(stations))]
    c = c[[t.date() == day for t in c["time"]]]
    ws = c[c["pollutant"] == "wind_speed"].set_index(["station", "time"])["value"]
    wd = c[c["pollutant"] == "wind_direc"].set_index(["station", "time"])["value"]
    j = pd.concat({"ws": ws, "wd": wd}, axis=1).dropna()
    j = j[(j["wd"] >= 0) & (j["wd"] <= 360)]
    if len(j) == 0:
        return None
    rad = np.deg2rad(j["wd"].to_numpy())
    u = float((j["ws"] * np.sin(rad)).sum())
    v = float((j["ws"] * np.cos(rad)).sum())
    if math.hypot(u, v) == 0:
        return None
    return (math.degrees(math.atan2(u, v)) % 360.0, float(j["ws"].mean()), len(j))


def _bearing(a, b) -> float:
    return math.degrees(math.atan2(b.x - a.x, b.y - a.y)) % 360.0


def _angle(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def neighbours() -> dict[str, list[str]]:
    """Counties whose MOI outlines touch (within 200 m), from the embedded county polygons."""
    c = load_counties().to_crs(TM2)
    geoms = dict(zip(c["COUNTYNAME"], c.geometry))
    out = {}
    for a, ga in geoms.items():
        gb = ga.buffer(200)
        out[a] = sorted(b for b, g in geoms.items() if b != a and gb.intersects(g))
    return out


def upwind_notifications(fc_events: pd.DataFrame, clean: pd.DataFrame | None) -> pd.DataFrame:
    """Art. 11 (004 L63-L64): ``notify`` events from forecast-based warnings at 中級預警 or above."""
    rows = []
    if fc_events is None or len(fc_events) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    trig = fc_events[fc_events["event"].isin(["issue", "raise"])]
    trig = trig[trig["level"].isin(["L2", "S1", "S2", "S3"])]
    if len(trig) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    nb = neighbours()
    c = load_counties().to_crs(TM2)
    cent = dict(zip(c["COUNTYNAME"], c.geometry.centroid))
    seen = set()
    for r in trig.sort_values("time").itertuples():
        key = (r.county, r.date)
        if key in seen:
            continue
        seen.add(key)
        day = dt.date.fromisoformat(r.date)
        ns = nb.get(r.county, [])
        zone = AQ_ZONES.get(r.county)
        zone_c = [k for k, z in AQ_ZONES.items() if z == zone] or [r.county]
        around = sorted(set(zone_c) | {n for k in zone_c for n in nb.get(k, [])})
        sts = [s for cty in around for s in network_stations(cty)]  # one wind for the whole zone that day
        w = _wind(clean, sts, day)
        base = {"time": r.time, "date": r.date, "county": r.county, "event": "notify", "level": r.level,
                "measured_level": r.measured_level, "article": "Art. 11", "seed_line": "004 L63"}
        if w is None:
            rows.append({**base, "area": "（未判定）", "reason": "forecast-based warning at 中級預警 or above "
                         "(004 Art. 11, L63): no wind measured at the stations of the zone and its neighbours on "
                         f"{r.date}, so the upwind neighbours cannot be determined; Annex 5 is not in the seed"})
            continue
        wdir, wspd, n = w
        ux, uy = math.sin(math.radians(wdir)), math.cos(math.radians(wdir))
        zc = [k for k, z in AQ_ZONES.items() if z == zone and k in cent]
        proj = {k: cent[k].x * ux + cent[k].y * uy for k in zc}
        most = max(proj, key=proj.get) if proj else r.county
        wtxt = (f"mean wind from {wdir:.0f}° at {wspd:.1f} m/s ({n} station-hours of the {zone} zone and its "
                "neighbours)")
        if most != r.county:
            rows.append({**base, "area": "（非最上風處）", "reason": f"{wtxt}: {most} is the most upwind county of the "
                         f"{zone} zone, not {r.county}; Art. 11 asks the most upwind county to notify (004 L63)"})
            continue
        up = [k for k in ns if _angle(_bearing(cent[r.county], cent[k]), wdir) <= 45.0]
        if not up:
            rows.append({**base, "area": "（無上風相鄰縣市）", "reason": f"{wtxt}: {r.county} is the most upwind county "
                         f"of the {zone} zone, but no adjacent county ({'、'.join(ns) or 'none'}) lies within 45° "
                         "upwind; nobody to notify (004 Art. 11, L63)"})
            continue
        for k in up:
            extra = (" On notice, 屏東縣 has its centrally designated facilities carry out 中級預警 measures "
                     "(003 L486; 004 L64)." if k == "屏東縣" else
                     " The notified county has its Annex-2 centrally designated facilities carry out 中級預警 "
                     "measures (004 L64).")
            rows.append({**base, "area": k, "reason": f"{wtxt}: {r.county} is the most upwind county of the {zone} "
                         f"zone and {k} is adjacent and upwind (bearing {_bearing(cent[r.county], cent[k]):.0f}°): "
                         "notify it (004 Art. 11, L63; Annex 5 is not in the seed, neighbours from the MOI outlines; "
                         "not if the episode comes from a local folk event)." + extra})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def notify_events(notes: pd.DataFrame, zt: pd.DataFrame, county: str, hours: pd.DatetimeIndex,
                  recipients: pd.DataFrame | None) -> pd.DataFrame:
    """Art. 9 ``notify`` rows: per day with a warning zone, whom the county notifies (counts by kind
    from the notification list; the categories of 004 L51 the seeds do not list by name; at
    deterioration levels the media and the public channels of Art. 9(2), L56-L58)."""
    rows = []
    if zt is None or len(zt) == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    first = {}
    for t in zt["time"]:
        d = t.date().isoformat()
        first[d] = min(first.get(d, t), t)
    for d in sorted(first):
        day = zt[[t.date().isoformat() == d for t in zt["time"]]]
        top = int(day["level_rank"].max())
        n = notes[notes["date"] == d] if notes is not None and len(notes) else notes
        kinds = n["recipient_kind"].value_counts().sort_index() if n is not None and len(n) else pd.Series(dtype=int)
        named = ", ".join(f"{k} {v}" for k, v in kinds.items()) or "none named"
        cats = ""
        if recipients is not None and len(recipients):
            unnamed = recipients[recipients["names_in_seed"] == "no"]
            cats = "; not listed by name in the seeds (notified through the unit named): " + ", ".join(
                f"{r.category_zh} via {r.relayed_by} ({r.source_lines})" for r in unnamed.itertuples())
        mcodes = [c for c in day.get("measured_level", pd.Series(dtype=object)) if c in LEVELS_2022]
        rows.append({"time": first[d], "date": d, "county": county, "event": "notify", "level": _lvl(top),
                     "measured_level": max(mcodes, key=LEVELS_2022.index) if mcodes else "none",
                     "area": "警告區域 warning zone", "article": "Art. 9(1)", "seed_line": "004 L51",
                     "reason": f"warning issued: notify government bodies, schools, kindergartens, welfare and nursing "
                               f"institutions, stations, hospitals and the designated facilities (004 Art. 9(1), "
                               f"L51); listed: {named}{cats}"})
        if top >= 3:
            rows.append({"time": first[d], "date": d, "county": county, "event": "notify", "level": _lvl(top),
                         "measured_level": rows[-1]["measured_level"], "area": "新聞傳播媒體、公開平台",
                         "article": "Art. 9(2)", "seed_line": "004 L56-L58",
                         "reason": "deterioration warning: the media broadcast it until it is lifted, and the "
                                   "public platform, neighbourhood system, e-boards, marquees and SMS carry it "
                                   "(004 Art. 9(2), L56-L58)"})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def events_table(parts) -> pd.DataFrame:
    """The events of an episode in time order (county, then issue < raise < hold < lower < lift <
    centre < notify)."""
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    df = pd.concat(parts, ignore_index=True)[EVENT_COLUMNS]
    df["_o"] = df["event"].map(lambda e: _ORDER.get(e, 9))
    df["_t"] = df["time"].map(lambda t: t.isoformat() if pd.notna(t) else "")
    df = df.sort_values(["_t", "county", "_o", "area"], kind="stable").drop(columns=["_o", "_t"])
    return df.reset_index(drop=True)
