"""One call for a whole episode: levels, zones, decisions and notifications as one :class:`WarningResult`.

The result keeps the protocol of :mod:`geoairplan.results` (``meta``,
``problems``, ``summary()``, ``summary_text()``, ``layers()``, ``tables()``);
:func:`geoairplan.publish.write` writes it and :mod:`geoairplan.maps.warnings`
draws it. Nothing here writes a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import pandas as pd

from geoairplan import datasets
from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2
from geoairplan.io.moenv import read_moenv_hourly, station_positions
from geoairplan.reference.names import station_key
from geoairplan.results import Result, RunMeta, scenario_of
from geoairplan.warnings.decisions import command_centre, lower_lift
from geoairplan.warnings.forecast import read_forecast
from geoairplan.warnings.levels import Completeness, compute_levels, prepare_observations
from geoairplan.warnings.timeline import (EVENT_COLUMNS, central_centre, centre_events, events_table,
                                          forecast_warnings, notify_events, reassess_6h, station_events,
                                          upwind_notifications)
from geoairplan.warnings.notify import notification_list
from geoairplan.warnings.riverdust import RIVER_DUST_COUNTY, river_dust
from geoairplan.warnings.rules import load_warning_rules
from geoairplan.warnings.zones import _county_stations, coverage_map, warning_zones

__all__ = ["WarningResult", "run_warnings", "counties_of"]


def _iso_times(df: pd.DataFrame) -> pd.DataFrame:
    """A copy without geometry whose tz-aware time columns are ISO text (``2025-01-14T00:00:00+08:00``)."""
    d = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").copy()
    d.attrs = {}
    for c in d.columns:
        if isinstance(d[c].dtype, pd.DatetimeTZDtype):
            d[c] = d[c].map(lambda t: t.isoformat() if pd.notna(t) else "")
    return d


@dataclass
class WarningResult(Result):
    """Everything :func:`run_warnings` computed for an episode.

    Attributes
    ----------
    levels : pandas.DataFrame
        Level per station and hour (:func:`~geoairplan.warnings.levels.compute_levels` columns).
    zone_townships : pandas.DataFrame
        One row per hour and warned township (``time, county, township, station, level,
        level_2022, level_zh, level_rank, basis, pollutant``).
    zones : pandas.DataFrame
        One row per hour, county and level with its township list.
    polygons : geopandas.GeoDataFrame
        The zone rows with their dissolved township polygons (EPSG:3826).
    command_centre : pandas.DataFrame
        The Art. 7 evaluation per day and county, with its counts.
    events : pandas.DataFrame
        Art. 14 events per station (issue, raise, hold, may_lower, may_lift).
    decisions : pandas.DataFrame
        Per day: the command-centre decision, then the station events in time order.
    notifications : pandas.DataFrame
        Who to notify per day, level and pollutant group.
    measures : pandas.DataFrame
        The measures of each level issued (屏東縣).
    timeline : pandas.DataFrame
        The events table (:data:`~geoairplan.warnings.timeline.EVENT_COLUMNS`): every issue,
        raise, hold, lower, lift, centre may / must and notify decision with the level issued,
        the level measured, the area, the article and its seed line (``events.csv``).
    river_dust : pandas.DataFrame or None
        雲林縣 river-dust evaluation (002 Table 7.2), when 雲林縣 is evaluated.
    counties : list of str
        The counties evaluated.
    rules : str
        Name of the rule table applied.
    forecast : pandas.DataFrame or None
        The checked forecast.
    problems : geoairplan.errors.Problems
        Every row or input issue reported.
    rule_table : geoairplan.warnings.rules.Rules or None
        The checked rules (also for a rule table given as a path).
    meta : geoairplan.results.RunMeta
        Provenance: capability ``warnings``, counties, time span, source, scenario, title.

    Notes
    -----
    :func:`geoairplan.publish.write` writes ``zones.gpkg`` (layer ``zones``: dissolved zone
    polygons per hour and level, EPSG:3826, ``time`` as ISO text; not written without zones),
    ``levels.csv``/``levels.parquet``, ``zones.csv``, ``zone_townships.csv``, ``decisions.csv``,
    ``events.csv``, ``command_centre.csv``, ``notifications.csv``, ``measures.csv``, ``river_dust.csv`` (雲林縣),
    ``problems.csv``, ``summary.txt`` and the maps of :mod:`geoairplan.maps.warnings`
    (``episode_map.html`` with a time slider, ``peak.png``/``.pdf``).
    """

    levels: pd.DataFrame
    zone_townships: pd.DataFrame
    zones: pd.DataFrame
    polygons: gpd.GeoDataFrame
    command_centre: pd.DataFrame
    events: pd.DataFrame
    decisions: pd.DataFrame
    notifications: pd.DataFrame
    measures: pd.DataFrame
    river_dust: pd.DataFrame | None
    counties: list[str]
    rules: str
    forecast: pd.DataFrame | None = None
    problems: Problems = field(default_factory=Problems)
    rule_table: object = None  # the checked Rules (also for a rule table given as a path)
    timeline: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVENT_COLUMNS))
    bulletin: bool = False  # the maps add an A4 bulletin per county-day with a warning (maps.bulletin)
    meta: RunMeta = field(default_factory=lambda: RunMeta(capability="warnings"))

    gpkg_name: ClassVar[str] = "zones.gpkg"

    def rules_checked(self):
        """The checked :class:`~geoairplan.warnings.rules.Rules` the levels were computed with."""
        return self.rule_table if self.rule_table is not None else load_warning_rules(self.rules)

    def peak_time(self) -> pd.Timestamp | None:
        """The hour with the highest zone level (most townships on ties; earliest on ties)."""
        z = self.zone_townships
        if len(z) == 0:
            return None
        top = z.groupby("time")["level_rank"].transform("max")
        g = z[z["level_rank"] == top].groupby("time").agg(top=("level_rank", "max"),
                                                          n=("township", "size")).reset_index()
        g = g.sort_values(["top", "n", "time"], ascending=[False, False, True])
        return g["time"].iloc[0]

    def _highest(self) -> pd.Series:
        top = self.levels.groupby("station")["level_rank"].max()
        return top[top > 0].sort_values(ascending=False)

    def summary(self) -> dict:
        """What a person reads first, JSON-friendly.

        Returns
        -------
        dict
            ``title, data_kind, source, rules, counties, stations, hours, time_start, time_end,
            highest_level`` (station -> level code, stations that reached a level),
            ``command_centre`` (``date, county, decision, decision_zh`` of the days with a
            decision), ``peak_hour`` (ISO text or None), ``problems`` (count).
        """
        R = self.rules_checked()
        pk = self.peak_time()
        return {
            "title": self.meta.display_title(),
            "data_kind": self.meta.data_kind,
            "source": self.meta.source,
            "rules": self.rules,
            "counties": list(self.counties),
            "stations": int(self.levels["station"].nunique()),
            "hours": int(self.levels["time"].nunique()),
            "time_start": self.meta.time_start,
            "time_end": self.meta.time_end,
            "highest_level": {str(s): R.code(int(r)) for s, r in self._highest().items()},
            "command_centre": [{"date": str(r.date), "county": r.county, "decision": r.decision,
                                "decision_zh": r.decision_zh}
                               for r in self.command_centre.itertuples() if r.decision != "none"],
            "peak_hour": pk.isoformat() if pk is not None else None,
            "problems": len(self.problems),
        }

    def summary_text(self) -> str:
        """The summary as lines of text (the CLI prints it; ``summary.txt``)."""
        lines = [self.meta.display_title(), self.meta.source_line(),
                 f"rules: {self.rules}; stations: {self.levels['station'].nunique()}; hours: "
                 f"{self.levels['time'].nunique()}"]
        reached = self._highest()
        R = self.rules_checked()
        if len(reached):
            lines.append("highest level per station: " + ", ".join(f"{s} {R.code(int(r))}" for s, r in reached.items()))
        else:
            lines.append("no station reached a warning level")
        for r in self.command_centre.itertuples():
            if r.decision != "none":
                lines.append(f"{r.date} {r.county}: command centre {r.decision} ({r.decision_zh})")
            if getattr(r, "tier", ""):
                lines.append(f"{r.date} {r.county}: {r.tier_zh} {r.tier_decision} (county tier)")
        tl = self.timeline
        if len(tl):
            for r in tl[tl["article"] == "Art. 16"].itertuples():
                lines.append(f"{r.date} 全國: 中央空氣污染防制指揮中心 {r.event} (004 Art. 16, L76)")
            n = tl["event"].value_counts()
            lines.append("events: " + ", ".join(f"{k} {int(n[k])}" for k in
                                                ("issue", "raise", "hold", "lower", "lift", "centre must",
                                                 "centre may", "notify") if k in n))
        pk = self.peak_time()
        if pk is not None:
            lines.append(f"peak hour: {pk:%Y-%m-%d %H:%M}")
        lines += list(self.levels.attrs.get("jumps") or [])  # levels resting on a single-hour jump (issue 14)
        return "\n".join(lines)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """``{"zones": ...}``: the dissolved zone polygons per hour and level (EPSG:3826, ``time`` as ISO
        text); empty when there are no zones (then no GeoPackage is written)."""
        poly = self.polygons.copy()
        poly.attrs = {}
        if len(poly):
            poly["time"] = poly["time"].map(lambda t: t.isoformat())
        return {"zones": poly}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables as written: times as ISO text; ``levels.parquet`` keeps the times typed."""
        lv = self.levels.copy()
        lv.attrs = {}
        for c in lv.columns:
            if lv[c].dtype == object:
                lv[c] = lv[c].astype(str)
        out = {"levels": _iso_times(self.levels), "levels.parquet": lv, "zones": _iso_times(self.zones),
               "zone_townships": _iso_times(self.zone_townships), "decisions": _iso_times(self.decisions),
               "events": _iso_times(self.timeline),
               "command_centre": _iso_times(self.command_centre),
               "notifications": _iso_times(self.notifications), "measures": _iso_times(self.measures)}
        if self.river_dust is not None:
            out["river_dust"] = _iso_times(self.river_dust)
        return out


