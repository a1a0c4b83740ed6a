"""The global kriging variance in covariance form (Cholesky, triangular product) equals the general form."""

import numpy as np
import pytest

from geoairplan.interpolate.kriging import OrdinaryKriging, _triu_pair, empirical_variogram

RNG = np.random.default_rng(5)
X = RNG.uniform(170_000, 270_000, 85)
Y = RNG.uniform(2_420_000, 2_570_000, 85)
Z = 30 + 0.0002 * (X - 170_000) + 10 * np.sin(Y / 20_000) + RNG.normal(0, 2, 85)
PX = np.r_[RNG.uniform(160_000, 280_000, 5000), X[:5]]
PY = np.r_[RNG.uniform(2_410_000, 2_580_000, 5000), Y[:5]]


@pytest.mark.parametrize("model,params", [("spherical", {"psill": 80.0, "range": 40_000.0, "nugget": 5.0}),
                                          ("exponential", {"psill": 80.0, "range": 40_000.0, "nugget": 0.0}),
                                          ("gaussian", {"psill": 80.0, "range": 30_000.0, "nugget": 2.0})])
def test_covariance_form_equals_general_form(model, params):
    ok = OrdinaryKriging(model, params).fit((X, Y), Z)
    assert ok._chol is not None  # the bounded models use the covariance form
    z1, s1 = ok.predict((PX, PY), return_variance=True)
    ok._chol = None  # the general form, bᵀA⁻¹b
    z2, s2 = ok.predict((PX, PY), return_variance=True)
    np.testing.assert_allclose(z1, z2, rtol=0, atol=1e-9)
    np.testing.assert_allclose(s1, s2, rtol=0, atol=1e-8 * (params["psill"] + params["nugget"]))
    # and the variance as defined, λᵀγ0 + μ, from a direct solve at a few cells
    n = X.size
    xy = np.column_stack([X, Y])
    a = ok._kriging_matrix(xy)
    for i in (0, 17, 4999):
        b = np.ones(n + 1)
        b[:n] = ok.variogram_(np.hypot(X - PX[i], Y - PY[i]))
        w = np.linalg.solve(a, b)
        assert s1[i] == pytest.approx(w @ b, abs=1e-8 * 85)
        assert z1[i] == pytest.approx(w[:n] @ Z, abs=1e-9)
    np.testing.assert_allclose(s1[-5:], 0.0, atol=1e-9)  # on a station


def test_unbounded_models_keep_the_general_form():
    ok = OrdinaryKriging("linear", {"slope": 1e-3, "nugget": 1.0}).fit((X, Y), Z)
    assert ok._chol is None
    z, s = ok.predict((PX, PY), return_variance=True)
    assert np.all(np.isfinite(s)) and np.all(s >= 0)


@pytest.mark.parametrize("n", [2, 3, 11, 400])
def test_pair_index_matches_triu_indices(n):
    i, j = np.triu_indices(n, k=1)
    a, b = _triu_pair(np.arange(i.size), n)
    assert np.array_equal(a, i) and np.array_equal(b, j)


def test_sampled_pairs_are_the_pairs_of_triu_indices():
    """Above max_pairs the variogram uses the seeded subset of np.triu_indices' pairs (as before)."""
    x, y, z = X[:60], Y[:60], Z[:60]
    lags, sv, cnt = empirical_variogram(x, y, z, 6, max_pairs=500, seed=3)
    i, j = np.triu_indices(60, k=1)
    pick = np.sort(np.random.default_rng(3).choice(i.size, size=500, replace=False))
    i, j = i[pick], j[pick]
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    assert cnt.sum() == 500
    bins = np.linspace(d.min(), d.max(), 7)
    bins[-1] = d.max() + 0.001
    which = np.clip(np.searchsorted(bins, d, side="right") - 1, 0, 5)
    g = 0.5 * (z[i] - z[j]) ** 2
    ref = np.array([g[which == c].mean() for c in range(6) if np.any(which == c)])
    np.testing.assert_allclose(sv, ref, rtol=1e-12)
