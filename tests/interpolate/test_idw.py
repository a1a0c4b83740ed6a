"""IDW equals a brute-force computation; AirNow defaults; sparse areas masked."""

import numpy as np
import pytest

from geoairplan.interpolate import IDW

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


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
