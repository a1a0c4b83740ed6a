"""Neighbourhood (moving-window) ordinary kriging: each cell kriged from its k nearest points.

For thousands of micro-sensors the global ``(N+1) x (N+1)`` system is too
large to use per cell (the variance alone costs N² per cell), and far-away
sensors carry no weight anyway. Neighbourhood kriging solves, for each cell,
the ordinary kriging system of its ``k`` nearest points (PyKrige's
``n_closest_points``)::

    [Γ_S  1] [λ]   [γ0_S]      S: the k nearest points of the cell
    [1ᵀ   0] [μ] = [1   ]      ẑ = λᵀ z_S,   σ² = λᵀ γ0_S + μ

How the work is shared:

1. Neighbour sets come from one KD-tree (``scipy.spatial.cKDTree``).
2. Cells are visited in spatially compact chunks (cells sorted by square
   tiles of about one chunk each), so a chunk holds whole neighbourhoods.
3. In a chunk, each cell's neighbour indices are sorted and identical sets
   are grouped (rows hashed to int64, then ``np.unique``; collisions are
   checked): adjacent cells mostly share their
   k nearest points, so there are several times fewer distinct systems than
   cells.
4. Each distinct system is factorised **once**: its matrix is gathered from
   the semivariances between the chunk's points (computed once per chunk,
   a few hundred points), and groups of similar size are
   stacked and solved by one batched LAPACK call
   (``numpy.linalg.solve`` on ``(G, k+1, k+1)`` matrices with the group's
   cells as right-hand-side columns, padded to a power of two; 128 systems
   per call, so they stay in cache).
5. Weights give the value (``λᵀz``) and the variance (``wᵀb``, one
   row-wise dot product) of every cell.

Work per cell is O(k²) for the right-hand sides and weights plus O(k³)/g for
the factorisation shared by the g cells of a group: at most linear in the
number of cells M. N enters through the KD-tree query (O(log N)) and the
number of distinct neighbour sets, which grows with N but never exceeds M.
Memory is bounded by the chunk size.

Cells at a point (distance <= 1e-10 m) get that point's value and zero
variance with ``exact_values`` (PyKrige's convention), as in global kriging.
"""

from __future__ import annotations

import math

import numpy as np

from geoairplan.errors import InputError
from geoairplan.interpolate._core import run_chunks

__all__ = ["DEFAULT_NEIGHBOURS", "neighbourhood_chunk", "predict_neighbourhood", "spatial_order"]

#: The neighbourhood size documented for sensor networks (NeighbourhoodKriging's default).
DEFAULT_NEIGHBOURS = 32
_EPS = 1.0e-10  # PyKrige's cut-off for "distance zero"


def spatial_order(pts: np.ndarray, chunk: int) -> np.ndarray:
    """A permutation of the points that visits them tile by tile (tiles of about ``chunk`` points).

    Within a tile the original order is kept (row-major for a grid), so a
    chunk of consecutive points in this order is a compact patch and holds
    whole neighbourhoods: neighbour sets are shared within the chunk.
    """
    m = pts.shape[0]
    if m <= chunk:
        return np.arange(m)
    lo = pts.min(axis=0)
    span = np.maximum(pts.max(axis=0) - lo, 1e-9)
    tiles = max(1.0, m / chunk)
    side = math.sqrt(span[0] * span[1] / tiles) if span[0] > 1e-6 and span[1] > 1e-6 else max(span) / tiles
    side = max(side, 1e-9)
    tx = np.floor((pts[:, 0] - lo[0]) / side).astype(np.int64)
    ty = np.floor((pts[:, 1] - lo[1]) / side).astype(np.int64)
    # boustrophedon over tile rows keeps consecutive tiles adjacent
    tx = np.where(ty % 2 == 1, tx.max() - tx, tx)
    return np.lexsort((tx, ty))


def _semivariance_inplace(vario, t: np.ndarray, work: np.ndarray) -> np.ndarray:
    """γ in place on ``t`` = squared distances already multiplied by the variogram's scale²."""
    alpha, beta, _, _ = vario._affine()
    f = vario._shape_inplace(t, work)
    np.multiply(f, beta, out=f)
    np.add(f, alpha, out=f)
    return f


def _group_rows(key: np.ndarray):
    """``np.unique(key, axis=0, return_inverse=True, return_counts=True)``, fast: rows hashed to int64.

    Equal rows have equal hashes; the rare different rows with one hash are
    detected (every row is compared with its group's representative) and
    then the exact ``np.unique`` is used.
    """
    mult = np.random.default_rng(17).integers(1, 2**62, size=key.shape[1], dtype=np.int64) | 1
    with np.errstate(over="ignore"):
        h = (key * mult).sum(axis=1)  # wraps modulo 2**64: a hash
    _, first, inv, counts = np.unique(h, return_index=True, return_inverse=True, return_counts=True)
    sets = key[first]
    if not np.array_equal(sets[inv], key):  # pragma: no cover - a hash collision
        sets, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    return sets, inv.ravel(), counts


_BATCH = 128  # kriging matrices factorised together (they stay in cache: 128 x 33 x 33 x 8 B ~ 1 MB)


