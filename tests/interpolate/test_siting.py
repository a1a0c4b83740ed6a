"""Sensor siting: the greedy variance reduction against brute-force refits, plume detection against loops."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.grid import make_grid
from geoairplan.hotspots.upwind import wind_observations
from geoairplan.interpolate.kriging import OrdinaryKriging
from geoairplan.interpolate.siting import (candidate_grid, plume_sites, source_locations, target_weights,
                                           variance_sites)
from geoairplan.io import read_moenv_hourly, read_text_table
from geoairplan.publish import write
from geoairplan.reference.geography import data_dir

PARAMS = {"psill": 40.0, "range": 18_000.0, "nugget": 2.0}


def _mean_variance(stx, sty, tx, ty, w, model="spherical"):
    """Brute force: refit kriging on these stations (values are irrelevant to the variance) and average."""
    ok = OrdinaryKriging(model, PARAMS).fit((stx, sty), np.arange(stx.size, dtype=float))
    _, var = ok.predict((tx, ty), return_variance=True)
    return float(w @ var), var


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(21)
    grid = make_grid(region=(0, 40_000, 0, 30_000), cell_size=2000)  # 20 x 15 cells
    x, y = rng.uniform(0, 40_000, 8), rng.uniform(0, 30_000, 8)
    ok = OrdinaryKriging("spherical", PARAMS).fit((x, y), rng.normal(30, 5, 8))
    cx, cy = rng.uniform(0, 40_000, 40), rng.uniform(0, 30_000, 40)
    rows, cols = np.nonzero(grid.land)
    tx = grid.west + (cols + 0.5) * grid.cell_size
    ty = grid.north - (rows + 0.5) * grid.cell_size
    return grid, ok, x, y, cx, cy, tx, ty


def test_greedy_sites_match_brute_force_recomputation(setup):
    grid, ok, x, y, cx, cy, tx, ty = setup
    res = variance_sites(ok, grid, n_add=4, candidates=(cx, cy))
    w = np.full(tx.size, 1.0 / tx.size)
    sx, sy = x.copy(), y.copy()
    for r in res.sites.itertuples(index=False):
        # the pick is the best single addition, by brute force over every candidate
        brute = []
        for i in range(cx.size):
            if np.any((cx[i] == sx) & (cy[i] == sy)):
                brute.append(np.inf)
                continue
            brute.append(_mean_variance(np.r_[sx, cx[i]], np.r_[sy, cy[i]], tx, ty, w)[0])
        best = int(np.argmin(brute))
        assert (cx[best], cy[best]) == (r.x, r.y)
        sx, sy = np.r_[sx, r.x], np.r_[sy, r.y]
        j, var = _mean_variance(sx, sy, tx, ty, w)
        assert r.objective_after == pytest.approx(j, rel=1e-8)
    # the variance raster after all additions, cell by cell
    rows, cols = np.nonzero(grid.land)
    np.testing.assert_allclose(res.after.values[rows, cols], var, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(res.before.values[rows, cols],
                               _mean_variance(x, y, tx, ty, w)[1], rtol=1e-8, atol=1e-9)
    assert np.all(np.diff(res.sites["objective_after"]) < 0)
    assert np.all(np.diff(res.sites["gain"]) <= 1e-12)  # each addition gains less (here)
    assert res.sites.crs.to_epsg() == 3826
    assert set(res.rasters()) == {"variance_before", "variance_after"}


def test_custom_weights_change_the_objective(setup):
    grid, ok, x, y, cx, cy, tx, ty = setup
    w = np.zeros(grid.shape)
    w[:, :5] = 1.0  # only the western quarter matters
    res = variance_sites(ok, grid, n_add=1, candidates=(cx, cy), weights=w)
    assert res.sites["x"].iloc[0] < 16_000
    ww = target_weights(grid, w)[np.nonzero(grid.land)]
    assert res.sites["objective_after"].iloc[0] == pytest.approx(
        _mean_variance(np.r_[x, res.sites["x"].iloc[0]], np.r_[y, res.sites["y"].iloc[0]], tx, ty, ww)[0],
        rel=1e-8)


def test_candidates_on_stations_are_left_out_and_reported(setup):
    grid, ok, x, y, cx, cy, tx, ty = setup
    res = variance_sites(ok, grid, n_add=1, candidates=(np.r_[x[:2], cx[:3]], np.r_[y[:2], cy[:3]]))
    assert sum("on an existing station" in p.reason for p in res.problems) == 2
    with pytest.raises(InputError, match="at least one"):
        variance_sites(ok, grid, n_add=0)


def test_pingtung_weightings_and_default_candidates():
    rng = np.random.default_rng(2)
    grid = make_grid(county="屏東縣", cell_size=2000)
    w_, s_, e_, n_ = grid.bounds
    ok = OrdinaryKriging("exponential", {"psill": 300.0, "range": 40_000.0, "nugget": 5.0}).fit(
        (rng.uniform(w_, e_, 6), rng.uniform(s_, n_, 6)), rng.normal(50, 8, 6))
    for how in ("cells", "area", "township"):
        w = target_weights(grid, how)
        assert w.sum() == pytest.approx(1.0) and (w[~grid.land] == 0).all()
    cx, cy = candidate_grid("屏東縣", 4000)
    res = variance_sites(ok, grid, n_add=2, weights="township", candidate_spacing=4000)
    assert set(zip(res.sites["x"], res.sites["y"])) <= set(zip(cx, cy))
    assert (res.sites["township"] != "").all()
    assert res.summary()["reduction_pct"] > 0


# ------------------------------------------------------------------------------ plume detection

def _wind(dirs, speed=3.0):
    t = pd.date_range("2025-01-01 01:00", periods=len(dirs), freq="h")
    return pd.DataFrame({"time": t, "station": "A", "x": 0.0, "y": 0.0, "wind_speed": speed,
                         "wind_dir": np.asarray(dirs, float)})


def _source(x=0.0, y=0.0):
    return gpd.GeoDataFrame({"c_no": ["S1"], "name": ["s"], "township": ["t"], "basis": ["point"],
                             "weight": [1.0], "x": [x], "y": [y]},
                            geometry=gpd.points_from_xy([x], [y]), crs=3826)


def test_plume_sensor_goes_downwind_within_reach():
    """Wind from the north: a sensor sees the source only south of it, and only within reach."""
    cands = (np.array([0.0, 0.0, 2000.0, -2000.0, 0.0]), np.array([2000.0, -2000.0, 0.0, 0.0, -6000.0]))
    res = plume_sites(_source(), _wind([0.0] * 10), county="雲林縣", candidates=cands, n_add=2)
    assert (res.sites["x"].iloc[0], res.sites["y"].iloc[0]) == (0.0, -2000.0)  # south: downwind
    assert len(res.sites) == 1  # nobody else adds anything: stopped and reported
    assert any("stopped" in p.reason for p in res.problems)
    assert res.summary()["detected_after"] == pytest.approx(1.0)
    far = plume_sites(_source(), _wind([0.0] * 10), county="雲林縣", candidates=(cands[0][4:], cands[1][4:]))
    assert len(far.sites) == 0  # 6 km: out of the 5 km reach
    # half the hours calm: they do not count; half from the east: the south sensor misses those
    res = plume_sites(_source(), _wind([0.0] * 4 + [90.0] * 4 + [0.0] * 2, speed=[3] * 8 + [0.2] * 2),
                      county="雲林縣", candidates=cands, n_add=1)
    assert res.locations["usable_hours"].iloc[0] == 8
    assert res.summary()["detected_after"] == pytest.approx(0.5)


def test_plume_sites_on_the_scenario_match_a_loop():
    root = data_dir() / "scenario"
    wind = wind_observations(read_moenv_hourly(root / "sensors_scenario_wind.csv"))
    locs = source_locations(read_text_table(root / "sources_scenario.csv"), county="雲林縣")
    assert set(locs["basis"]) == {"point", "township"} and locs["weight"].sum() == pytest.approx(1.0)
    assert (locs["basis"] == "point").sum() == 22
    res = plume_sites(locs, wind, county="雲林縣", n_add=3, spacing=2000)
    gains = res.sites["gain"].to_numpy()
    assert np.all(np.diff(gains) <= 1e-12)  # greedy on a submodular objective: gains fall
    # independent loop: each location-hour is seen when some chosen site has it upwind within 5 km
    sx, sy = res.sites["x"].to_numpy(), res.sites["y"].to_numpy()
    by_hour = [g[["x", "y", "wind_speed", "wind_dir"]].to_numpy(float) for _, g in wind.groupby("time")]
    total = 0.0
    for r in locs.itertuples(index=False):
        seen = usable = 0
        for w in by_hour:
            j = int(np.argmin(np.hypot(w[:, 0] - r.x, w[:, 1] - r.y)))
            spd, frm = w[j, 2], w[j, 3]
            if not spd >= 0.5:
                continue
            usable += 1
            for a, b in zip(sx, sy):
                brg = np.degrees(np.arctan2(r.x - a, r.y - b)) % 360
                diff = abs((brg - frm + 180) % 360 - 180)
                if np.hypot(r.x - a, r.y - b) <= 5000 and diff <= 30:
                    seen += 1
                    break
        total += r.weight * (seen / usable if usable else 0.0)
    assert res.summary()["detected_after"] == pytest.approx(total, abs=1e-9)
    assert res.sites["detected_after"].iloc[-1] == pytest.approx(total, abs=1e-9)


def test_candidate_tables_and_geodataframes_are_read_in_tm2(setup):
    grid, ok, x, y, cx, cy, tx, ty = setup
    a = variance_sites(ok, grid, n_add=2, candidates=(cx, cy))
    b = variance_sites(ok, grid, n_add=2, candidates=pd.DataFrame({"x": cx, "y": cy}))
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy(cx, cy), crs=3826).to_crs(4326)
    c = variance_sites(ok, grid, n_add=2, candidates=g)
    assert a.sites["rank"].tolist() == [1, 2]
    pd.testing.assert_frame_equal(a.tables()["sites"], b.tables()["sites"])
    np.testing.assert_allclose(c.sites[["x", "y"]].to_numpy(), a.sites[["x", "y"]].to_numpy(), atol=1e-3)
    with pytest.raises(InputError, match="x and y columns"):
        variance_sites(ok, grid, candidates=pd.DataFrame({"e": cx, "n": cy}))


def test_siting_result_publishes_byte_identical_files(setup, tmp_path):
    grid, ok, x, y, cx, cy, tx, ty = setup
    res = variance_sites(ok, grid, n_add=2, candidates=(cx, cy), unit="ug/m3")
    assert res.after.unit == "(ug/m3)^2"
    a = write(res, tmp_path / "a", maps=False)
    b = write(res, tmp_path / "b", maps=False)
    assert sorted(a) == sorted(b) and {"siting.gpkg", "sites.csv", "variance_before.tif", "variance_after.tif"} <= {
        p.name for p in a.values()}
    for key in a:
        assert a[key].read_bytes() == b[key].read_bytes(), key
