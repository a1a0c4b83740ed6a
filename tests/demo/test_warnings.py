"""The warnings step of ``geoairplan demo``: the embedded scenario episode, labelled from result.meta."""

from __future__ import annotations

import pandas as pd

from geoairplan.demo import STEPS
from geoairplan.demo.warnings import demo_maps


def test_demo_step_is_registered():
    assert ("warnings", "geoairplan.demo.warnings:demo_maps") in STEPS


def test_demo_maps_write_scenario_labelled_outputs(tmp_path):
    entries = demo_maps(tmp_path, offline=True)
    assert entries and all(e.scenario for e in entries)
    for e in entries:
        p = tmp_path / e.path
        assert p.exists() and p.stat().st_size > 0, e.path
        assert "情境" in e.title
    html = (tmp_path / "warnings" / "pingtung" / "episode_map.html").read_text(encoding="utf-8")
    assert "情境 scenario" in html
    assert '<script src="http' not in html                           # offline: scripts inlined
    assert "2025-01-16 06:00" in html                                 # one slider label per hour
    assert len(html) < 2_000_000
    dec = pd.read_csv(tmp_path / "warnings" / "yunlin" / "decisions.csv")
    assert "must (應成立)" in set(dec["status"])
    assert set(dec["data_kind"]) == {"scenario"}
    rd = pd.read_csv(tmp_path / "warnings" / "yunlin" / "river_dust.csv")
    assert (rd["level_rank"] > 0).any() and set(rd["station"]) == {"崙背", "麥寮"}
    assert set(rd["data_kind"]) == {"scenario"}
