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
