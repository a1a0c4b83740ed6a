"""Micro-sensors: reading, and flagging sensors that stand persistently above their neighbours.

Reading
-------
:func:`read_sensors` takes a CSV with one reading per row: sensor id, lon, lat
(WGS84 degrees) or TM2 x/y, time, PM2.5 (µg/m³). Headers may be English or
Chinese (``device_id``/``感測器編號``, ``lon``/``經度``, ``lat``/``緯度``,
``time``/``時間``, ``pm2.5``/``PM2.5``/``細懸浮微粒``). Times without a zone
are Taiwan local time; times with a zone are converted to it. Readings are
averaged per sensor and **hour ending** (09:05 and 09:55 count for 10:00), the
MOENV convention, so that they meet station wind of the same hour.

Problems, all reported (``attrs["problems"]``), never dropped silently:
a row without id, coordinates, time or a numeric PM2.5 (row not used), a
negative PM2.5 (not used), and a sensor id found at places more than
``tolerance_m`` apart (all its rows not used: the readings cannot be tied to
one place; fix: give each place its own id).

Local-anomaly rule (:func:`flag_anomalies`)
-------------------------------------------
For each sensor *s* and hour *t*, the reference is the median of the hourly
values of its ``k`` nearest other sensors (fixed by distance, at most
``max_neighbour_m`` away) that report in that hour; at least ``min_neighbours``
must report, or the hour is not evaluated. Two rules:

* ``"robust_z"`` (default): z = (x − median) / max(1.4826 · MAD, ``floor``);
  the hour *exceeds* when z ≥ ``threshold`` (default 3) **and**
  x − median ≥ ``min_excess`` (default 5 µg/m³).
* ``"ratio"``: the hour exceeds when x / median ≥ ``threshold`` (default 1.5)
  and x − median ≥ ``min_excess``.

A sensor is **flagged** when it exceeds in at least ``min_fraction`` (default
50 %) of its evaluated hours within the window [``start``, ``end``), and has
at least ``min_hours`` (default 6) evaluated hours.
"""

from __future__ import annotations

import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
from pyproj import Transformer
from scipy.spatial import cKDTree

from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2, WGS84, points_from_xy, resolve_crs
from geoairplan.io.tables import is_scenario, read_text_table
from geoairplan.io.times import normalize_time_text, outlying_times
from geoairplan.reference.plausible import plausible_range

__all__ = ["read_sensors", "prepare_sensors", "sensor_locations", "flag_anomalies", "AnomalyResult"]

_HEADERS = {
    "sensor": ["sensor", "sensor_id", "sensorid", "device_id", "deviceid", "device", "id", "station_id",
               "感測器編號", "感測器", "設備編號", "儀器編號", "編號", "站號", "測站編號", "微型感測器編號"],
    "lon": ["lon", "longitude", "lng", "long", "經度", "x_lon"],
    "lat": ["lat", "latitude", "緯度", "y_lat"],
    "x": ["x", "utm_e", "tm2_x", "x_tm2", "twd97x"],
    "y": ["y", "utm_n", "tm2_y", "y_tm2", "twd97y"],
    "time": ["time", "datetime", "timestamp", "date_time", "localtime", "local_time", "time_local",
             "時間", "監測時間", "日期時間", "量測時間", "資料時間", "日期"],
    "pm25": ["pm25", "pm2.5", "pm2_5", "pm_25", "pm2.5(μg/m3)", "pm2.5(µg/m3)", "pm2.5(ug/m3)",
             "細懸浮微粒", "細懸浮微粒(pm2.5)", "value", "數值"],
}


def _fold(h):
    return unicodedata.normalize("NFKC", str(h)).strip().lower().replace(" ", "")


def _find(cols, key):
    folded = {_fold(c): c for c in cols}
    for cand in _HEADERS[key]:
        if _fold(cand) in folded:
            return folded[_fold(cand)]
    return None


def read_sensors(path: str | Path, *, tolerance_m: float = 50.0, crs=None) -> pd.DataFrame:
    """Read a micro-sensor CSV (see the module notes) into hourly readings per sensor.

    The file is read with :func:`geoairplan.io.read_text_table` (UTF-8, BOM or Big5/CP950).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    tolerance_m : float
        A sensor id whose places spread wider than this is not used.
    crs : str or None
        CRS of x/y columns (lon/lat are EPSG:4326).

    Returns
    -------
    pandas.DataFrame
        As :func:`prepare_sensors`; ``attrs["scenario"]`` says whether the file
        declares itself scenario data (``data_kind`` column).
    """
    path = Path(path)
    df = read_text_table(path, source="micro-sensor")
    if df.empty and len(df.columns) == 0:
        raise InputError("the file is empty (no header, no rows)", file=path,
                         fix="give a CSV with sensor id, lon, lat, time and PM2.5 columns")
    return prepare_sensors(df, source=str(path), tolerance_m=tolerance_m, crs=crs)


