"""Hotspot statistics: Getis-Ord Gi* (and local Moran) on townships or grid cells.

Weights
-------
* Townships: Queen contiguity (:class:`libpysal.weights.Queen`; shared edge or corner).
* Grid cells: Queen (the 8 surrounding cells, from the cells' column/row
  indices) or a distance band on cell centres (``threshold`` metres, binary).

Units without neighbours ("islands": 望安鄉 and 七美鄉 in 澎湖縣, 琉球鄉 in
屏東縣, an isolated grid cell) are never passed to esda as they are, since
their Gi* would only compare the unit with itself. ``islands="knn"`` (default)
joins each to its ``k`` nearest units by polygon distance, symmetrically (the
island becomes their neighbour too), and reports it; ``islands="exclude"``
leaves them out of the statistic (z and p are NaN, bin 0) with the reason in
the ``note`` column. Either way the choice is listed in ``problems``.

Gi*
---
:func:`getis_ord` calls :class:`esda.G_Local` with ``star=True`` on binary
weights (``transform="B"``: the unit itself and its neighbours weigh 1, as
ArcGIS's Hot Spot Analysis does with contiguity), ``permutations`` conditional
permutations with a fixed ``seed`` and one process (so results are the same on
every machine). Columns:

``gi_z``      esda ``Zs``: the Gi* z-score under the normality assumption;
``p_norm``    two-sided normal p of ``gi_z`` (2 × esda's one-sided ``p_norm``);
``p_sim``     esda's pseudo p from permutations (one-sided, folded toward the
              observed tail: (larger + 1)/(permutations + 1));
``p_value``   two-sided permutation p, min(1, 2 · min(P_upper, P_lower)) with
              ties counted on both sides (:func:`two_sided_p`): twice ``p_sim``
              when no permutation ties the observed value; 1 for a zero cell
              among zero neighbours (esda's folded p would call it a 99 % cold
              spot). The bins use this p;
``gi_bin``    ArcGIS-style confidence bin: +3/+2/+1 hot spot at 99/95/90 %
              confidence (p_value ≤ 0.01/0.05/0.10 and gi_z > 0), −3/−2/−1
              cold spot, 0 not significant. With ``fdr=True`` each level α uses
              the false-discovery-rate cut-off ``esda.fdr(p_value, α)``
              instead of α.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import geopandas as gpd

from scipy.spatial import cKDTree

from geoairplan.errors import InputError, Problems

__all__ = ["polygon_weights", "grid_weights", "fix_islands", "getis_ord", "two_sided_p", "confidence_bins",
           "local_moran", "BIN_LABELS", "LEVELS"]

#: confidence levels of the bins: (bin magnitude, two-sided alpha)
LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))
BIN_LABELS = {3: "hot spot, 99 % confidence", 2: "hot spot, 95 % confidence",
              1: "hot spot, 90 % confidence", 0: "not significant",
              -1: "cold spot, 90 % confidence", -2: "cold spot, 95 % confidence",
              -3: "cold spot, 99 % confidence"}


def _W(neighbors: dict, n: int):
    from libpysal.weights import W  # noqa: PLC0415 - esda/libpysal load on use (1.3 s of import)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return W({i: sorted(neighbors.get(i, [])) for i in range(n)},
                 {i: [1.0] * len(neighbors.get(i, [])) for i in range(n)},
                 id_order=list(range(n)), silence_warnings=True)


def polygon_weights(polys: gpd.GeoDataFrame, *, islands: str = "knn", k: int = 1,
                    labels=None, source: str = "units"):
    """Queen contiguity weights of polygons (ids 0..n−1), islands handled by :func:`fix_islands`.

    Returns ``(w, notes, problems)``: ``notes`` is a list (one string per
    unit, "" when nothing special) for the output's ``note`` column.
    """
    from libpysal.weights import Queen  # noqa: PLC0415 - esda/libpysal load on use (1.3 s of import)

    if len(polys) < 3:
        raise InputError(f"{len(polys)} unit(s): hotspot statistics need at least 3", where=source,
                         fix="use a larger area or a finer grid")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = Queen.from_dataframe(polys.reset_index(drop=True), use_index=False, silence_warnings=True)
    nb = {i: list(q.neighbors.get(i, [])) for i in range(len(polys))}
    return fix_islands(nb, polys.geometry.reset_index(drop=True), islands=islands, k=k, labels=labels,
                       source=source)


def grid_weights(grid: gpd.GeoDataFrame, *, kind: str = "queen", threshold: float | None = None,
                 islands: str = "knn", k: int = 1, source: str = "grid"):
    """Weights of grid cells: ``"queen"`` (8 surrounding cells) or ``"distance"`` band on centres.

    ``threshold`` (m) defaults to 1.5 cell sizes for the distance band (which
    then equals queen on a full grid). Returns ``(w, notes, problems)``.
    """
    n = len(grid)
    if n < 3:
        raise InputError(f"{n} grid cell(s): hotspot statistics need at least 3", where=source,
                         fix="use a larger area or a finer grid")
    cell = float(grid.attrs.get("cell_m", (grid.geometry.iloc[0].bounds[2] - grid.geometry.iloc[0].bounds[0])))
    nb: dict[int, list[int]] = {i: [] for i in range(n)}
    if kind == "queen":
        pos = {(int(c), int(r)): i for i, (c, r) in enumerate(zip(grid["col"], grid["row"]))}
        for i, (c, r) in enumerate(zip(grid["col"], grid["row"])):
            for dc in (-1, 0, 1):
                for dr in (-1, 0, 1):
                    if dc or dr:
                        j = pos.get((int(c) + dc, int(r) + dr))
                        if j is not None:
                            nb[i].append(j)
    elif kind == "distance":

        t = 1.5 * cell if threshold is None else float(threshold)
        cen = np.column_stack([grid["x0"] + cell / 2, grid["y0"] + cell / 2])
        tree = cKDTree(cen)
        for i, j in sorted(tree.query_pairs(t * (1 + 1e-9))):
            nb[i].append(j)
            nb[j].append(i)
    else:
        raise InputError(f"unknown grid weights {kind!r}", where="weights", fix="use queen or distance")
    return fix_islands(nb, grid.geometry.reset_index(drop=True), islands=islands, k=k,
                       labels=list(grid["cell_id"]), source=source)


def fix_islands(neighbors: dict, geoms, *, islands: str = "knn", k: int = 1, labels=None,
                source: str = "units"):
    """Join units without neighbours to their ``k`` nearest (``"knn"``), or mark them ``"exclude"``d."""
    if islands not in ("knn", "exclude"):
        raise InputError(f"unknown island rule {islands!r}", where="islands", fix="use knn or exclude")
    n = len(geoms)
    labels = list(labels) if labels is not None else [str(i) for i in range(n)]
    nb = {i: set(neighbors.get(i, [])) for i in range(n)}
    notes = [""] * n
    probs = Problems()
    isl = [i for i in range(n) if not nb[i]]
    for i in isl:
        if islands == "exclude":
            notes[i] = "excluded: no neighbour (island)"
            probs.add(source, labels[i], "no neighbour (island): excluded from the hotspot statistic",
                      severity="warning")
            continue
        d = np.array(geoms.distance(geoms.iloc[i]), dtype=float)
        d[i] = np.inf
        near = np.argsort(d, kind="stable")[:k]
        for j in near:
            nb[i].add(int(j))
            nb[int(j)].add(i)
        txt = ", ".join(f"{labels[j]} ({d[j] / 1000:.1f} km)" for j in near)
        notes[i] = f"island: joined to nearest {txt}"
        probs.add(source, labels[i], f"no neighbour (island): joined to its nearest unit(s) {txt}",
                  severity="warning")
    keep = [i for i in range(n) if not notes[i].startswith("excluded")]
    return (_W({i: sorted(v) for i, v in nb.items()}, n), notes, probs, keep)


def confidence_bins(z, p, *, fdr: bool = False, levels=LEVELS) -> np.ndarray:
    """ArcGIS-style bins −3…+3 from z-scores (sign) and two-sided p-values.

    Bin ±m when p ≤ α_m (α = 0.01, 0.05, 0.10 for m = 3, 2, 1), + for z > 0 and
    − for z < 0. With ``fdr`` each α is replaced by ``esda.fdr(p, α)``.
    NaN z or p gives 0.
    """
    z = np.asarray(z, float)
    p = np.asarray(p, float)
    out = np.zeros(len(z), dtype=int)
    ok = np.isfinite(z) & np.isfinite(p)
    if fdr and ok.any():
        from esda import fdr as esda_fdr  # noqa: PLC0415 - esda/libpysal load on use (1.3 s of import)

        cuts = {m: esda_fdr(p[ok], a) for m, a in levels}
    else:
        cuts = {m: a for m, a in levels}
    for m, _ in sorted(levels):  # 1, 2, 3: the strictest level wins
        sig = ok & (p <= cuts[m]) & (z != 0)
        out[sig] = m * np.sign(z[sig]).astype(int)
    return out


def _prepare(values, w_info, source):
    y = np.asarray(values, dtype=float)
    w, notes, probs, keep = w_info
    if len(y) != w.n:
        raise InputError(f"{len(y)} values for {w.n} units", where=source, fix="align values and weights")
    bad = ~np.isfinite(y)
    for i in np.flatnonzero(bad):
        probs.add(source, f"unit {i}", "value missing: treated as excluded from the statistic",
                  severity="warning")
    keep = [i for i in keep if np.isfinite(y[i])]
    return y, w, notes, probs, keep


def _subset_w(w, keep):
    n = w.n
    if len(keep) == n:
        return w
    pos = {old: new for new, old in enumerate(keep)}
    nb = {pos[i]: [pos[j] for j in w.neighbors[i] if j in pos] for i in keep}
    return _W(nb, len(keep))


def _check_permutations(permutations):
    try:
        whole = not isinstance(permutations, bool) and float(permutations) == int(permutations)
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole or permutations < 0:
        raise InputError(f"permutations = {permutations} must be a whole number >= 0", where="permutations",
                         fix="e.g. --permutations 999 (0: analytical p-values only)")


def two_sided_p(observed, sims, rtol: float = 1e-9) -> np.ndarray:
    """Two-sided permutation p: min(1, 2 · min(P_upper, P_lower)), ties counted on both sides.

    P_upper = (1 + #{sim ≥ obs}) / (m + 1), P_lower = (1 + #{sim ≤ obs}) / (m + 1)
    over the m conditional permutations (equality within ``rtol``). Without ties
    this is exactly twice esda's folded ``p_sim``; with ties (a zero cell among
    zero neighbours: every permutation gives the same G) it is 1, where the
    folded p would call it significant.
    """
    obs = np.asarray(observed, float)[:, None]
    sims = np.asarray(sims, float)
    tol = rtol * np.maximum(np.abs(obs), 1e-300)
    m = sims.shape[1]
    up = (1 + (sims >= obs - tol).sum(axis=1)) / (m + 1)
    lo = (1 + (sims <= obs + tol).sum(axis=1)) / (m + 1)
    return np.minimum(1.0, 2 * np.minimum(up, lo))


def getis_ord(values, w_info, *, permutations: int = 999, seed: int = 12345, fdr: bool = False,
              source: str = "units") -> pd.DataFrame:
    """Getis-Ord Gi* of ``values`` with the weights from :func:`polygon_weights`/:func:`grid_weights`.

    Returns one row per unit (in input order): ``value, gi, gi_z, p_norm,
    p_sim, p_value, gi_bin, gi_label, note``, and ``attrs["problems"]``.
    Excluded units (islands with ``exclude``, missing values) get NaN and bin 0.
    """

    from esda import G_Local  # noqa: PLC0415 - esda/libpysal load on use (1.3 s of import)

    _check_permutations(permutations)
    y, w, notes, probs, keep = _prepare(values, w_info, source)
    n = len(y)
    out = pd.DataFrame({"value": y, "gi": np.nan, "gi_z": np.nan, "p_norm": np.nan, "p_sim": np.nan,
                        "p_value": np.nan})
    ws = _subset_w(w, keep)
    ys = y[keep]
    for i in range(n):
        if not np.isfinite(y[i]) and not notes[i]:
            notes[i] = "excluded: no value"
    if len(keep) >= 3 and np.nansum(ys) != 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = G_Local(ys, ws, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1,
                        keep_simulations=bool(permutations))
        out.loc[keep, "gi"] = g.Gs
        out.loc[keep, "gi_z"] = g.Zs
        out.loc[keep, "p_norm"] = np.minimum(1.0, 2 * g.p_norm)
        if permutations:
            out.loc[keep, "p_sim"] = g.p_sim
            out.loc[keep, "p_value"] = two_sided_p(g.Gs, g.rGs)
        else:
            out.loc[keep, "p_value"] = out.loc[keep, "p_norm"]
        zs = out["gi_z"].to_numpy()
        if (~np.isfinite(zs[keep])).any():
            probs.add(source, "all units", "Gi* z undefined (all values equal?): no hotspot", severity="warning")
    else:
        probs.add(source, "all units", "fewer than 3 usable units or all values zero: no Gi* computed",
                  severity="warning")
    out["gi_bin"] = confidence_bins(out["gi_z"], out["p_value"], fdr=fdr)
    if permutations and len(keep) >= 3 and np.nansum(ys) != 0:
        sims = np.asarray(g.rGs, float)
        hot_tail = np.full(n, np.nan)
        hot_tail[keep] = (sims >= np.asarray(g.Gs)[:, None]).mean(axis=1) < 0.5
        disagree = (out["gi_bin"] > 0) & (hot_tail == 0) | (out["gi_bin"] < 0) & (hot_tail == 1)
        out.loc[disagree, "gi_bin"] = 0
    out["gi_label"] = out["gi_bin"].map(BIN_LABELS)
    out["note"] = notes
    out.attrs["problems"] = probs
    out.attrs["method"] = (f"Getis-Ord Gi* (esda.G_Local star=True, binary weights), {permutations} "
                           f"permutations, seed {seed}" + (", FDR-corrected bins" if fdr else ""))
    return out


def local_moran(values, w_info, *, permutations: int = 999, seed: int = 12345, alpha: float = 0.05,
                fdr: bool = False, source: str = "units") -> pd.DataFrame:
    """Local Moran's I (row-standardised weights): ``lisa_i, lisa_z, p_sim, lisa_q, lisa_cluster``.

    ``lisa_cluster`` is HH / LH / LL / HL where the pseudo p (esda's
    one-sided folded ``p_sim``) ≤ ``alpha`` (or its FDR cut-off), else "ns".
    """

    from esda import Moran_Local, fdr as esda_fdr  # noqa: PLC0415 - esda/libpysal load on use (1.3 s of import)

    _check_permutations(permutations)
    y, w, notes, probs, keep = _prepare(values, w_info, source)
    out = pd.DataFrame({"value": y, "lisa_i": np.nan, "lisa_z": np.nan, "p_sim": np.nan,
                        "lisa_q": 0, "lisa_cluster": "ns"})
    ws = _subset_w(w, keep)
    if len(keep) >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = Moran_Local(y[keep], ws, transformation="r", permutations=permutations, seed=seed, n_jobs=1,
                            keep_simulations=False)
        out.loc[keep, "lisa_i"] = m.Is
        out.loc[keep, "lisa_z"] = m.z_sim if permutations else np.nan
        out.loc[keep, "p_sim"] = m.p_sim
        out.loc[keep, "lisa_q"] = m.q
        cut = esda_fdr(m.p_sim, alpha) if fdr else alpha
        names = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
        lab = np.where(np.asarray(m.p_sim) <= cut, [names[int(q)] for q in m.q], "ns")
        out.loc[keep, "lisa_cluster"] = lab
    out["note"] = notes
    out.attrs["problems"] = probs
    return out
