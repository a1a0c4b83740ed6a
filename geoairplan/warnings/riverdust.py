"""雲林縣 濁水溪 river-dust warning (002 Table 7.2, L4331-L4335; rule text L4296).

002 L4296: "當風向為北風系，風速大於 3.7m/s 及小時平均值達本縣所定之標準，則依空品
惡化等級啟動相對應之應變作業。應變區域為本縣崙背空氣品質監測站及麥寮空氣品質監測站。"
Table 7.2 gives the PM10 hourly thresholds (預警一級 255, 嚴重惡化三級 355,
二級 1,050 for 2 consecutive hours, 一級 1,250 for 3) and the sector
"北風系(315-45)".

Interpretations (see docs/warnings.md):

* all three conditions in the same hour, at the same station; for the
  consecutive-hour levels every hour of the run meets all three;
* the sector is inclusive at both ends and wraps through north:
  315° <= direction or direction <= 45° (the table prints "315-45" without
  saying; the brief fixes it inclusive);
* "大於 3.7m/s" is strictly greater (``wind_speed_op`` ``>`` in the rule file);
* evaluated at the response stations named by the rule (崙背, 麥寮) with
  their own wind; a trigger at either makes both stations' coverage areas
  the response zone (the rule names the two stations together).

Levels are the pre-2022 codes of 002 (W1, D3, D2, D1) and are mapped to the
2022 scale by ``level_map_pre2022_to_2022.csv`` (same rank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoairplan import datasets
from geoairplan.errors import InputError, Problems
from geoairplan.reference.names import normalize_name
from geoairplan.warnings.levels import TZ, _grid, _matrix, _reaches, prepare_observations
from geoairplan.warnings.rules import LEVELS_2022, NONE, load_level_map

__all__ = ["load_river_dust_rules", "river_dust", "in_sector", "RIVER_DUST_COUNTY"]

RIVER_DUST_COUNTY = "雲林縣"
_COLS = ("rule_set", "rule_id", "pollutant", "level", "level_zh", "level_rank", "averaging", "threshold", "unit",
         "consecutive_hours", "wind_dir_from_deg", "wind_dir_to_deg", "wind_speed_op", "wind_speed_ms",
         "response_stations")


def load_river_dust_rules(name="yunlin_river_dust_002") -> pd.DataFrame:
    """The river-dust rule table, checked, with numeric columns."""
    if isinstance(name, pd.DataFrame):
        df, src = name.copy(), "river-dust rules"
    else:
        df, src = datasets.load_rules(str(name)), f"data/rules/{name}.csv"
    miss = [c for c in _COLS if c not in df.columns]
    if miss:
        raise InputError(f"missing column(s) {', '.join(miss)}", file=src, where="header",
                         fix="see data/rules/README.md for the river-dust table's columns")
    df = df.astype(object).where(pd.notna(df), None)
    out = pd.DataFrame({c: df[c] for c in _COLS})
    for c in ("threshold", "wind_dir_from_deg", "wind_dir_to_deg", "wind_speed_ms"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in ("level_rank", "consecutive_hours"):
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(1).astype(int)
    bad = out[out[["threshold", "wind_dir_from_deg", "wind_dir_to_deg", "wind_speed_ms"]].isna().any(axis=1)]
    if len(bad):
        raise InputError("a river-dust rule lacks a number (threshold, wind sector or speed)", file=src,
                         where=f"row {bad.index[0] + 2}", fix="fill in every numeric column")
    ops = set(out["wind_speed_op"])
    if not ops <= {">", ">="}:
        raise InputError(f"wind_speed_op {sorted(ops - {'>', '>='})} not understood", file=src,
                         where="wind_speed_op", fix="write > or >=")
    # the wind condition is one for the whole table (river_dust applies it to every level)
    wind = ["wind_dir_from_deg", "wind_dir_to_deg", "wind_speed_ms", "wind_speed_op"]
    w = out[wind].reset_index(drop=True)
    differs = np.flatnonzero((w != w.iloc[0]).any(axis=1).to_numpy()) if len(w) else []
    if len(differs):
        first = w.iloc[0]
        rows = ", ".join(str(int(i) + 2) for i in differs)
        cols = [c for c in wind if (w[c] != first[c]).any()]
        raise InputError(f"the river-dust rules disagree on the wind condition ({', '.join(cols)}): row(s) {rows} "
                         f"differ from row 2 ({first['wind_dir_from_deg']:g}-{first['wind_dir_to_deg']:g} deg, "
                         f"speed {first['wind_speed_op']} {first['wind_speed_ms']:g} m/s)", file=src,
                         where="rows 2, " + rows, fix="give every level the same wind sector and speed")
    if set(out["unit"]) != {"ug/m3"} or set(out["pollutant"]) != {"pm10"}:
        raise InputError("river-dust rules must be PM10 in ug/m3", file=src, where="pollutant/unit",
                         fix="state the PM10 hourly thresholds in ug/m3")
    out.attrs["source"] = src
    return out


def in_sector(direction, start: float, end: float) -> np.ndarray:
    """True where ``direction`` (degrees) lies in the sector from ``start`` clockwise to ``end``,
    both ends included (315 to 45 wraps through north)."""
    d = np.mod(np.asarray(direction, dtype=float), 360.0)
    width = np.mod(end - start, 360.0)
    with np.errstate(invalid="ignore"):
        return np.mod(d - start, 360.0) <= width + 1e-9


def river_dust(obs: pd.DataFrame, rules="yunlin_river_dust_002", *, stations=None, tz: str = TZ) -> pd.DataFrame:
    """Per response station and hour: PM10, wind, whether the river-dust rule triggers and at which level.

    Returns columns ``time, station, pm10_ugm3, wind_speed_ms, wind_direc_deg, in_sector, speed_ok,
    level, level_zh, level_rank, level_2022, data`` (``ok`` or what is missing), sorted by station
    and time. ``attrs["response_stations"]`` lists the stations whose coverage is the zone;
    ``attrs["problems"]`` reports response stations absent from the data.
    """
    R = load_river_dust_rules(rules)
    resp = sorted({normalize_name(s) for v in R["response_stations"] for s in str(v).split(";") if s.strip()})
    use = resp if stations is None else [normalize_name(s) for s in stations]
    clean, probs = prepare_observations(obs, pollutants=["pm10", "wind_speed", "wind_direc"], tz=tz)
    clean = clean[clean["station"].isin(use)]
    missing = [s for s in use if s not in set(clean["station"])]
    for s in missing:
        probs.add("river dust (002 表 7.2)", f"station {s}", "no PM10 or wind data: the river-dust rule cannot "
                  "be evaluated there", severity="warning")
    cols = ["time", "station", "pm10_ugm3", "wind_speed_ms", "wind_direc_deg", "in_sector", "speed_ok", "level",
            "level_zh", "level_rank", "level_2022", "data"]
    if len(clean) == 0:
        out = pd.DataFrame(columns=cols)
        out.attrs.update({"problems": probs, "response_stations": resp})
        return out
    grid = _grid(clean)
    pm, _ = _matrix(clean, grid, "pm10", "ug/m3")
    ws, _ = _matrix(clean, grid, "wind_speed", "m/s")
    wd, _ = _matrix(clean, grid, "wind_direc", "deg")
    bad_dir = np.isfinite(wd) & ((wd < 0) | (wd > 360))
    if bad_dir.any():
        probs.add("river dust (002 表 7.2)", f"{int(bad_dir.sum())} hours", "wind direction outside 0-360 degrees: "
                  "not used")
        wd = np.where(bad_dir, np.nan, wd)
    r0 = R.iloc[0]
    sect = in_sector(wd, r0["wind_dir_from_deg"], r0["wind_dir_to_deg"]) & np.isfinite(wd)
    with np.errstate(invalid="ignore"):
        spd = (ws > r0["wind_speed_ms"]) if r0["wind_speed_op"] == ">" else (ws >= r0["wind_speed_ms"])
    spd &= np.isfinite(ws)
    cond = sect & spd & np.isfinite(pm)
    rank = np.zeros(pm.shape, dtype=np.int8)
    for r in R.itertuples():
        h = cond & _reaches(pm, r.threshold)
        k = int(r.consecutive_hours)
        if k > 1:
            h = pd.DataFrame(h.astype(float)).rolling(k, min_periods=k).sum().to_numpy() >= k
        rank = np.where(h & (r.level_rank > rank), np.int8(r.level_rank), rank)
    levels = R.drop_duplicates("level").set_index("level_rank")
    try:
        lm = load_level_map()
        to22 = dict(zip(lm["from_level"], lm["to_level"]))
    except InputError:
        to22 = {}
    code = {0: NONE, **{int(k): v for k, v in levels["level"].items()}}
    zh = {0: "未達", **{int(k): v for k, v in levels["level_zh"].items()}}
    S, T = len(grid.stations), grid.hours
    flat = rank.T.ravel()
    what = np.full(pm.shape, "ok", dtype=object)
    for arr, name in ((wd, "wind_direc"), (ws, "wind_speed"), (pm, "pm10")):
        miss = ~np.isfinite(arr)
        what = np.where(miss, np.where(what == "ok", "missing " + name, what + ", " + name), what)
    lv = np.array([code.get(int(k), NONE) for k in flat], dtype=object)
    out = pd.DataFrame({
        "time": pd.DatetimeIndex(np.tile(grid.index(tz).asi8, S).view("M8[ns]")).tz_localize("UTC").tz_convert(tz),
        "station": np.repeat(np.array(grid.stations, dtype=object), T),
        "pm10_ugm3": pm.T.ravel(), "wind_speed_ms": ws.T.ravel(), "wind_direc_deg": wd.T.ravel(),
        "in_sector": sect.T.ravel(), "speed_ok": spd.T.ravel(),
        "level": lv, "level_zh": [zh.get(int(k), "") for k in flat], "level_rank": flat.astype(int),
        "level_2022": [to22.get(c, LEVELS_2022[int(k) - 1] if k > 0 else NONE) for c, k in zip(lv, flat)],
        "data": what.T.ravel(),
    })
    out.attrs.update({"problems": probs, "response_stations": resp, "rules": R.attrs.get("source")})
    return out
