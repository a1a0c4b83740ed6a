"""The coverage demo step (geoairplan.demo.coverage)."""

import pandas as pd
import pytest


@pytest.mark.slow
def test_demo_maps_three_seed_counties(tmp_path):
    from geoairplan.demo import STEPS
    from geoairplan.demo.coverage import demo_maps

    assert ("coverage", "geoairplan.demo.coverage:demo_maps") in STEPS
    entries = demo_maps(tmp_path, offline=True)
    assert len(entries) == 9 and {e.kind for e in entries} == {"web", "static", "data"}
    for e in entries:
        assert (tmp_path / e.path).stat().st_size > 0 and e.path.startswith("coverage/")
        assert e.scenario is False                                  # embedded MOENV stations: measured
    assert "萬丹鄉" in entries[0].description and "枋山鄉" in entries[0].description
    ph = pd.read_csv(tmp_path / "coverage" / "penghu" / "agreement.csv")
    assert len(ph) == 6 and ph["agree"].all()
    assert (tmp_path / "coverage" / "penghu" / "coverage_map.pdf").exists()