def prepare_sensors(df: pd.DataFrame, *, source: str = "sensors", tolerance_m: float = 50.0,
                    crs=None) -> pd.DataFrame:
    """Check raw sensor rows and average them per sensor and hour ending.

    Returns ``sensor, time, pm25, n_readings, x, y, lon, lat`` (x/y in
    EPSG:3826, time naive Taiwan local, hour ending), sorted by sensor and time,
    with ``attrs["problems"]`` and ``attrs["locations"]`` (one row per sensor).
    """
    probs = Problems()
    cols = list(df.columns)
    c_id, c_t, c_pm = _find(cols, "sensor"), _find(cols, "time"), _find(cols, "pm25")
    c_lon, c_lat = _find(cols, "lon"), _find(cols, "lat")
    c_x, c_y = _find(cols, "x"), _find(cols, "y")
    missing = [n for n, c in (("sensor id", c_id), ("time", c_t), ("PM2.5", c_pm)) if c is None]
    if (c_lon is None or c_lat is None) and (c_x is None or c_y is None):
        missing.append("coordinates (lon/lat or x/y)")
    if missing:
        raise InputError("no column for " + ", ".join(missing) + f" (columns: {', '.join(cols)})",
                         file=source, where="header",
                         fix="name the columns sensor_id, lon, lat, time, pm2.5 (or 感測器編號, 經度, 緯度, 時間, PM2.5)")
    n = len(df)
    probs.extend(df.attrs.get("problems") or [])  # ragged rows the table reader left out, with their line
    lines = df.attrs.get("lines")
    rows = np.asarray(lines, dtype=np.int64) if lines is not None and len(lines) == n else np.arange(2, n + 2)
    sid = pd.Series([None if pd.isna(v) else (str(v).strip() or None) for v in df[c_id]], dtype=object)
    if c_lon is not None and c_lat is not None:
        a = pd.to_numeric(df[c_lon], errors="coerce").to_numpy(float)
        b = pd.to_numeric(df[c_lat], errors="coerce").to_numpy(float)
        ccrs = resolve_crs(WGS84 if crs is None else crs)
    else:
        a = pd.to_numeric(df[c_x], errors="coerce").to_numpy(float)
        b = pd.to_numeric(df[c_y], errors="coerce").to_numpy(float)
        ccrs = resolve_crs(TM2 if crs is None else crs)
    lonlat = Transformer.from_crs(ccrs, WGS84, always_xy=True)
    lon, lat = lonlat.transform(a, b)
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(lon) & np.isfinite(lat) & (lon >= 118) & (lon <= 122.5) & (lat >= 21.5) & (lat <= 26.5)
    if np.isfinite(a).any() and not inside[np.isfinite(a) & np.isfinite(b)].any():
        ok = np.isfinite(a) & np.isfinite(b)
        points_from_xy(a[ok], b[ok], ccrs, source=source, rows=[f"row {r}" for r in rows[ok]])
    t = _parse_times(df[c_t])
    t_i8 = t.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    far = outlying_times(t_i8)
    v = pd.to_numeric(df[c_pm], errors="coerce").to_numpy(float)
    lo, hi = plausible_range("pm2.5")
    good = np.ones(n, bool)
    for i in range(n):
        why = []
        if pd.isna(sid.iloc[i]):
            why.append("no sensor id")
        if not inside[i]:
            why.append(f"coordinates ({df[c_lon or c_x].iloc[i]}, {df[c_lat or c_y].iloc[i]}) missing or "
                       "not in Taiwan")
        if pd.isna(t.iloc[i]):
            why.append(f"time {df[c_t].iloc[i]!r} not understood")
        elif far[i]:
            why.append(f"time {df[c_t].iloc[i]!r} lies more than a year away from the rest of the file (a typo?)")
        if not np.isfinite(v[i]):
            why.append(f"PM2.5 {df[c_pm].iloc[i]!r} is not a number")
        elif v[i] < 0:
            why.append(f"PM2.5 {df[c_pm].iloc[i]} is negative")
        elif v[i] > hi:
            why.append(f"PM2.5 {df[c_pm].iloc[i]} is above the plausible range (0-{hi:g} ug/m3, "
                       "data/rules/plausible_ranges.csv): a fill value or a fault")
        if why:
            good[i] = False
            probs.add(source, f"row {rows[i]}", "; ".join(why) + ": row not used")
    tm = Transformer.from_crs(WGS84, TM2, always_xy=True)
    x, y = tm.transform(np.where(inside, lon, np.nan), np.where(inside, lat, np.nan))
    r = pd.DataFrame({"row": rows, "sensor": sid, "time": t, "pm25": v, "x": x, "y": y, "lon": lon,
                      "lat": lat})[good]
    # one place per sensor id
    bad_ids = []
    for s, g in r.groupby("sensor", sort=True):
        dx = g["x"].to_numpy() - np.median(g["x"])
        dy = g["y"].to_numpy() - np.median(g["y"])
        span = float(np.hypot(dx, dy).max()) if len(g) else 0.0
        if span > tolerance_m:
            places = g.assign(px=g["x"].round(-1), py=g["y"].round(-1)).groupby(["px", "py"])["row"].min()
            bad_ids.append(s)
            probs.add(source, f"sensor {s} (rows {', '.join(str(v) for v in sorted(places)[:5])}...)",
                      f"the id appears at {len(places)} places up to {span:.0f} m apart: its "
                      f"{len(g)} readings are not used (fix: give each place its own sensor id)")
    r = r[~r["sensor"].isin(bad_ids)]
    if r.empty:
        raise InputError("no usable sensor reading", file=source,
                         fix="see the problems listed above; each row needs id, place, time and PM2.5\n"
                             + probs.summary())
    loc = r.groupby("sensor", sort=True).agg(x=("x", "median"), y=("y", "median"), lon=("lon", "median"),
                                             lat=("lat", "median")).reset_index()
    r = r.assign(time=r["time"].dt.ceil("h"))
    h = r.groupby(["sensor", "time"], sort=True).agg(pm25=("pm25", "mean"), n_readings=("pm25", "size")) \
        .reset_index()
    h = h.merge(loc, on="sensor", how="left")
    h.attrs["problems"] = probs
    h.attrs["locations"] = loc
    h.attrs["source"] = source
    h.attrs["scenario"] = is_scenario(df)
    return h


