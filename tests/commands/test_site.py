"""``geoairplan site`` end to end: ranked sites, variance rasters recomputed by brute force, plume, maps."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio

from geoairplan.cli import main
from geoairplan.interpolate import OrdinaryKriging
from geoairplan.interpolate.kriging import fit_variogram
from geoairplan.interpolate.series import station_values

EPISODE = "data/scenario/episode_scenario.csv"


def _cells(path, n=40, seed=0):
    with rasterio.open(path) as r:
        band = r.read(1, masked=True)
        tr = r.transform
    rows, cols = np.nonzero(~band.mask)
    pick = np.random.default_rng(seed).choice(rows.size, size=min(n, rows.size), replace=False)
    rr, cc = rows[pick], cols[pick]
    x = tr.c + (cc + 0.5) * tr.a
    y = tr.f + (rr + 0.5) * tr.e
    return x, y, np.asarray(band[rr, cc], float)


def test_site_ranks_sites_and_the_variance_after_is_a_refit_with_them(tmp_path, capsys):
    out = tmp_path / "pt"
    assert main(["site", "--county", "屏東縣", "--candidates", "grid", "--add", "3", "--cell", "2000",
                 "--out", str(out), "--offline"]) == 0
    text = capsys.readouterr().out
    assert "3 new site(s)" in text and "scenario" in text
    sites = pd.read_csv(out / "sites.csv")
    assert sites["rank"].tolist() == [1, 2, 3] and (sites["data_kind"] == "scenario").all()
    assert sites["reduction_pct"].is_monotonic_increasing and (sites["reduction_pct"] > 0).all()
    assert sites["objective_after"].iloc[-1] < sites["objective_before"].iloc[0]
    layers = dict(pyogrio.list_layers(out / "siting.gpkg"))
    assert {"sites", "stations"} <= set(layers)
    st = gpd.read_file(out / "siting.gpkg", layer="stations")
    assert st.crs.to_epsg() == 3826
    # brute force: refit kriging with the fitted (pooled) variogram on the stations plus the new sites
    d = station_values(EPISODE, "pm2.5")
    x, y = d.xy
    params = fit_variogram(x, y, d.values.dropna(how="all").to_numpy(float).T, "spherical").params
    sx, sy = st.geometry.x.to_numpy(), st.geometry.y.to_numpy()
    rng = np.random.default_rng(1)
    for tif, (ax, ay) in (("variance_before.tif", ([], [])),
                          ("variance_after.tif", (sites["x"].to_numpy(), sites["y"].to_numpy()))):
        px, py = np.concatenate([sx, ax]), np.concatenate([sy, ay])
        ok = OrdinaryKriging("spherical", variogram_parameters=params).fit((px, py), rng.normal(50, 10, px.size))
        cx, cy, v = _cells(out / tif)
        _, var = ok.predict((cx, cy), return_variance=True)
        assert np.allclose(v, var, rtol=1e-4, atol=1e-3), tif
    with rasterio.open(out / "variance_after.tif") as r:
        assert r.tags()["data_kind"] == "scenario"
    html = (out / "siting_map.html").read_text(encoding="utf-8")
    assert "Ranked new sites" in html and "new site (#rank)" in html and "情境 scenario" in html
    assert (out / "siting_map.png").stat().st_size > 50_000
    assert not (out / "siting_map.pdf").exists()  # PDF on request (--static pdf / png+pdf)


def test_site_candidates_file_and_township_weights(tmp_path, capsys):
    cands = pd.DataFrame({"name": ["A", "B", "C", "bad"], "lon": [120.60, 120.75, 120.55, "x"],
                          "lat": [22.45, 22.10, 22.70, 22.5]})
    path = tmp_path / "cands.csv"
    cands.to_csv(path, index=False)
    out = tmp_path / "c"
    assert main(["site", "--county", "屏東縣", "--candidates", str(path), "--add", "2", "--weights", "township",
                 "--cell", "2000", "--out", str(out), "--no-maps"]) == 0
    text = capsys.readouterr().out
    sites = pd.read_csv(out / "sites.csv")
    assert len(sites) == 2
    # the sites are two of the three usable candidates (TM2 of their lon/lat)
    from geoairplan.io.crs import points_from_xy
    pts = points_from_xy(np.array([120.60, 120.75, 120.55]), np.array([22.45, 22.10, 22.70]), "EPSG:4326")
    for a, b in zip(sites["x"], sites["y"]):
        assert min(np.hypot(p.x - a, p.y - b) for p in pts) < 1.0
    assert "row 5" in text or "row 5" in (out / "problems.csv").read_text(encoding="utf-8")
    assert "township" in (out / "summary.txt").read_text(encoding="utf-8")


def test_site_plume_on_the_hotspot_scenario(tmp_path, capsys):
    out = tmp_path / "yl"
    assert main(["site", "--county", "雲林縣", "--plume", "--add", "2", "--cell", "2000", "--spacing", "2000",
                 "--out", str(out), "--offline"]) == 0
    text = capsys.readouterr().out
    assert "plume detection" in text
    ps = pd.read_csv(out / "plume" / "plume_sites.csv")
    assert ps["rank"].tolist() == [1, 2] and (ps["data_kind"] == "scenario").all()
    assert ps["detected_after"].is_monotonic_increasing
    assert ps["detected_after"].iloc[-1] > ps["detected_before"].iloc[0]
    locs = gpd.read_file(out / "plume" / "plume_siting.gpkg", layer="source_locations")
    assert (locs["p_after"] >= locs["p_before"] - 1e-12).all()
    assert (out / "plume" / "plume_siting_map.html").exists()
    assert "情境 scenario" in (out / "plume" / "plume_siting_map.html").read_text(encoding="utf-8")


def test_site_bad_county_and_candidates_are_input_errors(tmp_path, capsys):
    assert main(["site", "--county", "屏東", "--add", "1", "--candidates", str(tmp_path / "none.csv"),
                 "--out", str(tmp_path / "o"), "--no-maps"]) == 2
    err = capsys.readouterr().err
    assert "none.csv" in err and "Traceback" not in err
    bad = tmp_path / "nocoords.csv"
    pd.DataFrame({"name": ["a"], "where": ["here"]}).to_csv(bad, index=False)
    assert main(["site", "--county", "屏東縣", "--candidates", str(bad), "--out", str(tmp_path / "o2"),
                 "--no-maps"]) == 2
    err = capsys.readouterr().err
    assert "no coordinates" in err and "lon/lat" in err


def test_site_outputs_are_byte_identical_across_runs(tmp_path, capsys):
    outs = []
    for k in ("a", "b"):
        out = tmp_path / k
        assert main(["site", "--county", "屏東縣", "--add", "2", "--cell", "3000", "--weights", "area",
                     "--out", str(out), "--no-maps"]) == 0
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(p.name for p in outs[1].iterdir()) and "sites.csv" in names
    for n in names:
        assert (outs[0] / n).read_bytes() == (outs[1] / n).read_bytes(), n
