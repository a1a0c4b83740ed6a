"""The back-test demo step: a scenario year of the demo counties' stations, run on Dask, calendars and a page."""

import pandas as pd

from geoairplan.demo import STEPS
from geoairplan.demo.backtest import COUNTIES, demo_maps


def test_backtest_step(tmp_path):
    assert ("backtest", "geoairplan.demo.backtest:demo_maps") in STEPS
    entries = demo_maps(tmp_path, offline=True)
    paths = [e.path for e in entries]
    assert paths[0] == "backtest/backtest.html"
    assert all((tmp_path / p).exists() for p in paths) and all(e.scenario for e in entries)
    assert {f"backtest/calendar_{c}.png" for c in COUNTIES} <= set(paths)
    d = tmp_path / "backtest"
    cal = pd.read_csv(d / "calendar.csv")
    assert set(cal["county"]) == set(COUNTIES) and len(cal) == 366 * len(COUNTIES)
    assert (cal["data_kind"] == "scenario").all()
    page = (d / "backtest.html").read_text(encoding="utf-8")
    assert "（情境 scenario）" in page
    for rank, n in cal.groupby("level_rank").size().items():  # the page's calendars are the table
        assert page.count(f'class="k{rank + 1}"') == n
    ep = pd.read_csv(d / "episodes.csv")
    assert len(ep) > 0 and (cal["level_rank"] >= 1).any()
    assert "Dask" in entries[0].description and "scenario" in entries[0].description
