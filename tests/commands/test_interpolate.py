"""``geoairplan interpolate`` end to end: GeoTIFF, level polygons, township stats, maps; bad input."""

import numpy as np
import pandas as pd
import pytest
import rasterio
from pyproj import Transformer

from geoairplan.cli import main

# Stations placed on 1000-m cell centres (TM2), near the real ones, so a cell holds a station exactly.
STATIONS = {  # name: (x, y, county, pm2.5 at 14:00, pm2.5 at 15:00)
    "屏東": (197_500, 2_508_500, "屏東縣", 82.0, 80.0),
    "潮州": (204_500, 2_491_500, "屏東縣", 66.0, 64.0),
    "恆春": (228_500, 2_428_500, "屏東縣", 24.0, None),  # missing at 15:00
    "屏東(枋山)": (214_500, 2_462_500, "屏東縣", 35.0, 34.0),
    "小港": (181_500, 2_496_500, "高雄市", 78.0, 77.0),
    "大寮": (190_500, 2_496_500, "高雄市", 75.0, 76.0),
    "林園": (189_500, 2_486_500, "高雄市", 70.0, 71.0),
    "美濃": (201_500, 2_531_500, "高雄市", 55.0, 57.0),
    "臺東": (265_500, 2_517_500, "臺東縣", 12.0, 13.0),
}


@pytest.fixture()
def files(tmp_path):
    to_ll = Transformer.from_crs(3826, 4326, always_xy=True)
    rows = []
    for name, (x, y, county, *_rest) in STATIONS.items():
        lon, lat = to_ll.transform(x, y)
        rows.append({"sitename": name, "siteengname": name, "areaname": "高屏空品區", "county": county,
                     "township": "", "siteaddress": "", "twd97lon": f"{lon:.10f}", "twd97lat": f"{lat:.10f}",
                     "sitetype": "一般測站", "siteid": str(len(rows) + 1)})
    st = tmp_path / "stations.csv"
    pd.DataFrame(rows).to_csv(st, index=False)
    obs = []
    for hour, k in (("2025-01-16 14:00", 3), ("2025-01-16 15:00", 4)):
        for name, v in STATIONS.items():
            val = v[k]
            obs.append({"sitename": name, "county": v[2], "aqi": "", "pollutant": "", "status": "",
                        "so2": "2.0", "co": "0.4", "o3": "30", "o3_8hr": "30", "pm10": "90",
                        "pm2.5": "" if val is None else f"{val:g}", "no2": "15", "nox": "20", "no": "5",
                        "windspeed": "1.5", "winddirec": "40", "datacreationdate": hour, "unit": "",
                        "co_8hr": "0.4", "pm2.5_avg": "", "pm10_avg": "", "so2_avg": "", "longitude": "",
                        "latitude": "", "siteid": ""})
    ob = tmp_path / "obs.csv"
    pd.DataFrame(obs).to_csv(ob, index=False)
    return ob, st