def _file_counties(positions: pd.DataFrame | None) -> dict[str, str]:
    """County of stations the registry lacks, from the file's own lon/lat (:func:`station_positions`)."""
    if positions is None or positions.empty:
        return {}
    pos = positions[(positions["position"] == "file") & positions["lon"].notna() & positions["lat"].notna()]
    if pos.empty:
        return {}
    pts = gpd.GeoDataFrame({"station": pos["station"].to_numpy()},
                           geometry=gpd.points_from_xy(pos["lon"].astype(float), pos["lat"].astype(float)), crs=4326)
    towns = datasets.load_townships()[["COUNTYNAME", "geometry"]].to_crs(4326)
    hit = gpd.sjoin(pts, towns, how="left", predicate="within").drop_duplicates("station")
    return {station_key(s): c for s, c in zip(hit["station"], hit["COUNTYNAME"]) if isinstance(c, str)}


def counties_of(stations, problems: Problems | None = None, positions: pd.DataFrame | None = None) -> dict[str, str]:
    """County of each station name: ``data/stations.csv``, then the official coverage tables, then
    (``positions``: :func:`geoairplan.io.moenv.station_positions` of the file) the township the file's
    own coordinates fall in, for a station the registry lacks (reported as placed so).
    Stations found nowhere are reported (one warning listing them)."""
    known: dict[str, str] = {}
    try:
        cov = datasets.load_coverage_official()
        known.update({station_key(n): c for n, c in zip(cov["station"], cov["county"])})
    except (InputError, OSError):
        pass
    try:
        st = datasets.load_stations()
        known.update({station_key(n): c for n, c in zip(st["name_zh"], st["county"])})
    except (InputError, OSError):
        pass
    from_file = _file_counties(positions)
    out, unknown = {}, []
    for s in stations:
        k = station_key(s)
        if k in known:
            out[s] = known[k]
        elif k in from_file:
            out[s] = from_file[k]
            if problems is not None:
                problems.add("stations", f"station {s}", f"not in the embedded station list: placed in "
                             f"{from_file[k]} by the file's own coordinates", severity="warning")
        else:
            unknown.append(s)
    if unknown and problems is not None:
        problems.add("stations", f"{len(unknown)} stations", "not in the embedded station list: levels computed, "
                     "but no county's zones or decisions use them (fix: --county with a coverage mapping that "
                     "names them): " + ", ".join(unknown), severity="warning")
    return out


