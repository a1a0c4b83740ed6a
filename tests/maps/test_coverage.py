"""Coverage maps (geoairplan.maps.coverage): built from the result only, labels from result.meta."""

import dataclasses

import pytest

from geoairplan.coverage import coverage_analysis
from geoairplan.maps import coverage as cov_maps
from geoairplan.maps.web import render_html


@pytest.fixture(scope="module")
def penghu():
    return coverage_analysis("澎湖縣")


def test_build_gives_one_web_and_one_static_map(penghu):
    maps = cov_maps.build(penghu)
    assert [(m.name, m.kind) for m in maps] == [("coverage_map", "web"), ("coverage_map", "static")]
    assert maps[1].formats == ("png", "pdf")
    assert all(m.title == penghu.meta.display_title() for m in maps)


def test_the_web_map_is_deterministic(penghu):
    a = render_html(cov_maps.web_map_of(penghu, offline=True), offline=True)
    b = render_html(cov_maps.web_map_of(penghu, offline=True), offline=True)
    assert a == b and "馬公" in a


def test_title_legend_and_source_line_come_from_meta(penghu):
    scen = dataclasses.replace(penghu, meta=penghu.meta.with_(scenario=True))
    html = render_html(cov_maps.web_map_of(scen, offline=True), offline=True)
    assert html.count("情境 scenario") >= 3                       # title, legend, source line
    assert "made up, not measured" in html and "環境部測站位置" in html
    plain = render_html(cov_maps.web_map_of(penghu, offline=True), offline=True)
    assert "情境" not in plain and "made up" not in plain and "環境部測站位置" in plain
