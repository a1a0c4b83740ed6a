"""Suspicious sources: what lies upwind of a micro-sensor that reads above its neighbours.

Geometry
--------
Wind direction follows the meteorological convention: the direction the wind
blows **from**, in degrees clockwise from north (0/360 north, 90 east). A
source lies *upwind* of a sensor in an hour when its bearing from the sensor
(clockwise from grid north of TM2) differs from the wind direction by at most
``half_width`` degrees (edges included) and it lies within ``max_distance_m``.
A source due north of a sensor (bearing 0°) is upwind for a wind from 0°
(northerly), not for one from 180°. Grid north differs from true north by the
TM2 meridian convergence (under 0.7° in Taiwan), ignored against sector widths
of tens of degrees.

Wind
----
For each evidence hour, the wind is that of the nearest station (to the
sensor) reporting both ``wind_speed`` and ``wind_direc`` in that hour, within
``max_station_m``. Calm hours (speed < ``calm_ms``, default 0.5 m/s) have no
meaningful direction: they are skipped and counted. Directions outside 0–360
and negative speeds are reported and not used.

Ranking
-------
Evidence hours are the *exceeding* hours of *flagged* sensors
(:func:`geoairplan.hotspots.sensors.flag_anomalies`). For each evidence hour
and each point source upwind::

    s = E · exp(−½ (Δθ / σθ)²) / max(d_km, 0.1),     σθ = half_width / 2

with E the source's emission of ``pollutant`` (t/yr, PM2.5 by default; at
least 0.01 so that sources declaring nothing still rank by geometry), Δθ the
angle between bearing and wind direction, d the distance. A source's score
is the sum of s over all evidence hours (t/yr/km): being upwind often, close,
on the wind axis and emitting much all raise it. The list is sorted by score
(then distance, then control number). This is a screening heuristic for
choosing whom to inspect first, not an attribution.

Facilities known only by township (the seeds give no coordinates) cannot be
placed in a sector: a township is *upwind within distance* in an hour when the
sector (a circular sector of radius ``max_distance_m``) intersects its
polygon; its facilities are listed by township with the hours their township
was upwind and the nearest distance of the township's part inside the sector,
marked ``basis = township``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely

from geoairplan import datasets
from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2
from geoairplan.io.moenv import read_moenv_hourly
from geoairplan.io.tables import is_scenario
from geoairplan.reference.names import normalize_name
from geoairplan.reference.pollutants import EMISSION_COLUMNS, emission_key

__all__ = ["bearing_deg", "angle_diff", "in_sector", "sector_polygon", "read_wind", "wind_observations",
           "wind_at", "rank_suspects", "SuspectResult"]


def bearing_deg(x0, y0, x1, y1):
    """Bearing from (x0, y0) to (x1, y1), degrees clockwise from grid north, in [0, 360)."""
    b = np.degrees(np.arctan2(np.asarray(x1, float) - x0, np.asarray(y1, float) - y0)) % 360.0
    return b


def angle_diff(a, b):
    """Signed smallest difference a − b in degrees, in [−180, 180)."""
    return (np.asarray(a, float) - np.asarray(b, float) + 180.0) % 360.0 - 180.0


def in_sector(bearing, wind_from, half_width: float) -> np.ndarray:
    """Whether a bearing lies within ``half_width`` of the direction the wind comes from (edges in)."""
    return np.abs(angle_diff(bearing, wind_from)) <= half_width + 1e-9


def sector_polygon(x: float, y: float, wind_from: float, half_width: float, radius: float,
                   step: float = 2.0):
    """The upwind sector as a polygon (EPSG:3826 coordinates)."""
    if half_width >= 180:
        return shapely.Point(x, y).buffer(radius, 64)
    n = max(2, int(math.ceil(2 * half_width / step)) + 1)
    b = np.radians(np.linspace(wind_from - half_width, wind_from + half_width, n))
    ring = [(x, y)] + list(zip(x + radius * np.sin(b), y + radius * np.cos(b))) + [(x, y)]
    return shapely.Polygon(ring)


# --------------------------------------------------------------------------- wind


def read_wind(path: str | Path, *, stations: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Hourly wind per station from a MOENV hourly file (any generation), via ``read_moenv_hourly``."""
    tidy = read_moenv_hourly(path)
    return wind_observations(tidy, stations=stations, source=str(path))


