"""Interpolation numerics: kriging equals PyKrige, IDW equals brute force, LOO equals refits, bad input."""

import numpy as np
import geopandas as gpd
import pytest

from geoairplan.errors import InputError
from geoairplan.interpolate import (IDW, RBF, OrdinaryKriging, Surface, cross_validate, fit_variogram,
                                    grid_series, make_grid)

pykrige = pytest.importorskip("pykrige.ok")

# A southern-Taiwan-like layout in TM2 metres: 40 stations over 100 x 150 km.
RNG = np.random.default_rng(20250114)
X = RNG.uniform(170_000, 270_000, 40)
Y = RNG.uniform(2_420_000, 2_570_000, 40)
Z = 30 + 0.0002 * (X - 170_000) + 10 * np.sin(Y / 20_000) + RNG.normal(0, 2, 40)
PX = np.r_[RNG.uniform(170_000, 270_000, 2000), X[:6]]          # includes six station locations
PY = np.r_[RNG.uniform(2_420_000, 2_570_000, 2000), Y[:6]]
PARAMS = {"psill": 60.0, "range": 45_000.0, "nugget": 3.0}


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


def _idw_brute(x, y, z, px, py, power, k, radius=np.inf):
    out = np.empty(px.size)
    for i in range(px.size):
        d = np.hypot(x - px[i], y - py[i])
        order = np.argsort(d, kind="stable")[:k]
        order = order[d[order] <= radius]
        if order.size == 0:
            out[i] = np.nan
        elif d[order[0]] == 0:
            out[i] = z[order][d[order] == 0].mean()
        else:
            w = 1.0 / d[order] ** power
            out[i] = np.sum(w * z[order]) / np.sum(w)
    return out


@pytest.mark.parametrize("power,k,radius", [(5.0, 10, None), (2.0, 3, None), (2.5, 40, 30_000.0), (1.0, 1, None)])
def test_idw_equals_brute_force(power, k, radius):
    idw = IDW(power=power, n_neighbors=k, search_radius=radius, max_distance=None).fit((X, Y), Z)
    got = idw.predict((PX, PY))
    ref = _idw_brute(X, Y, Z, PX, PY, power, k, np.inf if radius is None else radius)
    np.testing.assert_allclose(got, ref, rtol=1e-12, equal_nan=True)
    if radius is not None:
        assert np.isnan(got).any() and np.isfinite(got).any()


def test_idw_defaults_are_airnow_and_mask_sparse_areas():
    idw = IDW()
    assert (idw.power, idw.n_neighbors, idw.max_distance) == (5.0, 10, 25_000.0)
    idw.fit((X, Y), Z)
    surf = idw.grid((100_000, 300_000, 2_400_000, 2_600_000), cell_size=2000)
    gx, gy = np.meshgrid(surf.x, surf.y)
    nearest = np.min(np.hypot(gx[..., None] - X, gy[..., None] - Y), axis=-1)
    assert np.array_equal(np.isnan(surf.values), nearest > 25_000)


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


# --------------------------------------------------------------------------- leave-one-out

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


# --------------------------------------------------------------------------- many hours

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
    from geoairplan.errors import Problems

    hours = np.column_stack([Z, np.where(np.arange(X.size) < 2, Z, np.nan)])  # hour 1: two stations
    probs = Problems()
    surfs = grid_series(RBF(), (X, Y), hours, times=["a", "b"], region=(180_000, 260_000, 2_430_000, 2_560_000),
                        cell_size=10_000, problems=probs)
    assert [s.time for s in surfs] == ["a"]
    assert len(probs) == 1 and "hour b" in probs.items[0].where and "at least 3" in probs.items[0].reason


# --------------------------------------------------------------------------- GeoTIFF

def test_geotiff_roundtrip_with_variance(tmp_path):
    import rasterio

    ok = OrdinaryKriging("spherical", PARAMS).fit((X, Y), Z)
    surf = ok.grid(county="屏東縣", cell_size=2000, pollutant="pm2.5", unit="ug/m3", time="2025-01-16 14:00")
    p = surf.to_geotiff(tmp_path / "k.tif")
    with rasterio.open(p) as r:
        assert r.crs.to_epsg() == 3826 and r.count == 2
        assert r.transform == surf.transform
        v, s = r.read(1, masked=True), r.read(2, masked=True)
        assert r.tags()["method"] == "kriging" and r.tags()["time"] == "2025-01-16 14:00"
        assert "variance" in r.descriptions[1]
    land = surf.grid.mask
    assert np.array_equal(~v.mask, land) and np.array_equal(~s.mask, land)
    np.testing.assert_allclose(v.filled(np.nan)[land], surf.values[land], rtol=1e-6)
    # a cell far out at sea, west of the county, is nodata
    row, col = surf.grid.cell_of(np.array([surf.bounds[0] + 1000.0]), np.array([surf.bounds[3] - 1000.0]))
    assert v.mask[row[0], col[0]]


# --------------------------------------------------------------------------- bad input

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


def test_nan_values_named():
    z = Z.copy()
    z[[4, 9]] = np.nan
    with pytest.raises(InputError, match=r"2 point\(s\) have no valid value.*s4, s9"):
        IDW().fit((X, Y), z, labels=[f"s{i}" for i in range(40)])


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


def test_surface_sample_and_title():
    s = IDW(max_distance=None).fit((X, Y), Z).grid((180_000, 200_000, 2_450_000, 2_470_000), cell_size=1000,
                                                   pollutant="o3", unit="ppb", label="scenario")
    assert isinstance(s, Surface)
    v = s.sample(s.x[:3], np.full(3, s.y[0]))
    np.testing.assert_allclose(v, s.values[0, :3])
    assert np.isnan(s.sample([0.0], [0.0])[0])
    assert "[scenario]" in s.title() and "O3" in s.title()
