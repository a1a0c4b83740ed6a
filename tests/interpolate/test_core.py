"""The gridder protocol, for every method: constants, exactness, reprojection, bad input."""

import geopandas as gpd
import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.interpolate import IDW, RBF, OrdinaryKriging, make_grid

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


@pytest.mark.parametrize("gridder", [IDW(max_distance=None), OrdinaryKriging("spherical", PARAMS),
                                     OrdinaryKriging("gaussian"), RBF(), RBF("cubic"),
                                     OrdinaryKriging("exponential", PARAMS, n_neighbors=6)],
                         ids=["idw", "kriging-fixed", "kriging-fitted", "rbf-tps", "rbf-cubic", "kriging-local"])
def test_constant_field_interpolates_to_the_constant(gridder):
    g = gridder.fit((X, Y), np.full(X.size, 42.5))
    np.testing.assert_allclose(g.predict((PX, PY)), 42.5, rtol=1e-9)
    surf = g.grid((180_000, 220_000, 2_450_000, 2_500_000), cell_size=5000)
    np.testing.assert_allclose(surf.values, 42.5, rtol=1e-9)


@pytest.mark.parametrize("gridder", [IDW(), OrdinaryKriging("spherical", PARAMS), OrdinaryKriging("exponential"),
                                     RBF(), OrdinaryKriging("spherical", PARAMS, n_neighbors=5)],
                         ids=["idw", "kriging-fixed", "kriging-fitted", "rbf", "kriging-local"])
def test_station_location_predicts_its_own_value(gridder):
    g = gridder.fit((X, Y), Z)
    np.testing.assert_allclose(g.predict((X, Y)), Z, rtol=1e-9, atol=1e-9)


def test_geodataframe_in_lonlat_is_reprojected():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(X, Y), crs=3826).to_crs(4326)
    a = IDW().fit(pts, Z).predict((PX, PY))
    b = IDW().fit((X, Y), Z).predict((PX, PY))
    np.testing.assert_allclose(a, b, rtol=1e-9)
    with pytest.raises(InputError, match="degrees"):
        IDW().fit((pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()), Z)
    c = IDW().fit((pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()), Z, crs=4326).predict((PX, PY))
    np.testing.assert_allclose(c, b, rtol=1e-9)


def test_too_few_points():
    with pytest.raises(InputError, match="at least 5 points"):
        OrdinaryKriging("spherical").fit((X[:3], Y[:3]), Z[:3])
    with pytest.raises(InputError, match="at least 3 points"):
        RBF().fit((X[:2], Y[:2]), Z[:2])
    with pytest.raises(InputError, match="at least 1 point with values"):
        IDW().fit((X[:0], Y[:0]), Z[:0])


def test_all_points_identical():
    for g in (IDW(), OrdinaryKriging("spherical", PARAMS), RBF()):
        with pytest.raises(InputError, match="same location"):
            g.fit((np.full(6, 200_000.0), np.full(6, 2_500_000.0)), np.arange(6.0))


def test_colocated_points_refused_by_exact_methods_only():
    x, y = np.r_[X, X[0]], np.r_[Y, Y[0]]
    z = np.r_[Z, Z[0] + 1]
    with pytest.raises(InputError, match="share a location.*s0 and s40|share a location.*s40 and s0"):
        OrdinaryKriging("spherical", PARAMS).fit((x, y), z, labels=[f"s{i}" for i in range(41)])
    idw = IDW().fit((x, y), z)
    assert idw.predict((X[:1], Y[:1]))[0] == pytest.approx(Z[0] + 0.5)  # mean of the co-located pair


def test_absurd_cell_size_says_how_big_and_what_to_use():
    ok = OrdinaryKriging("spherical", PARAMS).fit((X, Y), Z)
    with pytest.raises(InputError) as exc:
        ok.grid(county="屏東縣", cell_size=1)
    msg = str(exc.value)
    assert "cells" in msg and "GB" in msg and "屏東縣" in msg
    assert "use a cell size of" in exc.value.fix
    suggested = float(exc.value.fix.split("use a cell size of ")[1].split(" m")[0])
    g = make_grid(county="屏東縣", cell_size=suggested)  # the suggestion works
    assert g.nx * g.ny <= 20_000_000
    for bad in (0, -5, float("nan"), "abc"):
        with pytest.raises(InputError, match="cell size"):
            make_grid(county="屏東縣", cell_size=bad)


def test_predict_before_fit_and_variance_for_idw():
    with pytest.raises(InputError, match="not fitted"):
        IDW().predict((X, Y))
    with pytest.raises(InputError, match="no prediction variance"):
        IDW().fit((X, Y), Z).predict((X, Y), return_variance=True)