def test_cli_kriging_writes_a_geotiff_qgis_can_place(files, tmp_path, capsys):
    obs, st = files
    out = tmp_path / "out"
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--method", "kriging", "--cell", "1000",
               "--county", "屏東縣", "--hour", "2025-01-16 14:00", "--stations", str(st),
               "--variogram-params", "sill=400,range=60000,nugget=0", "--out", str(out), "--offline",
               "--label", "scenario"])
    assert rc == 0, capsys.readouterr().err
    text = capsys.readouterr().out
    assert "kriging: 1 hour(s) of pm2.5" in text and "wrote" in text
    tifs = sorted(out.glob("*.tif"))
    assert [p.name for p in tifs] == ["pm25_kriging_scenario_20250116_1400.tif"]
    with rasterio.open(tifs[0]) as r:
        assert r.crs.to_epsg() == 3826 and r.count == 2 and r.nodata == -9999.0
        band = r.read(1)
        # value at a station pixel is the station's value (kriging is exact at stations)
        for name in ("屏東", "潮州"):
            x, y = STATIONS[name][:2]
            row, col = r.index(x, y)
            assert band[row, col] == pytest.approx(STATIONS[name][3], abs=1e-3)
            assert r.read(2)[row, col] == pytest.approx(0.0, abs=1e-3)  # variance zero at the station
        # nodata outside the county's land: the sea south-west of 枋山, and every cell off the county
        row, col = r.index(190_000, 2_440_000)
        assert band[row, col] == -9999.0
        from geoairplan.interpolate import make_grid
        g = make_grid(county="屏東縣", cell_size=1000)
        assert r.transform == g.transform and np.array_equal(band != -9999.0, g.mask)
        assert r.tags()["label"] == "scenario"
    import geopandas as gpd
    lv = gpd.read_file(out / "pm25_kriging_scenario_levels.gpkg", layer="levels")
    assert lv.crs.to_epsg() == 3826 and set(lv["level"]) <= {"L1", "L2", "S1", "S2", "S3"}
    assert "L2" in set(lv["level"])  # 屏東 at 82 ug/m3 exceeds the 54.5 threshold
    towns = pd.read_csv(out / "pm25_kriging_scenario_townships.csv")
    assert len(towns) == 33 and {"mean", "max", "level"} <= set(towns.columns)
    assert towns.loc[towns["township"] == "屏東市", "level"].iloc[0] == "L2"
    cv = pd.read_csv(out / "pm25_kriging_scenario_cv.csv")
    assert len(cv) == len(STATIONS) and {"observed", "predicted", "error", "variance"} <= set(cv.columns)
    html = (out / "pm25_kriging_scenario_map.html").read_text(encoding="utf-8")
    assert "情境" in html and "data:image/png;base64" in html and '<script src="http' not in html
    assert (out / "pm25_kriging_scenario_map.png").stat().st_size > 10_000


def test_cli_idw_all_hours_with_a_missing_station(files, tmp_path, capsys):
    obs, st = files
    out = tmp_path / "idw"
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--cell", "2000", "--county", "屏東縣",
               "--stations", str(st), "--out", str(out), "--no-maps"])
    assert rc == 0, capsys.readouterr().err
    assert len(list(out.glob("pm25_idw_*.tif"))) == 2
    probs = pd.read_csv(out / "pm25_idw_problems.csv")
    assert probs["where"].str.contains("恆春").any()
    towns = pd.read_csv(out / "pm25_idw_townships.csv")
    assert sorted(towns["time"].unique()) == ["2025-01-16 14:00", "2025-01-16 15:00"]


def test_cli_bad_input_is_a_clear_error(files, tmp_path, capsys):
    obs, st = files
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--cell", "0.5", "--county", "屏東縣",
               "--stations", str(st), "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert rc == 2 and "cells" in err and "How to fix: use a cell size of" in err and "Traceback" not in err
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--hour", "2030-01-01 00:00",
               "--stations", str(st), "--out", str(tmp_path / "y")])
    err = capsys.readouterr().err
    assert rc == 2 and "not in the file" in err and "2025-01-16 14:00" in err
    rc = main(["interpolate", str(obs), "--pollutant", "nox2", "--stations", str(st), "--out", str(tmp_path / "z")])
    assert rc == 2 and "pm2.5" in capsys.readouterr().err


def test_cli_outputs_are_byte_identical_across_runs(files, tmp_path):
    obs, st = files
    outs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        assert main(["interpolate", str(obs), "--pollutant", "pm2.5", "--method", "kriging", "--cell", "2000",
                     "--county", "屏東縣", "--stations", str(st), "--variogram-params", "sill=400,range=60000,nugget=1",
                     "--out", str(out), "--no-maps"]) == 0
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(p.name for p in outs[1].iterdir()) and any(n.endswith(".gpkg") for n in names)
    for n in names:
        assert (outs[0] / n).read_bytes() == (outs[1] / n).read_bytes(), n


def _wrote(text: str) -> int:
    line = next(ln for ln in text.splitlines() if ln.startswith("wrote "))
    return int(line.split()[1])