def _county_levels(levels: pd.DataFrame, county, mapping, probs: Problems) -> pd.DataFrame:
    """The level rows of the county's stations (coverage mapping and station list; ``county`` may be
    a list); the others are left out, and listed in one note."""
    cs = [county] if isinstance(county, str) else list(county)
    keys = set()
    for c in cs:
        keys |= set(coverage_map(c, mapping)["station"]) | _county_stations(c)
    county = "、".join(cs)
    sk = levels["station"].map(station_key)
    keep = sk.isin(keys)
    other = sorted(set(levels.loc[~keep, "station"]))
    if other:
        probs.add("stations", f"{len(other)} stations", f"not stations of {county}: left out of the level table "
                  "(run without --county to evaluate every county): " + ", ".join(other), severity="warning")
    if not keep.any():
        raise InputError(f"the data hold no station of {county}", where="county",
                         fix="check the county, or give a coverage mapping (--coverage) that names the stations "
                             "in the data: " + ", ".join(sorted(set(levels["station"]))[:20]))
    out = levels[keep].reset_index(drop=True)
    out.attrs = dict(levels.attrs)
    return out


def _source(obs: pd.DataFrame, fc: pd.DataFrame | None, scenario: bool) -> str:
    """What the input is, with file names (never a folder: the same file gives the same text)."""
    src = obs.attrs.get("source")
    name = Path(str(src)).name if src else ""
    if scenario:
        text = "MOENV 小時值格式 hourly format" + (f" ({name})" if name else "")
    else:
        text = "環境部 MOENV 小時值" + (f" ({name})" if name else "")
    if fc is not None and fc.attrs.get("source") not in (None, "", "forecast"):
        text += f"；預報 forecast ({Path(str(fc.attrs['source'])).name})"
    return text


