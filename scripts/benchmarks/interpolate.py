"""Interpolation speed and memory against each peer at its best, measured in the same run.

1. Global ordinary kriging with variance, N = 85 stations to M = 1,000,000
   points (quick: 100,000), spherical (default), exponential and Gaussian
   models, fixed variogram: ``OrdinaryKriging.predict(..., return_variance=True)``
   against PyKrige's ``execute("points", ..., backend="vectorized")`` called
   in chunks (the loop any user writes) at its best chunk size (swept:
   1k, 5k, 20k, 100k points), and GSTools' ``krige.Ordinary`` (exact,
   ``pseudo_inv=False``; on 100,000 points and scaled linearly: it is
   slower). Goal: >= 5x PyKrige at its best chunk size, memory <= PyKrige's.
   The cost per N·M element is set beside an arithmetic floor: per cell,
   N distances and variogram values and one triangular product (N²/2
   multiply-adds) for the variance, at this machine's measured DGEMM rate.
2. Neighbourhood kriging, N = 10,000 sensors, k = 32, M = 1,000,000 grid
   cells, with variance: ``NeighbourhoodKriging(n_neighbors=32)`` against
   PyKrige's moving window (``n_closest_points=32, backend="loop"``). PyKrige
   builds the full (N+1)² kriging matrix in every ``execute`` call (a fixed
   cost, timed on its own) and then loops over the cells in Python; its
   per-cell loop (``_exec_loop_moving_window`` with the same KD-tree query)
   is timed on 20,000 cells (quick: 5,000) and scaled linearly to 1M (said
   so in the output); results are compared on those cells. Goals: >= 10x, < 30 s, <= 1 GB.
   Linearity: ours at M = 250k, 500k, 1M (N = 10,000) and N = 2,500, 10,000,
   40,000 (M = 250k).
3. IDW, 10,000 sensors, k = 10, power 5, to the same points: ``IDW.predict``
   against the bare ``scipy.spatial.cKDTree.query(points, k=10, workers=-1)``
   (both use all cores). Goal: at most 1.5x the query alone.

Times are the best of several runs (other processes share this machine;
ratios come from the same run). Peak memory is measured in a fresh
subprocess per measurement, two ways: ``tracemalloc`` peak during the call
(numpy's buffers are traced; BLAS scratch is not) and the growth of the peak
resident set over the call (``VmHWM`` in /proc/self/status, reset before the
call; ``ru_maxrss`` is not used because Linux carries it over from the parent
across fork/exec).

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set on this machine, slow numpy's
BLAS: run this with both unset in that command alone (the BLAS kernel in use
is printed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"psill": 80.0, "range": 40_000.0, "nugget": 5.0}


def _data(n_st: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(150_000, 250_000, n_st)
    y = rng.uniform(2_400_000, 2_550_000, n_st)
    z = 30 + 10 * np.sin(x / 15_000) + 0.0001 * (y - 2_400_000) + rng.normal(0, 2, n_st)
    px = rng.uniform(150_000, 250_000, m)
    py = rng.uniform(2_400_000, 2_550_000, m)
    return x, y, z, px, py


def _best(f, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def _cells(m: int):
    """About ``m`` grid-cell centres over the same 100 x 150 km area, row by row (as ``grid()`` visits them)."""
    nx = max(1, int(round(np.sqrt(m * 100 / 150))))
    ny = max(1, int(round(m / nx)))
    cs = 100_000 / nx
    gx, gy = np.meshgrid(150_000 + (np.arange(nx) + 0.5) * cs, 2_550_000 - (np.arange(ny) + 0.5) * cs)
    return gx.ravel(), gy.ravel()


# --------------------------------------------------------------------------- subprocess memory probe

_PROBE = r"""
import json, sys, tracemalloc
import numpy as np
sys.path.insert(0, {root!r})
from scripts.benchmarks.interpolate import _data, _cells, _job, _status
args = json.loads(sys.argv[1])
x, y, z, px, py = _data(args["n"], args["m"], seed=args.get("seed", 0))
if args.get("grid"):
    px, py = _cells(args["m"])
