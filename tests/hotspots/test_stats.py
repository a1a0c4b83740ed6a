"""geoairplan.hotspots.stats: Gi* against esda and the hand formula, bins, FDR, islands."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from geoairplan.grid import cell_polygons
from geoairplan.hotspots import stats


def _grid(nx=6, ny=5, cell=1000.0):
    cols, rows = np.meshgrid(np.arange(200, 200 + nx), np.arange(2620, 2620 + ny))
    g = cell_polygons(cols.ravel(), rows.ravel(), cell)
    g.attrs["cell_m"] = cell
    return g


def _values(n, seed=7):
    rng = np.random.default_rng(seed)
    v = rng.gamma(1.0, 2.0, n)
    v[:4] += 20  # a hot corner
    return v


def test_gi_star_equals_esda_same_weights_and_seed():
    from esda import G_Local

    g = _grid()
    w_info = stats.grid_weights(g)
    y = _values(len(g))
    ours = stats.getis_ord(y, w_info, permutations=499, seed=99)
    ref = G_Local(y, copy.deepcopy(w_info[0]), transform="B", star=True, permutations=499, seed=99, n_jobs=1)
    np.testing.assert_allclose(ours["gi_z"], ref.Zs, rtol=1e-12)
    np.testing.assert_allclose(ours["gi"], ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(ours["p_sim"], ref.p_sim, rtol=0, atol=0)
    # two-sided p from esda's own permutations: twice p_sim unless a permutation ties the observed G*
    # (it can: drawing the very same neighbour values again), when ties count on both sides
    np.testing.assert_allclose(ours["p_value"], stats.two_sided_p(ref.Gs, ref.rGs))
    ties = np.isclose(ref.rGs, ref.Gs[:, None], rtol=1e-9, atol=0).any(axis=1)
    np.testing.assert_allclose(ours["p_value"][~ties], np.minimum(1, 2 * ref.p_sim[~ties]))
    sims = ref.rGs
    for i in np.flatnonzero(ties):
        up = (1 + (sims[i] >= ref.Gs[i] * (1 - 1e-9)).sum()) / 500
        lo = (1 + (sims[i] <= ref.Gs[i] * (1 + 1e-9)).sum()) / 500
        assert ours["p_value"][i] == pytest.approx(min(1, 2 * min(up, lo)))
    # same seed, same answer; another seed, other pseudo p-values
    again = stats.getis_ord(y, w_info, permutations=499, seed=99)
    pd.testing.assert_frame_equal(ours, again)
    assert not np.array_equal(stats.getis_ord(y, w_info, permutations=499, seed=1)["p_sim"], ours["p_sim"])


def test_zero_cells_among_zero_neighbours_are_not_cold_spots():
    # a sparse grid (most cells empty): esda's folded p_sim calls the empty cells "significant" because
    # every permutation ties; our two-sided p counts ties on both sides and gives them bin 0
    g = _grid(8, 8)
    y = np.zeros(len(g))
    y[[0, 1, 8, 9]] = [50.0, 40.0, 45.0, 60.0]
    gi = stats.getis_ord(y, stats.grid_weights(g), permutations=199, seed=3)
    far = gi.index[-10:]
    assert (gi.loc[far, "p_sim"] < 0.01).all()          # what esda says
    assert (gi.loc[far, "p_value"] == 1.0).all()        # what we use
    assert (gi.loc[far, "gi_bin"] == 0).all()
    assert (gi.loc[[0, 1, 8, 9], "gi_bin"] > 0).all()   # the hot corner is hot


def test_gi_star_z_equals_the_getis_ord_formula():
    g = _grid(4, 4)
    w_info = stats.grid_weights(g)
    w = w_info[0]
    y = _values(len(g), seed=2)
    z = stats.getis_ord(y, w_info, permutations=0)["gi_z"].to_numpy()
    n = len(y)
    xbar = y.mean()
    s = math.sqrt((y ** 2).mean() - xbar ** 2)
    for i in range(n):
        wi = np.zeros(n)
        wi[i] = 1.0  # Gi*: the unit itself counts
        wi[list(w.neighbors[i])] = 1.0
        num = (wi * y).sum() - xbar * wi.sum()
        den = s * math.sqrt((n * (wi ** 2).sum() - wi.sum() ** 2) / (n - 1))
        assert z[i] == pytest.approx(num / den, rel=1e-10)


def test_queen_grid_neighbours_and_distance_band():
    g = _grid(3, 3)
    w = stats.grid_weights(g)[0]
    card = sorted(w.cardinalities.values())
    assert card == [3, 3, 3, 3, 5, 5, 5, 5, 8]
    wd = stats.grid_weights(g, kind="distance")[0]  # 1.5 cells: the same 8-neighbourhood
    assert {i: sorted(v) for i, v in wd.neighbors.items()} == {i: sorted(v) for i, v in w.neighbors.items()}
    w1 = stats.grid_weights(g, kind="distance", threshold=1000)[0]  # rook
    assert sorted(w1.cardinalities.values()) == [2, 2, 2, 2, 3, 3, 3, 3, 4]


def test_bins_hand_computed():
    z = [2.7, 2.0, 1.7, 0.5, -1.7, -2.0, -2.7, 3.0, np.nan, 1.0]
    p = [0.005, 0.03, 0.08, 0.5, 0.09, 0.05, 0.001, 0.10, 0.001, np.nan]
    assert stats.confidence_bins(z, p).tolist() == [3, 2, 1, 0, -1, -2, -3, 1, 0, 0]


def test_bins_fdr_hand_computed():
    # sorted descending p = 0.2, 0.03, 0.01, 0.001; cut-offs k*alpha/n
    # alpha .01 -> 0.0025, alpha .05 -> 0.0375, alpha .10 -> 0.075
    z = [3.0, 2.5, 2.1, 0.9]
    p = [0.001, 0.01, 0.03, 0.2]
    assert stats.confidence_bins(z, p).tolist() == [3, 3, 2, 0]
    assert stats.confidence_bins(z, p, fdr=True).tolist() == [3, 2, 2, 0]


def test_penghu_islands_joined_or_excluded():
    from geoairplan import datasets

    t = datasets.load_townships("澎湖縣").to_crs(3826)
    names = t["TOWNNAME"].tolist()
    y = np.arange(len(t), dtype=float) + 1
    w, notes, probs, keep = stats.polygon_weights(t, labels=names)
    assert not w.islands
    isl = {n for n, note in zip(names, notes) if note.startswith("island")}
    assert isl == {"望安鄉", "七美鄉"}
    assert {p.where for p in probs} == isl and all(p.severity == "warning" for p in probs)
    gi = stats.getis_ord(y, (w, notes, probs, keep), permutations=99)
    assert gi["gi_z"].notna().all()
    info = stats.polygon_weights(t, labels=names, islands="exclude")
    gi = stats.getis_ord(y, info, permutations=99)
    out = gi[[n in isl for n in names]]
    assert out["gi_z"].isna().all() and (out["gi_bin"] == 0).all()
    assert out["note"].str.startswith("excluded").all()
    assert gi.loc[[n not in isl for n in names], "gi_z"].notna().all()
    # esda on the four connected townships alone gives the same z as our exclusion
    from esda import G_Local
    sub = [i for i, n in enumerate(names) if n not in isl]
    ref = G_Local(y[sub], stats._subset_w(info[0], sub), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(gi.loc[sub, "gi_z"], ref.Zs)


def test_local_moran_option():
    from esda import Moran_Local

    g = _grid()
    w_info = stats.grid_weights(g)
    y = _values(len(g))
    lm = stats.local_moran(y, w_info, permutations=199, seed=5)
    ref = Moran_Local(y, copy.deepcopy(w_info[0]), transformation="r", permutations=199, seed=5, n_jobs=1)
    np.testing.assert_allclose(lm["lisa_i"], ref.Is)
    np.testing.assert_allclose(lm["p_sim"], ref.p_sim)
    assert lm.loc[0, "lisa_cluster"] in ("HH", "ns")


def test_negative_permutations_is_an_input_error():
    from geoairplan.errors import InputError
    g = _grid()
    w_info = stats.grid_weights(g)
    with pytest.raises(InputError, match="permutations"):
        stats.getis_ord(_values(len(g)), w_info, permutations=-1)
    with pytest.raises(InputError, match="permutations"):
        stats.local_moran(_values(len(g)), w_info, permutations=-1)
