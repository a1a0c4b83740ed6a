"""One call for a whole episode: levels, zones, decisions, notifications, and writing them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.warnings.levels import Completeness, compute_levels
from geoairplan.warnings.rules import load_warning_rules

__all__ = ["WarningResult", "run_warnings", "write_outputs", "counties_of"]


@dataclass
class WarningResult:
    """Everything :func:`run_warnings` computed (see :func:`write_outputs` for the files)."""

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

    def rules_checked(self):
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

    def summary(self) -> str:
        lines = [f"rules: {self.rules}; stations: {self.levels['station'].nunique()}; hours: "
                 f"{self.levels['time'].nunique()}"]
        top = self.levels.groupby("station")["level_rank"].max()
        reached = top[top > 0]
        R = self.rules_checked()
        if len(reached):
            lines.append("highest level per station: " + ", ".join(
                f"{s} {R.code(int(r))}" for s, r in reached.sort_values(ascending=False).items()))
        else:
            lines.append("no station reached a warning level")
        for r in self.command_centre.itertuples():
            if r.decision != "none":
                lines.append(f"{r.date} {r.county}: command centre {r.decision} ({r.decision_zh})")
        pk = self.peak_time()
        if pk is not None:
            lines.append(f"peak hour: {pk:%Y-%m-%d %H:%M}")
        return "\n".join(lines)


def counties_of(stations, problems: Problems | None = None) -> dict[str, str]:
    """County of each station name: ``data/stations.csv``, then the official coverage tables.
    Stations found in neither are reported (one warning listing them)."""
    from geoairplan import datasets
    from geoairplan.coverage import station_key

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
    out, unknown = {}, []
    for s in stations:
        k = station_key(s)
        if k in known:
            out[s] = known[k]
        else:
            unknown.append(s)
    if unknown and problems is not None:
        problems.add("stations", f"{len(unknown)} stations", "not in the embedded station list: levels computed, "
                     "but no county's zones or decisions use them (fix: --county with a coverage mapping that "
                     "names them): " + ", ".join(unknown), severity="warning")
    return out


def _county_levels(levels: pd.DataFrame, county: str, mapping, probs: Problems) -> pd.DataFrame:
    """The level rows of the county's stations (coverage mapping and station list); the others are
    left out, and listed in one note."""
    from geoairplan.coverage import station_key
    from geoairplan.warnings.zones import _county_stations, coverage_map

    keys = set(coverage_map(county, mapping)["station"]) | _county_stations(county)
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


def run_warnings(obs, *, county: str | None = None, forecast=None, rules="warning_2022",
                 completeness: Completeness | None = None, mapping=None, facilities=None, health=None,
                 river_rules="yunlin_river_dust_002", tz: str = "Asia/Taipei") -> WarningResult:
    """Levels, zones, command-centre and lowering/lifting decisions, notifications for an episode.

    Parameters
    ----------
    obs:
        The tidy hourly table, or a path read with :func:`geoairplan.io.read_moenv_hourly`.
    county:
        Evaluate this county only (zones, decisions and notifications); default every county
        that has stations in the data.
    forecast:
        Forecast CSV path or table (:func:`~geoairplan.warnings.forecast.read_forecast`).
    rules:
        Rule table (``warning_2022`` or ``warning_pre2022_002`` or a path).
    mapping:
        Coverage mapping (``county, township, station``) instead of the embedded one.
    facilities, health:
        Facility tables instead of the embedded ones (for one county).
    """
    from geoairplan import datasets
    from geoairplan.warnings.decisions import command_centre, lower_lift
    from geoairplan.warnings.forecast import read_forecast
    from geoairplan.warnings.notify import notification_list
    from geoairplan.warnings.riverdust import RIVER_DUST_COUNTY, river_dust
    from geoairplan.warnings.zones import warning_zones

    probs = Problems()
    if isinstance(obs, (str, PathLike)):
        from geoairplan.io import read_moenv_hourly

        obs = read_moenv_hourly(obs)
    probs.extend(obs.attrs.get("problems", Problems()))
    R = load_warning_rules(rules)
    levels = compute_levels(obs, R, completeness=completeness, tz=tz)
    probs.extend(levels.attrs["problems"])
    fc = read_forecast(forecast)
    if county is not None:
        counties = [datasets.check_county(county)]
        levels = _county_levels(levels, counties[0], mapping, probs)
    else:
        cmap = counties_of(sorted(levels["station"].unique()), probs)
        order = {c: i for i, c in enumerate(datasets.county_names())}
        counties = sorted(set(cmap.values()), key=lambda c: order.get(c, 99))
    if mapping is not None and len(counties) != 1:
        raise InputError("a coverage mapping applies to one county", where="coverage",
                         fix="give --county together with the mapping")
    river = None
    if RIVER_DUST_COUNTY in counties:
        try:
            river = river_dust(obs, river_rules, tz=tz)
            probs.extend(river.attrs.get("problems", Problems()))
        except InputError as exc:
            probs.add("river dust (002 表 7.2)", RIVER_DUST_COUNTY, f"not evaluated: {exc.problem}", severity="warning")
    zt, zz, pp, cc, ev, nn, mm = [], [], [], [], [], [], []
    for c in counties:
        z = warning_zones(levels, c, mapping=mapping, forecast=fc, river=river if c == RIVER_DUST_COUNTY else None,
                          rules=R)
        probs.extend(z.problems)
        zt.append(z.townships)
        zz.append(z.zones)
        pp.append(z.polygons)
        cc.append(command_centre(levels, c, forecast=fc, mapping=mapping))
        ev.append(lower_lift(levels, c, forecast=fc, mapping=mapping))
        n, m = notification_list(z.townships, c, facilities=facilities, health=health, mapping=z.mapping,
                                 problems=probs)
        nn.append(n)
        mm.append(m)

    def cat(frames, like=None):
        frames = [f for f in frames if f is not None and len(f)]
        if not frames:
            return like if like is not None else pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    polys = [p for p in pp if len(p)]
    from geoairplan.io.crs import TM2

    polygons = gpd.GeoDataFrame(pd.concat(polys, ignore_index=True), crs=TM2) if polys else \
        gpd.GeoDataFrame(pp[0] if pp else pd.DataFrame(), geometry=[], crs=TM2)
    cmd = cat(cc, cc[0] if cc else pd.DataFrame())
    events = cat(ev, ev[0] if ev else pd.DataFrame())
    return WarningResult(levels=levels, zone_townships=cat(zt, zt[0] if zt else pd.DataFrame()),
                         zones=cat(zz, zz[0] if zz else pd.DataFrame()), polygons=polygons, command_centre=cmd,
                         events=events, decisions=_decisions(cmd, events),
                         notifications=cat(nn, nn[0] if nn else pd.DataFrame()),
                         measures=cat(mm, mm[0] if mm else pd.DataFrame()), river_dust=river, counties=counties,
                         rules=R.name, forecast=fc, problems=probs, rule_table=R)


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


def _csv(df: pd.DataFrame, path: Path) -> Path:
    d = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").copy()
    for c in d.columns:
        if isinstance(d[c].dtype, pd.DatetimeTZDtype):
            d[c] = d[c].map(lambda t: t.isoformat() if pd.notna(t) else "")
    d.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return path


def write_outputs(result: WarningResult, outdir, *, suffix: str = "", maps: bool = True, offline: bool = False,
                  title: str | None = None) -> dict[str, Path]:
    """Write every output of an episode into ``outdir`` and return ``{kind: path}``.

    ============================ ==================================================================
    file                          content
    ============================ ==================================================================
    ``levels{s}.csv/.parquet``    level per station and hour (:func:`compute_levels` columns)
    ``zones{s}.gpkg``             layer ``zones``: dissolved zone polygons per hour and level,
                                  EPSG:3826 (``time`` as ISO text with +08:00); not written without zones
    ``zones{s}.csv``              the zone rows without geometry (township list per hour and level)
    ``zone_townships{s}.csv``     one row per hour and warned township
    ``decisions{s}.csv``          per day: command centre (Art. 7), then issue/raise/hold/
                                  may_lower/may_lift events (Art. 14)
    ``command_centre{s}.csv``     the Art. 7 evaluation with its counts
    ``notifications{s}.csv``      who to notify per day, level and pollutant group
    ``measures{s}.csv``           the measures of each level reached (屏東縣)
    ``river_dust{s}.csv``         雲林縣 river-dust evaluation (when 雲林縣 is evaluated)
    ``problems{s}.csv``           every row or input issue reported
    ``episode_map{s}.html``       Folium map with a time slider over the hours
    ``peak{s}.png/.pdf``          static map of the peak hour
    ============================ ==================================================================
    """
    from geoairplan.io.output import write_gpkg

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    s = suffix
    files: dict[str, Path] = {}
    files["levels_csv"] = _csv(result.levels, out / f"levels{s}.csv")
    lv = result.levels.copy()
    p = out / f"levels{s}.parquet"
    lv.attrs = {}
    for c in lv.columns:
        if lv[c].dtype == object:
            lv[c] = lv[c].astype(str)
    lv.to_parquet(p, index=False)
    files["levels_parquet"] = p
    gp = out / f"zones{s}.gpkg"
    poly = result.polygons.copy()
    if len(poly):
        poly["time"] = poly["time"].map(lambda t: t.isoformat())
        files["zones_gpkg"] = gp
    write_gpkg(gp, {"zones": poly}, skip_empty=True)  # no zones: no file (a stale one is removed)
    files["zones_csv"] = _csv(result.zones, out / f"zones{s}.csv")
    files["zone_townships_csv"] = _csv(result.zone_townships, out / f"zone_townships{s}.csv")
    files["decisions_csv"] = _csv(result.decisions, out / f"decisions{s}.csv")
    files["command_centre_csv"] = _csv(result.command_centre, out / f"command_centre{s}.csv")
    files["notifications_csv"] = _csv(result.notifications, out / f"notifications{s}.csv")
    files["measures_csv"] = _csv(result.measures, out / f"measures{s}.csv")
    if result.river_dust is not None:
        files["river_dust_csv"] = _csv(result.river_dust, out / f"river_dust{s}.csv")
    files["problems_csv"] = _csv(result.problems.to_frame(), out / f"problems{s}.csv")
    if maps:
        from geoairplan.maps.warnings import episode_map, peak_map

        files.update(episode_map(result, out / f"episode_map{s}.html", offline=offline, title=title))
        files.update(peak_map(result, out / f"peak{s}", title=title))
    return files