job = _job(args["what"], args.get("model"), x, y, z)
if args.get("warm", True):
    job(px[:1000], py[:1000])  # warm up imports and caches
try:  # reset the peak-RSS mark of this process (Linux >= 4.0)
    open("/proc/self/clear_refs", "w").write("5")
except OSError:
    pass
rss0 = _status("VmRSS")
tracemalloc.start()
job(px, py)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({{"traced": peak, "rss": _status("VmHWM") - rss0}}))
"""


def _status(key: str) -> float:
    """A memory figure of this process from /proc/self/status, in bytes (VmRSS now, VmHWM peak)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float("nan")


K_NEIGHBOURS = 32


def _job(what: str, model, x, y, z):
    """A function (px, py) -> result for one contender; used in-process and in the probe.

    ``what``: ours-kriging, ours-nb (k = 32), pykrige-chunk:<points> (vectorized, in chunks),
    pykrige-mw (moving window, k = 32, loop backend), gstools, ours-idw, ckdtree.
    """
    if what == "ours-kriging":
        from geoairplan.interpolate.kriging import OrdinaryKriging
        ok = OrdinaryKriging(model, PARAMS).fit((x, y), z)
        return lambda px, py: ok.predict((px, py), return_variance=True)
    if what == "ours-nb":
        from geoairplan.interpolate.kriging import NeighbourhoodKriging
        nk = NeighbourhoodKriging(model, PARAMS, n_neighbors=K_NEIGHBOURS).fit((x, y), z)
        return lambda px, py: nk.predict((px, py), return_variance=True)
    if what.startswith("pykrige-chunk"):
        from pykrige.ok import OrdinaryKriging as PK
        pk = PK(x, y, z, variogram_model=model, variogram_parameters=dict(PARAMS))
        chunk = int(what.split(":")[1])

        def run(px, py):
            zz, ss = np.empty(px.size), np.empty(px.size)
            for s in range(0, px.size, chunk):
                a, b = pk.execute("points", px[s:s + chunk], py[s:s + chunk], backend="vectorized")
                zz[s:s + chunk], ss[s:s + chunk] = a, b
            return zz, ss
        return run
    if what == "pykrige-mw":
        from pykrige.ok import OrdinaryKriging as PK
        pk = PK(x, y, z, variogram_model=model, variogram_parameters=dict(PARAMS))
        return lambda px, py: tuple(np.asarray(v) for v in pk.execute(
            "points", px, py, backend="loop", n_closest_points=K_NEIGHBOURS))
    if what == "gstools":
        import gstools as gs
        cls = {"spherical": gs.Spherical, "exponential": gs.Exponential, "gaussian": gs.Gaussian}[model]
        # GSTools' length scales: spherical = range; exponential = range/3; Gaussian = range·(4/7)
        ls = {"spherical": 1.0, "exponential": 1 / 3, "gaussian": 4 / 7}[model] * PARAMS["range"]
        if model == "gaussian":  # GSTools' Gaussian: exp(-(π/4)(h/ℓ)²); PyKrige's: exp(-(h/a)²)
            ls = ls * np.sqrt(np.pi) / 2
        cm = cls(dim=2, var=PARAMS["psill"], len_scale=ls, nugget=PARAMS["nugget"])
        kr = gs.krige.Ordinary(cm, (x, y), z, exact=True, pseudo_inv=False)
        return lambda px, py: kr((px, py), mesh_type="unstructured", return_var=True)
    if what == "ours-idw":
        from geoairplan.interpolate import IDW
        idw = IDW(power=5, n_neighbors=10, max_distance=None, workers=-1).fit((x, y), z)
        return lambda px, py: idw.predict((px, py))
    if what == "ckdtree":
        from scipy.spatial import cKDTree
        tree = cKDTree(np.column_stack([x, y]))
        return lambda px, py: tree.query(np.column_stack([px, py]), k=10, workers=-1)
    raise ValueError(what)


