"""Level thresholds from the rule table, level polygons and township statistics of a surface."""

import numpy as np
import pytest
import shapely

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.interpolate import Surface, level_of, level_polygons, level_thresholds, make_grid, township_stats


def test_thresholds_follow_the_rule_table_and_convert_units():
    o3 = level_thresholds("o3", averaging="1h", unit="ppb")
    assert o3["level"].tolist() == ["L1", "L2", "S1", "S2", "S3"]
    assert o3["threshold"].tolist() == [125.0, 165.0, 205.0, 405.0, 505.0]  # 0.125 ppm = 125 ppb
    assert set(o3["unit"]) == {"ppb"} and "converted from ppm to ppb" in o3.attrs["note"]
    assert level_thresholds("O3", unit="ppm")["threshold"].iloc[0] == 0.125
    pm = level_thresholds("pm2.5", averaging="24h", unit="ug/m3")
    assert pm["threshold"].tolist() == [35.5, 54.5, 150.5, 250.5, 350.5]
    hourly = level_thresholds("PM2.5", averaging="1h", unit="μg/m3")  # no 1-h PM2.5 thresholds: 24-h, said so
    assert hourly["threshold"].tolist() == pm["threshold"].tolist()
    assert "no 1h thresholds" in hourly.attrs["note"] and "indicative" in hourly.attrs["note"]
    so2 = level_thresholds("so2", averaging="1h")  # the 1-h part of SO2: L1, L2 only
    assert so2["level"].tolist() == ["L1", "L2"]
    pm10 = level_thresholds("pm10", averaging="1h")
    assert pm10["level"].tolist() == ["S2", "S3"] and pm10["threshold"].tolist() == [1050.0, 1250.0]
    with pytest.raises(InputError, match="pm2.5 in .ppb. cannot be compared with a rule in .ug/m3."):
        level_thresholds("pm2.5", averaging="24h", unit="ppb")
    with pytest.raises(InputError, match="no thresholds"):
        level_thresholds("nox")


def test_level_of_uses_reach_or_exceed():
    t = level_thresholds("pm2.5", averaging="24h")
    idx = level_of([10, 35.5, 35.4, 54.5, 400, np.nan], t)
    assert idx.tolist() == [-1, 0, -1, 1, 4, -1]


def _ramp_surface(cell=500.0):
    """O3 (ppb) rising linearly from south (100) to north (200) over 屏東縣's land."""
    g = make_grid(county="屏東縣", cell_size=cell)
    s, n = g.bounds[1], g.bounds[3]
    yy = np.repeat(g.y[:, None], g.nx, axis=1)
    vals = 100 + 100 * (yy - s) / (n - s)
    vals[~g.mask] = np.nan
    return Surface(vals, g, method="test", pollutant="o3", unit="ppb", averaging="1h", time="t0"), s, n


def test_level_polygons_match_the_thresholds_and_stay_in_the_county():
    surf, s, n = _ramp_surface()
    lv = level_polygons(surf)
    assert lv.crs.to_epsg() == 3826
    assert lv["level"].tolist() == ["L1", "L2"]  # 125-165 ppb and >= 165 ppb; S1 (205) not reached
    county = datasets.load_counties("屏東縣").to_crs(3826).geometry.iloc[0]
    y125 = s + (n - s) * 0.25  # the ramp reaches 125 ppb here, 165 ppb at 0.65
    y165 = s + (n - s) * 0.65
    w, e = county.bounds[0] - 1, county.bounds[2] + 1
    want = {"L1": county.intersection(shapely.box(w, y125, e, y165)).area,
            "L2": county.intersection(shapely.box(w, y165, e, n)).area}
    for r in lv.itertuples():
        assert r.geometry.area == pytest.approx(want[r.level], rel=0.02)
        assert r.area_km2 == pytest.approx(r.geometry.area / 1e6, abs=1e-3)
        assert r.geometry.difference(county).area < 1.0  # clipped to the land
    assert lv.geometry.iloc[0].intersection(lv.geometry.iloc[1]).area < 1.0  # bands do not overlap
    assert lv.loc[lv.level == "L2", "upper"].iloc[0] == 205.0 and lv.loc[lv.level == "L1", "lower"].iloc[0] == 125.0


def test_level_polygons_leave_masked_areas_empty():
    surf, s, n = _ramp_surface()
    vals = surf.values.copy()
    vals[: vals.shape[0] // 4, :] = np.nan  # the north quarter not interpolated (too far from stations)
    masked = Surface(vals, surf.grid, method="test", pollutant="o3", unit="ppb", averaging="1h")
    lv = level_polygons(masked)
    top = surf.grid.north - (vals.shape[0] // 4) * surf.grid.cell_size
    l2 = lv.loc[lv.level == "L2"].geometry.iloc[0]
    assert l2.bounds[3] <= top + 1.5 * surf.grid.cell_size  # at most the one-cell ring beyond the data


def test_level_polygons_empty_when_no_level_reached():
    surf, _, _ = _ramp_surface(2000)
    low = Surface(surf.values - 100, surf.grid, pollutant="o3", unit="ppb", averaging="1h")
    lv = level_polygons(low)
    assert len(lv) == 0 and "geometry" in lv.columns


def test_township_stats_equal_a_brute_force_zonal_computation():
    g = make_grid(county="屏東縣", cell_size=1000)
    xx, yy = np.meshgrid(g.x, g.y)
    vals = 20 + 40 * np.exp(-((xx - 197_000) ** 2 + (yy - 2_508_000) ** 2) / (2 * 15_000 ** 2))
    vals[~g.mask] = np.nan
    vals[:5, :] = np.nan  # some masked cells on land too
    surf = Surface(vals, g, method="test", pollutant="pm2.5", unit="ug/m3", averaging="24h_moving")
    st = township_stats(surf)
    towns = datasets.load_townships("屏東縣").to_crs(3826)
    assert len(st) == 33 and set(st["township"]) == set(towns["TOWNNAME"])
    thr = level_thresholds("pm2.5", averaging="24h")
    for _, t in towns.iterrows():
        inside = shapely.contains_xy(t.geometry, xx, yy)
        row = st[st["township"] == t["TOWNNAME"]].iloc[0]
        if row["cells_rule"] == "touched":
            continue
        v = vals[inside]
        v = v[np.isfinite(v)]
        assert row["n_cells"] == inside.sum()
        assert row["n_filled"] == v.size
        if v.size:
            assert row["mean"] == pytest.approx(v.mean()) and row["max"] == pytest.approx(v.max())
            k = level_of([v.max()], thr)[0]
            assert row["level"] == (thr["level"].iloc[k] if k >= 0 else "")
    assert (st["level"] == "L2").any() and (st["level"] == "").any()  # 54.5 reached near 屏東市, not in the south


def test_township_smaller_than_a_cell_takes_the_cells_it_touches():
    g = make_grid(county="屏東縣", cell_size=5000)
    vals = np.where(g.mask, 30.0, np.nan)
    surf = Surface(vals, g, pollutant="pm2.5", unit="ug/m3", averaging="24h_moving")
    st = township_stats(surf)
    assert (st["n_cells"] > 0).all()
    assert (st["cells_rule"] == "touched").any()
    assert np.allclose(st.loc[st["n_filled"] > 0, "mean"], 30.0)