def _parse_times(s: pd.Series) -> pd.Series:
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            return pd.NaT
        try:
            ts = pd.Timestamp(str(normalize_time_text([v])[0]).replace("/", "-"))
        except (ValueError, TypeError):
            return pd.NaT
        if ts.tzinfo is not None:
            ts = ts.tz_convert("Asia/Taipei").tz_localize(None)
        return ts
    return pd.to_datetime(s.map(one))


def sensor_locations(readings: pd.DataFrame) -> gpd.GeoDataFrame:
    """One point per sensor (EPSG:3826) from :func:`prepare_sensors` output."""
    loc = readings.attrs.get("locations")
    if loc is None:
        loc = readings.groupby("sensor", sort=True)[["x", "y", "lon", "lat"]].median().reset_index()
    return gpd.GeoDataFrame(loc.copy(), geometry=gpd.points_from_xy(loc["x"], loc["y"]), crs=TM2)


class AnomalyResult:
    """Hourly scores (``hourly``) and per-sensor verdicts (``sensors``) of :func:`flag_anomalies`."""
    def __init__(self, hourly: pd.DataFrame, sensors: gpd.GeoDataFrame, rule: str, params: dict):
        self.hourly = hourly
        self.sensors = sensors
        self.rule = rule
        self.params = params

    @property
    def flagged(self) -> list[str]:
        return self.sensors.loc[self.sensors["flagged"], "sensor"].tolist()

    def describe(self) -> str:
        p = self.params
        if self.rule == "robust_z":
            hour = (f"z = (x - median of the {p['k']} nearest sensors) / max(1.4826 MAD, {p['floor']}) "
                    f">= {p['threshold']} and x - median >= {p['min_excess']} ug/m3")
        else:
            hour = (f"x / median of the {p['k']} nearest sensors >= {p['threshold']} and "
                    f"x - median >= {p['min_excess']} ug/m3")
        return (f"an hour exceeds when {hour}; a sensor is flagged when >= {100 * p['min_fraction']:.0f} % "
                f"of at least {p['min_hours']} evaluated hours exceed (>= {p['min_neighbours']} neighbours "
                f"reporting, neighbours within {p['max_neighbour_m']:.0f} m)")


def check_anomaly_parameters(k=5, min_fraction=0.5) -> None:
    """Raise :class:`InputError` unless ``k`` >= 1 (whole) and 0 < ``min_fraction`` <= 1."""
    try:
        whole = not isinstance(k, bool) and float(k) == int(k)
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole or k < 1:
        raise InputError(f"k = {k}: the number of neighbours must be a whole number >= 1", where="k",
                         fix="e.g. --k 5")
    try:
        f = float(min_fraction)
    except (TypeError, ValueError):
        f = float("nan")
    if not (0 < f <= 1):
        raise InputError(f"min_fraction = {min_fraction} must be in (0, 1]", where="min_fraction",
                         fix="e.g. --min-fraction 0.5")


