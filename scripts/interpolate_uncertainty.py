"""Measure the figures of docs/interpolate.md (section "How sure is the map") (issue #16) and draw its plots.

    PYTHONPATH=. python scripts/interpolate_uncertainty.py [--out docs/figures/interpolate_uncertainty]

Prints markdown (tables and numbers) to stdout and writes PNGs to ``--out``:

1. calibration of per-cell exceedance probabilities on simulated Gaussian fields (reliability diagram);
2. block (township-like) mean error variance against brute-force simulation;
3. the cross-validation table on the scenario episode (PM2.5 24-h means at 2025-01-17 01:00, the peak),
   predicted vs observed and the variogram fits;
4. exceedance probabilities and probabilistic zones over 屏東縣 (kriging, spherical, 1 km);
5. next sensor sites for 屏東縣 (+5), three weightings, variance before/after;
6. plume-detection sites for 雲林縣 (+5) from the hotspot scenario's sources, the four MOENV stations in place.

Seeded: the same run prints the same numbers.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.spatial.distance import cdist  # noqa: E402

from geoairplan.grid import make_grid  # noqa: E402
from geoairplan.hotspots.upwind import wind_observations  # noqa: E402
from geoairplan.interpolate.kriging import OrdinaryKriging, Variogram  # noqa: E402
from geoairplan.interpolate.probability import (block_exceedance, exceedance_probability,  # noqa: E402
                                                exceedance_rasters, kriging_error_covariance, kriging_system,
                                                probabilistic_zones, township_exceedance)
from geoairplan.interpolate.selection import select_method  # noqa: E402
from geoairplan.maps.charts import plot_predicted_observed, plot_variogram  # noqa: E402
from geoairplan.interpolate.series import station_values  # noqa: E402
from geoairplan.interpolate.siting import plume_sites, source_locations, variance_sites  # noqa: E402
from geoairplan.io import read_moenv_hourly, read_text_table  # noqa: E402
from geoairplan.reference.geography import data_dir  # noqa: E402
from geoairplan.reference.stations import load_stations  # noqa: E402

HOUR = "2025-01-17 01:00"


def calibration(out: Path) -> None:
    params = {"psill": 1.0, "range": 20_000.0, "nugget": 0.1}
    n, h = 30, 1000.0
    gx, gy = np.meshgrid(np.arange(n) * h, np.arange(n) * h)
    gx, gy = gx.ravel(), gy.ravel()
    v = Variogram("exponential", params)
    cov = 1.1 - v(cdist(np.c_[gx, gy], np.c_[gx, gy]))
    np.fill_diagonal(cov, 1.1)
    chol = np.linalg.cholesky(cov)
    rng = np.random.default_rng(2016)
    runs = 500
    f = 10.0 + chol @ rng.standard_normal((n * n, runs))
    thr = np.array([9.0, 10.0, 10.8])
    p, o, p_log = [], [], []
    for r in range(runs):
        st = rng.choice(n * n, 40, replace=False)
        rest = np.setdiff1d(np.arange(n * n), st)
        ok = OrdinaryKriging("exponential", params).fit((gx[st], gy[st]), f[st, r])
        m, s = ok.predict((gx[rest], gy[rest]), return_variance=True)
        p.append(exceedance_probability(m, s, thr).ravel())
        p_log.append(exceedance_probability(m, s, np.exp(thr), log=True).ravel())  # Z = exp(Y): same events
        o.append((f[rest, r][None, :] >= thr[:, None]).ravel())
    p, o, p_log = np.concatenate(p), np.concatenate(o), np.concatenate(p_log)
    k = np.clip((p * 10).astype(int), 0, 9)
    rows = []
    for b in range(10):
        sel = k == b
        rows.append((f"{b / 10:.1f}–{(b + 1) / 10:.1f}", int(sel.sum()), p[sel].mean(), o[sel].mean()))
    dev = max(abs(r[3] - r[2]) for r in rows)
    print("### Calibration (simulation)\n")
    print(f"{runs} seeded Gaussian fields (exponential, psill 1, range 20 km, nugget 0.1) on 30 × 30 km, 40 random "
          f"stations each, kriging with the true variogram, thresholds 9.0 / 10.0 / 10.8 (mean 10): "
          f"{p.size:,} cell-probabilities.\n")
    print("| predicted bin | cells | mean predicted | observed frequency |\n|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:,} | {r[2]:.3f} | {r[3]:.3f} |")
    same = "the same" if np.abs(p - p_log).max() < 1e-12 else f"up to {np.abs(p - p_log).max():.1e} different"
    print(f"\nLargest |observed − predicted| over bins: **{dev:.3f}**; the log-scale path (thresholds exp(t) on "
          f"Z = exp(Y)) gives {same} probabilities. Brier score {np.mean((p - o) ** 2):.4f}.\n")
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=100)
    ax.plot([0, 1], [0, 1], "--", color="0.5", lw=1)
    ax.plot([r[2] for r in rows], [r[3] for r in rows], "o-", label=f"kriging, max dev {dev:.3f}")
    ax.set_xlabel("predicted P(Z >= t)")
    ax.set_ylabel("observed frequency")
    ax.set_title("Calibration on simulated Gaussian fields")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "calibration.png")
    plt.close(fig)
    # block mean variance against brute force
    f = 10.0 + chol @ rng.standard_normal((n * n, 3000))  # a fresh set for the block check
    runs = 3000
    block = np.flatnonzero((gx >= 10_000) & (gx < 16_000) & (gy >= 12_000) & (gy < 18_000))
    st = rng.choice(np.setdiff1d(np.arange(n * n), block), 30, replace=False)
    w = np.full(block.size, 1.0 / block.size)
    ok = OrdinaryKriging("exponential", params).fit((gx[st], gy[st]), f[st])
    pred = ok.predict((gx[block], gy[block]))
    err = w @ (f[block] - pred)
    c = kriging_error_covariance(ok, gx[block], gy[block])
    cell_mean_var = float(np.mean(np.diag(c)))
    print("### Block (township) mean against brute force\n")
    print(f"6 × 6 km block, 30 stations, {runs} fields: block-kriging variance wᵀCw = {w @ c @ w:.4f}, simulated "
          f"variance of the block-mean error {np.var(err):.4f} (ratio {np.var(err) / (w @ c @ w):.3f}); the "
          f"mean cell variance is {cell_mean_var:.4f}, so treating cells as independent would give "
          f"{cell_mean_var / block.size:.4f} and ignoring averaging {cell_mean_var:.4f}.\n")
    sys_ = kriging_system(ok)
    pm = np.array([block_exceedance(sys_, gx[block], gy[block], w, pred[:, r], [11.5], statistic="max",
                                    n_sim=500, seed=r)["probability"][0] for r in range(200)])
    print(f"Block maximum >= 11.5 by conditional simulation: mean predicted {pm.mean():.3f}, observed "
          f"{np.mean(f[block, :200].max(axis=0) >= 11.5):.3f} (200 fields).\n")


def episode():
    obs = read_moenv_hourly(data_dir() / "scenario" / "episode_scenario.csv")
    sv = station_values(obs, "pm2.5", average="24h", hours=[HOUR])
    row = sv.values.iloc[0]
    have = row.notna().to_numpy()
    x, y = sv.xy
    return x[have], y[have], row.to_numpy()[have], list(sv.values.columns[have])


def selection(out: Path):
    x, y, z, labels = episode()
    t0 = time.perf_counter()
    sel = select_method((x, y), z, labels=labels, k=5, seed=0)
    dt = time.perf_counter() - t0
    print("### Cross-validation on the scenario episode\n")
    print(f"PM2.5 24-h moving means at {HOUR} (the episode's peak), {x.size} stations (scenario data); "
          f"{len(sel.table)} candidates in {dt:.1f} s.\n")
    print("| candidate | LOO RMSE | LOO MAE | LOO bias | LOO 90 % cover | 5-fold RMSE | 5-fold MAE | 5-fold bias | "
          "5-fold 90 % cover | status |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    fmt = lambda v, d=2: "" if pd.isna(v) else f"{v:.{d}f}"  # noqa: E731
    for r in sel.table.itertuples(index=False):
        st = r.status if r.status == "ok" else r.status.split(";")[0][:60] + "…"
        print(f"| {r.label} | {fmt(r.loo_rmse)} | {fmt(r.loo_mae)} | {fmt(r.loo_bias)} | {fmt(r.loo_coverage90)} | "
              f"{fmt(r.kfold_rmse)} | {fmt(r.kfold_mae)} | {fmt(r.kfold_bias)} | {fmt(r.kfold_coverage90)} | {st} |")
    print(f"\nChoice: **{sel.choice}** — {sel.reason}.\n")
    fig = plot_predicted_observed(sel, unit="ug/m3", title=f"{sel.choice}: PM2.5 24-h, {HOUR} (scenario)")
    fig.savefig(out / "predicted_observed.png")
    plt.close(fig)
    fig = plot_variogram(sel, unit="ug/m3", title=f"Variogram fits, PM2.5 24-h, {HOUR} (scenario)")
    fig.savefig(out / "variogram.png")
    plt.close(fig)
    return sel


def pingtung(out: Path):
    x, y, z, labels = episode()
    ok = OrdinaryKriging("spherical").fit((x, y), z, labels=labels)
    grid = make_grid(county="屏東縣", cell_size=1000)
    surf = ok.grid(grid=grid, pollutant="pm2.5", unit="ug/m3", averaging="24h_moving")
    t0 = time.perf_counter()
    rasters = exceedance_rasters(surf)
    t1 = time.perf_counter()
    tab = township_exceedance(surf, ok)
    t2 = time.perf_counter()
    tab_max = township_exceedance(surf, ok, statistic="max", n_sim=2000)
    t3 = time.perf_counter()
    print("### 屏東縣: exceedance probabilities and probabilistic zones\n")
    print(f"Ordinary kriging, {ok.variogram_.describe()}, {x.size} stations, 1 km cells "
          f"({int(np.isfinite(surf.values).sum()):,} land cells). Rasters for 5 levels in {t1 - t0:.2f} s; township "
          f"means (block kriging) in {t2 - t1:.1f} s; township maxima (conditional simulation, 2,000 draws) in "
          f"{t3 - t2:.1f} s.\n")
    fin = np.isfinite(surf.values)
    print("| level | threshold | cells with P >= 0.5 | P >= 0.8 | P >= 0.95 | cells whose kriged value reaches it |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, r in rasters.items():
        pv = r.values[fin]
        t = float(r.tags["threshold"])
        print(f"| {r.tags['level']} {r.tags['level_zh']} | {t:g} | {(pv >= 0.5).sum()} | {(pv >= 0.8).sum()} | "
              f"{(pv >= 0.95).sum()} | {(surf.values[fin] >= t).sum()} |")
    print()
    print("| confidence | townships in a zone (mean) | at L2 | at L1 | (maximum) | at L2 | at L1 |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for c in (0.5, 0.8, 0.95):
        zm, zx = probabilistic_zones(tab, c), probabilistic_zones(tab_max, c)
        print(f"| {c} | {len(zm)} | {(zm['level'] == 'L2').sum()} | {(zm['level'] == 'L1').sum()} | {len(zx)} | "
              f"{(zx['level'] == 'L2').sum()} | {(zx['level'] == 'L1').sum()} |")
    print()
    l2 = tab[tab["level"] == "L2"].set_index("township")
    unsure = l2[(l2["probability"] > 0.2) & (l2["probability"] < 0.8)].sort_values("probability")
    print("Townships whose L2 (54.5 µg/m³) is uncertain (0.2 < P < 0.8, area-weighted mean): "
          + ", ".join(f"{t} {r.estimate:.0f}±{r.sd:.0f} → {r.probability:.2f}" for t, r in unsure.iterrows()) + ".\n")
    fig, axes = plt.subplots(1, 3, figsize=(11, 5), dpi=100)
    ext = (grid.west / 1000, grid.bounds[2] / 1000, grid.bounds[1] / 1000, grid.north / 1000)
    im = axes[0].imshow(surf.values, extent=ext, cmap="viridis")
    axes[0].set_title("kriged PM2.5 24-h (ug/m3)")
    fig.colorbar(im, ax=axes[0], shrink=0.7)
    for ax, key in zip(axes[1:], ("p_L1", "p_L2")):
        im = ax.imshow(rasters[key].values, extent=ext, cmap="magma_r", vmin=0, vmax=1)
        ax.set_title(f"P(>= {rasters[key].tags['threshold']}) {rasters[key].tags['level']}")
        fig.colorbar(im, ax=ax, shrink=0.7)
    for ax in axes:
        ax.scatter(x / 1000, y / 1000, s=10, c="k", marker="^")
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
        ax.set_xlabel("TM2 E (km)")
    fig.suptitle(f"屏東縣 {HOUR}, scenario data".replace("屏東縣", "Pingtung"))
    fig.tight_layout()
    fig.savefig(out / "pingtung_exceedance.png")
    plt.close(fig)
    return ok, grid


def siting(out: Path, ok, grid):
    print("### 屏東縣: five more sites\n")
    print(f"Same kriging model; targets: the {int(grid.land.sum()):,} land cells of 1 km; candidates: a 2 km grid "
          "over the county's land.\n")
    print("| weighting | mean variance before | after +5 | reduction | sites (township, cumulative reduction) | time |")
    print("|---|---:|---:|---:|---|---:|")
    keep = None
    for how in ("cells", "area", "township"):
        t0 = time.perf_counter()
        res = variance_sites(ok, grid, n_add=5, weights=how)
        dt = time.perf_counter() - t0
        d = res.summary()
        sites = "; ".join(f"{r.township} {r.reduction_pct:.0f} %" for r in res.sites.itertuples())
        print(f"| {how} | {d['objective_before']:.1f} | {d['objective_after']:.1f} | {d['reduction_pct']:.1f} % | "
              f"{sites} | {dt:.1f} s |")
        if how == "cells":
            keep = res
    print()
    land = grid.land
    sd0, sd1 = np.sqrt(keep.before.values[land]), np.sqrt(keep.after.values[land])
    print(f"Kriging standard error over the land cells (cells weighting): median {np.median(sd0):.1f} → "
          f"{np.median(sd1):.1f} µg/m³, 90th percentile {np.percentile(sd0, 90):.1f} → {np.percentile(sd1, 90):.1f}, "
          f"maximum {sd0.max():.1f} → {sd1.max():.1f}.\n")
    fig, axes = plt.subplots(1, 2, figsize=(9, 5.5), dpi=100)
    ext = (grid.west / 1000, grid.bounds[2] / 1000, grid.bounds[1] / 1000, grid.north / 1000)
    vmax = float(np.nanmax(np.sqrt(keep.before.values)))
    for ax, r, title in ((axes[0], keep.before, "before"), (axes[1], keep.after, "after +5 sites")):
        im = ax.imshow(np.sqrt(r.values), extent=ext, cmap="YlOrRd", vmin=0, vmax=vmax)
        ax.scatter(ok.x_ / 1000, ok.y_ / 1000, s=14, c="k", marker="^", label="stations")
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
        ax.set_title(f"kriging standard error, {title}")
    axes[1].scatter(keep.sites["x"] / 1000, keep.sites["y"] / 1000, s=40, c="tab:blue", marker="*", label="new")
    for r in keep.sites.itertuples():
        axes[1].annotate(str(r.rank), (r.x / 1000, r.y / 1000), xytext=(4, 4), textcoords="offset points")
    axes[1].legend(loc="lower left", fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.6, label="ug/m3")
    fig.savefig(out / "pingtung_siting.png")
    plt.close(fig)


def plume(out: Path):
    root = data_dir() / "scenario"
    wind = wind_observations(read_moenv_hourly(root / "sensors_scenario_wind.csv"))
    locs = source_locations(read_text_table(root / "sources_scenario.csv"), county="雲林縣")
    st = load_stations()
    st = st[st["county"] == "雲林縣"]
    existing = (st["x_tm2"].to_numpy(float), st["y_tm2"].to_numpy(float))
    t0 = time.perf_counter()
    res = plume_sites(locs, wind, county="雲林縣", n_add=5, existing=existing)
    dt = time.perf_counter() - t0
    d = res.summary()
    print("### 雲林縣: five sites for plume detection\n")
    print(f"{len(locs)} plausible locations ({(locs['basis'] == 'point').sum()} located scenario sources, the "
          f"16 township-only sources spread over {(locs['basis'] == 'township').sum()} points on a 2 km grid), "
          f"{d['hours']} hours of scenario wind (north-east monsoon), reach {d['reach_m']:g} m, sector "
          f"±{d['half_width_deg']:g}°, the {len(st)} MOENV stations in place; candidates on a 1 km grid; "
          f"{dt:.1f} s.\n")
    print("| rank | site (TM2 E, N) | township | detected after |\n|---:|---|---|---:|")
    print(f"| 0 | the {len(st)} stations | | {100 * d['detected_before']:.1f} % |")
    for r in res.sites.itertuples():
        print(f"| {r.rank} | {r.x:.0f}, {r.y:.0f} | {r.township} | {100 * r.detected_after:.1f} % |")
    print()
    fig, ax = plt.subplots(figsize=(6, 5), dpi=100)
    sc = ax.scatter(locs["x"] / 1000, locs["y"] / 1000, c=res.locations["p_after"], s=12, cmap="viridis", vmin=0, vmax=1)
    ax.scatter(existing[0] / 1000, existing[1] / 1000, marker="^", c="k", s=30, label="MOENV stations")
    ax.scatter(res.sites["x"] / 1000, res.sites["y"] / 1000, marker="*", c="tab:red", s=80, label="new sites")
    for r in res.sites.itertuples():
        ax.annotate(str(r.rank), (r.x / 1000, r.y / 1000), xytext=(4, 4), textcoords="offset points")
    fig.colorbar(sc, ax=ax, label="detection probability after")
    ax.set_xlabel("TM2 E (km)")
    ax.set_ylabel("TM2 N (km)")
    ax.set_title("Yunlin: plume detection (scenario sources and wind)")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(out / "yunlin_plume.png")
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="docs/figures/interpolate_uncertainty")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    calibration(out)
    selection(out)
    ok, grid = pingtung(out)
    siting(out, ok, grid)
    plume(out)


if __name__ == "__main__":
    main()
