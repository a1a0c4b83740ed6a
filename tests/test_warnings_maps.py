"""The episode maps and the demo step of the warnings capability (scenario data)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geoairplan.demo import STEPS


def test_demo_step_is_registered():
    assert ("warnings", "geoairplan.maps.warnings:demo_maps") in STEPS


def test_demo_maps_write_scenario_labelled_outputs(tmp_path):
    from geoairplan.maps.warnings import demo_maps

    entries = demo_maps(tmp_path, offline=True)
    assert entries and all(e.scenario for e in entries)
    for e in entries:
        p = tmp_path / e.path
        assert p.exists() and p.stat().st_size > 0, e.path
        assert "scenario" in Path(e.path).name and "情境" in e.title
    html = (tmp_path / "warnings" / "pingtung" / "episode_map_scenario.html").read_text(encoding="utf-8")
    assert "情境 scenario" in html
    assert '<script src="http' not in html                           # offline: scripts inlined
    assert "2025-01-16 06:00" in html                                 # one slider label per hour
    assert len(html) < 2_000_000
    dec = pd.read_csv(tmp_path / "warnings" / "yunlin" / "decisions_scenario.csv")
    assert "must (應成立)" in set(dec["status"])
    rd = pd.read_csv(tmp_path / "warnings" / "yunlin" / "river_dust_scenario.csv")
    assert (rd["level_rank"] > 0).any() and set(rd["station"]) == {"崙背", "麥寮"}
