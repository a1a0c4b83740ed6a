"""Many hours at once equal hour-by-hour fits; one pooled variogram; hours that cannot be done are reported."""

import numpy as np
import pytest

from geoairplan.errors import Problems
from geoairplan.interpolate import IDW, RBF, OrdinaryKriging, fit_variogram, grid_series

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


def test_grid_series_equals_per_hour_fits_with_missing_stations():
    hours = np.column_stack([Z, Z * 1.5 + 3, Z[::-1], Z + 10])
    hours[3, 1] = np.nan  # station 3 missing in hour 1
    hours[[5, 7], 3] = np.nan  # stations 5 and 7 missing in hour 3
    region = (180_000, 260_000, 2_430_000, 2_560_000)
    for g in [OrdinaryKriging("spherical", PARAMS), IDW(max_distance=None), RBF()]:
        surfs = grid_series(g, (X, Y), hours, times=["h0", "h1", "h2", "h3"], region=region, cell_size=4000)
        assert [s.time for s in surfs] == ["h0", "h1", "h2", "h3"]
        for h, s in enumerate(surfs):
            ok = np.isfinite(hours[:, h])
            single = g.clone().fit((X[ok], Y[ok]), hours[ok, h]).grid(region, cell_size=4000)
            np.testing.assert_allclose(s.values, single.values, rtol=1e-9, atol=1e-9)
            if g.has_variance:
                np.testing.assert_allclose(s.variance, single.variance, rtol=1e-9, atol=1e-9)


def test_grid_series_fits_one_pooled_variogram():
    hours = np.column_stack([Z, Z * 2, Z + 5])
    surfs = grid_series(OrdinaryKriging("spherical"), (X, Y), hours, region=(180_000, 260_000, 2_430_000, 2_560_000),
                        cell_size=5000)
    v = surfs[0].params["variogram"]
    assert v["fitted"] is True and v["pooled_hours"] == 3
    pooled = fit_variogram(X, Y, hours, "spherical")
    assert v["range"] == pytest.approx(pooled.range)
    assert all(s.params["variogram"] == v for s in surfs)


def test_grid_series_reports_hours_it_cannot_do():

    hours = np.column_stack([Z, np.where(np.arange(X.size) < 2, Z, np.nan)])  # hour 1: two stations
    probs = Problems()
    surfs = grid_series(RBF(), (X, Y), hours, times=["a", "b"], region=(180_000, 260_000, 2_430_000, 2_560_000),
                        cell_size=10_000, problems=probs)
    assert [s.time for s in surfs] == ["a"]
    assert len(probs) == 1 and "hour b" in probs.items[0].where and "at least 3" in probs.items[0].reason