def _memory(what: str, model, n: int, m: int, **extra) -> dict:
    code = _PROBE.format(root=str(ROOT))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code,
                          json.dumps({"what": what, "model": model, "n": n, "m": m, **extra})],
                         capture_output=True, text=True, env=env, cwd=str(ROOT))
    if res.returncode != 0:
        return {"traced": float("nan"), "rss": float("nan"), "error": res.stderr.strip().splitlines()[-1:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def _mb(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB" if np.isfinite(b) else "n/a"


def _blas() -> tuple[str, float]:
    """The BLAS kernel in use and this machine's DGEMM rate on all cores (GFLOP/s, best of 3)."""
    try:
        from threadpoolctl import threadpool_info
        info = [f"{d.get('internal_api')} {d.get('architecture')} x{d.get('num_threads')}"
                for d in threadpool_info() if d.get("user_api") == "blas"]
    except ImportError:
        info = []
    a = np.random.default_rng(0).normal(size=(2000, 2000))
    t, _ = _best(lambda: a @ a, 3)
    return ", ".join(info) or "unknown", 2 * 2000 ** 3 / t / 1e9


def _diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float))))


def _global(lines, quick, gflops):
    m = 100_000 if quick else 1_000_000
    n_st = 85
    x, y, z, px, py = _data(n_st, m)
    lines.append(f"-- global ordinary kriging with variance: N={n_st} stations -> M={m:,} points --")
    chunks = (1_000, 5_000, 20_000, 100_000)
    best_chunk = None
    have_gs = True
    try:
        import gstools  # noqa: F401
    except ImportError:
        have_gs = False
        lines.append("GSTools not installed: skipped (pip install gstools)")
    for model in ("spherical", "exponential", "gaussian"):
        ours = _job("ours-kriging", model, x, y, z)
        t_ours, (z1, s1) = _best(lambda: ours(px, py), 3)
        sweep = {}
        for c in (chunks if best_chunk is None else (best_chunk,)):
            peer = _job(f"pykrige-chunk:{c}", model, x, y, z)
            sweep[c], (z2, s2) = _best(lambda: peer(px, py), 1)
        c_best = min(sweep, key=sweep.get)
        if best_chunk is None:
            best_chunk = c_best
            lines.append("PyKrige vectorized in chunks (spherical): " + ", ".join(
                f"{c:,} pts {t:.2f} s" for c, t in sweep.items()) + f" -> best chunk {c_best:,}")
        peer = _job(f"pykrige-chunk:{c_best}", model, x, y, z)
        t_pk = sweep[c_best]
        for _ in range(2):  # both best of several runs, interleaved (the load of this machine changes)
            t_pk = min(t_pk, _best(lambda: peer(px, py), 1)[0])
            t_ours = min(t_ours, _best(lambda: ours(px, py), 1)[0])
        dz, ds = _diff(z1, z2), _diff(s1, s2)
        gs_txt = ""
        if have_gs:
            mg = min(m, 100_000)
            g = _job("gstools", model, x, y, z)
            g(px[:1000], py[:1000])
            t_g, (zg, sg) = _best(lambda: g(px[:mg], py[:mg]), 1)
            t_g *= m / mg
            gs_txt = (f" | GSTools {t_g:6.2f} s{' (scaled from 100k)' if mg < m else ''} "
                      f"{t_g / t_ours:5.1f}x, |dz| {_diff(zg, z1[:mg]):.0e} |dvar| {_diff(sg, s1[:mg]):.0e}")
        floor = m * (n_st * n_st / 2 + 2 * n_st) * 2 / (gflops * 1e9)
        lines.append(f"{model:<12} ours {t_ours:6.2f} s | PyKrige@{c_best:,} {t_pk:6.2f} s | "
                     f"{t_pk / t_ours:5.1f}x faster | |dz| {dz:.0e}, |dvar| {ds:.0e}{gs_txt}")
        lines.append(f"{'':<12} cost per N·M element: ours {t_ours / (n_st * m) * 1e9:5.2f} ns, PyKrige "
                     f"{t_pk / (n_st * m) * 1e9:5.2f} ns; arithmetic floor (N²/2 + 2N multiply-adds per cell at "
                     f"DGEMM rate) {floor / (n_st * m) * 1e9:5.2f} ns ({floor:.2f} s)")
        if model == "spherical":
            mo = _memory("ours-kriging", model, n_st, m)
            mp = _memory(f"pykrige-chunk:{c_best}", model, n_st, m)
            lines.append(f"{'':<12} peak memory (tracemalloc) ours {_mb(mo['traced'])} vs PyKrige@{c_best:,} "
                         f"{_mb(mp['traced'])} ({mo['traced'] / mp['traced']:.2f}); RSS growth ours "
                         f"{_mb(mo['rss'])} vs PyKrige {_mb(mp['rss'])}")


