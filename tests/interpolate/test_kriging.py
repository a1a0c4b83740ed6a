"""Ordinary kriging equals PyKrige (fixed, fitted and local variograms); bad variograms are clear errors."""

import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.interpolate import OrdinaryKriging, fit_variogram

pykrige = pytest.importorskip("pykrige.ok")

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


def _close(a, b, scale):
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8 * scale)


@pytest.mark.parametrize("model", ["spherical", "exponential", "gaussian"])
def test_kriging_equals_pykrige_with_fixed_variogram(model):
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model=model, variogram_parameters=dict(PARAMS),
                                  coordinates_type="euclidean", exact_values=True, pseudo_inv=False)
    z_ref, s_ref = ref.execute("points", PX, PY, backend="vectorized")
    ok = OrdinaryKriging(model, PARAMS).fit((X, Y), Z)
    z, s = ok.predict((PX, PY), return_variance=True)
    _close(z, np.asarray(z_ref), 100)
    _close(s, np.asarray(s_ref), PARAMS["psill"] + PARAMS["nugget"])
    # station locations: exact values, zero variance (PyKrige's exact_values)
    np.testing.assert_allclose(z[-6:], Z[:6], atol=1e-9)
    np.testing.assert_allclose(s[-6:], 0.0, atol=1e-9)


@pytest.mark.parametrize("model,params", [("linear", {"slope": 2e-3, "nugget": 1.0}),
                                          ("power", {"scale": 0.02, "exponent": 1.3, "nugget": 0.5})])
def test_kriging_unbounded_models_equal_pykrige(model, params):
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model=model, variogram_parameters=dict(params))
    z_ref, s_ref = ref.execute("points", PX, PY, backend="vectorized")
    z, s = OrdinaryKriging(model, params).fit((X, Y), Z).predict((PX, PY), return_variance=True)
    _close(z, np.asarray(z_ref), 100)
    _close(s, np.asarray(s_ref), float(np.max(s_ref)))


def test_pykrige_list_form_is_sill_range_nugget():
    a = OrdinaryKriging("spherical", [63.0, 45_000.0, 3.0]).fit((X, Y), Z)
    b = OrdinaryKriging("spherical", {"sill": 63.0, "range": 45_000.0, "nugget": 3.0}).fit((X, Y), Z)
    assert a.variogram_.psill == b.variogram_.psill == 60.0
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model="spherical", variogram_parameters=[63.0, 45_000.0, 3.0])
    _close(a.predict((PX, PY)), np.asarray(ref.execute("points", PX, PY)[0]), 100)


@pytest.mark.parametrize("model", ["spherical", "exponential"])
def test_local_kriging_equals_pykrige_moving_window(model):
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model=model, variogram_parameters=dict(PARAMS))
    z_ref, s_ref = ref.execute("points", PX[:500], PY[:500], backend="loop", n_closest_points=8)
    z, s = OrdinaryKriging(model, PARAMS, n_neighbors=8).fit((X, Y), Z).predict((PX[:500], PY[:500]),
                                                                              return_variance=True)
    _close(z, np.asarray(z_ref), 100)
    _close(s, np.asarray(s_ref), 63)


@pytest.mark.parametrize("model", ["spherical", "exponential", "gaussian"])
def test_fitted_variogram_equals_pykrige_fit(model):
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model=model, nlags=6)
    v = fit_variogram(X, Y, Z, model, nlags=6)
    np.testing.assert_allclose(v.as_list(), ref.variogram_model_parameters, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v.lags, ref.lags, rtol=1e-12)
    np.testing.assert_allclose(v.semivariance, ref.semivariance, rtol=1e-12)


