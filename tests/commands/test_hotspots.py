"""``geoairplan hotspots`` and ``geoairplan suspects`` through geoairplan.cli.main, into tmp_path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoairplan.cli import main

X0, Y0 = 205000.0, 2620000.0  # 斗六市


def _sources_csv(path, extra=""):
    rows = ["C_NO,NAME,UTM_E,UTM_N,NOX_EMI,PM_EMI,PM25_EMI",
            f"P1,北廠,{X0:.0f},{Y0 + 1000:.0f},30,2,1",
            f"P2,北遠廠,{X0:.0f},{Y0 + 3000:.0f},10,2,1",
            f"P3,南廠,{X0:.0f},{Y0 - 1500:.0f},500,50,40",
            f"P4,麥寮,168500,2629500,2000,100,60",
            f"P5,麥寮二,169200,2629800,900,40,30"]
    path.write_text("\n".join(rows) + "\n" + extra, encoding="utf-8")
    return path


def test_hotspots_points_writes_layers_tables_raster_maps(tmp_path, capsys):
    src = _sources_csv(tmp_path / "teds.csv", "P6,壞列,,,5,1,1\n")
    out = tmp_path / "out"
    rc = main(["hotspots", str(src), "--county", "雲林縣", "--grid", "1000", "--pollutant", "nox",
               "--bandwidth", "3000", "--permutations", "99", "--out", str(out), "--offline"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "麥寮鄉" in text and "bandwidth 3000 m" in text
    import pyogrio
    layers = {name for name, _ in pyogrio.list_layers(out / "hotspots.gpkg")}
    assert layers == {"townships", "grid", "sources"}
    grid = pd.read_csv(out / "grid.csv")
    assert grid["nox_t"].sum() == pytest.approx(3440.0)
    assert {"gi_z", "p_value", "gi_bin"} <= set(grid.columns)
    assert grid.loc[grid["cell_id"] == "E168N2629", "nox_t"].item() == 2000.0
    tw = pd.read_csv(out / "townships.csv")
    assert tw.loc[tw["township"] == "麥寮鄉", "nox_t"].item() == 2900.0
    assert len(tw) == 20
    probs = pd.read_csv(out / "problems.csv")
    assert probs["where"].str.contains("row 7").any()
    import rasterio
    with rasterio.open(out / "kde_nox.tif") as r:
        assert r.crs.to_epsg() == 3826 and r.tags()["bandwidth_m"] == "3000.0"
    html = (out / "hotspots.html").read_text(encoding="utf-8")
    assert "Gi*" in html and "北廠" in html and '<script src="http' not in html  # offline: nothing fetched
    assert (out / "hotspots.png").stat().st_size > 10_000 and not (out / "hotspots.pdf").exists()


def test_hotspots_yunlin_declared_township_table(tmp_path, capsys):
    out = tmp_path / "y"
    rc = main(["hotspots", "yunlin-declared", "--pollutant", "nox", "--permutations", "99", "--out", str(out),
               "--offline", "--no-maps"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "麥寮鄉" in text and "printed" in text
    chk = pd.read_csv(out / "total_check.csv").set_index("pollutant")
    assert chk.at["nox", "printed_total"] == 3185
    assert chk.at["nox", "sum_of_townships"] == pytest.approx(3184.39)
    tw = pd.read_csv(out / "townships.csv")
    assert tw["nox_t"].max() == 2946 and tw.loc[tw["nox_t"].idxmax(), "township"] == "麥寮鄉"


def test_hotspots_bad_input_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("C_NO,UTM_E,UTM_N,NOX_EMI\nA,120.5,23.7,1\nB,120.6,23.8,2\n", encoding="utf-8")
    rc = main(["hotspots", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "bad.csv" in err and "How to fix" in err and "Traceback" not in err
    rc = main(["hotspots", str(_sources_csv(tmp_path / "s.csv")), "--pollutant", "ozone", "--out",
               str(tmp_path / "o")])
    assert rc == 2 and "unknown pollutant" in capsys.readouterr().err


def _sensor_files(tmp_path, wind_dir=0.0, bad_dir_hour=None):
    rng = np.random.default_rng(4)
    from pyproj import Transformer
    tr = Transformer.from_crs(3826, 4326, always_xy=True)
    ang = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    xs = np.r_[X0, X0 + 1500 * np.cos(ang[1:])]
    ys = np.r_[Y0, Y0 + 1500 * np.sin(ang[1:])]
    lon, lat = tr.transform(xs, ys)
    times = pd.date_range("2023-12-01 01:00", periods=12, freq="h")
    rows = ["感測器編號,經度,緯度,時間,PM2.5"]
    for i in range(8):
        for t in times:
            v = 30 + rng.normal(0, 1) + (25 if i == 0 else 0)
            rows.append(f"M{i},{lon[i]:.6f},{lat[i]:.6f},{t:%Y-%m-%d %H:%M},{v:.1f}")
    (tmp_path / "sensors.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    wrows = ["sitename,county,pm2.5,wind_speed,wind_direc,publishtime,siteid"]
    for j, t in enumerate(times):
        d = 400 if j == bad_dir_hour else wind_dir
        wrows.append(f"斗六,雲林縣,30,3.0,{d:g},{t:%Y/%m/%d %H:%M:%S},")
    (tmp_path / "wind.csv").write_text("\n".join(wrows) + "\n", encoding="utf-8")
    return tmp_path / "sensors.csv", tmp_path / "wind.csv"


def test_suspects_ranks_upwind_sources(tmp_path, capsys):
    sensors, wind = _sensor_files(tmp_path, wind_dir=0.0, bad_dir_hour=3)
    src = _sources_csv(tmp_path / "teds.csv")
    out = tmp_path / "out"
    rc = main(["suspects", str(sensors), "--wind", str(wind), "--sources", str(src), "--facilities",
               "embedded:雲林縣", "--out", str(out), "--offline"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "flagged: M0" in text
    rk = pd.read_csv(out / "suspects.csv")
    assert rk["c_no"].tolist() == ["P1", "P2"]  # north, upwind; P3 south is downwind however large
    assert rk["hours_upwind"].tolist() == [11, 11]  # the hour with direction 400 is not used
    probs = pd.read_csv(out / "problems.csv")
    assert probs["reason"].str.contains("400 is outside 0-360").any()
    sens = pd.read_csv(out / "sensors.csv")
    assert sens.loc[sens["flagged"], "sensor"].tolist() == ["M0"]
    import pyogrio
    assert {n for n, _ in pyogrio.list_layers(out / "suspects.gpkg")} == {"sensors", "ranked_sources"}
    html = (out / "suspects.html").read_text(encoding="utf-8")
    assert "北廠" in html and "M0" in html
    hours = pd.read_csv(out / "evidence_hours.csv")
    assert (hours["station"].dropna() == "斗六").all()


def test_suspects_wind_from_south_changes_the_suspect(tmp_path):
    sensors, wind = _sensor_files(tmp_path, wind_dir=180.0)
    src = _sources_csv(tmp_path / "teds.csv")
    out = tmp_path / "out"
    assert main(["suspects", str(sensors), "--wind", str(wind), "--sources", str(src), "--out", str(out),
                 "--no-maps"]) == 0
    assert pd.read_csv(out / "suspects.csv")["c_no"].tolist() == ["P3"]


def test_suspects_duplicate_sensor_places_reported(tmp_path, capsys):
    sensors, wind = _sensor_files(tmp_path)
    text = sensors.read_text(encoding="utf-8").splitlines()
    moved = text[1].split(",")
    moved[1] = f"{float(moved[1]) + 0.05:.6f}"  # M0 also reported ~5 km east
    moved[3] = "2023-12-01 13:00"
    sensors.write_text("\n".join(text + [",".join(moved)]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["suspects", str(sensors), "--wind", str(wind), "--sources", str(_sources_csv(tmp_path / "t.csv")),
                 "--out", str(out), "--no-maps"]) == 0
    probs = pd.read_csv(out / "problems.csv")
    assert probs["where"].str.contains("sensor M0").any()
    assert probs["reason"].str.contains("own sensor id").any()
    assert "M0" not in set(pd.read_csv(out / "sensors.csv")["sensor"])


@pytest.mark.parametrize("opt", [["--bandwidth", "-5"], ["--bandwidth", "0"], ["--resolution", "0"],
                                 ["--resolution", "-250"], ["--permutations", "-1"], ["--grid", "0"]])
def test_hotspots_non_positive_parameters_are_usage_errors(tmp_path, capsys, opt):
    src = _sources_csv(tmp_path / "teds.csv")
    with pytest.raises(SystemExit) as e:
        main(["hotspots", str(src), "--county", "雲林縣", "--out", str(tmp_path / "o"), "--no-maps"] + opt)
    assert e.value.code == 2
    assert opt[0] in capsys.readouterr().err


@pytest.mark.parametrize("opt", [["--k", "0"], ["--min-fraction", "0"], ["--min-fraction", "1.5"]])
def test_suspects_bad_parameters_are_usage_errors(tmp_path, capsys, opt):
    sensors, wind = _sensor_files(tmp_path, wind_dir=0.0)
    with pytest.raises(SystemExit) as e:
        main(["suspects", str(sensors), "--wind", str(wind), "--sources", str(_sources_csv(tmp_path / "t.csv")),
              "--out", str(tmp_path / "o"), "--no-maps"] + opt)
    assert e.value.code == 2
    assert opt[0] in capsys.readouterr().err


def test_suspects_empty_sensor_file_is_reported_without_traceback(tmp_path, capsys):
    _, wind = _sensor_files(tmp_path, wind_dir=0.0)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    rc = main(["suspects", str(empty), "--wind", str(wind), "--sources", str(_sources_csv(tmp_path / "t.csv")),
               "--out", str(tmp_path / "o"), "--no-maps"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "empty.csv" in err and "Traceback" not in err


# --------------------------------------------------------------------------- encodings, scenario labels, files


def _files_on_disk(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def _wrote_count(text):
    line = [l for l in text.splitlines() if l.startswith("wrote ")][-1]
    return int(line.split()[1])


def test_hotspots_big5_township_table_reads_as_the_utf8_copy(tmp_path, capsys):
    from geoairplan import datasets

    tab = datasets.load_township_emissions("雲林縣")[["county", "township", "pollutant", "value"]]
    utf8 = tmp_path / "towns_utf8.csv"
    tab.to_csv(utf8, index=False, encoding="utf-8")
    big5 = tmp_path / "towns_big5.csv"
    big5.write_bytes(utf8.read_text(encoding="utf-8").encode("cp950"))
    with pytest.raises(UnicodeDecodeError):
        big5.read_bytes().decode("utf-8")  # really Big5, not UTF-8
    outs = {}
    for name, path in (("u", utf8), ("b", big5)):
        out = tmp_path / name
        assert main(["hotspots", str(path), "--pollutant", "nox", "--permutations", "99", "--out", str(out),
                     "--no-maps"]) == 0
        text = capsys.readouterr().out
        assert "麥寮鄉" in text and "by township (雲林縣)" in text  # a township table, not point sources
        outs[name] = out
    for f in ("townships.csv", "hotspots.gpkg"):
        assert (outs["u"] / f).read_bytes() == (outs["b"] / f).read_bytes(), f
    tw = pd.read_csv(outs["b"] / "townships.csv")
    assert tw["nox_t"].max() == 2946 and "data_kind" not in tw.columns  # a measured table: no scenario label


def test_hotspots_scenario_file_is_labelled_the_same_in_any_out_folder(tmp_path, capsys):
    from geoairplan import datasets

    scen = datasets.data_dir() / "scenario" / "sources_scenario.csv"
    outs = []
    for name in ("first", "other_name"):
        out = tmp_path / name
        assert main(["hotspots", str(scen), "--county", "雲林縣", "--permutations", "99", "--out", str(out),
                     "--offline"]) == 0
        text = capsys.readouterr().out
        assert "（情境 scenario）" in text.splitlines()[0]
        assert _wrote_count(text) == len(_files_on_disk(out))  # the closing report counts the files on disk
        outs.append(out)
    a, b = outs
    assert _files_on_disk(a) == _files_on_disk(b)
    for f in _files_on_disk(a):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert {"hotspots_scenario.html", "kde_nox_scenario.tif", "townships_scenario.csv"} <= set(_files_on_disk(a))
    assert (pd.read_csv(a / "townships_scenario.csv")["data_kind"] == "scenario").all()
    import rasterio
    with rasterio.open(a / "kde_nox_scenario.tif") as r:
        assert r.tags()["data_kind"] == "scenario" and r.nodata is not None
    html = (a / "hotspots_scenario.html").read_text(encoding="utf-8")
    assert "（情境 scenario）" in html and "情境資料" in html
    # the same sources without the DATA column are measured: no scenario label anywhere
    src = pd.read_csv(scen, dtype=str, keep_default_na=False).drop(columns="DATA")
    measured = tmp_path / "measured.csv"
    src.to_csv(measured, index=False)
    out = tmp_path / "measured_out"
    assert main(["hotspots", str(measured), "--county", "雲林縣", "--permutations", "99", "--out", str(out),
                 "--offline"]) == 0
    text = capsys.readouterr().out
    assert "情境" not in text and _wrote_count(text) == len(_files_on_disk(out))
    names = _files_on_disk(out)
    assert "hotspots.html" in names and not any("scenario" in n for n in names)
    assert "data_kind" not in pd.read_csv(out / "townships.csv").columns
    with rasterio.open(out / "kde_nox.tif") as r:
        assert r.tags()["data_kind"] == "measured"
    html = (out / "hotspots.html").read_text(encoding="utf-8")
    assert "（情境 scenario）" not in html and "情境資料" not in html  # (the made-up names stay in popups)


def test_suspects_scenario_files_labelled_from_their_data_kind_column(tmp_path, capsys):
    from geoairplan import datasets

    scen = datasets.data_dir() / "scenario"
    args = [str(scen / "sensors_scenario.csv"), "--wind", str(scen / "sensors_scenario_wind.csv"),
            "--sources", str(scen / "sources_scenario.csv"), "--no-maps"]
    outs = []
    for name in ("a", "b_longer"):
        out = tmp_path / name
        assert main(["suspects", *args, "--out", str(out)]) == 0
        text = capsys.readouterr().out
        assert _wrote_count(text) == len(_files_on_disk(out))
        outs.append(out)
    assert _files_on_disk(outs[0]) == _files_on_disk(outs[1])
    for f in _files_on_disk(outs[0]):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    rk = pd.read_csv(outs[0] / "suspects_scenario.csv")
    assert (rk["data_kind"] == "scenario").all() and (rk["data"] == "scenario").all()


def test_suspects_measured_files_carry_no_scenario_label(tmp_path, capsys):
    sensors, wind = _sensor_files(tmp_path, wind_dir=0.0)
    out = tmp_path / "out"
    assert main(["suspects", str(sensors), "--wind", str(wind), "--sources", str(_sources_csv(tmp_path / "t.csv")),
                 "--out", str(out), "--offline"]) == 0
    text = capsys.readouterr().out
    assert _wrote_count(text) == len(_files_on_disk(out))
    assert not any("scenario" in n for n in _files_on_disk(out))
    assert "data_kind" not in pd.read_csv(out / "suspects.csv").columns
    # --scenario labels a file that does not say so itself
    out2 = tmp_path / "flagged"
    assert main(["suspects", str(sensors), "--wind", str(wind), "--sources", str(tmp_path / "t.csv"),
                 "--out", str(out2), "--no-maps", "--scenario"]) == 0
    assert (pd.read_csv(out2 / "suspects_scenario.csv")["data_kind"] == "scenario").all()