def _station_table(stations):
    st = datasets.load_stations() if stations is None else stations
    st = pd.DataFrame(st).copy()
    name_col = next((c for c in ("name_zh", "station", "sitename", "name") if c in st.columns), None)
    if name_col is None or not {"x_tm2", "y_tm2"} <= set(st.columns):
        raise InputError("the station table needs a name (name_zh/station) and x_tm2, y_tm2 columns",
                         where="stations", fix="use geoairplan.datasets.load_stations()")
    st["key"] = st[name_col].map(normalize_name)
    st["x"] = st["x_tm2"].astype(float)
    st["y"] = st["y_tm2"].astype(float)
    keys = {}
    for _, r in st.iterrows():
        keys[r["key"]] = (r[name_col], r["x"], r["y"])
        if "name_en" in st.columns and isinstance(r["name_en"], str):
            keys[r["name_en"].strip().lower()] = (r[name_col], r["x"], r["y"])
        if "siteid" in st.columns and pd.notna(r["siteid"]):
            keys[f"id:{str(r['siteid']).strip()}"] = (r[name_col], r["x"], r["y"])
    return keys


def wind_observations(tidy: pd.DataFrame, *, stations: gpd.GeoDataFrame | None = None,
                      source: str = "wind") -> pd.DataFrame:
    """Wide hourly wind (``time, station, x, y, wind_speed, wind_dir``) from a tidy MOENV table.

    ``tidy`` has ``time, station, pollutant, value`` (and ``siteid``) as
    returned by :func:`geoairplan.io.read_moenv_hourly`, wind as pollutants
    ``wind_speed`` (m/s) and ``wind_direc`` (degrees, from). Stations are placed
    with ``stations`` (default: the embedded MOENV station list). Reported in
    ``attrs["problems"]``: directions outside 0–360 and negative speeds (not
    used), stations not in the station list (not used).
    """
    probs = Problems()
    if not {"time", "station", "pollutant", "value"} <= set(tidy.columns):
        raise InputError("the wind table needs time, station, pollutant and value columns", file=source,
                         fix="read MOENV hourly files with geoairplan.io.read_moenv_hourly")
    t = tidy[tidy["pollutant"].isin(["wind_speed", "wind_direc"])].reset_index(drop=True)
    if t.empty:
        raise InputError("no wind_speed or wind_direc values", file=source,
                         fix="use MOENV hourly data that include WIND_SPEED and WIND_DIREC")
    t["value"] = pd.to_numeric(t["value"], errors="coerce")
    t["time"] = pd.to_datetime(t["time"])
    if getattr(t["time"].dt, "tz", None) is not None:
        t["time"] = t["time"].dt.tz_convert("Asia/Taipei").dt.tz_localize(None)
    rowcol = "row" if "row" in t.columns else None
    bad_dir = (t["pollutant"] == "wind_direc") & t["value"].notna() & ((t["value"] < 0) | (t["value"] > 360))
    bad_spd = (t["pollutant"] == "wind_speed") & t["value"].notna() & (t["value"] < 0)
    for i in t.index[bad_dir | bad_spd]:
        r = t.loc[i]
        what = "wind direction" if r["pollutant"] == "wind_direc" else "wind speed"
        rng = "outside 0-360 degrees" if r["pollutant"] == "wind_direc" else "negative"
        where = f"{r['station']} {r['time']:%Y-%m-%d %H:%M}" + (f" (row {r[rowcol]})" if rowcol else "")
        probs.add(source, where, f"{what} {r['value']:g} is {rng}: not used (fix: directions are degrees "
                  "the wind blows from, 0-360; speeds m/s >= 0)")
    t.loc[bad_dir | bad_spd, "value"] = np.nan
    keys = _station_table(stations)
    w = t.pivot_table(index=["time", "station"], columns="pollutant", values="value", aggfunc="mean",
                      dropna=False).reset_index()
    for c in ("wind_speed", "wind_direc"):
        if c not in w.columns:
            w[c] = np.nan
    if "siteid" in t.columns:
        sid = t.dropna(subset=["siteid"]).drop_duplicates("station").set_index("station")["siteid"]
    else:
        sid = pd.Series(dtype=object)
    xs, ys, names, unknown = [], [], [], set()
    for s in w["station"]:
        hit = keys.get(normalize_name(s)) or keys.get(str(s).strip().lower())
        if hit is None and s in sid.index:
            hit = keys.get(f"id:{str(sid[s]).strip()}")
        if hit is None:
            unknown.add(s)
            xs.append(np.nan), ys.append(np.nan), names.append(s)
        else:
            names.append(hit[0]), xs.append(hit[1]), ys.append(hit[2])
    for s in sorted(unknown, key=str):
        probs.add(source, f"station {s}", "not in the station list: its wind is not used "
                  "(fix: give a station table with this station's coordinates)")
    out = pd.DataFrame({"time": w["time"], "station": names, "x": xs, "y": ys,
                        "wind_speed": w["wind_speed"].astype(float),
                        "wind_dir": (w["wind_direc"].astype(float) % 360.0)})
    out = out[np.isfinite(out["x"])].sort_values(["time", "station"]).reset_index(drop=True)
    out.attrs["problems"] = probs
    out.attrs["scenario"] = is_scenario(tidy)
    return out


