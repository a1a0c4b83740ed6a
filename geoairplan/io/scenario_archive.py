"""SCENARIO archives (made-up data, labelled so) for the scale benchmarks, the tests and the back-test demo.

:func:`make_sensors` and :func:`make_stations` are run from the command line by
``scripts/make_scenario_archive.py``::

    python scripts/make_scenario_archive.py sensors --sensors 10000 --days 31 --step 5 --to /tmp/arc
    python scripts/make_scenario_archive.py stations --stations 84 --years 10 --to /tmp/arc

and by ``geoairplan demo`` (:mod:`geoairplan.demo.backtest`: one year of the
embedded stations of the demo's counties).

Writes hive-partitioned Parquet (``data/kind=.../year=/month=``) with
:func:`geoairplan.io.archive.write_partitioned`, one file per generated day
(sensors) or month (stations), so memory stays bounded whatever the size;
registers the sensors / stations and records the run in the ledger (its
"file" is the generator call, its sha256 that of the parameters: running the
same call twice adds nothing). Every row has ``data_kind = scenario``.

Model (nothing here is measured; the parameters are round numbers, not fits)
------------------------------------------------------------------------------
Micro-sensors (``sensors``):

* places: uniform in the TM2 box x 185–225 km, y 2,570–2,660 km (the
  彰化–雲林–嘉義 plain), rounded to 1 m; ids ``SCN-S00001``...;
* regional PM2.5 at step t: r(t) = 25 + 8·sin(2π(h − 9)/24) + a(t), h the
  local hour and a(t) an AR(1) with coefficient 0.999 per step and
  innovation sd 0.3 µg/m³ (slow synoptic swings), floored at 3;
* sensor s: x = r(t)·(1 + 0.1·u_s) + e, u_s ~ N(0, 1) fixed per sensor,
  e ~ N(0, 3) per reading;
* a fraction ``--hot`` (1 %) of sensors are near a made-up source: in 60 % of
  their steps they read 30 µg/m³ more (the anomalies the job should find);
* 2 % of readings are missing (not written); values rounded to 0.1, ≥ 0.

Stations (``stations``): ``--stations`` stations named after the embedded
MOENV stations (the j-th copy of a station is ``<name>#j``, at its place,
so it has a county) with hourly pm2.5, pm10, o3, so2, no2, co:

* pm2.5 = max(2, 18 + 8·cos(2π(doy − 15)/365) + 5·sin(2π(h − 9)/24) + b(t) + e),
  b an AR(1) per station (0.97 per hour, innovation sd 1.5: episodes), e ~ N(0, 2);
* pm10 = 1.7·pm2.5 + N(0, 4); o3 (ppb) = max(0, 30 + 25·sin(2π(h − 9)/24) + N(0, 6));
  so2 (ppb) = 2 + |N(0, 1)|; no2 (ppb) = 15 + 8·cos(2π(h − 8)/24) + N(0, 3); co (ppm) = 0.3 + 0.01·no2;
* 1 % of values are missing (flag ``missing``).

``make_stations(..., counties=[...])`` uses every embedded station of those
counties once (``--stations`` is then their number).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from geoairplan.errors import InputError
from geoairplan.io.archive import TZ, _ledger, has_source, record_source, register, write_partitioned
from geoairplan.io.crs import TM2, WGS84
from geoairplan.reference.stations import load_stations

__all__ = ["make_sensors", "make_stations", "UNITS"]

UNITS = {"pm2.5": "ug/m3", "pm10": "ug/m3", "o3": "ppb", "so2": "ppb", "no2": "ppb", "co": "ppm"}


def _digest(params: dict) -> str:
    return hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()


def _done(archive, digest: str) -> int | None:
    """Rows of an earlier identical run (the ledger has its digest), else None."""
    if not has_source(archive, digest):
        return None
    led = _ledger(Path(archive))
    return int(led.loc[led["sha256"] == digest, "rows"].iloc[0])


def make_sensors(archive, *, sensors: int = 1000, days: int = 7, step_min: int = 5, start: str = "2025-01-01",
                 hot: float = 0.01, seed: int = 0) -> dict:
    """Write the micro-sensor scenario (module notes); returns counts.

    Parameters
    ----------
    archive : str or Path
        The archive folder (created).
    sensors, days, step_min : int
        Sensors, days of readings, minutes between readings.
    start : str
        First day (Taiwan time).
    hot : float
        Share of sensors near a made-up source.
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    dict
        ``rows``, ``sensors``, ``hot``.
    """
    params = {"kind": "sensors", "sensors": sensors, "days": days, "step": step_min, "start": start, "hot": hot,
              "seed": seed}
    digest = _digest(params)
    if (n := _done(archive, digest)) is not None:  # the same call ran before: nothing to add
        return {"rows": n, "sensors": sensors, "hot": max(1, int(round(hot * sensors)))}
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(185_000, 225_000, sensors))
    y = np.round(rng.uniform(2_570_000, 2_660_000, sensors))
    ids = np.array([f"SCN-S{i + 1:05d}" for i in range(sensors)], dtype=object)
    u = rng.normal(size=sensors)
    is_hot = np.zeros(sensors, bool)
    is_hot[rng.choice(sensors, max(1, int(round(hot * sensors))), replace=False)] = True
    lon, lat = Transformer.from_crs(TM2, WGS84, always_xy=True).transform(x, y)
    register(archive, "sensor", ids, lon, lat, types=["micro-sensor (scenario)"] * sensors, data_kind="scenario")
    per_day = 24 * 60 // step_min
    t0 = pd.Timestamp(start, tz=TZ)
    a = 0.0
    rows = 0
    parts = []
    for d in range(days):
        times = t0 + pd.Timedelta(days=d) + pd.to_timedelta(np.arange(per_day) * step_min, unit="min")
        h = times.hour.to_numpy() + times.minute.to_numpy() / 60
        innov = rng.normal(0, 0.3, per_day)
        ar = np.empty(per_day)
        for i in range(per_day):
            a = 0.999 * a + innov[i]
            ar[i] = a
        r = np.maximum(25 + 8 * np.sin(2 * np.pi * (h - 9) / 24) + ar, 3.0)
        v = r[:, None] * (1 + 0.1 * u[None, :]) + rng.normal(0, 3, (per_day, sensors))
        v += np.where(is_hot[None, :] & (rng.random((per_day, sensors)) < 0.6), 30.0, 0.0)
        v = np.round(np.maximum(v, 0.0), 1)
        keep = rng.random((per_day, sensors)) >= 0.02
        ti, si = np.nonzero(keep)
        frame = pd.DataFrame({"time": times[ti], "station": ids[si], "pollutant": "pm2.5", "value": v[ti, si],
                              "unit": "ug/m3", "flag": "valid", "data_kind": "scenario"})
        parts += write_partitioned(frame, Path(archive), "sensor", f"scn{digest[:8]}-{d:04d}")
        rows += len(frame)
    record_source(archive, digest, f"make_scenario_archive sensors {params}", "sensor", rows, "scenario", parts)
    return {"rows": rows, "sensors": sensors, "hot": int(is_hot.sum())}


def make_stations(archive, *, stations: int = 33, years: int = 1, start_year: int = 2024, seed: int = 0,
                  counties=None) -> dict:
    """Write the station scenario (module notes); returns counts.

    Parameters
    ----------
    archive : str or Path
        The archive folder (created).
    stations : int
        Stations (copies of the embedded ones, cyclically); ignored with ``counties``.
    years, start_year : int
        Whole calendar years from ``start_year``.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    counties : list of str, optional
        Use the embedded stations of these counties, each once.

    Returns
    -------
    dict
        ``rows``, ``stations``.
    """
    emb = load_stations()
    if counties is not None:
        emb = emb[emb["county"].isin(list(counties))].sort_values("name_zh").reset_index(drop=True)
        if emb.empty:
            raise InputError(f"no embedded station in {', '.join(counties)}", where="counties",
                             fix="use county names of geoairplan.datasets.load_stations()")
        stations = len(emb)
    params = {"kind": "stations", "stations": stations, "years": years, "start_year": start_year, "seed": seed}
    if counties is not None:
        params["counties"] = ",".join(sorted(counties))
    digest = _digest(params)
    if (n := _done(archive, digest)) is not None:  # the same call ran before: nothing to add
        return {"rows": n, "stations": stations}
    rng = np.random.default_rng(seed)
    k = np.arange(stations) % len(emb)
    rep = np.arange(stations) // len(emb)
    names = np.array([emb["name_zh"].iat[i] + ("" if j == 0 else f"#{j + 1}") for i, j in zip(k, rep)], dtype=object)
    register(archive, "moenv", names, emb["lon"].to_numpy()[k], emb["lat"].to_numpy()[k],
             types=["moenv station (scenario)"] * stations, data_kind="scenario")
    b = np.zeros(stations)
    rows = 0
    parts = []
    for y in range(start_year, start_year + years):
        for m in range(1, 13):
            t0 = pd.Timestamp(year=y, month=m, day=1, tz=TZ)
            times = pd.date_range(t0, t0 + pd.offsets.MonthBegin(1), freq="h", inclusive="left")
            n = len(times)
            h = times.hour.to_numpy()[:, None]
            doy = times.day_of_year.to_numpy()[:, None]
            innov = rng.normal(0, 1.5, (n, stations))
            bb = np.empty((n, stations))
            for i in range(n):
                b = 0.97 * b + innov[i]
                bb[i] = b
            pm25 = np.maximum(2, 18 + 8 * np.cos(2 * np.pi * (doy - 15) / 365) + 5 * np.sin(2 * np.pi * (h - 9) / 24)
                              + bb + rng.normal(0, 2, (n, stations)))
            no2 = np.maximum(0, 15 + 8 * np.cos(2 * np.pi * (h - 8) / 24) + rng.normal(0, 3, (n, stations)))
            vals = {"pm2.5": pm25, "pm10": np.maximum(0, 1.7 * pm25 + rng.normal(0, 4, (n, stations))),
                    "o3": np.maximum(0, 30 + 25 * np.sin(2 * np.pi * (h - 9) / 24) + rng.normal(0, 6, (n, stations))),
                    "so2": 2 + np.abs(rng.normal(0, 1, (n, stations))), "no2": no2, "co": 0.3 + 0.01 * no2}
            frames = []
            for p, v in vals.items():
                v = np.round(v, 2 if p == "co" else 1)
                miss = rng.random(v.shape) < 0.01
                ti, si = np.indices(v.shape).reshape(2, -1)
                frames.append(pd.DataFrame({"time": times[ti], "station": names[si], "pollutant": p,
                                            "value": np.where(miss, np.nan, v).ravel(), "unit": UNITS[p],
                                            "flag": np.where(miss, "missing", "valid").ravel(),
                                            "data_kind": "scenario"}))
            frame = pd.concat(frames, ignore_index=True)
            parts += write_partitioned(frame, Path(archive), "moenv", f"scn{digest[:8]}-{y}{m:02d}")
            rows += len(frame)
    record_source(archive, digest, f"make_scenario_archive stations {params}", "moenv", rows, "scenario", parts)
    return {"rows": rows, "stations": stations}
