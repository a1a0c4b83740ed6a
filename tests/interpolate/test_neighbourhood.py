"""Neighbourhood kriging (k nearest points per cell) equals PyKrige's moving window and, for k = N, global kriging."""

import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.interpolate.kriging import NeighbourhoodKriging, OrdinaryKriging
from geoairplan.interpolate.neighbourhood import (DEFAULT_NEIGHBOURS, neighbourhood_chunk, predict_neighbourhood,
                                                  spatial_order)

pykrige = pytest.importorskip("pykrige.ok")

# 300 "sensors" over 60 x 80 km in TM2 metres; prediction points: a fine grid patch (adjacent cells share
# neighbour sets), random points, and ten sensor locations (exact values, zero variance).
RNG = np.random.default_rng(17)
N = 300
X = RNG.uniform(180_000, 240_000, N)
Y = RNG.uniform(2_450_000, 2_530_000, N)
Z = 25 + 0.0003 * (X - 180_000) + 8 * np.sin(Y / 9_000) + RNG.normal(0, 1.5, N)
GX, GY = np.meshgrid(np.arange(200_000, 212_000, 250.0), np.arange(2_480_000, 2_488_000, 250.0))
PX = np.r_[GX.ravel(), RNG.uniform(180_000, 240_000, 600), X[:10]]
PY = np.r_[GY.ravel(), RNG.uniform(2_450_000, 2_530_000, 600), Y[:10]]
MODELS = {
    "spherical": {"psill": 40.0, "range": 20_000.0, "nugget": 2.0},
    "exponential": {"psill": 40.0, "range": 20_000.0, "nugget": 2.0},
    "gaussian": {"psill": 40.0, "range": 15_000.0, "nugget": 2.0},
    "linear": {"slope": 1e-3, "nugget": 1.0},
    "power": {"scale": 0.01, "exponent": 1.4, "nugget": 0.5},
}


def _pykrige(model, params, k, px=PX, py=PY, exact=True):
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model=model, variogram_parameters=dict(params),
                                  exact_values=exact)
    z, s = ref.execute("points", px, py, backend="loop", n_closest_points=k)
    return np.asarray(z), np.asarray(s)


def _close(a, b, scale):
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8 * scale)


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("k", [5, 16])
def test_equals_pykrige_moving_window(model, k):
    params = MODELS[model]
    z_ref, s_ref = _pykrige(model, params, k)
    nk = NeighbourhoodKriging(model, params, n_neighbors=k).fit((X, Y), Z)
    z, s = nk.predict((PX, PY), return_variance=True)
    _close(z, z_ref, 100)
    _close(s, s_ref, float(np.max(s_ref)))
    # sensors: their own value, zero variance
    np.testing.assert_allclose(z[-10:], Z[:10], atol=1e-9)
    np.testing.assert_allclose(s[-10:], 0.0, atol=1e-9)
    # the grid patch shares neighbour sets: fewer systems than cells, every cell kriged
    stats = nk.neighbourhood_stats_
    assert stats["cells"] == PX.size
    assert stats["systems"] < 0.8 * PX.size


def test_exact_values_off_equals_pykrige():
    params = MODELS["exponential"]
    px, py = np.r_[X[:20], PX[:300]], np.r_[Y[:20], PY[:300]]
    z_ref, s_ref = _pykrige("exponential", params, 8, px, py, exact=False)
    z, s = NeighbourhoodKriging("exponential", params, n_neighbors=8, exact_values=False).fit(
        (X, Y), Z).predict((px, py), return_variance=True)
    _close(z, z_ref, 100)
    _close(s, s_ref, 42)
    assert np.all(s[:20] > 0)  # with the nugget kept at a sensor, the variance is not zero


@pytest.mark.parametrize("model", ["spherical", "gaussian", "power"])
def test_k_equal_n_is_global_kriging(model):
    """The neighbourhood solver with every point in every neighbourhood gives global kriging."""
    params = MODELS[model]
    ok = OrdinaryKriging(model, params).fit((X, Y), Z)
    z_glob, s_glob = ok.predict((PX, PY), return_variance=True)
    nk = NeighbourhoodKriging(model, params, n_neighbors=8).fit((X, Y), Z)  # its tree and centred points
    pts = np.column_stack([PX - nk._x0, PY - nk._y0])
    vals, var, groups = neighbourhood_chunk(nk._xy, nk._z2, nk.variogram_, nk._tree, N, pts)
    assert groups == 1  # one neighbour set: all points, factorised once
    _close(vals[:, 0], z_glob, 100)
    _close(var, s_glob, float(np.max(s_glob)))


