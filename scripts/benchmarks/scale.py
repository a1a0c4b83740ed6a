"""Scale: archive jobs on Dask (micro-sensor operations, grid aggregation, warning back-test).

Data: scenario archives made by ``scripts/make_scenario_archive.py`` (seeded,
documented model) in a temporary folder. Every variant runs in a fresh
Python process so that its peak memory (``ru_maxrss`` of the process and, on
a cluster, of every worker) is its own.

Sections (ratios in one run, on this machine):

* grid aggregation of 1 M readings to 1 km cells: geoairplan's path (cell per
  sensor once, readings by sensor code, ``bincount``) against the floor (every
  reading's own x/y floor-divided, ``bincount``); goal <= 3x;
* micro-sensor job: N sensors x T days at 5 minutes on memory / threads /
  local cluster of 1 and 2 workers: wall time, rows/s, peak memory per worker;
  rows/s for a short and a 4x longer period (linear or not);
* back-test: S stations x Y years, the in-memory path of today (whole table
  into :func:`compute_levels`) against the per-station Dask path.

Default sizes are scaled down; ``python scripts/benchmarks/scale.py --full``
(or ``GEOAIRPLAN_SCALE_FULL=1``) runs 10,000 sensors x 31 days (~86 M
readings) and 84 stations x 10 years.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geoairplan.io.scenario_archive import make_sensors, make_stations  # noqa: E402


def _sub(*args: str, timeout: float = 7200) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, __file__, "--variant", *args], capture_output=True, text=True, env=env,
                       timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"variant {args} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _workers_maxrss(eng) -> list[float]:
    import resource

    if eng.client is None:
        return []
    got = eng.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    return [round(v, 0) for _, v in sorted(got.items())]


# --------------------------------------------------------------------------- variants (run in a subprocess)


def variant_sensorops(archive: str, scheduler: str, workers: str, start: str, end: str) -> dict:
    from geoairplan.engine import engine
    from geoairplan.hotspots.operations import sensor_operations
    from geoairplan.io.archive import read_rows

    t0 = time.perf_counter()
    with engine(scheduler, workers=int(workers) or None) as eng:
        t1 = time.perf_counter()
        res = sensor_operations(archive, start=start, end=end, permutations=0, engine=eng)
        t2 = time.perf_counter()
        wk = _workers_maxrss(eng)
    rows = int(res.sensors["steps_reported"].sum())
    return {"wall": t2 - t1, "startup": t1 - t0, "rows": rows, "client_mb": round(_maxrss_mb()),
            "workers_mb": wk, "flagged": int(res.sensors["flagged"].sum())}


def variant_backtest(archive: str, scheduler: str, workers: str, start: str, end: str) -> dict:
    from geoairplan.engine import engine
    from geoairplan.warnings.backtest import backtest

    t0 = time.perf_counter()
    with engine(scheduler, workers=int(workers) or None) as eng:
        t1 = time.perf_counter()
        res = backtest(archive, start=start, end=end, engine=eng)
        t2 = time.perf_counter()
        wk = _workers_maxrss(eng)
    return {"wall": t2 - t1, "startup": t1 - t0, "client_mb": round(_maxrss_mb()), "workers_mb": wk,
            "episodes": int(len(res.episodes)), "hours": int(res.stations["hours"].sum())}


def variant_backtest_inmemory(archive: str, start: str, end: str) -> dict:
    """Today's path: the whole table in memory, one compute_levels call."""
    from geoairplan.io.archive import read_rows
    from geoairplan.warnings import compute_levels
    from geoairplan.warnings.backtest import period_bounds

    t0, t1 = period_bounds(start, end)
    a = time.perf_counter()
    rows = read_rows(archive, "moenv", start=t0, end=t1, pollutants=["pm2.5", "pm10", "o3", "so2", "no2", "co"])
    lv = compute_levels(rows)
    b = time.perf_counter()
    return {"wall": b - a, "rows": int(len(rows)), "client_mb": round(_maxrss_mb()), "levels_rows": int(len(lv))}


VARIANTS = {"sensorops": variant_sensorops, "backtest": variant_backtest, "backtest_mem": variant_backtest_inmemory}


# --------------------------------------------------------------------------- sections


def grid_aggregation(n: int = 1_000_000, sensors: int = 10_000, cell: float = 1000.0, repeat: int = 5) -> list[str]:
    from geoairplan.hotspots.gridstats import aggregate_to_cells, sensor_cells

    rng = np.random.default_rng(0)
    sx = rng.uniform(185_000, 225_000, sensors)
    sy = rng.uniform(2_570_000, 2_660_000, sensors)
    code = rng.integers(0, sensors, n)
    val = rng.gamma(3.0, 8.0, n)
    x, y = sx[code], sy[code]  # the floor gets every reading's own coordinates for free

    def ours():
        cs, cols, _rows = sensor_cells(sx, sy, cell)
        return aggregate_to_cells(code, val, cs, len(cols))

    def floor():
        c = np.floor(x / cell).astype(np.int64)
        r = np.floor(y / cell).astype(np.int64)
        c -= c.min()
        r -= r.min()
        k = c * (r.max() + 1) + r
        return np.bincount(k, weights=val), np.bincount(k)

    def best(fn):
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        return min(ts)

    s_ours, n_ours = ours()
    s_fl, n_fl = floor()
    same = np.isclose(s_ours.sum(), s_fl.sum()) and int(n_ours.sum()) == int(n_fl.sum()) == n
    to, tf = best(ours), best(floor)
    return [f"grid aggregation of {n:,} readings ({sensors:,} sensors, {cell:.0f} m cells): geoairplan "
            f"{to * 1000:.1f} ms, numpy floor-divide + bincount floor {tf * 1000:.1f} ms -> ratio {to / tf:.2f} "
            f"(goal <= 3); same totals: {same}"]


