"""Warning back-test over an archive: per-station tasks equal the whole-table engine; every engine writes the same bytes."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoairplan.engine import Engine
from geoairplan.errors import InputError
from geoairplan.io.archive import import_files, read_rows
from geoairplan.publish import write
from geoairplan.warnings import compute_levels
from geoairplan.warnings.backtest import backtest, period_bounds, station_levels

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = tmp_path_factory.mktemp("bt") / "arc"
    import_files([DATA / "episode_scenario.csv"], a)
    return a


def test_station_tasks_equal_whole_table(archive):
    t0, t1 = period_bounds("2025-01-14", "2025-01-19")
    rows = read_rows(archive, "moenv", stations=["屏東", "潮州", "恆春", "麥寮"],
                     pollutants=["pm2.5", "pm10", "o3", "so2", "no2", "co"])
    whole = compute_levels(rows)
    parts = pd.concat([station_levels(g.reset_index(drop=True), t0, t1) for _, g in rows.groupby("station")],
                      ignore_index=True)
    pd.testing.assert_frame_equal(whole.reset_index(drop=True), parts, check_dtype=False)


def test_counts_and_tables(archive):
    r = backtest(archive, start="2025-01-14", end="2025-01-19", county="屏東縣")
    assert r.meta.capability == "backtest" and r.meta.counties == ("屏東縣",)
    assert r.meta.time_start == "2025-01-14 00:00" and r.meta.time_end == "2025-01-19 23:00"
    wh = r.warning_hours
    assert set(wh["county"]) == {"屏東縣"} and (wh["level_rank"] >= 1).all()
    # county hours per level = hours whose highest station level is that level (recount by hand)
    top = wh.groupby("time")["level_rank"].max()
    s = r.summary_table.set_index("level_rank")
    for rank in (1, 2, 3):
        assert s.loc[rank, "hours"] == int((top == rank).sum())
    cal = r.calendar
    assert list(cal["date"]) == [f"2025-01-{d}" for d in range(14, 20)]
    days = cal.loc[cal["level_rank"] >= 1].groupby("level_rank").size()
    for rank, n in days.items():
        assert s.loc[rank, "days"] == n
    ep = r.episodes
    assert ep["hours"].sum() == wh["time"].nunique()
    assert ep["peak_rank"].max() == wh["level_rank"].max()
    assert ep["start"].iloc[0] == wh["time"].min()


def test_memory_and_threads_write_the_same_bytes(archive, tmp_path):
    outs = []
    for kind in ("memory", "threads"):
        r = backtest(archive, start="2025-01-14", end="2025-01-19", county="all", engine=Engine(kind))
        files = write(r, tmp_path / kind, maps=False)
        outs.append({k: Path(p).read_bytes() for k, p in files.items()})
    assert outs[0] == outs[1]
    assert "episodes.csv" in outs[0] and "calendar.csv" in outs[0]


def test_clear_errors(archive):
    with pytest.raises(InputError, match="before it starts"):
        backtest(archive, start="2025-01-19", end="2025-01-14")
    with pytest.raises(InputError, match="no station in"):
        backtest(archive, start="2025-01-14", end="2025-01-19", county="臺北市")
    with pytest.raises(InputError, match="no station has data"):
        backtest(archive, start="2020-01-01", end="2020-01-02")
