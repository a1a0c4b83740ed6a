"""Warning back-test over an archive: every station-hour's level, and what it would have meant per county.

:func:`backtest` runs the warning engine (:func:`~geoairplan.warnings.compute_levels`,
the 2022 regulation by default) over an archive (:mod:`geoairplan.io.archive`)
for a period, one task per group of stations (the levels of a station depend on
its own hours only), on the :class:`~geoairplan.engine.Engine` given: in memory, on
Dask on this machine or on a Dask cluster. Each task reads only its stations'
rows of the period, pads the hourly index to the period (so that every
station's hours are the hours :func:`compute_levels` gives on the whole table)
and returns each station's warning hours and daily highest level; the reduction
to counties runs on the client, in station order, so every engine gives the
same bytes.

Tables (:meth:`BacktestResult.tables`):

``backtest_summary``  per county, year and level: warning hours (hours whose
                      highest level over the county's stations is that level)
                      and warning days (days whose highest level is that level)
``episodes``          runs of warning hours anywhere in the selected counties
                      (gaps of at most ``max_gap_hours`` joined): start, end,
                      hours, peak level, counties, triggering stations and
                      pollutants
``calendar``          per county and day, the highest level (rank −1
                      insufficient, 0 none, 1.. levels): the calendar heat map
``warning_hours``     every station-hour at a warning level, with the
                      pollutant and criterion that set it
``stations``          per station: county, hours in the period, hours with a
                      level, warning hours
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from geoairplan.engine import Engine
from geoairplan.errors import InputError, Problems
from geoairplan.io.archive import TZ, read_registry, read_rows
from geoairplan.reference.geography import check_county
from geoairplan.results import Result, RunMeta
from geoairplan.warnings.levels import compute_levels
from geoairplan.warnings.rules import INSUFFICIENT, NONE, load_warning_rules

__all__ = ["backtest", "BacktestResult", "station_levels", "period_bounds"]

_H = pd.Timedelta(hours=1)


def period_bounds(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[first hour, first hour after)`` of a period given as dates (``end`` inclusive) or times."""
    try:
        t0 = pd.Timestamp(start)
        t1 = pd.Timestamp(end)
    except (ValueError, TypeError) as exc:
        raise InputError(f"period {start} .. {end} is not a date range ({exc})", where="start",
                         fix="give dates as YYYY-MM-DD, e.g. --from 2016-01-01 --to 2025-12-31") from None
    t0 = t0.tz_localize(TZ) if t0.tzinfo is None else t0.tz_convert(TZ)
    t1 = t1.tz_localize(TZ) if t1.tzinfo is None else t1.tz_convert(TZ)
    if t1 == t1.normalize():  # a date: the whole day
        t1 = t1 + pd.Timedelta(days=1)
    if t1 <= t0:
        raise InputError(f"the period ends ({end}) before it starts ({start})", where="end",
                         fix="give --to after --from")
    return t0.floor("h"), t1.ceil("h")


def _pad(rows: pd.DataFrame, pollutants, t0: pd.Timestamp, t1: pd.Timestamp) -> list[dict]:
    """Missing values at the period's first and last hour for a station that has no row there."""
    used = rows[rows["pollutant"].isin(pollutants)]
    if used.empty:
        return []
    pol = sorted(used["pollutant"].unique())[0]
    mine = used[used["pollutant"] == pol]
    pads = []
    for t in (t0, t1 - _H):
        if not (mine["time"] == t).any():
            pads.append({"time": t, "station": mine["station"].iat[0], "pollutant": pol, "value": np.nan,
                         "unit": mine["unit"].iat[0], "flag": "missing"})
    return pads


def station_levels(rows: pd.DataFrame, t0: pd.Timestamp, t1: pd.Timestamp, rules="warning_2022") -> pd.DataFrame:
    """:func:`compute_levels` of some stations' rows, on the hourly index of the period [t0, t1).

    A missing value is added at the first and last hour of the period for each
    station that has no row there, so the index (and every rolling window) is
    the one the whole-table computation over the period gives: a station's
    levels do not depend on which other stations are computed with it.
    """
    R = load_warning_rules(rules)
    pads = []
    for _, g in rows.groupby("station", sort=True):
        pads += _pad(g, R.pollutants, t0, t1)
    if not rows["pollutant"].isin(R.pollutants).any():
        return pd.DataFrame()
    obs = pd.concat([rows, pd.DataFrame(pads)], ignore_index=True) if pads else rows.copy()
    obs.attrs["source"] = str(rows.attrs.get("source", "archive"))
    return compute_levels(obs, R)