def test_kriging_chunks_threads_and_grid_agree():
    ok1 = OrdinaryKriging("exponential", PARAMS, memory_budget=1, workers=1).fit((X, Y), Z)  # 256-row chunks
    ok2 = OrdinaryKriging("exponential", PARAMS, workers=2).fit((X, Y), Z)
    a, va = ok1.predict((PX, PY), return_variance=True)
    b, vb = ok2.predict((PX, PY), return_variance=True)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(va, vb, rtol=1e-10, atol=1e-12)
    surf = ok2.grid((180_000, 200_000, 2_450_000, 2_470_000), cell_size=1000)
    gx, gy = np.meshgrid(surf.x, surf.y)
    z, s = ok2.predict((gx.ravel(), gy.ravel()), return_variance=True)
    np.testing.assert_allclose(surf.values.ravel(), z)
    np.testing.assert_allclose(surf.variance.ravel(), s)
    assert surf.crs == "EPSG:3826" and surf.transform.a == 1000 and surf.transform.e == -1000


def test_variogram_that_does_not_fit():
    gx, gy = np.meshgrid(np.arange(6) * 1000.0, np.arange(6) * 1000.0)
    x, y = gx.ravel() + 200_000, gy.ravel() + 2_500_000
    noise = np.random.default_rng(0).normal(size=36)  # no spatial structure at all
    with pytest.raises(InputError, match="does not fit.*no spatial structure") as exc:
        OrdinaryKriging("spherical").fit((x, y), noise)
    assert "variogram_parameters" in exc.value.fix and "empirical variogram" in exc.value.problem


def test_bad_variogram_parameters():
    with pytest.raises(InputError, match="range"):
        OrdinaryKriging("spherical", {"psill": 1.0, "range": -5.0, "nugget": 0.0})
    with pytest.raises(InputError, match="missing range"):
        OrdinaryKriging("exponential", {"psill": 1.0, "nugget": 0.0})
    with pytest.raises(InputError, match="unknown variogram model"):
        OrdinaryKriging("cubic")


def test_ill_conditioned_gaussian_without_nugget():
    x = np.r_[X, X[0] + 1.0]
    y = np.r_[Y, Y[0]]
    with pytest.raises(InputError, match="nugget"):
        OrdinaryKriging("gaussian", {"psill": 10.0, "range": 80_000.0, "nugget": 0.0}).fit((x, y), np.r_[Z, Z[0]])


def test_cells_on_and_next_to_stations_match_pykrige_in_any_order():
    # cells exactly on a station, within PyKrige's 1e-10 m "distance zero", and just outside it
    # (1e-6 m: kriged, not snapped), shuffled among ordinary cells and spread over many blocks and spans
    off = np.r_[np.zeros(10), np.full(10, 4e-11), np.full(10, 1e-6)]
    k = np.arange(30) % 10
    qx = np.r_[PX[:2000], X[k] + off, X[k]]
    qy = np.r_[PY[:2000], Y[k] - off, Y[k] + 3e-11]
    order = np.random.default_rng(5).permutation(qx.size)
    qx, qy = qx[order], qy[order]
    ref = pykrige.OrdinaryKriging(X, Y, Z, variogram_model="spherical", variogram_parameters=dict(PARAMS),
                                  exact_values=True, pseudo_inv=False)
    z_ref, s_ref = ref.execute("points", qx, qy, backend="vectorized")
    for budget, workers in ((1, 2), (64 * 2**20, 1)):  # 64-row blocks on two threads; one block
        ok = OrdinaryKriging("spherical", PARAMS, memory_budget=budget, workers=workers).fit((X, Y), Z)
        z, s = ok.predict((qx, qy), return_variance=True)
        _close(z, np.asarray(z_ref), 100)
        _close(s, np.asarray(s_ref), 63)
    src = order - 2000  # position in the 40 station-side cells, or negative
    on = ((src >= 0) & (src < 20)) | (src >= 30)  # on a station or within 1e-10 m of one
    np.testing.assert_allclose(z[on], Z[k[np.where(src[on] >= 30, src[on] - 30, src[on])]], atol=1e-9)
    assert np.all(s[on] <= 1e-9) and np.all(s[~on] > 1e-3)
