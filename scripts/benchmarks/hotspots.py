"""Hotspots: grid aggregation, kernel density and Gi* against their peers, measured in the same run.

* grid totals (index arithmetic + bincount) vs a geopandas spatial join of points to cell polygons,
* kernel density (per-source windows, cut at 4 h) vs scipy.stats.gaussian_kde evaluated on the
  same pixel centres (no cut-off, full covariance),
* Gi* through geoairplan.hotspots.stats.getis_ord vs esda.G_Local called directly with esda's
  defaults (what a user writes), and trimmed (keep_simulations=False).
"""

from __future__ import annotations

import copy
import time

import numpy as np
import pandas as pd


def _t(f, n=1):
    best = np.inf
    for _ in range(n):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(quick: bool = False) -> list[str]:
    import geopandas as gpd
    from scipy.stats import gaussian_kde
    from esda import G_Local
    from geoairplan.grid import cell_polygons
    from geoairplan.hotspots import emissions as em, stats

    rng = np.random.default_rng(0)
    n = 2000 if quick else 20000
    x = rng.uniform(160000, 220000, n)
    y = rng.uniform(2580000, 2640000, n)
    src = em.prepare_sources(pd.DataFrame({"C_NO": np.arange(n).astype(str), "UTM_E": x, "UTM_N": y,
                                           "NOX_EMI": rng.gamma(1, 5, n)}))
    lines = []
    import warnings
    warnings.simplefilter("ignore")
    t_ours, g = _t(lambda: em.grid_emissions(src, 1000, pollutants=["nox"]), 3)

    def peer():
        cells = cell_polygons(g["col"], g["row"], 1000)
        j = gpd.sjoin(gpd.GeoDataFrame(src[["nox_emi"]], geometry=src.geometry, crs=3826), cells,
                      predicate="within")
        return j.groupby("index_right")["nox_emi"].sum()
    t_peer, tot = _t(peer, 3)
    assert np.isclose(tot.sum(), g["nox_t"].sum())
    lines.append(f"grid totals, {n} sources: ours {t_ours * 1e3:.1f} ms, sjoin {t_peer * 1e3:.1f} ms "
                 f"(ratio {t_ours / t_peer:.2f})")
    m = 300 if quick else 2000
    sub = src.iloc[:m]
    t_ours, k = _t(lambda: em.kde_surface(sub, "nox", bandwidth=3000, resolution=500), 2)
    h, w = k.values.shape
    cx = k.transform.c + (np.arange(w) + 0.5) * 500
    cy = k.transform.f - (np.arange(h) + 0.5) * 500
    gx, gy = np.meshgrid(cx, cy)
    kd = gaussian_kde(np.vstack([sub["x"], sub["y"]]), weights=sub["nox_emi"])
    t_peer, _ = _t(lambda: kd(np.vstack([gx.ravel(), gy.ravel()])), 1)
    lines.append(f"kernel density, {m} sources on {h}x{w} pixels: ours {t_ours:.2f} s, scipy gaussian_kde "
                 f"{t_peer:.2f} s (ratio {t_ours / t_peer:.2f})")
    cells = g.copy()
    w_info = stats.grid_weights(cells)
    vals = cells["nox_t"].to_numpy()
    perms = 99 if quick else 999
    t_ours, _ = _t(lambda: stats.getis_ord(vals, w_info, permutations=perms, seed=1), 1)
    # esda as a user calls it (its defaults: keep_simulations=True, n_jobs=1), and esda trimmed
    t_peer, _ = _t(lambda: G_Local(vals, copy.deepcopy(w_info[0]), transform="B", star=True,
                                   permutations=perms, seed=1), 1)
    t_trim, _ = _t(lambda: G_Local(vals, copy.deepcopy(w_info[0]), transform="B", star=True,
                                   permutations=perms, seed=1, n_jobs=1, keep_simulations=False), 1)
    lines.append(f"Gi*, {len(cells)} cells, {perms} permutations: ours {t_ours:.2f} s, esda with its defaults "
                 f"{t_peer:.2f} s (ratio {t_ours / t_peer:.2f}), esda with keep_simulations=False "
                 f"{t_trim:.2f} s (ratio {t_ours / t_trim:.2f}); ours adds the two-sided permutation p")
    return lines
