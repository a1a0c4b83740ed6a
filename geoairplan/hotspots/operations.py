"""Micro-sensor operations over an archive: neighbour anomalies per time step, their persistence per cell, Gi*.

The local-anomaly rule is the one of :mod:`geoairplan.hotspots.sensors`
(:func:`~geoairplan.hotspots.sensors.flag_anomalies`), applied per time step
of the archive (every reading time, e.g. 5 minutes) instead of per hour:

* the neighbours of a sensor are its ``k`` nearest other sensors at most
  ``max_neighbour_m`` away, found **once** on the registry (``scipy``
  ``cKDTree``; sensors do not move);
* at each step, the reference is the median of the reporting neighbours'
  values; at least ``min_neighbours`` must report, or the step is not
  evaluated;
* z = (x − median) / max(1.4826 · MAD, ``floor``); the step is an
  **anomaly** when z ≥ ``threshold`` (3) and x − median ≥ ``min_excess`` (5 µg/m³);
* a sensor is **flagged** when at least ``min_fraction`` (50 %) of its
  evaluated steps (and at least ``min_steps``) are anomalies.

Persistence per cell: the share of the evaluated sensor-steps of a 1 km TM2
cell (:func:`geoairplan.grid.cell_index` on the registry) that are anomalies
over the period. Gi* on the persistence grid (cells holding sensors, Queen
weights, islands joined to their nearest cell) is
:func:`geoairplan.hotspots.stats.getis_ord`.

With wind and sources, :func:`upwind_suspects` ranks the point sources
upwind of the flagged sensors in their anomalous hours (the ranking of
:mod:`geoairplan.hotspots.upwind`, on hourly evidence gathered by the tasks:
``sensor_operations(..., hourly=True)``).

Work is cut into time windows (``task_days`` days inside a month partition,
one task each; within a task by blocks of time steps, so memory stays bounded whatever the month's size); the
per-sensor counts are added in window order on the client, so every engine
gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geoairplan.engine import Engine
from geoairplan.errors import InputError, Problems
from geoairplan.hotspots.gridstats import sensor_cells
from geoairplan.hotspots.stats import getis_ord, grid_weights
from geoairplan.hotspots.upwind import SuspectResult, rank_suspects
from geoairplan.io.archive import read_registry, read_rows, time_windows
from geoairplan.io.crs import TM2
from geoairplan.results import Result, RunMeta

__all__ = ["sensor_operations", "SensorOpsResult", "neighbour_index", "step_anomalies", "upwind_suspects"]

#: Budget of neighbour values held at once per task (time steps × sensors × k); ~160 MB of float64.
BLOCK_VALUES = 20_000_000


def neighbour_index(x, y, k: int, max_neighbour_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indices (n, k), distances (n, k), usable (n, k)) of each sensor's k nearest other sensors.

    Self is dropped even when two sensors share a place (as in
    :func:`~geoairplan.hotspots.sensors.flag_anomalies`); ``usable`` is
    distance <= ``max_neighbour_m``.
    """
    xy = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    n = len(xy)
    kk = min(int(k), n - 1)
    d_all, i_all = cKDTree(xy).query(xy, k=kk + 1)
    d_all = d_all.reshape(n, kk + 1)
    i_all = i_all.reshape(n, kk + 1)
    self_ = i_all == np.arange(n)[:, None]
    # keep the first kk entries that are not self (stable)
    rank = np.cumsum(~self_, axis=1)
    take = ~self_ & (rank <= kk)
    idx = i_all[take].reshape(n, kk)
    dist = d_all[take].reshape(n, kk)
    return idx, dist, dist <= max_neighbour_m