def run(quick: bool = False, full: bool | None = None) -> list[str]:
    full = bool(os.environ.get("GEOAIRPLAN_SCALE_FULL")) if full is None else full
    lines = grid_aggregation()
    cores = os.cpu_count() or 1
    n_sens, days = (10_000, 31) if full else ((1000, 4) if quick else (2000, 7))
    n_st, years = (84, 10) if full else ((33, 1) if quick else (84, 2))
    with tempfile.TemporaryDirectory(prefix="geoairplan-scale-") as tmp:
        arc = str(Path(tmp) / "arc")
        t0 = time.perf_counter()
        info = make_sensors(arc, sensors=n_sens, days=days, step_min=5, start="2025-01-01", seed=1)
        lines.append(f"scenario archive: {n_sens:,} sensors x {days} days at 5 min = {info['rows']:,} readings "
                     f"written in {time.perf_counter() - t0:.1f} s")
        start = "2025-01-01"
        end = str((np.datetime64("2025-01-01") + np.timedelta64(days, "D")))
        short_end = str((np.datetime64("2025-01-01") + np.timedelta64(max(1, days // 4), "D")))
        res = {}
        for name, sched, w in (("memory", "memory", 0), ("threads", "threads", 0), ("local 1 worker", "local", 1),
                               ("local 2 workers", "local", min(2, cores))):
            r = _sub("sensorops", arc, sched, str(w), start, end)
            res[name] = r
            wk = f", peak RSS per worker {r['workers_mb']} MB" if r["workers_mb"] else ""
            lines.append(f"sensor job, {name}: {r['wall']:.1f} s (+{r['startup']:.1f} s start), "
                         f"{r['rows'] / r['wall']:,.0f} rows/s, client peak RSS {r['client_mb']} MB{wk}; "
                         f"{r['flagged']} sensors flagged")
        lines.append(f"  ratio 2 workers / 1 worker (wall): {res['local 2 workers']['wall'] / res['local 1 worker']['wall']:.2f}"
                     f"; threads / memory: {res['threads']['wall'] / res['memory']['wall']:.2f}; "
                     f"local 2 / threads: {res['local 2 workers']['wall'] / res['threads']['wall']:.2f}")
        r1 = _sub("sensorops", arc, "local", str(min(2, cores)), start, short_end)
        r4 = res["local 2 workers"]
        rate1, rate4 = r1["rows"] / r1["wall"], r4["rows"] / r4["wall"]
        lines.append(f"  rows/s, {max(1, days // 4)} day(s): {rate1:,.0f}; {days} days: {rate4:,.0f} "
                     f"(ratio {rate4 / rate1:.2f}; 1.0 = linear)")
        year_rows = 10_000 * 365 * 288
        lines.append(f"  extrapolation: a year of 10,000 sensors at 5 min ({year_rows / 1e9:.2f} G readings) at "
                     f"{rate4:,.0f} rows/s on this machine: {year_rows / rate4 / 3600:.1f} h")
        # back-test
        t0 = time.perf_counter()
        make_stations(arc, stations=n_st, years=years, start_year=2024, seed=2)
        lines.append(f"scenario stations: {n_st} x {years} year(s) x 6 pollutants written in "
                     f"{time.perf_counter() - t0:.1f} s")
        bs, be = "2024-01-01", f"{2024 + years - 1}-12-31"
        m = _sub("backtest_mem", arc, bs, be)
        lines.append(f"back-test {n_st} stations x {years} y ({m['rows']:,} rows): today's in-memory path "
                     f"{m['wall']:.1f} s, peak RSS {m['client_mb']} MB")
        for name, sched, w in (("memory (per station)", "memory", 0), ("local 2 workers", "local", min(2, cores))):
            r = _sub("backtest", arc, sched, str(w), bs, be)
            wk = f", peak RSS per worker {r['workers_mb']} MB" if r["workers_mb"] else ""
            lines.append(f"back-test, {name}: {r['wall']:.1f} s (+{r['startup']:.1f} s start), client peak RSS "
                         f"{r['client_mb']} MB{wk}; ratio to in-memory {r['wall'] / m['wall']:.2f}")
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--variant":
        out = VARIANTS[sys.argv[2]](*sys.argv[3:])
        print(json.dumps(out))
    else:
        for line in run(quick="--quick" in sys.argv, full="--full" in sys.argv or None):
            print(line, flush=True)