def run_warnings(obs, *, county: str | None = None, forecast=None, rules="warning_2022",
                 completeness: Completeness | None = None, mapping=None, facilities=None, health=None,
                 river_rules="yunlin_river_dust_002", tz: str = "Asia/Taipei", scenario: bool = False,
                 title: str | None = None, bulletin: bool = False) -> WarningResult:
    """Levels, zones, command-centre and lowering/lifting decisions, notifications for an episode.

    Parameters
    ----------
    obs : pandas.DataFrame or str or Path
        The tidy hourly table, or a path read with :func:`geoairplan.io.read_moenv_hourly`.
    county : str or list of str, optional
        Evaluate these counties only (zones, decisions and notifications): one county, a list,
        or comma-separated names (``屏東縣,高雄市,雲林縣``); default (or ``"all"``) every county
        that has stations in the data. Several counties give Art. 11 and Art. 16 their scope.
    forecast : str or Path or pandas.DataFrame, optional
        Forecast CSV path or table (:func:`~geoairplan.warnings.forecast.read_forecast`).
    rules : str or Path or pandas.DataFrame
        Rule table (``warning_2022`` or ``warning_pre2022_002`` or a path).
    completeness : Completeness, optional
        Valid hours a moving average needs (default 18 of 24, 6 of 8).
    mapping : str or Path or pandas.DataFrame, optional
        Coverage mapping (``county, township, station``) instead of the embedded one.
    facilities, health : pandas.DataFrame, optional
        Facility tables instead of the embedded ones (for one county).
    river_rules : str or pandas.DataFrame
        The 雲林縣 river-dust rule table.
    tz : str
        Time zone of the level table.
    scenario : bool
        The input is made-up scenario data although it does not say so. Data that
        declare themselves scenario (a ``data_kind`` column holding ``scenario``, in the
        observations or the forecast) are labelled without it.
    title : str, optional
        Title of the maps and the summary (default: the counties and 空氣品質預警區域).
    bulletin : bool
        Ask the maps for an A4 warning bulletin per county-day with a warning
        (:mod:`geoairplan.maps.bulletin`; ``bulletin_<county>_<date>.png/.pdf``).

    Returns
    -------
    WarningResult
        With ``meta`` set once here: capability ``warnings``, the counties, the time span of
        the level table, the source (file names) and whether the data are scenario.
    """
    probs = Problems()
    if isinstance(obs, (str, PathLike)):
        obs = read_moenv_hourly(obs)
    probs.extend(obs.attrs.get("problems", Problems()))
    R = load_warning_rules(rules)
    levels = compute_levels(obs, R, completeness=completeness, tz=tz)
    probs.extend(levels.attrs["problems"])
    fc = read_forecast(forecast)
    wanted = _parse_counties(county)
    if wanted is not None:
        counties = wanted
        levels = _county_levels(levels, counties if len(counties) > 1 else counties[0], mapping, probs)
    else:
        cmap = counties_of(sorted(levels["station"].unique()), probs, positions=station_positions(obs))
        order = {c: i for i, c in enumerate(datasets.county_names())}
        counties = sorted(set(cmap.values()), key=lambda c: order.get(c, 99))
    if mapping is not None and len(counties) != 1:
        raise InputError("a coverage mapping applies to one county", where="mapping",
                         fix="give --county together with the mapping")
    scen = scenario_of(obs, fc, user=scenario)
    times = levels["time"]
    meta = RunMeta(capability="warnings", counties=tuple(counties), pollutant=None, averaging=None,
                   time_start=times.min().isoformat() if len(times) else None,
                   time_end=times.max().isoformat() if len(times) else None,
                   source=_source(obs, fc, scen), scenario=scen,
                   title=title or f"{'、'.join(counties)} 空氣品質預警區域")
    river = None
    if RIVER_DUST_COUNTY in counties:
        try:
            river = river_dust(obs, river_rules, tz=tz)
            probs.extend(river.attrs.get("problems", Problems()))
        except InputError as exc:
            probs.add("river dust (002 表 7.2)", RIVER_DUST_COUNTY, f"not evaluated: {exc.problem}", severity="warning")
    zt, zz, pp, cc, ev, nn, mm, tl, fce = [], [], [], [], [], [], [], [], []
    hours = pd.DatetimeIndex(sorted(levels["time"].unique()))
    try:
        recipients = datasets.load_rules("art9_recipients")
    except InputError:
        recipients = None
    for c in counties:
        # Art. 4(2)/13/14 per station coverage area; the zones follow the level issued (004 Art. 10, L60)
        sev, st_issued = lower_lift(levels, c, forecast=fc, mapping=mapping, with_issued=True)
        fev, fiss = forecast_warnings(levels, c, fc, mapping=mapping)
        z = warning_zones(_issued_levels(levels, st_issued), c, mapping=mapping, forecast=fc,
                          river=river if c == RIVER_DUST_COUNTY else None, rules=R, forecast_issued=fiss)
        probs.extend(z.problems)
        zt.append(z.townships)
        zz.append(z.zones)
        pp.append(z.polygons)
        cmd_c = command_centre(levels, c, forecast=fc, mapping=mapping)
        cc.append(cmd_c)
        ev.append(sev)
        n, m = notification_list(z.townships, c, facilities=facilities, health=health, mapping=z.mapping,
                                 problems=probs)
        nn.append(n)
        mm.append(m)
        rec = None if recipients is None else recipients[recipients["county"].isin(["*", c])]
        if rec is not None and (rec["county"] == c).any():  # the county's own relaying units replace the national
            own = set(rec.loc[rec["county"] == c, "category"])
            rec = rec[(rec["county"] == c) | ~rec["category"].isin(own)]
        fce.append(fev)
        tl += [station_events(sev, st_issued), fev, reassess_6h(st_issued, c), reassess_6h(fiss, c),
               centre_events(cmd_c, hours), notify_events(n, z.townships, c, hours, rec)]
    try:
        clean, _ = prepare_observations(obs, pollutants=["wind_speed", "wind_direc"], tz=tz)
    except InputError:
        clean = None
    tl.append(upwind_notifications(pd.concat([f for f in fce if len(f)], ignore_index=True)
                                   if any(len(f) for f in fce) else None, clean))

    def cat(frames, like=None):
        frames = [f for f in frames if f is not None and len(f)]
        if not frames:
            return like if like is not None else pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    polys = [p for p in pp if len(p)]
    polygons = gpd.GeoDataFrame(pd.concat(polys, ignore_index=True), crs=TM2) if polys else \
        gpd.GeoDataFrame(pp[0] if pp else pd.DataFrame(), geometry=[], crs=TM2)
    cmd = cat(cc, cc[0] if cc else pd.DataFrame())
    events = cat(ev, ev[0] if ev else pd.DataFrame())
    timeline = events_table(tl + [central_centre(cmd, hours)])
    return WarningResult(levels=levels, zone_townships=cat(zt, zt[0] if zt else pd.DataFrame()),
                         zones=cat(zz, zz[0] if zz else pd.DataFrame()), polygons=polygons, command_centre=cmd,
                         events=events, decisions=_decisions(cmd, events),
                         notifications=cat(nn, nn[0] if nn else pd.DataFrame()),
                         measures=cat(mm, mm[0] if mm else pd.DataFrame()), river_dust=river, counties=counties,
                         rules=R.name, forecast=fc, problems=probs, rule_table=R, meta=meta, timeline=timeline,
                         bulletin=bulletin)


