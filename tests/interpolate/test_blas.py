"""The GIL-free triangular product equals numpy's, in place, and refuses layouts it would misread."""

import numpy as np
import pytest

from geoairplan.interpolate._blas import trmm_rows


@pytest.mark.parametrize("cells,n", [(1, 1), (7, 3), (1000, 85), (257, 130)])
def test_trmm_rows_equals_numpy(cells, n):
    rng = np.random.default_rng(cells * 1000 + n)
    low = np.asfortranarray(np.tril(rng.normal(size=(n, n))))
    f = rng.normal(size=(cells, n))
    want = f @ low.T
    got = trmm_rows(low, f)
    assert got is f  # in place: the chunk buffer is reused
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_trmm_rows_ignores_the_upper_triangle():
    rng = np.random.default_rng(1)
    full = np.asfortranarray(rng.normal(size=(6, 6)))
    f = rng.normal(size=(5, 6))
    np.testing.assert_allclose(trmm_rows(full, f.copy()), f @ np.tril(full).T, rtol=1e-12)


@pytest.mark.parametrize("bad", ["f_fortran", "low_c", "f_width", "f_float32"])
def test_trmm_rows_refuses_layouts_it_would_misread(bad):
    rng = np.random.default_rng(2)
    low = np.asfortranarray(np.tril(rng.normal(size=(5, 5))))
    f = rng.normal(size=(8, 5))
    if bad == "f_fortran":
        f = np.asfortranarray(f)
    elif bad == "low_c":
        low = np.ascontiguousarray(low)
    elif bad == "f_width":
        f = rng.normal(size=(8, 4))
    else:
        f = f.astype(np.float32)
    with pytest.raises(ValueError, match="C order"):
        trmm_rows(low, f)
