"""Micro-sensor operations and grid statistics over an archive."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoairplan.engine import Engine
from geoairplan.grid import cell_index
from geoairplan.hotspots.gridstats import grid_statistics, group_percentile
from geoairplan.hotspots.operations import neighbour_index, sensor_operations
from geoairplan.hotspots.sensors import flag_anomalies, read_sensors
from geoairplan.io.archive import import_files, read_registry, read_rows
from geoairplan.publish import write

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = tmp_path_factory.mktemp("ops") / "arc"
    import_files([DATA / "sensors_scenario.csv"], a)
    return a


def test_same_rule_as_the_single_file_method(archive):
    r = sensor_operations(archive)
    ref = flag_anomalies(read_sensors(DATA / "sensors_scenario.csv")).sensors.set_index("sensor")
    m = r.sensors.set_index("sensor").loc[ref.index]
    assert (m["steps_evaluated"] == ref["n_evaluated"]).all()
    assert (m["anomaly_steps"] == ref["n_exceed"]).all()
    assert (m["flagged"] == ref["flagged"]).all()
    assert m["flagged"].any()
    assert len(r.anomalies) == int(m["anomaly_steps"].sum())


def test_persistence_per_cell(archive):
    r = sensor_operations(archive, permutations=0)
    reg = read_registry(archive, "sensor")
    col, row = cell_index(reg["x_tm2"], reg["y_tm2"], 1000)
    assert len(r.cells) == len(set(zip(col, row)))
    c = r.cells.set_index("cell_id")
    for cid, g in r.sensors.groupby("cell_id"):
        assert c.loc[cid, "anomaly_steps"] == g["anomaly_steps"].sum()
        ev = g["steps_evaluated"].sum()
        assert c.loc[cid, "persistence"] == pytest.approx(g["anomaly_steps"].sum() / ev, abs=1e-6)
    assert {"gi_z", "p_value", "gi_bin"} <= set(r.cells.columns)


def test_neighbour_index_drops_self_even_at_a_shared_place():
    idx, dist, use = neighbour_index([0, 0, 10, 1000], [0, 0, 0, 0], 2, 500)
    assert 0 not in idx[0] and 1 not in idx[1]
    assert set(idx[0]) == {1, 2}
    assert not use[3].any()


def test_grid_stats_against_pandas(archive):
    g = grid_statistics(archive, threshold=50)
    rows = read_rows(archive, "sensor")
    reg = read_registry(archive, "sensor").set_index("id")
    col, row = cell_index(reg.loc[rows["station"], "x_tm2"], reg.loc[rows["station"], "y_tm2"], 1000)
    df = rows.assign(col=col, row=row, hour=rows["time"].dt.ceil("h"))
    ch = df.groupby(["col", "row", "hour"])["value"].mean()
    ref = ch.groupby(["col", "row"]).agg(["mean", lambda v: np.percentile(v, 95), lambda v: (v >= 50).sum()])
    got = g.cells.set_index(["col", "row"]).loc[ref.index]
    assert np.allclose(got["mean"], ref.iloc[:, 0], atol=1e-3)
    assert np.allclose(got["p95"], ref.iloc[:, 1], atol=1e-3)
    assert (got["exceed_hours"].to_numpy() == ref.iloc[:, 2].to_numpy()).all()


def test_group_percentile_is_numpys():
    rng = np.random.default_rng(1)
    g = rng.integers(0, 7, 500)
    v = rng.normal(size=500)
    groups, p = group_percentile(g, v, 95)
    for k, x in zip(groups, p):
        assert x == pytest.approx(np.percentile(v[g == k], 95), rel=1e-12)


def test_memory_and_threads_write_the_same_bytes(archive, tmp_path):
    outs = []
    for kind in ("memory", "threads"):
        eng = Engine(kind)
        files = write(sensor_operations(archive, engine=eng), tmp_path / kind / "ops", maps=False)
        files.update(write(grid_statistics(archive, engine=eng), tmp_path / kind / "grid", maps=False))
        outs.append({Path(p).name + str(Path(p).parent.name): Path(p).read_bytes() for p in files.values()})
    assert outs[0] == outs[1]