def _reduce(lv: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(warning hours, daily highest rank, counts) of one station's levels."""
    hours = lv.loc[lv["level_rank"] >= 1, ["time", "station", "level", "level_zh", "level_rank", "pollutant",
                                           "criterion"]].reset_index(drop=True)
    date = lv["time"].dt.strftime("%Y-%m-%d")
    daily = pd.DataFrame({"station": lv["station"].to_numpy(), "date": date.to_numpy(),
                          "level_rank": lv["level_rank"].to_numpy()}) \
        .groupby(["station", "date"], sort=True)["level_rank"].max().reset_index()
    counts = {"hours": int(len(lv)), "hours_with_level": int((lv["level_rank"] >= 0).sum()),
              "warning_hours": int(len(hours))}
    return hours, daily, counts


def _stations_task(stations: tuple, *, archive: str, t0: pd.Timestamp, t1: pd.Timestamp, rules: str,
                   sink: Callable | None = None) -> list[dict]:
    """Levels of a group of stations (one read, one vectorised engine call), reduced per station."""
    rows = read_rows(archive, "moenv", start=t0, end=t1, stations=list(stations),
                     pollutants=list(load_warning_rules(rules).pollutants),
                     columns=["time", "station", "pollutant", "value", "unit", "flag"])
    rows.attrs["source"] = Path(archive).name
    lv = station_levels(rows, t0, t1, rules) if len(rows) else pd.DataFrame()
    out = []
    probs = list(lv.attrs.get("problems") or []) if len(lv) else []
    by = dict(tuple(lv.groupby("station", sort=True))) if len(lv) else {}
    for i, station in enumerate(stations):
        one = by.get(station)
        if one is None:
            out.append({"station": station, "empty": True})
            continue
        one = one.reset_index(drop=True)
        if sink is not None:
            sink(station, one)
        hours, daily, counts = _reduce(one)
        out.append({"station": station, "empty": False, "hours": hours, "daily": daily, "counts": counts,
                    "problems": probs if i == 0 else []})
    return out


@dataclass
class BacktestResult(Result):
    """What the warning regulation would have done over an archive's period (:func:`backtest`).

    Attributes
    ----------
    meta : RunMeta
        ``capability="backtest"``, counties, period, source, scenario.
    problems : Problems
        Rows not used, stations without data or county.
    summary_table : pandas.DataFrame
        ``county, year, level, level_zh, level_rank, hours, days``.
    episodes : pandas.DataFrame
        ``episode, start, end, hours, peak_level, peak_level_zh, peak_rank, counties, stations, pollutants``.
    calendar : pandas.DataFrame
        ``county, date, level_rank, level, level_zh`` for every county and day.
    warning_hours : pandas.DataFrame
        ``time, station, county, level, level_zh, level_rank, pollutant, criterion``.
    stations : pandas.DataFrame
        ``station, county, hours, hours_with_level, warning_hours``.
    """

    meta: RunMeta
    problems: Problems
    summary_table: pd.DataFrame
    episodes: pd.DataFrame
    calendar: pd.DataFrame
    warning_hours: pd.DataFrame
    stations: pd.DataFrame

    def summary(self) -> dict:
        days = self.summary_table.groupby("level", sort=False)["days"].sum()
        return {"counties": list(self.meta.counties), "stations": int(len(self.stations)),
                "period": [self.meta.time_start, self.meta.time_end],
                "warning_days": {k: int(v) for k, v in days.items()},
                "episodes": int(len(self.episodes)), "warning_station_hours": int(len(self.warning_hours)),
                "scenario": self.meta.scenario}

    def summary_text(self) -> str:
        s = self.summary()
        lines = [self.meta.display_title(),
                 f"period {self.meta.time_start} .. {self.meta.time_end}; {s['stations']} stations in "
                 f"{len(s['counties'])} counties; {s['episodes']} episodes; "
                 f"{s['warning_station_hours']} station-hours at a warning level"]
        for county, g in self.summary_table.groupby("county", sort=True):
            d = g.groupby("level_zh", sort=False)["days"].sum()
            txt = ", ".join(f"{k} {int(v)} d" for k, v in d.items() if v)
            lines.append(f"  {county}: {txt or 'no warning day'}")
        lines.append(self.meta.source_line())
        return "\n".join(lines)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"backtest_summary": self.summary_table, "episodes": self.episodes, "calendar": self.calendar,
                "warning_hours": self.warning_hours, "stations": self.stations}


