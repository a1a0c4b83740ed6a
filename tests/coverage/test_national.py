"""All counties in one run (geoairplan.coverage.national): a county that cannot be computed is a row, not a stop."""

from geoairplan import datasets
from geoairplan.coverage.national import NATIONAL_COLUMNS, national_coverage, national_table


def test_a_county_without_a_station_of_the_types_is_an_error_row():
    t = national_table(national_coverage(counties=["臺中市", "新北市"], types="背景站"))
    assert t.columns.tolist() == NATIONAL_COLUMNS and t["county"].tolist() == ["臺中市", "新北市"]
    tc, nt = t.iloc[0], t.iloc[1]
    assert tc["stations"] == 0 and tc["basis"] == "none" and "no station" in tc["error"]
    assert tc["townships"] == len(datasets.township_names("臺中市"))
    # 新北市 has one 背景站 (萬里): it covers the whole city alone, Voronoi only
    bg = datasets.load_stations("新北市", types="背景站")["name_zh"].tolist()
    assert nt["stations"] == 1 and nt["station_names"] == bg[0] and nt["basis"] == "voronoi" and nt["error"] == ""
    assert any("臺中市" in p.source and p.severity == "error" for p in t.attrs["problems"])
