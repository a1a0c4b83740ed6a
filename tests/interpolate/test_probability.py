"""Exceedance probabilities and township probabilities: checked against simulation and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
from scipy.spatial.distance import cdist
from scipy.stats import lognorm

from geoairplan.errors import InputError
from geoairplan.grid import make_grid
from geoairplan.interpolate.idw import IDW
from geoairplan.interpolate.kriging import OrdinaryKriging, Variogram
from geoairplan.interpolate.probability import (MODEL_BASIS, block_exceedance, exceedance_probability,
                                                exceedance_rasters, kriging_error_covariance, kriging_system,
                                                probabilistic_zones, township_exceedance, township_weights)

PARAMS = {"psill": 1.0, "range": 20_000.0, "nugget": 0.1}
N = 30          # 30 x 30 nodes, 1 km apart
SPACING = 1000.0


@pytest.fixture(scope="module")
def field():
    """Seeded Gaussian random fields (exponential covariance + nugget) on a 30 x 30 km grid, mean 10."""
    gx, gy = np.meshgrid(np.arange(N) * SPACING, np.arange(N) * SPACING)
    gx, gy = gx.ravel(), gy.ravel()
    v = Variogram("exponential", PARAMS)
    sill = PARAMS["psill"] + PARAMS["nugget"]
    cov = sill - v(cdist(np.c_[gx, gy], np.c_[gx, gy]))
    np.fill_diagonal(cov, sill)  # the nugget is white noise of the field at each node
    chol = np.linalg.cholesky(cov)
    return gx, gy, chol


def _fields(chol, count, seed):
    return 10.0 + chol @ np.random.default_rng(seed).standard_normal((chol.shape[0], count))


# ------------------------------------------------------------------------------ closed forms

def test_probability_is_the_normal_tail():
    m = np.array([[10.0, 12.0], [np.nan, 30.0]])
    v = np.array([[4.0, 1.0], [1.0, 0.0]])
    p = exceedance_probability(m, v, [11.0, 30.0])
    want = 0.5 * math.erfc((11.0 - 10.0) / (2.0 * math.sqrt(2.0)))
    assert p.shape == (2, 2, 2)
    assert p[0, 0, 0] == pytest.approx(want, abs=1e-12)
    assert p[0, 0, 1] == pytest.approx(0.5 * math.erfc((11.0 - 12.0) / math.sqrt(2.0)), abs=1e-12)
    assert np.isnan(p[0, 1, 0])
    assert p[0, 1, 1] == 1.0 and p[1, 1, 1] == 1.0  # zero variance, the value reaches 30: certain
    assert exceedance_probability([29.9], [0.0], [30.0])[0, 0] == 0.0


def test_log_scale_is_lognormal():
    """Kriging on log(z + c): P(Z >= t) is the log-normal tail of the back-transformed distribution."""
    m, v, c = np.array([3.2, 4.0]), np.array([0.09, 0.25]), 1.0
    t = np.array([20.0, 54.5])
    p = exceedance_probability(m, v, t, log=True, log_offset=c)
    for k, tk in enumerate(t):
        want = lognorm.sf(tk + c, s=np.sqrt(v), scale=np.exp(m))
        np.testing.assert_allclose(p[k], want, atol=1e-12)
    with pytest.raises(InputError, match="log offset"):
        exceedance_probability(m, v, [-2.0], log=True, log_offset=1.0)


# ------------------------------------------------------------------------------ calibration by simulation

def test_probabilities_are_calibrated_on_a_simulated_gaussian_field(field):
    """200 realisations, 40 random stations each, kriging with the TRUE variogram: among cells whose predicted
    P(Z >= t) falls in a tenth of [0, 1], the observed exceedance frequency is within 0.03 of the mean
    predicted probability (measured: within 0.013; a variance off by a factor 2 misses by > 0.05)."""
    gx, gy, chol = field
    runs = 200
    f = _fields(chol, runs, 16)
    rng = np.random.default_rng(1)
    thr = np.array([9.0, 10.0, 10.8])
    preds, obs, preds_wrong = [], [], []
    for r in range(runs):
        st = rng.choice(N * N, 40, replace=False)
        rest = np.setdiff1d(np.arange(N * N), st)
        ok = OrdinaryKriging("exponential", PARAMS).fit((gx[st], gy[st]), f[st, r])
        m, s = ok.predict((gx[rest], gy[rest]), return_variance=True)
        preds.append(exceedance_probability(m, s, thr).ravel())
        preds_wrong.append(exceedance_probability(m, s / 2.0, thr).ravel())
        obs.append((f[rest, r][None, :] >= thr[:, None]).ravel())
    p, o, pw = np.concatenate(preds), np.concatenate(obs), np.concatenate(preds_wrong)

    def worst(pp):
        k = np.clip((pp * 10).astype(int), 0, 9)
        return max(abs(o[k == b].mean() - pp[k == b].mean()) for b in range(10) if (k == b).sum() > 1000)

    assert worst(p) < 0.03
    assert worst(pw) > 0.05  # the test can fail: an over-confident variance is caught


# ------------------------------------------------------------------------------ error covariance

def test_error_covariance_diagonal_is_the_kriging_variance():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 30_000, 25), rng.uniform(0, 30_000, 25)
    ok = OrdinaryKriging("spherical", {"psill": 50.0, "range": 15_000.0, "nugget": 2.0}).fit((x, y), rng.normal(30, 5, 25))
    tx, ty = rng.uniform(0, 30_000, 40), rng.uniform(0, 30_000, 40)
    tx[0], ty[0] = x[3], y[3]  # a target on a station: variance 0 (exact values)
    cov = kriging_error_covariance(ok, tx, ty)
    _, var = ok.predict((tx, ty), return_variance=True)
    np.testing.assert_allclose(np.diag(cov), var, rtol=1e-8, atol=1e-8)
    assert abs(cov[0, 0]) < 1e-8
    np.testing.assert_allclose(cov, cov.T, atol=1e-9)
    assert np.linalg.eigvalsh(cov).min() > -1e-8


def test_adding_a_station_updates_the_inverse_like_a_fresh_inversion():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 30_000, 12), rng.uniform(0, 30_000, 12)
    params = {"psill": 5.0, "range": 12_000.0, "nugget": 0.3}
    sys_ = kriging_system(OrdinaryKriging("exponential", params).fit((x, y), rng.normal(size=12)))
    up = sys_.add_station(11_111.0, 22_222.0)
    fresh = kriging_system(OrdinaryKriging("exponential", params).fit(
        (np.r_[x, 11_111.0], np.r_[y, 22_222.0]), rng.normal(size=13)))
    np.testing.assert_allclose(up.ainv, fresh.ainv, atol=1e-9)
    with pytest.raises(InputError, match="duplicates"):
        sys_.add_station(x[0], y[0])


def test_local_kriging_is_refused_for_covariances():
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 30_000, 20), rng.uniform(0, 30_000, 20)
    ok = OrdinaryKriging("exponential", PARAMS, n_neighbors=5).fit((x, y), rng.normal(size=20))
    with pytest.raises(InputError, match="global system"):
        kriging_system(ok)


# ------------------------------------------------------------------------------ blocks against brute force

def test_block_mean_variance_and_probabilities_match_brute_force_simulation(field):
    """Fixed stations, 3000 simulated fields: the error of a weighted block mean has the variance wᵀCw
    (within 8 %; sampling error ~2.6 %) and the mean predicted P(mean >= t) equals the observed frequency."""
    gx, gy, chol = field
    runs = 3000
    f = _fields(chol, runs, 7)
    rng = np.random.default_rng(2)
    block = np.flatnonzero((gx >= 10_000) & (gx < 16_000) & (gy >= 12_000) & (gy < 18_000))  # 36 cells
    st = rng.choice(np.setdiff1d(np.arange(N * N), block), 30, replace=False)
    w = rng.uniform(0.2, 1.0, block.size)
    w /= w.sum()
    ok = OrdinaryKriging("exponential", PARAMS).fit((gx[st], gy[st]), f[st])  # all realisations as columns
    pred = ok.predict((gx[block], gy[block]))  # (36, runs)
    err = w @ (f[block] - pred)
    sys_ = kriging_system(ok)
    cov = kriging_error_covariance(sys_, gx[block], gy[block])
    assert np.var(err) == pytest.approx(w @ cov @ w, rel=0.08)
    assert abs(err.mean()) < 4 * math.sqrt(w @ cov @ w / runs)
    # probabilities: block kriging (mean) and conditional simulation (max), against what happened
    t = 10.3
    sd = block_exceedance(sys_, gx[block], gy[block], w, pred[:, 0], [t])["sd"]
    assert sd == pytest.approx(math.sqrt(w @ cov @ w), rel=1e-9)
    p_mean = exceedance_probability(w @ pred, np.full(runs, sd * sd), [t])[0]  # same sd in every realisation
    for r in range(5):
        assert block_exceedance(sys_, gx[block], gy[block], w, pred[:, r], [t])["probability"][0] == \
            pytest.approx(p_mean[r], abs=1e-12)
    hit_mean = (w @ f[block] >= t)
    assert abs(p_mean.mean() - hit_mean.mean()) < 0.025
    runs_max = 200
    p_max = np.array([block_exceedance(sys_, gx[block], gy[block], w, pred[:, r], [11.5], statistic="max",
                                       n_sim=300, seed=r)["probability"][0] for r in range(runs_max)])
    hit_max = f[block, :runs_max].max(axis=0) >= 11.5
    assert 0.2 < hit_max.mean() < 0.9  # a threshold that matters
    assert abs(p_max.mean() - hit_max.mean()) < 0.05
    # the maximum is at least as likely to reach t as the mean
    res_mean = block_exceedance(sys_, gx[block], gy[block], w, pred[:, 0], [t])
    res_max = block_exceedance(sys_, gx[block], gy[block], w, pred[:, 0], [t], statistic="max", n_sim=2000)
    assert res_max["probability"][0] >= res_mean["probability"][0] - 0.02
    assert res_mean["method"] == "block kriging" and res_max["method"].startswith("conditional simulation")


def test_block_mean_on_the_log_scale_by_simulation_agrees_with_cell_lognormal():
    """One cell: the simulated log-scale 'mean' is the log-normal tail of that cell."""
    rng = np.random.default_rng(8)
    x, y = rng.uniform(0, 30_000, 15), rng.uniform(0, 30_000, 15)
    ok = OrdinaryKriging("exponential", {"psill": 0.2, "range": 15_000.0, "nugget": 0.01}).fit(
        (x, y), rng.normal(3.5, 0.3, 15))
    m, v = ok.predict((np.array([5000.0]), np.array([7000.0])), return_variance=True)
    res = block_exceedance(ok, [5000.0], [7000.0], [1.0], m, [35.5], log=True, n_sim=20_000, seed=1)
    want = exceedance_probability(m, v, [35.5], log=True)[0, 0]
    assert res["probability"][0] == pytest.approx(want, abs=0.012)


# ------------------------------------------------------------------------------ rasters and townships

@pytest.fixture(scope="module")
def pingtung():
    """A kriged PM2.5 24-h surface over 屏東縣 (2 km cells) from made-up stations with a known variogram."""
    rng = np.random.default_rng(11)
    grid = make_grid(county="屏東縣", cell_size=2000)
    w, s, e, n = grid.bounds
    x, y = rng.uniform(w, e, 12), rng.uniform(s, n, 12)
    z = 60 + 0.0004 * (x - w) - 0.0003 * (y - s) + rng.normal(0, 5, 12)
    ok = OrdinaryKriging("exponential", {"psill": 300.0, "range": 40_000.0, "nugget": 5.0}).fit((x, y), z)
    surf = ok.grid(grid=grid, pollutant="pm2.5", unit="ug/m3", averaging="24h_moving")
    return ok, surf


def test_exceedance_rasters_one_per_regulation_level(pingtung, tmp_path):
    ok, surf = pingtung
    r = exceedance_rasters(surf)
    assert list(r) == ["p_L1", "p_L2", "p_S1", "p_S2", "p_S3"]  # PM2.5 24-h levels of warning_2022
    assert r["p_L2"].tags["threshold"] == "54.5" and r["p_L2"].unit == "probability"
    want = exceedance_probability(surf.values, surf.variance, [54.5])[0]
    np.testing.assert_array_equal(r["p_L2"].values, want)
    assert np.array_equal(np.isnan(r["p_L1"].values), np.isnan(surf.values))
    stacked = np.stack([v.values for v in r.values()])
    fin = np.isfinite(stacked[0])
    assert np.all(np.diff(stacked[:, fin], axis=0) <= 1e-12)  # higher levels are never more likely
    path = r["p_L1"].to_geotiff(tmp_path / "p_L1.tif")
    with rasterio.open(path) as src:
        band = src.read(1, masked=True)
        assert src.crs.to_epsg() == 3826
        np.testing.assert_allclose(band.filled(np.nan)[fin], r["p_L1"].values[fin].astype("float32"))
    idw = IDW().fit((ok.x_, ok.y_), ok.z_).grid(grid=surf.grid, pollutant="pm2.5")
    with pytest.raises(InputError, match="no kriging variance"):
        exceedance_rasters(idw)


def test_township_weights_are_area_weights(pingtung):
    _, surf = pingtung
    tw = township_weights(surf.grid, filled=np.isfinite(surf.values))
    assert len(tw) == 33
    for t in tw:
        assert t["weights"].sum() == pytest.approx(1.0)
        assert 0.0 < t["covered"] <= 1.0 + 1e-9
        if t["area_km2"] > 20:  # small islands (琉球鄉) lose cells whose centre is at sea
            assert t["covered"] >= 0.85, t["township"]
    # 屏東市's weights: proportional to its area inside each cell (exact intersection)
    t = next(t for t in tw if t["township"] == "屏東市")
    assert t["weights"].max() <= 4e6 / (t["area_km2"] * 1e6 * t["covered"]) + 1e-9


def test_township_probabilities_and_zone_list(pingtung):
    ok, surf = pingtung
    tab = township_exceedance(surf, ok)
    assert len(tab) == 33 * 5
    assert tab["probability"].between(0, 1).all()
    # per township: probability falls as the level rises
    for _, g in tab.groupby("towncode"):
        assert np.all(np.diff(g.sort_values("level_rank")["probability"].to_numpy()) <= 1e-12)
    # the estimate is the area-weighted mean of the kriged cells
    tw = {t["towncode"]: t for t in township_weights(surf.grid, filled=np.isfinite(surf.values))}
    row = tab.iloc[0]
    t = tw[row["towncode"]]
    assert row["estimate"] == pytest.approx(float(t["weights"] @ surf.values[t["rows"], t["cols"]]))
    z50, z80, z95 = (probabilistic_zones(tab, c) for c in (0.5, 0.8, 0.95))
    assert (z50["basis"] == MODEL_BASIS).all() and len(z50) >= len(z80) >= len(z95)
    merged = z80.merge(z50, on="towncode", suffixes=("_80", "_50"))
    assert (merged["level_rank_80"] <= merged["level_rank_50"]).all()
    assert (z80["probability"] >= 0.8).all()
    with pytest.raises(InputError, match="between 0 and 1"):
        probabilistic_zones(tab, 1.5)