def neighbourhood_chunk(xy: np.ndarray, z2: np.ndarray, vario, tree, k: int, pts: np.ndarray, *,
                        exact: bool = True, variance: bool = True):
    """Krige ``pts`` from their ``k`` nearest points: ``(values (c, H), variance (c,) or None, groups)``.

    ``groups`` is the number of distinct neighbour sets, i.e. of systems
    factorised. ``xy`` are the (centred) point coordinates, ``z2`` their
    values as ``(N, H)``, ``tree`` a ``cKDTree`` of ``xy``.
    """
    c = pts.shape[0]
    _, _, scale, _ = vario._affine()
    d, idx = tree.query(pts, k=k)
    # sort each cell's neighbours by index: identical sets become identical rows
    o = np.argsort(idx, axis=1)
    key = np.take_along_axis(idx, o, axis=1)
    d = np.take_along_axis(d, o, axis=1)
    sets, inv, counts = _group_rows(key)
    g = sets.shape[0]

    # right-hand sides b = [γ(d_cell,j); 1] in each cell's sorted neighbour order
    b = np.ones((c, k + 1))
    on = d <= _EPS
    np.multiply(d, scale, out=d)
    np.square(d, out=d)
    b[:, :k] = _semivariance_inplace(vario, d, np.empty_like(d))
    if exact and on.any():
        b[:, :k][on] = 0.0

    # cells sorted by group; position of each cell within its group's right-hand sides
    by_group = np.argsort(inv, kind="stable")
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.empty(c, dtype=np.int64)
    pos[by_group] = np.arange(c) - start[inv[by_group]]

    # γ between every pair of points used in this chunk (a compact patch: a few hundred points),
    # then each kriging matrix is a gather from it
    lut = np.zeros(xy.shape[0], dtype=np.int64)
    lut[sets.ravel()] = 1
    used = np.flatnonzero(lut)
    lut[used] = np.arange(used.size)
    loc = lut[sets]
    su = xy[used] * scale
    gu = np.subtract(su[:, None, 0], su[None, :, 0])
    np.square(gu, out=gu)
    gu += np.square(np.subtract(su[:, None, 1], su[None, :, 1]))
    gu = _semivariance_inplace(vario, gu, np.empty_like(gu))
    np.fill_diagonal(gu, 0.0)

    w = np.empty((c, k + 1))
    a = np.empty((_BATCH, k + 1, k + 1))
    local = np.full(g, -1, dtype=np.int64)
    width = 1
    done = 0
    while done < g:  # groups of 1, 2, 3-4, 5-8, ... cells: batched solves per size class
        lo, hi = width // 2, width
        cls = np.flatnonzero((counts > lo) & (counts <= hi))
        width *= 2
        if not cls.size:
            continue
        done += cls.size
        for s0 in range(0, cls.size, _BATCH):
            sel = cls[s0:s0 + _BATCH]
            nb = sel.size
            ls = loc[sel]
            a[:nb, :k, :k] = gu[ls[:, :, None], ls[:, None, :]]
            a[:nb, k, :] = 1.0
            a[:nb, :, k] = 1.0
            a[:nb, k, k] = 0.0
            # right-hand sides: the group's cells as columns, padded with zeros to `hi`
            local[sel] = np.arange(nb)
            cnt = counts[sel]
            first = np.cumsum(cnt) - cnt
            cells = by_group[np.repeat(start[sel] - first, cnt) + np.arange(int(cnt.sum()))]
            gl, pc = local[inv[cells]], pos[cells]
            rhs = np.zeros((nb, k + 1, hi))
            rhs[gl, :, pc] = b[cells]
            try:
                sol = np.linalg.solve(a[:nb], rhs)  # (nb, k+1, hi): one LU per neighbour set
            except np.linalg.LinAlgError:
                raise InputError(f"a neighbourhood kriging system ({k} nearest points) is singular",
                                 where="n_neighbors",
                                 fix="check for co-located points; add a nugget to the variogram") from None
            w[cells] = sol[gl, :, pc]
            local[sel] = -1

    h = z2.shape[1]
    if h == 1:
        vals = np.einsum("ck,ck->c", w[:, :k], z2[key, 0])[:, None]
    else:  # many columns: accumulate neighbour by neighbour (memory c x H, not c x k x H)
        vals = np.zeros((c, h))
        for j in range(k):
            vals += w[:, j, None] * z2[key[:, j]]
    var = np.einsum("ci,ci->c", w, b) if variance else None
    if exact and on.any():  # a cell on a point: PyKrige's exact value (weights equal a unit vector)
        rows, cols = np.nonzero(on)
        vals[rows] = z2[key[rows, cols]]
        if var is not None:
            var[rows] = 0.0
    return vals, var, g


def predict_neighbourhood(xy: np.ndarray, z2: np.ndarray, vario, tree, k: int, pts: np.ndarray,
                          out: np.ndarray, var: np.ndarray | None, *, exact: bool = True, chunk: int = 4096,
                          workers: int = 1) -> dict:
    """Fill ``out`` (M, H) and ``var`` (M,) for the points ``pts``; returns counts of cells and systems.

    Chunks of ``chunk`` cells in :func:`spatial_order` run on ``workers``
    threads (numpy, LAPACK and the KD-tree release the GIL).
    """
    m = pts.shape[0]
    order = spatial_order(pts, chunk)
    stats = {"cells": m, "systems": 0}
    counts = []

    def work(s, e):
        sel = order[s:e]
        vals, v, g = neighbourhood_chunk(xy, z2, vario, tree, k, pts[sel], exact=exact, variance=var is not None)
        out[sel] = vals
        if var is not None:
            var[sel] = v
        counts.append(g)  # list.append is atomic under the GIL

    run_chunks(work, m, chunk, workers)
    stats["systems"] = int(sum(counts))
    return stats