def wind_at(x: float, y: float, time, wind: pd.DataFrame, *, max_station_m: float = 30_000.0):
    """The nearest station's wind at (x, y) in one hour: (station, distance_m, speed, direction) or None."""
    w = wind[(wind["time"] == pd.Timestamp(time)) & wind["wind_speed"].notna() & wind["wind_dir"].notna()]
    if w.empty:
        return None
    d = np.hypot(w["x"].to_numpy() - x, w["y"].to_numpy() - y)
    order = np.lexsort((w["station"].to_numpy(), d))
    j = order[0]
    if d[j] > max_station_m:
        return None
    r = w.iloc[j]
    return r["station"], float(d[j]), float(r["wind_speed"]), float(r["wind_dir"])


# --------------------------------------------------------------------------- ranking


class SuspectResult:
    """Outputs of :func:`rank_suspects`.

    ``ranking``: point sources, one row each, ranked; ``by_sensor``: the same per
    flagged sensor; ``townships``: upwind townships and the facilities known
    only by township; ``hours``: every evidence hour with the wind used;
    ``problems``; ``params``.
    """

    def __init__(self, ranking, by_sensor, townships, hours, problems, params):
        self.ranking = ranking
        self.by_sensor = by_sensor
        self.townships = townships
        self.hours = hours
        self.problems = problems
        self.params = params


