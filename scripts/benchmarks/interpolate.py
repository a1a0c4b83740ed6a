"""Interpolation speed and memory against the peers, measured in the same run.

1. Ordinary kriging, N = 85 stations to M = 1,000,000 points (quick: 100,000),
   with the kriging variance, for the spherical (default), exponential and
   Gaussian models: geoairplan's ``OrdinaryKriging.predict(..., return_variance=True)``
   against PyKrige's ``OrdinaryKriging.execute("points", ..., backend="vectorized")``
   with the same fixed variogram (PyKrige vectorized holds the whole problem in
   memory at once; at 1e6 points it needs about 4 GB, which this machine has, so
   it is run unchunked). Goal: at least 10x faster, at most a quarter of the memory.
2. IDW, 10,000 sensors, k = 10, power 5, to the same points: ``IDW.predict``
   against the bare ``scipy.spatial.cKDTree.query(points, k=10, workers=-1)``
   (both use all cores). Goal: at most 1.5x the query alone.

Times are the best of several runs (other processes share this machine).
Peak memory is measured in a fresh subprocess per measurement, two ways:
``tracemalloc`` peak during the call (numpy's buffers are traced; BLAS scratch
is not) and the growth of the peak resident set over the call (``VmHWM`` in
/proc/self/status, reset before the call; ``ru_maxrss`` is not used because
Linux carries it over from the parent across fork/exec).
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


# --------------------------------------------------------------------------- subprocess memory probe

_PROBE = r"""
import json, sys, tracemalloc
import numpy as np
sys.path.insert(0, {root!r})
from scripts.benchmarks.interpolate import _data, _job, _status
args = json.loads(sys.argv[1])
x, y, z, px, py = _data(args["n"], args["m"])
job = _job(args["what"], args.get("model"), x, y, z)
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


def _job(what: str, model, x, y, z):
    """A function (px, py) -> result for one contender; used in-process and in the probe."""
    if what == "ours-kriging":
        from geoairplan.interpolate import OrdinaryKriging
        ok = OrdinaryKriging(model, PARAMS).fit((x, y), z)
        return lambda px, py: ok.predict((px, py), return_variance=True)
    if what == "pykrige":
        from pykrige.ok import OrdinaryKriging as PK
        pk = PK(x, y, z, variogram_model=model, variogram_parameters=dict(PARAMS))
        return lambda px, py: pk.execute("points", px, py, backend="vectorized")
    if what == "ours-idw":
        from geoairplan.interpolate import IDW
        idw = IDW(power=5, n_neighbors=10, max_distance=None, workers=-1).fit((x, y), z)
        return lambda px, py: idw.predict((px, py))
    if what == "ckdtree":
        from scipy.spatial import cKDTree
        tree = cKDTree(np.column_stack([x, y]))
        return lambda px, py: tree.query(np.column_stack([px, py]), k=10, workers=-1)
    raise ValueError(what)


def _memory(what: str, model, n: int, m: int) -> dict:
    code = _PROBE.format(root=str(ROOT))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code, json.dumps({"what": what, "model": model, "n": n, "m": m})],
                         capture_output=True, text=True, env=env, cwd=str(ROOT))
    if res.returncode != 0:
        return {"traced": float("nan"), "rss": float("nan"), "error": res.stderr.strip().splitlines()[-1:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def _mb(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB" if np.isfinite(b) else "n/a"


def run(quick: bool = False) -> list[str]:
    lines = []
    m = 100_000 if quick else 1_000_000
    n_st = 85
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines.append(f"load average at start: {load:.2f} (2 cores; other processes inflate both sides)")
    x, y, z, px, py = _data(n_st, m)
    lines.append(f"-- ordinary kriging with variance: N={n_st} stations -> M={m:,} points --")
    try:
        import pykrige  # noqa: F401
        have_pk = True
    except ImportError:
        have_pk = False
        lines.append("PyKrige not installed: kriging peer skipped (pip install pykrige)")
    for model in ("spherical", "exponential", "gaussian"):
        ours = _job("ours-kriging", model, x, y, z)
        t_ours, (z1, s1) = _best(lambda: ours(px, py), 3)
        if not have_pk:
            lines.append(f"{model:<12} ours {t_ours:6.2f} s")
            continue
        peer = _job("pykrige", model, x, y, z)
        t_pk, (z2, s2) = _best(lambda: peer(px, py), 1 if not quick else 2)
        t_ours2, _ = _best(lambda: ours(px, py), 2)  # again after the peer, in case load changed
        t_ours = min(t_ours, t_ours2)
        dz = float(np.max(np.abs(z1 - np.asarray(z2))))
        ds = float(np.max(np.abs(s1 - np.asarray(s2))))
        from geoairplan.interpolate import OrdinaryKriging
        fitted = OrdinaryKriging(model, PARAMS).fit((x, y), z)
        t_pred, _ = _best(lambda: fitted.predict((px, py)), 3)
        mo = _memory("ours-kriging", model, n_st, m)
        mp = _memory("pykrige", model, n_st, m)
        lines.append(f"{model:<12} ours {t_ours:6.2f} s | PyKrige {t_pk:6.2f} s | {t_pk / t_ours:5.1f}x faster "
                     f"| max |dz| {dz:.1e}, |dvar| {ds:.1e} | ours without variance {t_pred:5.2f} s")
        lines.append(f"{'':<12} peak memory (tracemalloc) ours {_mb(mo['traced'])} vs PyKrige {_mb(mp['traced'])} "
                     f"({mo['traced'] / mp['traced']:.3f}); RSS growth ours {_mb(mo['rss'])} vs "
                     f"PyKrige {_mb(mp['rss'])}")
    # ---- IDW
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
    return lines


if __name__ == "__main__":  # pragma: no cover
    for line in run(quick="--quick" in sys.argv):
        print(line)