def test_chunks_threads_and_order_do_not_change_the_result():
    params = MODELS["spherical"]
    base = NeighbourhoodKriging("spherical", params, n_neighbors=12, workers=1).fit((X, Y), Z)
    z1, s1 = base.predict((PX, PY), return_variance=True)
    small = NeighbourhoodKriging("spherical", params, n_neighbors=12, workers=2, memory_budget=1).fit((X, Y), Z)
    z2, s2 = small.predict((PX, PY), return_variance=True)  # chunks of 256 cells on two threads
    _close(z2, z1, 100)
    _close(s2, s1, 42)
    perm = RNG.permutation(PX.size)  # points in another order: the same values, point by point
    z3, s3 = base.predict((PX[perm], PY[perm]), return_variance=True)
    _close(z3, z1[perm], 100)
    _close(s3, s1[perm], 42)


def test_many_columns_equal_one_at_a_time():
    params = MODELS["exponential"]
    zz = np.column_stack([Z, Z[::-1] * 0.5, np.sqrt(Z)])
    many = NeighbourhoodKriging("exponential", params, n_neighbors=10).fit((X, Y), zz)
    vals, var = many.predict((PX, PY), return_variance=True)
    assert vals.shape == (PX.size, 3)
    for h in range(3):
        one, v1 = NeighbourhoodKriging("exponential", params, n_neighbors=10).fit((X, Y), zz[:, h]).predict(
            (PX, PY), return_variance=True)
        _close(vals[:, h], one, 100)
        _close(var, v1, 42)


def test_grid_fills_like_predict():
    params = MODELS["spherical"]
    nk = NeighbourhoodKriging("spherical", params, n_neighbors=16).fit((X, Y), Z)
    s = nk.grid((200_000, 212_000, 2_480_000, 2_488_000), cell_size=500)
    row, col = 3, 7
    cx = s.grid.west + (col + 0.5) * 500
    cy = s.grid.north - (row + 0.5) * 500
    v, var = nk.predict(([cx], [cy]), return_variance=True)
    assert s.values[row, col] == pytest.approx(v[0], abs=1e-12)
    assert s.variance[row, col] == pytest.approx(var[0], abs=1e-12)


def test_default_and_bad_neighbour_counts():
    assert NeighbourhoodKriging().n_neighbors == DEFAULT_NEIGHBOURS == 32
    assert OrdinaryKriging().n_neighbors is None  # global kriging stays the default of OrdinaryKriging
    with pytest.raises(InputError, match="n_neighbors"):
        NeighbourhoodKriging(n_neighbors=None)
    with pytest.raises(InputError, match="at least 2"):
        NeighbourhoodKriging(n_neighbors=1)
    assert NeighbourhoodKriging(n_neighbors=7).clone().n_neighbors == 7


def test_spatial_order_is_a_permutation_of_compact_tiles():
    pts = np.column_stack([GX.ravel(), GY.ravel()])
    order = spatial_order(pts, 64)
    assert np.array_equal(np.sort(order), np.arange(pts.shape[0]))
    # consecutive chunks of 64 cells are compact: much smaller than the whole patch
    spans = [np.ptp(pts[order[s:s + 64]], axis=0).max() for s in range(0, pts.shape[0] - 64, 64)]
    assert np.median(spans) < 0.35 * np.ptp(pts, axis=0).max()


def test_predict_neighbourhood_reports_systems():
    params = MODELS["spherical"]
    nk = NeighbourhoodKriging("spherical", params, n_neighbors=6).fit((X, Y), Z)
    pts = np.column_stack([PX - nk._x0, PY - nk._y0])
    out = np.empty((PX.size, 1))
    var = np.empty(PX.size)
    stats = predict_neighbourhood(nk._xy, nk._z2, nk.variogram_, nk._tree, 6, pts, out, var, chunk=500)
    assert 0 < stats["systems"] < PX.size and stats["cells"] == PX.size
    z, s = nk.predict((PX, PY), return_variance=True)
    _close(out[:, 0], z, 100)


def test_refitting_switches_between_global_and_neighbourhood():
    """A gridder fitted again on fewer points than k krige globally (no stale KD-tree or inverse)."""
    params = MODELS["spherical"]
    nk = NeighbourhoodKriging("spherical", params, n_neighbors=12).fit((X, Y), Z)
    assert nk._loo() is None  # neighbourhood kriging: no closed-form leave-one-out
    nk.fit((X[:10], Y[:10]), Z[:10])  # 10 points < k: global kriging
    ok = OrdinaryKriging("spherical", params).fit((X[:10], Y[:10]), Z[:10])
    _close(nk.predict((PX[:50], PY[:50])), ok.predict((PX[:50], PY[:50])), 100)
    assert nk._loo() is not None