def _on_disk(out) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_closing_report_counts_the_files_on_disk(files, tmp_path, capsys):
    obs, st = files
    out = tmp_path / "counted"
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--cell", "2000", "--county", "屏東縣",
               "--stations", str(st), "--out", str(out), "--offline"])
    assert rc == 0, capsys.readouterr().err
    names = _on_disk(out)
    assert _wrote(capsys.readouterr().out) == len(names)
    # the set of files: one GeoTIFF per hour, the GeoPackage, tables, problems, the maps (HTML, A4 PNG; PDF on
    # request)
    assert {"pm25_idw_20250116_1400.tif", "pm25_idw_20250116_1500.tif", "pm25_idw_levels.gpkg",
            "pm25_idw_townships.csv", "pm25_idw_cv.csv", "pm25_idw_problems.csv", "pm25_idw_map.html",
            "pm25_idw_map.embed.html", "pm25_idw_map.png", "summary.txt"} == set(names)


def _scenario_copy(obs, path, kind: str | None):
    df = pd.read_csv(obs, dtype=str, keep_default_na=False)
    if kind is not None:
        df["data_kind"] = kind
    df.to_csv(path, index=False)
    return path


def _run(obs, st, out, capsys):
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--method", "kriging", "--cell", "2000",
               "--county", "屏東縣", "--hour", "2025-01-16 14:00", "--stations", str(st),
               "--variogram-params", "sill=400,range=60000,nugget=0", "--out", str(out), "--offline"])
    assert rc == 0, capsys.readouterr().err
    assert _wrote(capsys.readouterr().out) == len(_on_disk(out))
    return out


def test_scenario_file_is_labelled_whatever_the_out_folder(files, tmp_path, capsys):
    obs, st = files
    scen = _scenario_copy(obs, tmp_path / "episode.csv", "scenario")
    a = _run(scen, st, tmp_path / "out" / "warn", capsys)
    b = _run(scen, st, tmp_path / "scenario" / "pm25", capsys)  # a folder name must not matter either way
    names = _on_disk(a)
    assert names == _on_disk(b)
    for n in names:  # identically labelled: the same bytes
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    with rasterio.open(a / "pm25_kriging_20250116_1400.tif") as r:
        assert r.tags()["data_kind"] == "scenario" and r.tags()["capability"] == "interpolate"
        assert r.tags()["method"] == "kriging" and r.tags()["time"] == "2025-01-16 14:00"  # the surface's own tags
    html = (a / "pm25_kriging_map.html").read_text(encoding="utf-8")
    assert "內插濃度 2025-01-16 14:00（情境 scenario）" in html  # title
    assert "資料來源：情境資料 scenario" in html  # source line
    assert "預警等級 Warning level（情境 scenario）" in html  # legend
    for csv in ("pm25_kriging_townships.csv", "pm25_kriging_cv.csv"):
        t = pd.read_csv(a / csv)
        assert set(t["data_kind"]) == {"scenario"}, csv
    assert "情境" in (a / "summary.txt").read_text(encoding="utf-8")


def test_measured_copy_has_no_scenario_label(files, tmp_path, capsys):
    obs, st = files
    for kind in (None, "measured"):
        meas = _scenario_copy(obs, tmp_path / f"measured_{kind}.csv", kind)
        out = _run(meas, st, tmp_path / "scenario" / f"run_{kind}", capsys)  # 'scenario' in the path: no effect
        with rasterio.open(out / "pm25_kriging_20250116_1400.tif") as r:
            assert r.tags()["data_kind"] == "measured" and "label" not in r.tags()
        html = (out / "pm25_kriging_map.html").read_text(encoding="utf-8")
        assert "情境" not in html and "scenario" not in html.lower().replace("data_kind", "")
        assert "環境部空氣品質測站" in html
        for csv in ("pm25_kriging_townships.csv", "pm25_kriging_cv.csv"):
            assert "data_kind" not in pd.read_csv(out / csv).columns
        assert "情境" not in (out / "summary.txt").read_text(encoding="utf-8")


def test_scenario_flag_labels_a_measured_file(files, tmp_path, capsys):
    obs, st = files
    out = tmp_path / "flagged"
    rc = main(["interpolate", str(obs), "--pollutant", "pm2.5", "--cell", "2000", "--county", "屏東縣",
               "--stations", str(st), "--out", str(out), "--no-maps", "--scenario"])
    assert rc == 0, capsys.readouterr().err
    with rasterio.open(out / "pm25_idw_20250116_1400.tif") as r:
        assert r.tags()["data_kind"] == "scenario"
    assert set(pd.read_csv(out / "pm25_idw_townships.csv")["data_kind"]) == {"scenario"}


