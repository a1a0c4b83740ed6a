"""Leave-one-out cross-validation equals brute-force refits."""

import numpy as np
import pytest

from geoairplan.interpolate import IDW, RBF, OrdinaryKriging, cross_validate

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


@pytest.mark.parametrize("gridder", [OrdinaryKriging("spherical", PARAMS), OrdinaryKriging("exponential"),
                                     IDW(), IDW(power=2, n_neighbors=4, search_radius=40_000), RBF()],
                         ids=["kriging-fixed", "kriging-fitted", "idw", "idw-radius", "rbf"])
def test_leave_one_out_equals_brute_force_refits(gridder):
    labels = [f"s{i}" for i in range(X.size)]
    fast = cross_validate(gridder, (X, Y), Z, labels=labels)
    # brute force, written out: refit without station i, predict at station i
    base = gridder.clone()
    if isinstance(gridder, OrdinaryKriging):
        base = gridder.clone(variogram_parameters=gridder.clone().fit((X, Y), Z).variogram_.params)
    pred = []
    for i in range(X.size):
        keep = np.arange(X.size) != i
        pred.append(base.clone().fit((X[keep], Y[keep]), Z[keep]).predict((X[i:i + 1], Y[i:i + 1]))[0])
    pred = np.array(pred)
    np.testing.assert_allclose(fast.table["predicted"], pred, rtol=1e-8, atol=1e-8, equal_nan=True)
    err = pred - Z
    assert fast.rmse == pytest.approx(np.sqrt(np.nanmean(err ** 2)))
    assert fast.mae == pytest.approx(np.nanmean(np.abs(err)))
    assert fast.bias == pytest.approx(np.nanmean(err))
    assert list(fast.table["station"]) == labels
    if isinstance(gridder, OrdinaryKriging):  # LOO variance from the closed form equals the refit's variance
        slow = cross_validate(gridder, (X, Y), Z, brute_force=True)
        np.testing.assert_allclose(fast.table["variance"], slow.table["variance"], rtol=1e-8)


def test_cross_validate_on_a_fitted_gridder():
    cv = OrdinaryKriging("spherical", PARAMS).fit((X, Y), Z).cross_validate()
    assert cv.n == X.size and cv.rmse > 0 and "RMSE" in str(cv)