def _neighbourhood(lines, quick, gflops):
    from geoairplan.interpolate.kriging import NeighbourhoodKriging
    n_s, k = 10_000, K_NEIGHBOURS
    m = 250_000 if quick else 1_000_000
    x, y, z, _, _ = _data(n_s, 0, seed=1)
    px, py = _cells(m)
    m = px.size
    lines.append(f"-- neighbourhood kriging with variance: N={n_s:,} sensors, k={k} -> M={m:,} grid cells --")
    nk = NeighbourhoodKriging("spherical", PARAMS, n_neighbors=k).fit((x, y), z)
    t_ours, (z1, s1) = _best(lambda: nk.predict((px, py), return_variance=True), 2 if quick else 1)
    systems = nk.neighbourhood_stats_["systems"]
    # PyKrige moving window: a fixed cost per execute (the full (N+1)² matrix), then a Python loop per cell
    from pykrige.ok import OrdinaryKriging as PK
    t0 = time.perf_counter()
    pk = PK(x, y, z, variogram_model="spherical", variogram_parameters=dict(PARAMS))
    t_init = time.perf_counter() - t0
    t_fix, a_all = _best(lambda: pk._get_kriging_matrix(n_s), 1)
    sub = 5_000 if quick else 20_000
    pick = np.linspace(0, m - 1, sub).astype(int)
    # its per-cell loop, timed alone on the inputs execute() gives it (the same KD-tree query)
    from pykrige.core import _adjust_for_anisotropy
    from scipy.spatial import cKDTree
    q = _adjust_for_anisotropy(np.vstack((px[pick], py[pick])).T, [pk.XCENTER, pk.YCENTER],
                               [pk.anisotropy_scaling], [pk.anisotropy_angle])
    t_q, (bd, bd_idx) = _best(lambda: cKDTree(np.column_stack([pk.X_ADJUSTED, pk.Y_ADJUSTED])).query(
        q, k=k, eps=0.0), 1)
    t_loop, (z2, s2) = _best(lambda: pk._exec_loop_moving_window(a_all, bd, np.zeros(sub, bool), bd_idx), 1)
    del a_all
    per_cell = (t_loop + t_q) / sub
    t_pk = t_fix + per_cell * m
    lines.append(f"PyKrige moving window: constructor {t_init:.1f} s (not counted); per execute: its (N+1)² matrix "
                 f"{t_fix:.1f} s once, then {per_cell * 1e6:.0f} us per cell (its loop and KD-tree query timed on "
                 f"{sub:,} cells); scaled linearly to {m:,} cells: {t_pk:.0f} s")
    dz, ds = _diff(z1[pick], z2), _diff(s1[pick], s2)
    floor = (systems * 2 / 3 * (k + 1) ** 3 + m * 2 * (k + 1) ** 2) / (gflops * 1e9)
    lines.append(f"ours {t_ours:6.2f} s (goal < 30 s) | PyKrige moving window {t_pk:6.0f} s (scaled) | "
                 f"{t_pk / t_ours:5.1f}x faster (goal >= 10x) | |dz| {dz:.0e}, |dvar| {ds:.0e} on the {sub:,} cells")
    lines.append(f"systems factorised: {systems:,} for {m:,} cells ({m / systems:.2f} cells per system); "
                 f"cost {t_ours / m * 1e6:.1f} us per cell; arithmetic floor (LU per system + two (k+1)² "
                 f"products per cell at DGEMM rate) {floor:.2f} s")
    mo = _memory("ours-nb", "spherical", n_s, m, seed=1, grid=True)
    mp = _memory("pykrige-mw", "spherical", n_s, sub, seed=1, grid=True, warm=False)
    lines.append(f"peak memory: ours {_mb(mo['traced'])} traced, RSS growth {_mb(mo['rss'])} (goal <= 1 GiB) | "
                 f"PyKrige moving window on {sub:,} cells {_mb(mp['traced'])} traced, RSS growth {_mb(mp['rss'])}")
    # linearity in M and in N (k fixed)
    rows = []
    for mm in ((62_500, 125_000) if quick else (250_000, 500_000)):
        qx, qy = _cells(mm)
        t, _ = _best(lambda: nk.predict((qx, qy), return_variance=True), 1)
        rows.append(f"M={qx.size:,}: {t:.2f} s ({t / qx.size * 1e6:.1f} us/cell)")
    rows.append(f"M={m:,}: {t_ours:.2f} s ({t_ours / m * 1e6:.1f} us/cell)")
    lines.append("linear in M (N=10,000): " + "; ".join(rows))
    rows = []
    mm = 62_500 if quick else 250_000
    qx, qy = _cells(mm)
    for nn in (2_500, 10_000, 40_000):
        xs, ys, zs, _, _ = _data(nn, 0, seed=1)
        g = NeighbourhoodKriging("spherical", PARAMS, n_neighbors=k).fit((xs, ys), zs)
        t, _ = _best(lambda: g.predict((qx, qy), return_variance=True), 1)
        rows.append(f"N={nn:,}: {t:.2f} s ({g.neighbourhood_stats_['systems']:,} systems)")
    lines.append(f"in N (M={qx.size:,}, k={k}): " + "; ".join(rows))


