"""The uncertainty and siting demo step: method selection, variance and plume siting, all labelled scenario."""

import pandas as pd
import rasterio

from geoairplan.demo import STEPS
from geoairplan.demo.interpolate import demo_maps as interpolate_demo
from geoairplan.demo.siting import demo_maps


def test_siting_step_is_registered():
    assert ("siting", "geoairplan.demo.siting:demo_maps") in STEPS


def test_siting_demo_writes_labelled_outputs(tmp_path):
    entries = demo_maps(tmp_path, offline=True)
    assert entries and all(e.scenario for e in entries)
    for e in entries:
        assert (tmp_path / e.path).exists(), e.path
        assert e.path.startswith("siting/")
        if e.kind != "data":
            assert "情境" in e.title or "scenario" in e.title, e.title
    sel = pd.read_csv(tmp_path / next(e.path for e in entries if e.path.endswith("_method_selection.csv")))
    assert sel["chosen"].sum() == 1 and (sel["data_kind"] == "scenario").all()
    sites = pd.read_csv(tmp_path / "siting/pingtung_variance/sites.csv")
    assert sites["rank"].tolist() == [1, 2, 3, 4, 5] and sites["reduction_pct"].is_monotonic_increasing
    with rasterio.open(tmp_path / "siting/pingtung_variance/variance_after.tif") as a, \
            rasterio.open(tmp_path / "siting/pingtung_variance/variance_before.tif") as b:
        after, before = a.read(1, masked=True), b.read(1, masked=True)
        assert a.tags()["data_kind"] == "scenario"
    assert (after <= before + 1e-6).all() and after.mean() < before.mean()
    html = (tmp_path / "siting/yunlin_plume/plume_siting_map.html").read_text(encoding="utf-8")
    assert "情境 scenario" in html and '<script src="http' not in html


def test_interpolate_demo_has_the_probability_outputs(tmp_path):
    entries = interpolate_demo(tmp_path, offline=True)
    probs = [e for e in entries if "_p_" in e.path and e.path.endswith(".tif")]
    assert len(probs) >= 2 and all("model-based" in e.title for e in probs)
    with rasterio.open(tmp_path / probs[0].path) as r:
        p = r.read(1, masked=True)
        assert 0 <= p.min() and p.max() <= 1 and r.tags()["data_kind"] == "scenario"
    zones = next(e for e in entries if "_zones_p80" in e.path)
    z = pd.read_csv(tmp_path / zones.path)
    assert (z["probability"] >= 0.8).all() and z["basis"].str.contains("model-based").all()
    web = next(e for e in entries if e.kind == "web")
    assert "Exceedance probability, model-based" in (tmp_path / web.path).read_text(encoding="utf-8")
