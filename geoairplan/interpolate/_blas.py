"""The triangular matrix product of the kriging variance, called without holding the GIL.

SciPy's ``scipy.linalg.blas.dtrmm`` (an f2py wrapper) holds Python's GIL for
the whole product, so threads that each krige a block of cells queue behind
one another there: measured on 2 cores, the variance step ran on one core
at a time. SciPy also publishes its BLAS for compiled callers
(``scipy.linalg.cython_blas``): each routine's C address sits in a capsule
of the module's ``__pyx_capi__``. :func:`trmm_rows` takes that address and
calls it through :mod:`ctypes`, which releases the GIL for the duration of
a foreign call (the way Numba calls SciPy's BLAS). It is the same BLAS
routine on the same library that SciPy's wrapper calls, so results are
identical; where the capsule is missing it falls back to the wrapper.
"""

from __future__ import annotations

import ctypes

import numpy as np
import scipy.linalg.blas
import scipy.linalg.cython_blas as cython_blas

__all__ = ["trmm_rows"]


def _cython_dtrmm():
    """``dtrmm`` from scipy.linalg.cython_blas as a ctypes function of addresses, or None."""
    try:
        capsule = cython_blas.__pyx_capi__["dtrmm"]
        api = ctypes.pythonapi
        api.PyCapsule_GetName.restype = ctypes.c_char_p
        api.PyCapsule_GetName.argtypes = [ctypes.py_object]
        api.PyCapsule_GetPointer.restype = ctypes.c_void_p
        api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        address = api.PyCapsule_GetPointer(capsule, api.PyCapsule_GetName(capsule))
    except (AttributeError, KeyError, ValueError):  # pragma: no cover - other SciPy builds
        return None
    if not address:  # pragma: no cover
        return None
    # every argument is a pointer (Fortran calling convention): pass raw addresses, converted once
    return ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * 11))(address)


_DTRMM = _cython_dtrmm()
_FLAGS = ctypes.create_string_buffer(b"LN")  # 'L' (side left, lower) and 'N' (no transpose, non-unit)
_L, _N = ctypes.addressof(_FLAGS), ctypes.addressof(_FLAGS) + 1
_ONE = ctypes.c_double(1.0)
_ONE_AT = ctypes.addressof(_ONE)


def trmm_rows(low: np.ndarray, f: np.ndarray) -> np.ndarray:
    """``f ← f Lᵀ`` in place: row ``i`` of ``f`` becomes ``L f_i`` (``L``: lower triangular, Fortran order).

    ``f`` is C-ordered ``(cells, n)``, i.e. ``fᵀ`` in Fortran order, so this
    is BLAS ``L·fᵀ`` (side left, lower, no transpose, non-unit diagonal).
    Returns ``f``.
    """
    n = low.shape[0]
    if f.ndim != 2 or f.shape[1] != n or not f.flags.c_contiguous or not low.flags.f_contiguous \
            or low.dtype != np.float64 or f.dtype != np.float64:
        raise ValueError("trmm_rows needs f (cells x n, C order) and L (n x n, Fortran order), float64")
    if f.shape[0] == 0:
        return f
    if _DTRMM is None:  # pragma: no cover - SciPy without cython_blas capsules
        trmm = scipy.linalg.blas.get_blas_funcs("trmm", (low,))
        return trmm(1.0, low, f.T, side=0, lower=1, trans_a=0, overwrite_b=1).T
    dims = (ctypes.c_int * 2)(n, f.shape[0])  # m = n rows of fᵀ, n = cells; lda = ldb = n
    at = ctypes.addressof(dims)
    _DTRMM(_L, _L, _N, _N, at, at + 4, _ONE_AT, low.ctypes.data, at, f.ctypes.data, at)
    return f