def _median_last(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(median over the last axis ignoring NaN, count of finite values); NaN where none."""
    s = np.sort(a, axis=-1)  # NaN last
    c = np.isfinite(a).sum(axis=-1)
    lo = np.maximum((c - 1) // 2, 0)
    hi = np.maximum(c // 2, 0)
    lo = np.minimum(lo, a.shape[-1] - 1)
    hi = np.minimum(hi, a.shape[-1] - 1)
    va = np.take_along_axis(s, lo[..., None], axis=-1)[..., 0]
    vb = np.take_along_axis(s, hi[..., None], axis=-1)[..., 0]
    med = np.where(c > 0, (va + vb) / 2, np.nan)
    return med, c


def step_anomalies(V: np.ndarray, nb_idx: np.ndarray, nb_use: np.ndarray, *, threshold: float, min_excess: float,
                   floor: float, min_neighbours: int) -> dict[str, np.ndarray]:
    """The rule of the module notes on a block of steps ``V`` (steps × sensors, NaN = no reading)."""
    nb = V[:, nb_idx]  # (steps, sensors, k)
    nb = np.where(nb_use[None, :, :], nb, np.nan)
    med, cnt = _median_last(nb)
    mad, _ = _median_last(np.abs(nb - med[:, :, None]))
    evaluated = np.isfinite(V) & (cnt >= min_neighbours)
    excess = V - med
    with np.errstate(invalid="ignore", divide="ignore"):
        z = excess / np.maximum(1.4826 * mad, floor)
        exceed = evaluated & (z >= threshold) & (excess >= min_excess)
    return {"median": med, "mad": mad, "count": cnt, "evaluated": evaluated, "excess": excess, "z": z,
            "exceed": exceed}


_HOUR_NS = 3_600_000_000_000


def _hourly_evidence(hs: np.ndarray, V: np.ndarray, r: dict) -> pd.DataFrame | None:
    """Sensor-hours of a block with at least one anomaly: evaluated and anomalous steps, sums of value and median.

    ``hs`` holds each step's hour (hour-ending, int64 ns UTC), non-decreasing.
    """
    ex = r["exceed"]
    if not ex.any():
        return None
    starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
    n_ex = np.add.reduceat(ex.astype(np.int32), starts, axis=0)
    hi, si = np.nonzero(n_ex)
    n_ev = np.add.reduceat(r["evaluated"].astype(np.int32), starts, axis=0)
    pm = np.add.reduceat(np.where(ex, V, 0.0), starts, axis=0)
    md = np.add.reduceat(np.where(ex, r["median"], 0.0), starts, axis=0)
    return pd.DataFrame({"hour": hs[starts[hi]], "sensor_code": si, "steps_evaluated": n_ev[hi, si],
                         "anomaly_steps": n_ex[hi, si], "pm25_sum": pm[hi, si], "median_sum": md[hi, si]})


def _window_task(win, *, archive: str, ids: list, nb_idx, nb_use, params: dict, keep_steps: bool = True,
                 hourly: bool = False) -> dict:
    ns = len(ids)
    y, m, start, end = win
    rows = read_rows(archive, "sensor", months=[(y, m)], start=start, end=end, pollutants=["pm2.5"],
                     columns=["time", "station", "value"])
    out = {"steps": 0, "n_obs": np.zeros(ns, np.int64), "n_eval": np.zeros(ns, np.int64),
           "n_exc": np.zeros(ns, np.int64), "excess_sum": np.zeros(ns), "duplicates": 0, "unknown": 0,
           "anomalies": None, "hourly": None}
    if rows.empty:
        return out
    s = pd.Index(ids).get_indexer(rows["station"])
    out["unknown"] = int((s < 0).sum())
    t8 = rows["time"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    v = rows["value"].to_numpy(dtype=float)
    keep = s >= 0
    s, t8, v = s[keep], t8[keep], v[keep]
    tcode, times = pd.factorize(t8, sort=True)
    key = tcode.astype(np.int64) * ns + s
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    out["duplicates"] = int(dup.sum())
    s, tcode, v = s[~dup], tcode[~dup], v[~dup]
    order = np.argsort(tcode, kind="stable")
    s, tcode, v = s[order], tcode[order], v[order]
    nt = len(times)
    block = max(1, BLOCK_VALUES // max(1, ns * nb_idx.shape[1]))
    an, hv = [], []
    hour_of = -(-times.astype(np.int64) // _HOUR_NS) * _HOUR_NS  # hour-ending (ceil), as the hourly readers
    for b0 in range(0, nt, block):
        b1 = min(nt, b0 + block)
        i0, i1 = np.searchsorted(tcode, [b0, b1])
        V = np.full((b1 - b0, ns), np.nan)
        V[tcode[i0:i1] - b0, s[i0:i1]] = v[i0:i1]
        r = step_anomalies(V, nb_idx, nb_use, **params)
        ev, ex = r["evaluated"], r["exceed"]
        out["n_obs"] += np.isfinite(V).sum(axis=0)
        out["n_eval"] += ev.sum(axis=0)
        out["n_exc"] += ex.sum(axis=0)
        out["excess_sum"] += np.where(ev, r["excess"], 0.0).sum(axis=0)
        if hourly:
            h = _hourly_evidence(hour_of[b0:b1], V, r)
            if h is not None:
                hv.append(h)
        ti, si = np.nonzero(ex) if keep_steps else ((), ())
        if len(ti):
            an.append(pd.DataFrame({"time": times[b0 + ti], "sensor_code": si, "pm25": V[ti, si],
                                    "neighbour_median": r["median"][ti, si], "neighbour_mad": r["mad"][ti, si],
                                    "n_neighbours": r["count"][ti, si], "z": r["z"][ti, si]}))
    out["steps"] = nt
    out["anomalies"] = pd.concat(an, ignore_index=True) if an else None
    out["hourly"] = pd.concat(hv, ignore_index=True) if hv else None
    return out


@dataclass
class SensorOpsResult(Result):
    """Micro-sensor operations over an archive's period (:func:`sensor_operations`).

    Attributes
    ----------
    meta : RunMeta
        ``capability="sensorops"``.
    problems : Problems
        Sensors without position or neighbours, duplicate readings, islands of the Gi* grid.
    sensors : pandas.DataFrame
        Per sensor: ``sensor, x_tm2, y_tm2, cell_id, steps_reported, steps_evaluated, anomaly_steps,
        anomaly_fraction, mean_excess, flagged, neighbours``.
    cells : pandas.DataFrame
        Per 1 km cell holding sensors: ``cell_id, col, row, x0, y0, sensors, flagged_sensors,
        steps_evaluated, anomaly_steps, persistence`` and the Gi* columns of
        :func:`~geoairplan.hotspots.stats.getis_ord` (``gi_z, p_value, gi_bin, gi_label, note``).
    anomalies : pandas.DataFrame
        Every anomalous sensor-step: ``time, sensor, pm25, neighbour_median, neighbour_mad, n_neighbours, z``.
    params : dict
        The rule's parameters.
    hourly : pandas.DataFrame or None
        With ``hourly=True``: every sensor-hour (hour-ending, Taiwan time) holding an
        anomalous step: ``time, sensor, steps_evaluated, anomaly_steps, pm25,
        neighbour_median`` (means over the anomalous steps): the evidence of
        :func:`upwind_suspects`.
    upwind : geoairplan.hotspots.upwind.SuspectResult or None
        The upwind suspicious-source ranking (:func:`upwind_suspects`).
    """

    meta: RunMeta
    problems: Problems
    sensors: pd.DataFrame
    cells: pd.DataFrame
    anomalies: pd.DataFrame
    params: dict
    hourly: pd.DataFrame | None = None
    upwind: SuspectResult | None = None

    def summary(self) -> dict:
        hot = int((self.cells["gi_bin"] > 0).sum()) if "gi_bin" in self.cells else 0
        return {"sensors": int(len(self.sensors)), "flagged": int(self.sensors["flagged"].sum()),
                "anomaly_steps": int(self.sensors["anomaly_steps"].sum()),
                "steps_evaluated": int(self.sensors["steps_evaluated"].sum()),
                "cells": int(len(self.cells)), "hot_cells": hot, "scenario": self.meta.scenario}

    def summary_text(self) -> str:
        s = self.summary()
        p = self.params
        flagged = self.sensors.loc[self.sensors["flagged"], "sensor"].tolist()
        return "\n".join([
            self.meta.display_title(),
            f"{s['sensors']} sensors, {s['steps_evaluated']:,} sensor-steps evaluated, {s['anomaly_steps']:,} "
            f"anomalies; {s['flagged']} sensors flagged" + (f" ({', '.join(flagged[:10])}"
                                                           f"{' ...' if len(flagged) > 10 else ''})" if flagged else ""),
            f"rule: z = (x - median of {p['k']} nearest) / max(1.4826 MAD, {p['floor']}) >= {p['threshold']} and "
            f"x - median >= {p['min_excess']}; flagged at >= {100 * p['min_fraction']:.0f} % of >= "
            f"{p['min_steps']} evaluated steps",
            f"{s['cells']} cells of {p['cell_size'] / 1000:g} km with sensors; {s['hot_cells']} Gi* hot spot cells",
            *self._upwind_lines(),
            self.meta.source_line()])

    def _upwind_lines(self) -> list[str]:
        u = self.upwind
        if u is None:
            return []
        p = u.params
        out = [f"upwind ranking: {p['evidence_hours']} evidence hours of flagged sensors ({p['used_hours']} with "
               f"usable wind), sector +/- {p['half_width']:g} deg within {p['max_distance_m']:.0f} m"]
        for r in u.ranking.head(5).itertuples(index=False):
            out.append(f"  {r.rank:>2}. {r.c_no or '-'} {r.name or ''} ({r.township or '?'}) score {r.score:.3g}, "
                       f"{r.hours_upwind} h upwind, nearest {r.min_distance_m:.0f} m")
        if not len(u.ranking):
            out.append("  no point source upwind in the evidence hours")
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"sensors": self.sensors, "cells": self.cells, "anomalies": self.anomalies}
        if self.upwind is not None:
            out.update({"suspects": self.upwind.ranking, "suspects_by_sensor": self.upwind.by_sensor,
                        "suspects_by_township": self.upwind.townships, "evidence_hours": self.upwind.hours})
        return out


def sensor_operations(archive, *, start=None, end=None, k: int = 5, threshold: float = 3.0,
                      min_excess: float = 5.0, floor: float = 2.0, min_neighbours: int = 3,
                      max_neighbour_m: float = 10_000.0, min_fraction: float = 0.5, min_steps: int = 6,
                      cell_size: float = 1000.0, permutations: int = 99, seed: int = 12345,
                      engine: Engine | None = None, task_days: int = 1, anomalies: bool = True,
                      hourly: bool = False) -> SensorOpsResult:
    """Neighbour anomalies of every sensor and step, flags, persistence per cell and Gi* over an archive.

    Parameters
    ----------
    archive : str or Path
        An archive with micro-sensor data.
    start, end : time-like, optional
        Period ``[start, end)`` (naive: Taiwan time).
    k, threshold, min_excess, floor, min_neighbours, max_neighbour_m, min_fraction : number
        The local-anomaly rule (module notes; defaults as
        :func:`~geoairplan.hotspots.sensors.flag_anomalies`).
    min_steps : int
        Evaluated steps a sensor needs to be flagged.
    cell_size : float
        Persistence grid cell (m).
    permutations, seed : int
        Gi* conditional permutations and their seed.
    engine : Engine, optional
        Where the tasks run (default in memory).
    anomalies : bool
        Return the table of every anomalous sensor-step (True); over a year of
        10,000 sensors it can hold tens of millions of rows, so long runs may
        leave it out (the per-sensor and per-cell counts are always there).
    task_days : int
        Days of readings per task (tasks never cross a month partition); the
        tables do not depend on it.
    hourly : bool
        Also collect the sensor-hours holding anomalies (``result.hourly``), the
        evidence :func:`upwind_suspects` ranks sources on.

    Returns
    -------
    SensorOpsResult
    """
    if int(k) != k or k < 1:
        raise InputError(f"k = {k}: the number of neighbours must be a whole number >= 1", where="k",
                         fix="e.g. --k 5")
    if not (0 < min_fraction <= 1):
        raise InputError(f"min_fraction = {min_fraction} must be in (0, 1]", where="min_fraction",
                         fix="e.g. --min-fraction 0.5")
    a = Path(archive)
    eng = engine or Engine("memory")
    probs = Problems()
    reg = read_registry(a, "sensor")
    if reg.empty:
        raise InputError("the archive holds no micro-sensor data", file=a, where="archive",
                         fix="import micro-sensor tables: geoairplan archive import FILES... --to " + str(a))
    has = np.isfinite(reg["x_tm2"].to_numpy(float)) & np.isfinite(reg["y_tm2"].to_numpy(float))
    for sid in reg.loc[~has, "id"]:
        probs.add(str(a), f"sensor {sid}", "no position: left out", severity="warning")
    reg = reg[has].reset_index(drop=True)
    ids = reg["id"].tolist()
    if len(ids) < min_neighbours + 1:
        raise InputError(f"{len(ids)} sensor(s): the rule needs at least {min_neighbours + 1}", where="sensors",
                         fix="import more sensors or lower --min-neighbours")
    x, y = reg["x_tm2"].to_numpy(float), reg["y_tm2"].to_numpy(float)
    nb_idx, nb_dist, nb_use = neighbour_index(x, y, int(k), max_neighbour_m)
    lonely = np.flatnonzero(nb_use.sum(axis=1) < min_neighbours)
    if len(lonely):
        probs.add(str(a), f"{len(lonely)} sensors (first: {ids[lonely[0]]})",
                  f"fewer than {min_neighbours} neighbours within {max_neighbour_m:.0f} m: never evaluated",
                  severity="warning")
    windows = time_windows(a, "sensor", start, end, days=task_days)
    if not windows:
        raise InputError("no micro-sensor data in the period", file=a, where="start",
                         fix="choose a period the archive covers (geoairplan archive info)")
    params = {"threshold": float(threshold), "min_excess": float(min_excess), "floor": float(floor),
              "min_neighbours": int(min_neighbours)}
    parts = eng.map(_window_task, windows, archive=str(a), ids=ids, nb_idx=nb_idx, nb_use=nb_use, params=params,
                    keep_steps=bool(anomalies), hourly=bool(hourly))
    ns = len(ids)
    n_obs = np.zeros(ns, np.int64)
    n_eval = np.zeros(ns, np.int64)
    n_exc = np.zeros(ns, np.int64)
    ex_sum = np.zeros(ns)
    anoms, hv = [], []
    for (_yr, _mo, w0, _w1), p in zip(windows, parts):  # window order: the same sums whatever ran the tasks
        n_obs += p["n_obs"]
        n_eval += p["n_eval"]
        n_exc += p["n_exc"]
        ex_sum += p["excess_sum"]
        if p["duplicates"]:
            probs.add(str(a), f"{w0:%Y-%m-%d}", f"{p['duplicates']} repeated (sensor, time) readings: the "
                      "first is used", severity="warning")
        if p["unknown"]:
            probs.add(str(a), f"{w0:%Y-%m-%d}", f"{p['unknown']} readings of sensors without position: "
                      "not used", severity="warning")
        if p["anomalies"] is not None:
            anoms.append(p["anomalies"])
        if p.get("hourly") is not None:
            hv.append(p["hourly"])
    frac = np.where(n_eval > 0, n_exc / np.maximum(n_eval, 1), np.nan)
    code, ccol, crow = sensor_cells(x, y, cell_size)
    km = cell_size / 1000.0
    cell_ids = np.array([f"E{c * km:g}_N{r * km:g}" for c, r in zip(ccol, crow)], dtype=object)
    flagged = (n_eval >= min_steps) & (np.nan_to_num(frac) >= min_fraction)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ex = np.where(n_eval > 0, ex_sum / np.maximum(n_eval, 1), np.nan)
    names = np.array(ids, dtype=object)
    sensors = pd.DataFrame({
        "sensor": ids, "x_tm2": x, "y_tm2": y, "cell_id": cell_ids[code], "steps_reported": n_obs,
        "steps_evaluated": n_eval, "anomaly_steps": n_exc, "anomaly_fraction": np.round(frac, 4),
        "mean_excess": np.round(mean_ex, 3), "flagged": flagged,
        "neighbours": [";".join(names[row[use]]) for row, use in zip(nb_idx, nb_use)]})
    # persistence per cell
    nc = len(ccol)
    c_eval = np.bincount(code, weights=n_eval, minlength=nc).astype(np.int64)
    c_exc = np.bincount(code, weights=n_exc, minlength=nc).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        pers = np.where(c_eval > 0, c_exc / np.maximum(c_eval, 1), np.nan)
    cells = pd.DataFrame({"cell_id": cell_ids, "col": ccol, "row": crow, "x0": ccol * cell_size,
                          "y0": crow * cell_size, "sensors": np.bincount(code, minlength=nc),
                          "flagged_sensors": np.bincount(code, weights=flagged, minlength=nc).astype(np.int64),
                          "steps_evaluated": c_eval, "anomaly_steps": c_exc, "persistence": np.round(pers, 6)})
    if nc >= 3:
        geom = shapely.box(cells["x0"], cells["y0"], cells["x0"] + cell_size, cells["y0"] + cell_size)
        g = gpd.GeoDataFrame(cells, geometry=geom, crs=TM2)
        g.attrs["cell_m"] = cell_size
        w_info = grid_weights(g, kind="queen", islands="knn", source="persistence grid")
        probs.extend(w_info[2])
        gi = getis_ord(cells["persistence"].to_numpy(float), w_info, permutations=permutations, seed=seed,
                       source="persistence grid")
        for c in ("gi_z", "p_value", "gi_bin", "gi_label", "note"):
            cells[c] = gi[c].to_numpy()
        cells["gi_z"] = cells["gi_z"].astype(float).round(6)
        cells["p_value"] = cells["p_value"].astype(float).round(6)
    else:
        probs.add(str(a), "persistence grid", f"{nc} cell(s) with sensors: Gi* needs at least 3", severity="warning")
    if anoms:
        an = pd.concat(anoms, ignore_index=True)
        an.insert(1, "sensor", names[an.pop("sensor_code").to_numpy()])
        an["time"] = pd.DatetimeIndex(an["time"].to_numpy().astype("M8[ns]")).tz_localize("UTC").tz_convert(
            "Asia/Taipei")
        an = an.sort_values(["time", "sensor"], kind="stable").reset_index(drop=True)
    else:
        an = pd.DataFrame(columns=["time", "sensor", "pm25", "neighbour_median", "neighbour_mad", "n_neighbours",
                                   "z"])
    scenario = bool((reg["data_kind"] == "scenario").any())
    pr = {**params, "k": int(nb_idx.shape[1]), "max_neighbour_m": float(max_neighbour_m),
          "min_fraction": float(min_fraction), "min_steps": int(min_steps), "cell_size": float(cell_size),
          "permutations": int(permutations), "seed": int(seed)}
    meta = RunMeta(capability="sensorops", pollutant="pm2.5",
                   time_start=None if start is None else str(start), time_end=None if end is None else str(end),
                   source=f"微型感測器 micro-sensors archive ({a.name})", scenario=scenario,
                   title="微型感測器異常與熱區 micro-sensor operations")
    hourly_tab = _hourly_table(hv, names) if hourly else None
    return SensorOpsResult(meta, probs, sensors, cells, an, pr, hourly_tab)


def _hourly_table(parts: list, names: np.ndarray) -> pd.DataFrame:
    cols = ["time", "sensor", "steps_evaluated", "anomaly_steps", "pm25", "neighbour_median"]
    if not parts:
        return pd.DataFrame(columns=cols)
    h = pd.concat(parts, ignore_index=True).groupby(["hour", "sensor_code"], sort=True).sum().reset_index()
    t = pd.DatetimeIndex(h["hour"].to_numpy().astype("M8[ns]")).tz_localize("UTC").tz_convert("Asia/Taipei")
    out = pd.DataFrame({"time": t, "sensor": names[h["sensor_code"].to_numpy()],
                        "steps_evaluated": h["steps_evaluated"].astype(np.int64),
                        "anomaly_steps": h["anomaly_steps"].astype(np.int64),
                        "pm25": (h["pm25_sum"] / h["anomaly_steps"]).round(3),
                        "neighbour_median": (h["median_sum"] / h["anomaly_steps"]).round(3)})
    return out.sort_values(["time", "sensor"], kind="stable").reset_index(drop=True)[cols]


def upwind_suspects(result: SensorOpsResult, wind: pd.DataFrame, sources=None, *, facilities=None,
                    min_hour_fraction: float | None = None, pollutant: str = "pm25", half_width: float = 30.0,
                    max_distance_m: float = 5000.0, calm_ms: float = 0.5,
                    max_station_m: float = 30_000.0) -> SensorOpsResult:
    """Rank the sources upwind of the flagged sensors, hour by hour (:func:`geoairplan.hotspots.upwind.rank_suspects`).

    The evidence hours are the hours of **flagged** sensors (``result.sensors``)
    in which at least ``min_hour_fraction`` (default: the flagging share
    ``min_fraction``) of the evaluated steps are anomalies (``result.hourly``;
    run :func:`sensor_operations` with ``hourly=True``); with one reading per
    hour that is exactly the hourly rule of
    :func:`~geoairplan.hotspots.sensors.flag_anomalies`, so on hourly data the
    ranking equals ``geoairplan suspects`` on the same files. The score,
    sector and wind rule are those of :mod:`geoairplan.hotspots.upwind`.

    Parameters
    ----------
    result : SensorOpsResult
        From :func:`sensor_operations` with ``hourly=True``.
    wind : pandas.DataFrame
        Hourly wind per station (:func:`geoairplan.hotspots.upwind.wind_observations`).
    sources : geopandas.GeoDataFrame, optional
        Point sources (:func:`geoairplan.io.sources.read_sources`).
    facilities : pandas.DataFrame, optional
        Facilities known only by township.
    min_hour_fraction : float, optional
        Share of a sensor-hour's evaluated steps that must be anomalies.
    pollutant, half_width, max_distance_m, calm_ms, max_station_m
        As :func:`~geoairplan.hotspots.upwind.rank_suspects`.

    Returns
    -------
    SensorOpsResult
        ``result`` with ``upwind`` set (and its problems added).
    """
    if result.hourly is None:
        raise InputError("the sensor job ran without hourly evidence", where="hourly",
                         fix="run sensor_operations(..., hourly=True)")
    frac = result.params["min_fraction"] if min_hour_fraction is None else float(min_hour_fraction)
    h = result.hourly
    ev = pd.DataFrame({"sensor": h["sensor"], "time": h["time"].dt.tz_convert("Asia/Taipei").dt.tz_localize(None),
                       "pm25": h["pm25"], "neighbour_median": h["neighbour_median"],
                       "exceed": h["anomaly_steps"] >= frac * h["steps_evaluated"]})
    sens = result.sensors.rename(columns={"x_tm2": "x", "y_tm2": "y"})[["sensor", "x", "y", "flagged"]]
    an = SimpleNamespace(sensors=sens, hourly=ev)
    up = rank_suspects(an, wind, sources, facilities=facilities, pollutant=pollutant, half_width=half_width,
                       max_distance_m=max_distance_m, calm_ms=calm_ms, max_station_m=max_station_m,
                       scenario=result.meta.scenario)
    probs = Problems()
    probs.extend(result.problems)
    for inp in (wind, sources):  # rows of the wind and source files not used
        probs.extend(getattr(inp, "attrs", {}).get("problems") or [])
    probs.extend(up.problems)
    return replace(result, problems=probs, upwind=up)
