"""Grid statistics of an archive: per 1 km TM2 cell and month, mean, 95th percentile and exceedance hours.

Readings never become geometries: every station and sensor has its cell once
(:func:`sensor_cells`, :func:`geoairplan.grid.cell_index` on the registry's
TM2 metres) and a reading finds its cell by its sensor's integer code. Per
month partition (one task each, on any :class:`~geoairplan.engine.Engine`):

1. readings are put in the hour they end (09:05 and 09:55 count for 10:00,
   the MOENV convention; MOENV hours stay as they are);
2. the cell-hour value is the mean of every reading of the cell's sensors in
   that hour (``numpy.bincount`` on ``cell * hours + hour``);
3. per cell and month: ``mean`` (of its cell-hour values), ``p95`` (their
   95th percentile, linear interpolation as :func:`numpy.percentile`),
   ``exceed_hours`` (cell-hours at or above ``threshold``), ``hours``,
   ``readings``, ``sensors``.

Months are independent, so the table does not depend on the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geoairplan.engine import Engine
from geoairplan.errors import InputError, Problems
from geoairplan.grid import cell_index
from geoairplan.io.archive import TZ, month_partitions, read_registry, read_rows
from geoairplan.reference.pollutants import check_pollutant
from geoairplan.results import Result, RunMeta

__all__ = ["grid_statistics", "GridStatsResult", "sensor_cells", "aggregate_to_cells", "group_percentile"]

_H = 3_600_000_000_000


def sensor_cells(x, y, cell_size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell code per sensor, cell columns, cell rows): codes 0..n_cells-1 in (column, row) order; -1 no position."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    col, row = cell_index(np.where(ok, x, 0.0), np.where(ok, y, 0.0), cell_size)
    pairs = np.unique(np.column_stack([col[ok], row[ok]]), axis=0) if ok.any() else np.empty((0, 2), np.int64)
    code = np.full(len(x), -1, dtype=np.int64)
    if len(pairs):
        key = pairs[:, 0] * (1 << 32) + pairs[:, 1]
        code[ok] = np.searchsorted(key, col[ok] * (1 << 32) + row[ok])
    return code, pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


def aggregate_to_cells(sensor_code: np.ndarray, values: np.ndarray, cell_of_sensor: np.ndarray,
                       n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """(sum, count) of readings per cell: the readings' sensor codes index their sensors' cells."""
    c = cell_of_sensor[sensor_code]
    ok = (c >= 0) & np.isfinite(values)
    return (np.bincount(c[ok], weights=values[ok], minlength=n_cells),
            np.bincount(c[ok], minlength=n_cells))


def group_percentile(group: np.ndarray, values: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """(groups, q-th percentile per group) with numpy's linear interpolation, vectorised."""
    order = np.lexsort((values, group))
    g = group[order]
    v = values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    n = np.diff(np.r_[starts, len(g)])
    pos = (n - 1) * (q / 100.0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    a = v[starts + lo]
    b = v[starts + hi]
    return g[starts], a + (b - a) * frac


def _month_task(ym: tuple[int, int], *, archive: str, kind: str, pollutant: str, ids: list, cell_of: np.ndarray,
                n_cells: int, start, end, threshold: float) -> pd.DataFrame:
    rows = read_rows(archive, kind, months=[ym], start=start, end=end, pollutants=[pollutant],
                     columns=["time", "station", "value"])
    cols = ["year", "month", "cell", "mean", "p95", "exceed_hours", "hours", "readings", "sensors"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    s = pd.Index(ids).get_indexer(rows["station"])
    t = rows["time"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    v = rows["value"].to_numpy(dtype=float)
    c = np.where(s >= 0, cell_of[np.maximum(s, 0)], -1)
    ok = (c >= 0) & np.isfinite(v)
    c, t, v, s = c[ok], t[ok], v[ok], s[ok]
    if not len(c):
        return pd.DataFrame(columns=cols)
    hour = -(-t // _H)  # hour ending (09:05 -> 10:00), hours since 1970
    hour = hour - hour.min()
    nh = int(hour.max()) + 1
    key = c * nh + hour
    sums = np.bincount(key, weights=v, minlength=n_cells * nh)
    cnt = np.bincount(key, minlength=n_cells * nh)
    has = np.flatnonzero(cnt)
    hmean = sums[has] / cnt[has]
    hcell = has // nh
    cells, p95 = group_percentile(hcell, hmean, 95.0)
    nhours = np.bincount(hcell, minlength=n_cells)[cells]
    msum = np.bincount(hcell, weights=hmean, minlength=n_cells)[cells]
    exc = np.bincount(hcell, weights=(hmean >= threshold).astype(float), minlength=n_cells)[cells]
    nread = np.bincount(c, minlength=n_cells)[cells]
    sc = np.unique(c * (len(ids) + 1) + s) // (len(ids) + 1)
    nsens = np.bincount(sc, minlength=n_cells)[cells]
    return pd.DataFrame({"year": ym[0], "month": ym[1], "cell": cells, "mean": msum / nhours, "p95": p95,
                         "exceed_hours": exc.astype(np.int64), "hours": nhours, "readings": nread,
                         "sensors": nsens}, columns=cols)


@dataclass
class GridStatsResult(Result):
    """Per 1 km cell and month statistics of an archive (:func:`grid_statistics`).

    Attributes
    ----------
    meta : RunMeta
        ``capability="gridstats"``.
    problems : Problems
        Sensors without position, months without data.
    cells : pandas.DataFrame
        ``year, month, cell_id, col, row, x0, y0, mean, p95, exceed_hours,
        hours, readings, sensors`` (x0/y0: the cell's south-west corner, TM2 m).
    threshold : float
        The exceedance threshold (same unit as the values).
    cell_size : float
        Cell size (m).
    """

    meta: RunMeta
    problems: Problems
    cells: pd.DataFrame
    threshold: float
    cell_size: float

    def summary(self) -> dict:
        return {"cells": int(self.cells["cell_id"].nunique()) if len(self.cells) else 0,
                "months": int(len(self.cells[["year", "month"]].drop_duplicates())),
                "readings": int(self.cells["readings"].sum()), "threshold": self.threshold,
                "cell_size": self.cell_size, "scenario": self.meta.scenario}

    def summary_text(self) -> str:
        s = self.summary()
        return "\n".join([self.meta.display_title(),
                          f"{s['cells']} cells of {self.cell_size:.0f} m, {s['months']} month(s), "
                          f"{s['readings']:,} readings; exceedance at >= {self.threshold:g}",
                          self.meta.source_line()])

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"grid_stats": self.cells}


def grid_statistics(archive, *, kind: str = "sensor", pollutant: str = "pm2.5", start=None, end=None,
                    cell_size: float = 1000.0, threshold: float = 35.0,
                    engine: Engine | None = None) -> GridStatsResult:
    """Per cell and month mean, 95th percentile and exceedance hours of an archive's readings.

    Parameters
    ----------
    archive : str or Path
        The archive.
    kind : {"sensor", "moenv"}
        Micro-sensors (default) or MOENV stations.
    pollutant : str
        Pollutant code (``pm2.5``).
    start, end : time-like, optional
        Period ``[start, end)``.
    cell_size : float
        Cell size in metres (edges on multiples, :mod:`geoairplan.grid`).
    threshold : float
        A cell-hour exceeds at or above this value (default 35 µg/m³).
    engine : Engine, optional
        Where the month tasks run (default in memory).

    Returns
    -------
    GridStatsResult
    """
    if not (cell_size > 0):
        raise InputError(f"cell_size = {cell_size} must be > 0", where="cell_size", fix="e.g. 1000")
    a = Path(archive)
    pol = check_pollutant(pollutant)
    eng = engine or Engine("memory")
    probs = Problems()
    reg = read_registry(a, kind)
    if reg.empty:
        raise InputError(f"the archive holds no {kind} data", file=a, where="archive",
                         fix="import files of that kind: geoairplan archive import FILES... --to " + str(a))
    ids = reg["id"].tolist()
    code, cols_, rows_ = sensor_cells(reg["x_tm2"], reg["y_tm2"], cell_size)
    for i in np.flatnonzero(code < 0):
        probs.add(str(a), f"{kind} {ids[i]}", "no position in the registry: its readings are left out",
                  severity="warning")
    months = month_partitions(a, kind, start, end)
    if not months:
        raise InputError("no data in the period", file=a, where="start",
                         fix="choose a period the archive covers (geoairplan archive info)")
    parts = eng.map(_month_task, months, archive=str(a), kind=kind, pollutant=pol, ids=ids, cell_of=code,
                    n_cells=len(cols_), start=start, end=end, threshold=float(threshold))
    df = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
    cell = df["cell"].to_numpy(dtype=np.int64)
    col, row = cols_[cell], rows_[cell]
    km = cell_size / 1000.0
    out = pd.DataFrame({"year": df["year"].astype(int), "month": df["month"].astype(int),
                        "cell_id": [f"E{c * km:g}_N{r * km:g}" for c, r in zip(col, row)],
                        "col": col, "row": row, "x0": col * cell_size, "y0": row * cell_size,
                        "mean": df["mean"].astype(float).round(3), "p95": df["p95"].astype(float).round(3),
                        "exceed_hours": df["exceed_hours"].astype(int), "hours": df["hours"].astype(int),
                        "readings": df["readings"].astype(int), "sensors": df["sensors"].astype(int)})
    scenario = bool((reg["data_kind"] == "scenario").any())
    what = "微型感測器 micro-sensors" if kind == "sensor" else "環境部 MOENV 測站"
    meta = RunMeta(capability="gridstats", pollutant=pol, averaging="1h",
                   time_start=None if start is None else str(start), time_end=None if end is None else str(end),
                   source=f"{what} archive ({a.name})", scenario=scenario,
                   title=f"{cell_size / 1000:g} km 網格月統計 grid statistics ({pol})")
    return GridStatsResult(meta, probs, out, float(threshold), float(cell_size))