def flag_anomalies(readings: pd.DataFrame, *, k: int = 5, rule: str = "robust_z",
                   threshold: float | None = None, min_excess: float = 5.0, floor: float = 2.0,
                   min_neighbours: int = 3, max_neighbour_m: float = 10_000.0, min_fraction: float = 0.5,
                   min_hours: int = 6, start=None, end=None) -> AnomalyResult:
    """Apply the local-anomaly rule of the module notes; returns an :class:`AnomalyResult`."""
    if rule not in ("robust_z", "ratio"):
        raise InputError(f"unknown anomaly rule {rule!r}", where="rule", fix="use robust_z or ratio")
    check_anomaly_parameters(k, min_fraction)
    k = int(k)
    threshold = (3.0 if rule == "robust_z" else 1.5) if threshold is None else float(threshold)
    r = readings
    if start is not None:
        r = r[r["time"] >= pd.Timestamp(start)]
    if end is not None:
        r = r[r["time"] < pd.Timestamp(end)]
    loc = sensor_locations(readings)
    names = loc["sensor"].tolist()
    ns = len(names)
    if ns < min_neighbours + 1:
        raise InputError(f"{ns} sensor(s): the rule needs at least {min_neighbours + 1}", where="sensors",
                         fix="give more sensors or lower --min-neighbours")
    times = sorted(r["time"].unique())
    ti = {t: j for j, t in enumerate(times)}
    si = {s: i for i, s in enumerate(names)}
    V = np.full((ns, len(times)), np.nan)
    V[r["sensor"].map(si).to_numpy(), r["time"].map(ti).to_numpy()] = r["pm25"].to_numpy()
    xy = loc[["x", "y"]].to_numpy()
    kk = min(k, ns - 1)
    d_all, i_all = cKDTree(xy).query(xy, k=kk + 1)
    idx = np.empty((ns, kk), dtype=int)
    dist = np.empty((ns, kk))
    for i in range(ns):  # drop self (not always first when two sensors share a place)
        keep = [j for j in range(kk + 1) if i_all[i, j] != i][:kk]
        idx[i], dist[i] = i_all[i, keep], d_all[i, keep]
    nbv = V[idx]  # (ns, kk, nt)
    nbv = np.where((dist <= max_neighbour_m)[:, :, None], nbv, np.nan)
    cnt = np.isfinite(nbv).sum(axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med = np.nanmedian(nbv, axis=1)
        mad = np.nanmedian(np.abs(nbv - med[:, None, :]), axis=1)
    evaluated = np.isfinite(V) & (cnt >= min_neighbours)
    excess = V - med
    if rule == "robust_z":
        score = excess / np.maximum(1.4826 * mad, floor)
    else:
        score = V / np.maximum(med, 1e-9)
    exceed = evaluated & (score >= threshold) & (excess >= min_excess)
    hourly = pd.DataFrame({
        "sensor": np.repeat(names, len(times)), "time": np.tile(np.array(times), ns),
        "pm25": V.ravel(), "neighbour_median": med.ravel(), "neighbour_mad": mad.ravel(),
        "n_neighbours": cnt.ravel(), "score": score.ravel(), "evaluated": evaluated.ravel(),
        "exceed": exceed.ravel()})
    hourly = hourly[np.isfinite(hourly["pm25"])].reset_index(drop=True)
    n_eval = evaluated.sum(axis=1)
    n_exc = exceed.sum(axis=1)
    frac = np.where(n_eval > 0, n_exc / np.maximum(n_eval, 1), np.nan)
    out = loc.copy()
    out["n_hours"] = np.isfinite(V).sum(axis=1)
    out["n_evaluated"] = n_eval
    out["n_exceed"] = n_exc
    out["exceed_fraction"] = np.round(frac, 4)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["median_excess"] = np.round(np.nanmedian(np.where(evaluated, excess, np.nan), axis=1), 2)
    out["flagged"] = (n_eval >= min_hours) & (np.nan_to_num(frac) >= min_fraction)
    out["neighbours"] = [";".join(names[j] for j in row) for row in idx]
    params = dict(k=kk, threshold=threshold, min_excess=min_excess, floor=floor, min_neighbours=min_neighbours,
                  max_neighbour_m=max_neighbour_m, min_fraction=min_fraction, min_hours=min_hours)
    return AnomalyResult(hourly, out, rule, params)