def run(quick: bool = False):
    """The lines to print, yielded section by section (a generator: bench.py prints them as they come)."""
    lines = []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    blas, gflops = _blas()
    lines.append(f"load average at start: {load:.2f} (2 cores; other processes inflate both sides)")
    lines.append(f"BLAS: {blas}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
                 f"DGEMM {gflops:.0f} GFLOP/s")
    try:
        import pykrige  # noqa: F401
    except ImportError:
        lines.append("PyKrige not installed: kriging peers skipped (pip install pykrige)")
    else:
        yield from lines
        lines = []
        _global(lines, quick, gflops)
        yield from lines
        lines = []
        _neighbourhood(lines, quick, gflops)
    # ---- IDW
    m = 100_000 if quick else 1_000_000
    _, _, _, px, py = _data(85, m)
    n_s = 10_000
    xs, ys, zs, _, _ = _data(n_s, 0, seed=1)
    lines.append(f"-- IDW: {n_s:,} sensors, k=10, power 5 -> M={m:,} points (workers=-1 for both) --")
    ours = _job("ours-idw", None, xs, ys, zs)
    peer = _job("ckdtree", None, xs, ys, zs)
    t_q, t_i = float("inf"), float("inf")
    for _ in range(4):  # interleaved, best of each
        t_q = min(t_q, _best(lambda: peer(px, py), 1)[0])
        t_i = min(t_i, _best(lambda: ours(px, py), 1)[0])
    mo = _memory("ours-idw", None, n_s, m)
    mp = _memory("ckdtree", None, n_s, m)
    lines.append(f"IDW predict {t_i:6.2f} s | cKDTree.query alone {t_q:6.2f} s | ratio {t_i / t_q:4.2f} (goal <= 1.5)")
    lines.append(f"peak memory (tracemalloc) IDW {_mb(mo['traced'])} vs query {_mb(mp['traced'])}; RSS growth "
                 f"IDW {_mb(mo['rss'])} vs query {_mb(mp['rss'])}")
    yield from lines


if __name__ == "__main__":  # pragma: no cover
    for line in run(quick="--quick" in sys.argv):
        print(line)