# --------------------------------------------------------------------------- issue 16: auto, confidence

EPISODE = "data/scenario/episode_scenario.csv"


def _episode_hour(pollutant="pm2.5", hour="2025-01-16 14:00"):
    from geoairplan.interpolate.series import station_values

    d = station_values(EPISODE, pollutant, hours=[hour])
    row = d.values.iloc[0]
    ok = row.notna().to_numpy()
    x, y = d.xy
    return x[ok], y[ok], row.to_numpy()[ok]


def test_interpolate_method_auto_reports_cross_validation_and_figures(tmp_path, capsys):
    from geoairplan.interpolate import IDW
    from geoairplan.interpolate.validation import cross_validate

    out = tmp_path / "auto"
    assert main(["interpolate", EPISODE, "--pollutant", "pm2.5", "--method", "auto", "--hour", "2025-01-16 14:00",
                 "--county", "屏東縣", "--cell", "2000", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    sel = pd.read_csv(next(out.glob("*_method_selection.csv")))
    ok = sel[sel["status"] == "ok"]
    chosen = sel[sel["chosen"]]
    assert len(chosen) == 1 and len(ok) >= 10
    assert chosen["loo_rmse"].iloc[0] == pytest.approx(ok["loo_rmse"].min())
    assert f"method chosen by cross-validation: {chosen['label'].iloc[0]}" in text
    assert (sel["data_kind"] == "scenario").all()  # scenario data say so in the table too
    # the chosen method runs the surfaces: the file stem names it
    method = chosen["method"].iloc[0]
    assert next(out.glob("*_method_selection.csv")).name.startswith(f"pm25_{method}")
    # the IDW row is the same leave-one-out as an independent cross-validation of that gridder
    x, y, z = _episode_hour()
    ref = cross_validate(IDW(power=2.0, n_neighbors=10, max_distance=None), (x, y), z)
    row = sel.set_index("label").loc["idw(power=2, k=10)"]
    assert row["loo_rmse"] == pytest.approx(ref.rmse, rel=1e-3)
    # the two figures users expect from kriging tools
    for fig in ("cv_scatter", "variogram"):
        png = next(out.glob(f"*_{fig}.png"))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_interpolate_confidence_writes_probabilities_consistent_with_the_surface(tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["interpolate", EPISODE, "--pollutant", "pm2.5", "--method", "kriging", "--hour",
                 "2025-01-16 14:00", "--county", "屏東縣", "--cell", "2000", "--confidence", "0.8",
                 "--out", str(out), "--offline"]) == 0
    text = capsys.readouterr().out
    assert "model-based zones (kriging probability >= 0.8" in text
    surf = out / "pm25_kriging_20250116_1400.tif"
    with rasterio.open(surf) as r:
        mean = r.read(1, masked=True)
    thresholds = {}
    for lv in ("L1", "L2", "S1"):
        with rasterio.open(out / f"pm25_kriging_20250116_1400_p_{lv}.tif") as r:
            p = r.read(1, masked=True)
            thresholds[lv] = float(r.tags()["threshold"])
            assert r.tags()["data_kind"] == "scenario" and "Gaussian" in r.tags()["assumption"]
        assert float(p.min()) >= 0.0 and float(p.max()) <= 1.0
        # P(Z >= t) >= 0.5 exactly where the kriged mean reaches t (Gaussian errors, symmetric)
        m = ~p.mask & ~mean.mask & (np.abs(mean - thresholds[lv]) > 0.5)
        assert ((p[m] >= 0.5) == (mean[m] >= thresholds[lv])).all()
    assert thresholds["L1"] < thresholds["L2"] < thresholds["S1"]
    tp = pd.read_csv(out / "pm25_kriging_township_exceedance.csv")
    zones = pd.read_csv(out / "pm25_kriging_zones_p80.csv")
    assert tp["basis"].str.contains("model-based").all() and zones["basis"].str.contains("model-based").all()
    assert len(zones) > 0 and (zones["probability"] >= 0.8).all()
    # each township's zone is the highest level it reaches with P >= 0.8
    for r in zones.itertuples():
        mine = tp[(tp["township"] == r.township)]
        reach = mine[mine["probability"] >= 0.8]
        assert r.level == reach.sort_values("level_rank")["level"].iloc[-1]
    assert set(zones["township"]) == set(tp.loc[tp["probability"] >= 0.8, "township"])
    html = (out / "pm25_kriging_map.html").read_text(encoding="utf-8")
    assert html.count("Exceedance probability, model-based") >= 5
    import pyogrio
    assert "probability_zones" in dict(pyogrio.list_layers(out / "pm25_kriging_levels.gpkg"))


def test_interpolate_confidence_needs_kriging(tmp_path, capsys):
    rc = main(["interpolate", EPISODE, "--pollutant", "pm2.5", "--method", "idw", "--hour", "2025-01-16 14:00",
               "--confidence", "0.8", "--out", str(tmp_path / "o"), "--no-maps"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "kriging" in err and "--confidence" in err and "Traceback" not in err


def test_interpolate_uses_a_station_the_registry_lacks_at_the_files_position(tmp_path, capsys):
    # issue 12: a station missing from the registry is placed at the file's own lon/lat, not dropped
    recs = []
    for name, lon, lat, v in (("屏東", "120.488033", "22.673081", 40), ("潮州", "120.561175", "22.523108", 30),
                              ("恆春", "120.788928", "21.958069", 20), ("新站（測試）", "120.65", "22.40", 90)):
        recs.append({"sitename": name, "publishtime": "2024/01/01 01:00", "pm2.5": str(v), "siteid": "",
                     "longitude": lon, "latitude": lat})
    path = tmp_path / "new.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    out = tmp_path / "o"
    assert main(["interpolate", str(path), "--pollutant", "pm2.5", "--method", "idw", "--county", "屏東縣",
                 "--cell", "2000", "--out", str(out), "--no-maps"]) == 0
    capsys.readouterr()
    import geopandas as gpd
    st = gpd.read_file(out / "pm25_idw_levels.gpkg", layer="stations").set_index("station")
    assert "新站(測試)" in st.index and st.loc["新站(測試)", "value"] == 90
    x, y = Transformer.from_crs(4326, 3826, always_xy=True).transform(120.65, 22.40)
    p = st.loc["新站(測試)", "geometry"]
    assert abs(p.x - x) < 0.01 and abs(p.y - y) < 0.01
    probs = pd.read_csv(out / "pm25_idw_problems.csv")
    assert probs["reason"].str.contains("file's own coordinates").any()
    # the surface is highest near the new station (it holds the highest value)
    with rasterio.open(out / "pm25_idw_20240101_0100.tif") as r:
        a = r.read(1, masked=True)
        row, col = np.unravel_index(np.ma.argmax(a), a.shape)
        cx, cy = r.xy(row, col)
    assert np.hypot(cx - x, cy - y) < 3000


def test_kriging_neighbours_from_the_command_line_equals_global_kriging_when_k_covers_every_station(tmp_path):
    """--kriging-neighbours K: K >= the stations gives the global surface; a small K gives another one."""
    import numpy as np
    import rasterio

    from geoairplan.cli import main as cli

    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "data" / "scenario" / "episode_scenario.csv"
    common = [str(src), "--pollutant", "pm2.5", "--method", "kriging", "--county", "屏東縣", "--cell", "2000",
              "--hour", "2025-01-17 14:00", "--variogram-params", "sill=300,range=60000,nugget=5", "--no-maps"]
    grids = {}
    for name, extra in (("global", []), ("k_all", ["--kriging-neighbours", "200"]), ("k3", ["--kriging-neighbours", "3"])):
        out = tmp_path / name
        assert cli(["interpolate", *common, "--out", str(out), *extra]) == 0
        [tif] = sorted(out.glob("*.tif"))
        with rasterio.open(tif) as r:
            grids[name] = (r.read(1, masked=True), r.read(2, masked=True))
    g, k = grids["global"], grids["k_all"]
    assert np.ma.allclose(g[0], k[0], atol=1e-3) and np.ma.allclose(g[1], k[1], atol=1e-3)
    assert np.ma.abs(grids["k3"][0] - g[0]).max() > 0.1