def _counties(reg: pd.DataFrame, county, probs: Problems, src: str) -> tuple[list[str], dict[str, str]]:
    st = reg[reg["kind"] == "moenv"]
    noc = st[st["county"].isna()]
    for s in noc["id"]:
        probs.add(src, f"station {s}", "no county known (not in the embedded station list): left out of the "
                  "back-test", severity="warning")
    st = st[st["county"].notna()]
    have = sorted(set(st["county"]))
    if county is None or (isinstance(county, str) and county.strip().lower() == "all"):
        wanted = have
    else:
        names = [county] if isinstance(county, str) else list(county)
        wanted = sorted({check_county(c) for c in names})
        lacking = [c for c in wanted if c not in have]
        if len(lacking) == len(wanted):
            raise InputError(f"the archive has no station in {', '.join(lacking)} (it has: {', '.join(have)})",
                             where="county", fix="import that county's MOENV files, or give --county all")
        for c in lacking:
            probs.add(src, f"county {c}", "no station of this county in the archive", severity="warning")
        wanted = [c for c in wanted if c in have]
    mapping = {s: c for s, c in zip(st["id"], st["county"]) if c in wanted}
    return wanted, mapping


def _episodes(hours: pd.DataFrame, R, max_gap_hours: int) -> pd.DataFrame:
    cols = ["episode", "start", "end", "hours", "peak_level", "peak_level_zh", "peak_rank", "counties", "stations",
            "pollutants"]
    if hours.empty:
        return pd.DataFrame(columns=cols)
    t = hours["time"].drop_duplicates().sort_values().reset_index(drop=True)
    gap = t.diff() > pd.Timedelta(hours=max_gap_hours)
    run = gap.cumsum().to_numpy()
    which = pd.Series(run, index=t.to_numpy())
    h = hours.assign(_ep=which.reindex(hours["time"].to_numpy()).to_numpy())
    out = []
    for e, g in h.groupby("_ep", sort=True):
        peak = int(g["level_rank"].max())
        pols = sorted({p for x in g["pollutant"] for p in str(x).split(";") if p})
        out.append({"episode": int(e) + 1, "start": g["time"].min(), "end": g["time"].max(),
                    "hours": int(g["time"].nunique()), "peak_level": R.code(peak),
                    "peak_level_zh": R.zh(R.code(peak)), "peak_rank": peak,
                    "counties": ";".join(sorted(set(g["county"]))), "stations": ";".join(sorted(set(g["station"]))),
                    "pollutants": ";".join(pols)})
    return pd.DataFrame(out, columns=cols)


