"""The overview step of ``geoairplan demo``: entries, files, index, size budget."""

import json
import re

from geoairplan import datasets
from geoairplan.demo import run_demo
from geoairplan.maps import overview


def test_overview_demo_step_writes_every_entry(tmp_path):
    entries = run_demo(tmp_path, offline=True, progress=False,
                       steps=[("overview", "geoairplan.demo.overview:demo_maps")])
    assert {e.kind for e in entries} == {"web", "static"}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<strong>offline</strong>" in index
    for e in entries:
        p = tmp_path / e.path
        assert p.exists() and p.stat().st_size > 10_000, e.path
        assert e.path.startswith("overview/") and f'href="{e.path}"' in index
        if e.kind == "web":
            assert p.stat().st_size < 2_000_000
            assert (tmp_path / e.path.replace(".html", ".embed.html")).exists()
            text = p.read_text(encoding="utf-8")
            assert not re.search(r'<script[^>]+src=', text)
    for c in ("pingtung", "yunlin", "penghu"):
        assert (tmp_path / "overview" / f"{c}_a4.pdf").exists()


def test_overview_map_shows_every_station_and_seed_township():
    st = overview.load_station_points()
    m = overview.overview_map(stations=st)
    layers = {getattr(c, "layer_name", ""): c for c in m._children.values()}
    towns = layers["鄉鎮市區 Townships"]
    n_seed = sum(len(datasets.load_townships(c)) for c in datasets.SEED_COUNTIES)
    assert towns.n_features == n_seed
    n_pts = sum(c.n_features for name, c in layers.items() if "Station" in name or "stations" in name.lower())
    assert n_pts == len(st)
    data = json.loads(layers["測站 Stations"].data.replace("<\\/", "</"))
    assert all("p" in f["properties"] and "t" in f["properties"] for f in data["features"])


def test_county_maps_say_how_many_facilities_are_shown_and_why_the_others_are_not(tmp_path):
    """Issue 11, item 5: the 雲林縣 and 澎湖縣 overviews promised 指定公私場所 and drew none, silently."""
    from geoairplan.maps.web import render_html

    want = {"屏東縣": (109, 110), "雲林縣": (0, 69), "澎湖縣": (0, 14)}
    for county, (shown, total) in want.items():
        fac = datasets.load_facilities(county)
        pl = overview.facility_placement(county)
        assert (pl["shown"], pl["total"]) == (shown, total) and pl["shown"] + pl["unplaced"] == len(fac)
        assert sum(pl["reasons"].values()) == pl["unplaced"]
        drawn = 0 if pl["points"] is None else len(pl["points"])
        assert drawn == shown
        html = render_html(overview.county_map(county, offline=True), offline=True)
        assert f"顯示 {shown} / {total} 處" in html  # legend and source note
        if shown < total:
            assert f"{total - shown} 處無法定位" in html and "no address and no township given" in html
        if shown == 0:  # the title does not promise what is not drawn
            assert "鄉鎮、測站與指定公私場所" not in html and "Facilities (" not in html
    entries = run_demo(tmp_path, offline=True, progress=False,
                       steps=[("overview", "geoairplan.demo.overview:demo_maps")])
    yl = [e for e in entries if e.path == "overview/yunlin.html"][0]
    assert "顯示 shown 0 / 69 處" in yl.description and "69 處無法定位" in yl.description
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "69 處無法定位" in index and "14 處無法定位" in index


def test_facility_placement_does_not_swallow_errors(monkeypatch):
    import pytest

    def broken(county=None):
        raise OSError("facilities.csv unreadable")

    monkeypatch.setattr(datasets, "load_facilities", broken)
    with pytest.raises(OSError):
        overview.county_map("雲林縣", offline=True)