def _parse_counties(county) -> list[str] | None:
    """``None`` / ``"all"`` (every county with stations in the data) or one county, a list, or
    comma-separated names (``屏東縣,高雄市,雲林縣``), each checked."""
    if county is None:
        return None
    items = list(county) if isinstance(county, (list, tuple)) else \
        [x for x in str(county).replace("，", ",").replace("、", ",").split(",") if x.strip()]
    if len(items) == 1 and items[0].strip().lower() in ("all", "全部", "全國"):
        return None
    out = []
    for x in items:
        c = datasets.check_county(x.strip())
        if c not in out:
            out.append(c)
    return out


def _issued_levels(levels: pd.DataFrame, issued: pd.DataFrame) -> pd.DataFrame:
    """The level table with ``level_rank`` the issued rank of each coverage station (``measured_rank``
    keeps the measured one); stations without a coverage area keep their measured rank."""
    out = levels.copy()
    out["measured_rank"] = out["level_rank"]
    if issued is not None and len(issued):
        key = issued.set_index(["station", "time"])["level_rank"]
        idx = pd.MultiIndex.from_frame(out[["station", "time"]])
        got = key.reindex(idx).to_numpy()
        has = ~pd.isna(got)
        out.loc[has, "level_rank"] = got[has].astype(int)
    out.attrs = dict(levels.attrs)
    return out


def _decisions(cmd: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One table per day: the command-centre decision, then the station events in time order."""
    cols = ["date", "county", "decision", "station", "time", "from_level", "to_level", "status", "reason"]
    rows = []
    for r in cmd.to_dict("records"):
        rows.append({"date": r["date"], "county": r["county"], "decision": "command_centre", "station": "",
                     "time": "", "from_level": "", "to_level": "",
                     "status": f"{r['decision']} ({r['decision_zh']})", "reason": r["reason"], "_o": 0, "_t": ""})
    for r in events.to_dict("records"):
        rows.append({"date": r["date"], "county": r["county"], "decision": r["action"], "station": r["station"],
                     "time": r["time"].isoformat(), "from_level": r["from_level"], "to_level": r["to_level"],
                     "status": "may" if r["action"].startswith("may") else "", "reason": r["reason"], "_o": 1,
                     "_t": r["time"].isoformat()})
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows).sort_values(["date", "county", "_o", "_t", "station"], kind="stable")
    return df[cols].reset_index(drop=True)