def backtest(archive, *, start, end, county=None, rules="warning_2022", engine: Engine | None = None,
             max_gap_hours: int = 1, levels_sink: Callable | None = None,
             stations_per_task: int = 4) -> BacktestResult:
    """Back-test the warning regulation on an archive's MOENV hours.

    Parameters
    ----------
    archive : str or Path
        An archive (:func:`geoairplan.io.archive.import_files`).
    start, end : date-like
        The period; ``end`` is inclusive when it is a date (``2025-12-31``).
    county : str, list of str or None
        Counties to report; None or ``"all"``: every county with a station.
    rules : str
        Warning rule table (``warning_2022`` default).
    engine : Engine, optional
        Where the per-station tasks run (default: in memory).
    max_gap_hours : int
        Warning hours at most this far apart belong to one episode (1: strictly consecutive).
    levels_sink : callable, optional
        Called as ``levels_sink(station, levels)`` with every station's full
        levels table (where the engine runs the task): the command line passes
        a Parquet writer (:class:`geoairplan.io.archive.LevelsSink`) for
        ``levels/station=<name>/``.
    stations_per_task : int
        Stations computed together in one task (one read, one engine call);
        the tables do not depend on it (a station's levels are its own).

    Returns
    -------
    BacktestResult
    """
    a = Path(archive)
    t0, t1 = period_bounds(start, end)
    eng = engine or Engine("memory")
    R = load_warning_rules(rules)
    probs = Problems()
    src = str(a)
    reg = pd.DataFrame(read_registry(a).drop(columns="geometry"))
    if not (reg["kind"] == "moenv").any():
        raise InputError("the archive holds no MOENV station data", file=a, where="archive",
                         fix="import MOENV hourly files: geoairplan archive import FILES... --to " + str(a))
    counties, mapping = _counties(reg, county, probs, src)
    names = sorted(mapping)
    groups = [tuple(names[i:i + stations_per_task]) for i in range(0, len(names), stations_per_task)]
    res = [r for part in eng.map(_stations_task, groups, archive=str(a), t0=t0, t1=t1, rules=rules,
                                 sink=levels_sink) for r in part]
    hours, daily, st_rows = [], [], []
    for r in res:
        s = r["station"]
        if r["empty"]:
            probs.add(src, f"station {s}", f"no hourly data of the warning pollutants from {t0:%Y-%m-%d} to "
                      f"{t1 - _H:%Y-%m-%d}: left out", severity="warning")
            continue
        probs.extend(r["problems"])
        hours.append(r["hours"].assign(county=mapping[s]))
        daily.append(r["daily"].assign(county=mapping[s]))
        st_rows.append({"station": s, "county": mapping[s], **r["counts"]})
    if not st_rows:
        raise InputError(f"no station has data from {t0:%Y-%m-%d} to {t1 - _H:%Y-%m-%d}", file=a, where="start",
                         fix="choose a period the archive covers (geoairplan archive info " + str(a) + ")")
    wh = pd.concat(hours, ignore_index=True)[["time", "station", "county", "level", "level_zh", "level_rank",
                                             "pollutant", "criterion"]]
    dl = pd.concat(daily, ignore_index=True)
    used = sorted({m["county"] for m in st_rows})
    # county-hours and county-days: the highest level over the county's stations
    ch = wh.groupby(["county", "time"], sort=True)["level_rank"].max().reset_index()
    cd = dl.groupby(["county", "date"], sort=True)["level_rank"].max().reset_index()
    years = list(range(t0.year, (t1 - _H).year + 1))
    top = int(R.table["level_rank"].max())
    grid = pd.MultiIndex.from_product([used, years, list(range(1, top + 1))], names=["county", "year", "level_rank"])
    hcount = ch.assign(year=ch["time"].dt.year).groupby(["county", "year", "level_rank"]).size()
    dcount = cd[cd["level_rank"] >= 1].assign(year=cd["date"].str[:4].astype(int)) \
        .groupby(["county", "year", "level_rank"]).size()
    summ = pd.DataFrame({"hours": hcount.reindex(grid, fill_value=0), "days": dcount.reindex(grid, fill_value=0)}) \
        .reset_index()
    summ["level"] = [R.code(int(r)) for r in summ["level_rank"]]
    summ["level_zh"] = [R.zh(c) for c in summ["level"]]
    summ = summ[["county", "year", "level", "level_zh", "level_rank", "hours", "days"]].astype(
        {"hours": int, "days": int})
    codes = {-1: INSUFFICIENT, 0: NONE, **{r: R.code(r) for r in range(1, top + 1)}}
    cal = cd.assign(level=cd["level_rank"].map(codes))
    cal["level_zh"] = [R.zh(c) for c in cal["level"]]
    cal = cal[["county", "date", "level_rank", "level", "level_zh"]]
    eps = _episodes(wh, R, max_gap_hours)
    scenario = bool((reg.loc[reg["id"].isin(names) & (reg["kind"] == "moenv"), "data_kind"] == "scenario").any())
    meta = RunMeta(capability="backtest", counties=tuple(used), time_start=f"{t0:%Y-%m-%d %H:%M}",
                   time_end=f"{t1 - _H:%Y-%m-%d %H:%M}", source=f"環境部 MOENV 小時值 archive ({a.name})",
                   scenario=scenario, title=f"空品惡化預警回溯 back-test（{R.rule_set} rules）")
    return BacktestResult(meta, _dedupe(probs), summ, eps, cal, wh.reset_index(drop=True),
                          pd.DataFrame(st_rows, columns=["station", "county", "hours", "hours_with_level",
                                                         "warning_hours"]))


def _dedupe(probs: Problems) -> Problems:
    out = Problems()
    seen = set()
    for p in probs:
        k = (p.source, p.where, p.reason, p.severity)
        if k not in seen:
            seen.add(k)
            out.items.append(p)
    return out