def rank_suspects(anomaly, wind: pd.DataFrame, sources: gpd.GeoDataFrame | None = None, *,
                  facilities: pd.DataFrame | None = None, townships: gpd.GeoDataFrame | None = None,
                  pollutant: str = "pm25", half_width: float = 30.0, max_distance_m: float = 5000.0,
                  calm_ms: float = 0.5, max_station_m: float = 30_000.0, min_emission: float = 0.01,
                  scenario: bool = False) -> SuspectResult:
    """Rank the sources upwind of flagged sensors in their exceeding hours (see the module notes).

    ``anomaly`` is a :class:`~geoairplan.hotspots.sensors.AnomalyResult`;
    ``wind`` from :func:`wind_observations`; ``sources`` from
    :func:`~geoairplan.hotspots.emissions.prepare_sources` (point rows are ranked,
    township-only rows are listed by township); ``facilities`` a facility list
    with ``township`` (e.g. :func:`geoairplan.datasets.load_facilities`), listed by
    township; ``townships`` the polygons for that (default: embedded, all Taiwan).
    """
    if not 0 < half_width <= 180:
        raise InputError(f"sector half-width {half_width} must be in (0, 180] degrees", where="half_width",
                         fix="e.g. 30 for a 60-degree sector")
    if max_distance_m <= 0:
        raise InputError(f"distance {max_distance_m} must be positive", where="max_distance",
                         fix="metres, e.g. 5000")
    probs = Problems()
    key = emission_key(pollutant)
    col = EMISSION_COLUMNS[key]
    sigma = half_width / 2.0
    flagged = anomaly.sensors[anomaly.sensors["flagged"]]
    ev = anomaly.hourly[anomaly.hourly["exceed"] & anomaly.hourly["sensor"].isin(flagged["sensor"])]
    ev = ev.merge(flagged[["sensor", "x", "y"]], on="sensor", how="left")
    # wind for each evidence hour
    hours = []
    n_calm = n_nowind = 0
    for r in ev.sort_values(["sensor", "time"]).itertuples(index=False):
        hit = wind_at(r.x, r.y, r.time, wind, max_station_m=max_station_m)
        if hit is None:
            n_nowind += 1
            hours.append({"sensor": r.sensor, "time": r.time, "pm25": r.pm25,
                          "neighbour_median": r.neighbour_median, "station": None, "station_m": np.nan,
                          "wind_speed": np.nan, "wind_dir": np.nan, "used": False, "why": "no wind"})
            continue
        st, dst, spd, wdir = hit
        calm = spd < calm_ms
        n_calm += calm
        hours.append({"sensor": r.sensor, "time": r.time, "pm25": r.pm25, "neighbour_median": r.neighbour_median,
                      "station": st, "station_m": round(dst, 1), "wind_speed": spd, "wind_dir": wdir,
                      "used": not calm, "why": "calm" if calm else ""})
    hours = pd.DataFrame(hours, columns=["sensor", "time", "pm25", "neighbour_median", "station", "station_m",
                                         "wind_speed", "wind_dir", "used", "why"])
    if n_nowind:
        probs.add("wind", f"{n_nowind} evidence hour(s)", f"no station within {max_station_m / 1000:.0f} km "
                  "reported wind: hours not used", severity="warning")
    if n_calm:
        probs.add("wind", f"{n_calm} evidence hour(s)", f"calm (< {calm_ms} m/s): no upwind direction, "
                  "hours not used", severity="warning")
    used = hours[hours["used"]]
    # point sources
    pts = sources[sources["basis"] == "point"].reset_index(drop=True) if sources is not None and len(sources) \
        else None
    recs = []
    if pts is not None and len(pts):
        sx = pts.geometry.x.to_numpy()
        sy = pts.geometry.y.to_numpy()
        em = pts[col].to_numpy(dtype=float)
        em_eff = np.maximum(np.nan_to_num(em, nan=0.0), min_emission)
        loc = flagged.set_index("sensor")[["x", "y"]]
        for h in used.itertuples(index=False):
            x0, y0 = loc.at[h.sensor, "x"], loc.at[h.sensor, "y"]
            d = np.hypot(sx - x0, sy - y0)
            b = bearing_deg(x0, y0, sx, sy)
            dth = angle_diff(b, h.wind_dir)
            up = (d <= max_distance_m) & (np.abs(dth) <= half_width + 1e-9) & (d > 0)
            for i in np.flatnonzero(up):
                s = em_eff[i] * math.exp(-0.5 * (dth[i] / sigma) ** 2) / max(d[i] / 1000.0, 0.1)
                recs.append((i, h.sensor, h.time, d[i], b[i], dth[i], s))
    rec = pd.DataFrame(recs, columns=["i", "sensor", "time", "distance_m", "bearing", "offset", "score"])
    ident = ["c_no", "name", "township", "county", "row"]
    if len(rec):
        info = pts[[c for c in ident if c in pts.columns]].copy()
        info["x"] = pts.geometry.x.round(1)
        info["y"] = pts.geometry.y.round(1)
        info["emission_t"] = pts[col].to_numpy(dtype=float)
        g = rec.groupby("i")
        rk = info.loc[g.size().index].copy()
        rk["score"] = g["score"].sum().round(6).to_numpy()
        rk["hours_upwind"] = g.size().to_numpy()
        rk["sensors"] = g["sensor"].agg(lambda s: ";".join(sorted(set(s)))).to_numpy()
        rk["min_distance_m"] = g["distance_m"].min().round(1).to_numpy()
        rk["mean_offset_deg"] = g["offset"].mean().round(1).to_numpy()
        rk = rk.sort_values(["score", "min_distance_m", "c_no"], ascending=[False, True, True], kind="stable")
        rk.insert(0, "rank", np.arange(1, len(rk) + 1))
        rk["basis"] = "point"
        bs = rec.groupby(["sensor", "i"]).agg(score=("score", "sum"), hours_upwind=("score", "size"),
                                              distance_m=("distance_m", "min"), bearing_deg=("bearing", "mean"))
        bs = bs.reset_index().merge(info, left_on="i", right_index=True)
        bs["score"] = bs["score"].round(6)
        bs["distance_m"] = bs["distance_m"].round(1)
        bs["bearing_deg"] = bs["bearing_deg"].round(1)
        bs = bs.sort_values(["sensor", "score", "distance_m", "c_no"], ascending=[True, False, True, True],
                            kind="stable")
        bs.insert(1, "rank", bs.groupby("sensor").cumcount() + 1)
        bs = bs.drop(columns="i")
        rk = rk.reset_index(drop=True)
    else:
        rk = pd.DataFrame(columns=["rank", *ident, "x", "y", "emission_t", "score", "hours_upwind", "sensors",
                                   "min_distance_m", "mean_offset_deg", "basis"])
        bs = pd.DataFrame(columns=["sensor", "rank", "score", "hours_upwind", "distance_m", "bearing_deg", *ident])
    rk["pollutant"] = key
    rk["data"] = "scenario" if scenario else "input"
    bs["data"] = "scenario" if scenario else "input"
    # townships upwind and facilities known only by township
    tw_rows = _upwind_townships(used, flagged, sources, facilities, townships, half_width, max_distance_m, probs)
    if not len(flagged):
        probs.add("sensors", "all sensors", "no sensor is flagged by the anomaly rule: nothing to rank",
                  severity="warning")
    params = dict(pollutant=key, half_width=half_width, max_distance_m=max_distance_m, calm_ms=calm_ms,
                  max_station_m=max_station_m, sigma_deg=sigma, min_emission=min_emission,
                  evidence_hours=int(len(hours)), used_hours=int(len(used)), scenario=scenario)
    return SuspectResult(rk, bs.reset_index(drop=True), tw_rows, hours, probs, params)


