"""Method selection: k-fold against leave-one-out, coverage by hand, the choice is the minimum, the figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from geoairplan.errors import InputError  # noqa: E402
from geoairplan.interpolate.idw import IDW  # noqa: E402
from geoairplan.interpolate.kriging import OrdinaryKriging  # noqa: E402
from geoairplan.interpolate.rbf import RBF  # noqa: E402
from geoairplan.interpolate.selection import (candidate_gridders, interval_coverage, kfold_validate,  # noqa: E402
                                              select_method)
from geoairplan.interpolate.series import station_values  # noqa: E402
from geoairplan.interpolate.validation import cross_validate  # noqa: E402
from geoairplan.io import read_moenv_hourly  # noqa: E402
from geoairplan.maps.charts import plot_predicted_observed, plot_variogram  # noqa: E402
from geoairplan.reference.geography import data_dir  # noqa: E402


class _Broken(IDW):
    """A method that refuses every data set."""

    def _fit(self, x, y, z):
        raise InputError("cannot fit these data")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(9)
    x, y = rng.uniform(0, 60_000, 30), rng.uniform(0, 60_000, 30)
    z = 40 + 20 * np.sin(x / 20_000) + 10 * np.cos(y / 15_000) + rng.normal(0, 1.5, 30)
    return x, y, z


@pytest.mark.parametrize("gridder", [IDW(power=2, n_neighbors=6),
                                     OrdinaryKriging("exponential", {"psill": 200.0, "range": 40_000.0,
                                                                     "nugget": 2.0}),
                                     RBF("thin_plate_spline")])
def test_kfold_with_one_station_per_fold_is_leave_one_out(data, gridder):
    x, y, z = data
    kf = kfold_validate(gridder, (x, y), z, k=x.size, seed=3)
    loo = cross_validate(gridder, (x, y), z, brute_force=True)
    np.testing.assert_allclose(kf.table["predicted"], loo.table["predicted"], rtol=1e-7, atol=1e-7)
    assert sorted(kf.table["fold"]) == list(range(1, x.size + 1))
    if "variance" in loo.table:
        np.testing.assert_allclose(kf.table["variance"], loo.table["variance"], rtol=1e-7)


def test_kfold_folds_are_seeded_and_balanced(data):
    x, y, z = data
    a = kfold_validate(IDW(), (x, y), z, k=4, seed=1)
    b = kfold_validate(IDW(), (x, y), z, k=4, seed=1)
    assert a.table.equals(b.table)
    assert sorted(a.table["fold"].value_counts()) == [7, 7, 8, 8]
    with pytest.raises(InputError, match="k-fold"):
        kfold_validate(IDW(), (x, y), z, k=1)


def test_interval_coverage_by_hand(data):
    x, y, z = data
    cv = cross_validate(OrdinaryKriging("exponential", {"psill": 200.0, "range": 40_000.0, "nugget": 2.0}),
                        (x, y), z)
    e, s = cv.table["error"].to_numpy(), np.sqrt(cv.table["variance"].to_numpy())
    assert interval_coverage(cv) == pytest.approx(np.mean(np.abs(e) <= 1.6448536 * s))
    assert np.isnan(interval_coverage(cross_validate(IDW(), (x, y), z)))


def test_choice_is_the_lowest_rmse_and_failures_are_listed(data):
    x, y, z = data
    cands = candidate_gridders(idw_powers=(2.0,), idw_neighbors=(6,), variogram_models=("spherical", "power"),
                               rbf_kernels=("thin_plate_spline",))
    cands.append(("broken", _Broken()))
    sel = select_method((x, y), z, candidates=cands, k=5)
    ok = sel.table[sel.table["status"] == "ok"]
    assert sel.choice == ok.loc[ok["loo_rmse"].idxmin(), "label"]
    assert sel.table.iloc[0]["label"] == sel.choice
    assert sel.table.set_index("label").loc["broken", "status"] == "failed: cannot fit these data"
    assert "lowest leave-one-out RMSE" in sel.reason and "next" in sel.reason
    for label, cv in sel.loo.items():
        row = sel.table.set_index("label").loc[label]
        assert row["loo_rmse"] == pytest.approx(cv.rmse) and row["kfold_rmse"] == pytest.approx(sel.kfold[label].rmse)
    kf = select_method((x, y), z, candidates=cands[:3], k=5, criterion="kfold")
    good = kf.table[kf.table["status"] == "ok"]
    assert kf.choice == good.loc[good["kfold_rmse"].idxmin(), "label"]


def test_scenario_episode_selection_and_figures():
    obs = read_moenv_hourly(data_dir() / "scenario" / "episode_scenario.csv")
    sv = station_values(obs, "pm2.5", average="24h", hours=["2025-01-17 01:00"])
    row = sv.values.iloc[0]
    have = row.notna().to_numpy()
    x, y = sv.xy
    sel = select_method((x[have], y[have]), row.to_numpy()[have], labels=list(sv.values.columns[have]))
    assert len(sel.table) == len(candidate_gridders())
    assert sel.table.iloc[0]["loo_rmse"] <= sel.table["loo_rmse"].min() + 1e-12
    fig = plot_predicted_observed(sel, unit="µg/m³")
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 2 * int(have.sum())
    fig2 = plot_variogram(sel, unit="µg/m³")
    bins = next(iter(sel.variograms.values()))
    assert len(fig2.axes[0].collections[0].get_offsets()) == len(bins.lags)
    assert len(fig2.axes[0].lines) == len(sel.variograms)
    with pytest.raises(InputError, match="cannot draw"):
        plot_variogram("spherical")
