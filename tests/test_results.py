"""geoairplan.results: provenance is set once from what the input is, never from a path."""

import pandas as pd

from geoairplan.results import RunMeta, scenario_of


def test_scenario_comes_from_the_data_or_the_user_never_from_a_name():
    measured = pd.DataFrame({"a": [1]})
    measured.attrs["source"] = "/data/scenario/obs_scenario.csv"       # the path says scenario
    made_up = pd.DataFrame({"a": [1], "data_kind": ["scenario"]})
    assert scenario_of(measured) is False
    assert scenario_of(made_up) is True and scenario_of(measured, made_up) is True
    assert scenario_of(measured, user=True) is True


def test_every_label_of_a_scenario_run_says_so_and_a_measured_run_says_nothing():
    s = RunMeta("warnings", counties=("屏東縣",), title="屏東縣 預警區域", source="obs.csv", scenario=True)
    m = RunMeta("warnings", counties=("屏東縣",), title="屏東縣 預警區域", source="obs.csv")
    assert "scenario" in s.display_title() and "scenario" in s.legend_title("等級")
    assert "非實測" in s.source_line() and s.tags()["data_kind"] == "scenario"
    for text in (m.display_title(), m.legend_title("等級"), m.source_line(), str(m.tags())):
        assert "scenario" not in text and "情境" not in text
    assert m.tags()["data_kind"] == "measured"
    assert s.display_title(s.display_title()) == s.display_title()     # tagged once, not twice