def _upwind_townships(used, flagged, sources, facilities, townships, half_width, max_distance_m, probs):
    cols = ["township", "county", "hours_upwind", "sensors", "min_distance_m", "c_no", "name", "listed_from",
            "basis"]
    lists = []
    if facilities is not None and len(facilities):
        f = pd.DataFrame(facilities).copy()
        if "township" not in f.columns:
            raise InputError("the facility list has no township column", where="facilities",
                             fix="give a table with township (and control_no, name) columns")
        cno = "control_no" if "control_no" in f.columns else ("c_no" if "c_no" in f.columns else None)
        nm = "name" if "name" in f.columns else None
        unplaced = f["township"].isna() | (f["township"].astype(str).str.strip() == "")
        if unplaced.any():
            probs.add("facilities", f"{int(unplaced.sum())} facilit(y/ies)", "no township: cannot be tested "
                      "for upwind (listed nowhere)", severity="warning")
        f = f[~unplaced]
        if cno and sources is not None and len(sources):
            placed = set(sources.loc[sources["basis"] == "point", "c_no"].dropna())
            dup = f[cno].isin(placed)
            if dup.any():
                probs.add("facilities", f"{int(dup.sum())} facilit(y/ies)", "also point sources (same control "
                          "number): ranked as points, not listed by township", severity="warning")
            f = f[~dup]
        lists.append(pd.DataFrame({"township": f["township"].map(normalize_name),
                                   "county": f["county"].map(normalize_name) if "county" in f.columns else None,
                                   "c_no": f[cno] if cno else None, "name": f[nm] if nm else None,
                                   "listed_from": "facility list"}))
    if sources is not None and len(sources) and (sources["basis"] == "township").any():
        s = sources[sources["basis"] == "township"]
        lists.append(pd.DataFrame({"township": s["township"], "county": s["county"], "c_no": s["c_no"],
                                   "name": s["name"], "listed_from": "sources (no coordinates)"}))
    if not lists or used.empty:
        return pd.DataFrame(columns=cols)
    fac = pd.concat(lists, ignore_index=True)
    tw = townships if townships is not None else datasets.load_townships()
    tw = tw.to_crs(TM2).rename(columns={"COUNTYNAME": "county", "TOWNNAME": "township"})
    fac_c = fac.dropna(subset=["county"])
    pairs = set(zip(fac_c["county"], fac_c["township"]))
    anywhere = set(fac.loc[fac["county"].isna(), "township"])
    keep = [(c, t) in pairs or t in anywhere for c, t in zip(tw["county"], tw["township"])]
    tw = tw[keep].reset_index(drop=True)
    if tw.empty:
        return pd.DataFrame(columns=cols)
    loc = flagged.set_index("sensor")[["x", "y"]]
    hits = []
    sindex = tw.sindex
    for h in used.itertuples(index=False):
        x0, y0 = loc.at[h.sensor, "x"], loc.at[h.sensor, "y"]
        sec = sector_polygon(x0, y0, h.wind_dir, half_width, max_distance_m)
        for j in sindex.query(sec, predicate="intersects"):
            part = tw.geometry.iloc[j].intersection(sec)
            if part.is_empty:
                continue
            hits.append((tw.at[j, "township"], tw.at[j, "county"], h.sensor,
                         float(part.distance(shapely.Point(x0, y0)))))
    if not hits:
        return pd.DataFrame(columns=cols)
    hd = pd.DataFrame(hits, columns=["township", "county", "sensor", "d"])
    agg = hd.groupby(["township", "county"]).agg(hours_upwind=("d", "size"),
                                                 sensors=("sensor", lambda s: ";".join(sorted(set(s)))),
                                                 min_distance_m=("d", "min")).reset_index()
    agg["min_distance_m"] = agg["min_distance_m"].round(1)
    fac = pd.concat([fac_c.merge(agg, on=["county", "township"], how="inner"),
                     fac[fac["county"].isna()].drop(columns="county").merge(agg, on="township", how="inner")],
                    ignore_index=True)
    fac["basis"] = "township"
    fac = fac.sort_values(["hours_upwind", "min_distance_m", "township", "c_no"],
                          ascending=[False, True, True, True], kind="stable").reset_index(drop=True)
    return fac[cols]
