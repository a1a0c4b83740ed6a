"""``geoairplan coverage`` on the command line: outputs' content, and errors without tracebacks."""

import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geoairplan import datasets
from geoairplan.cli import main


def test_coverage_pingtung_writes_layers_report_and_maps(tmp_path, capsys):
    out = tmp_path / "pt"
    assert main(["coverage", "--county", "屏東縣", "--stations", "屏東,潮州,恆春", "--out", str(out),
                 "--offline"]) == 0
    text = capsys.readouterr().out
    assert "31 of 33 townships agree" in text and "2 differ" in text
    assert "萬丹鄉" in text and "枋山鄉" in text and "64.7%" in text
    layers = dict(pyogrio.list_layers(out / "coverage.gpkg"))
    assert {"cells", "township_assignment", "official_coverage", "disagreements"} <= set(layers)
    counts = {name: pyogrio.read_info(out / "coverage.gpkg", layer=name)["features"] for name in layers}
    assert counts["cells"] == 3 and counts["township_assignment"] == 33
    assert counts["official_coverage"] == 33 and counts["disagreements"] == 2
    cells = gpd.read_file(out / "coverage.gpkg", layer="cells")
    assert cells.crs.to_epsg() == 3826 and cells["station"].tolist() == ["屏東", "潮州", "恆春"]
    ag = pd.read_csv(out / "agreement.csv").set_index("township")
    assert len(ag) == 33 and int(ag["agree"].sum()) == 31
    assert ag.loc["萬丹鄉", "official_station"] == "潮州" and ag.loc["萬丹鄉", "computed_station"] == "屏東"
    assert ag.loc["萬丹鄉", "computed_share"] == pytest.approx(0.647, abs=0.002)
    assert ag.loc["枋山鄉", "official_station"] == "恆春" and ag.loc["枋山鄉", "computed_station"] == "潮州"
    shares = pd.read_csv(out / "township_shares.csv")
    assert shares.groupby("township")["share"].sum().between(0.999, 1.001).all()
    html = (out / "coverage_map.html").read_text(encoding="utf-8")
    assert "萬丹鄉" in html and "64.7 %" in html
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)  # --offline: nothing fetched
    assert (out / "coverage_map.png").stat().st_size > 10_000 and not (out / "coverage_map.pdf").exists()


def test_coverage_user_table_with_unknown_township_is_refused(tmp_path, capsys):
    off = datasets.load_coverage_official("屏東縣")[["county", "station", "township"]]
    off.loc[off["township"] == "三地門鄉", "township"] = "三地鄉"
    off.columns = ["縣市", "測站", "鄉鎮市區"]
    path = tmp_path / "mine.csv"
    off.to_csv(path, index=False)
    rc = main(["coverage", "--county", "屏東縣", "--official", str(path), "--out", str(tmp_path / "o"),
               "--no-maps"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "三地鄉" in err and "did you mean 三地門鄉" in err and "mine.csv" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_coverage_error_in_a_subprocess_has_no_traceback(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame({"測站": ["屏東站"], "涵蓋區域": ["屏東市、霧抬鄉"]}).to_csv(path, index=False)
    r = subprocess.run([sys.executable, "-m", "geoairplan.cli", "coverage", "--county", "屏東縣",
                        "--official", str(path), "--out", str(tmp_path / "o"), "--no-maps"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "霧抬鄉" in r.stderr and "霧臺鄉" in r.stderr


def test_coverage_without_official_table_and_with_neighbours(tmp_path, capsys):
    out = tmp_path / "kh"
    assert main(["coverage", "--county", "高雄市", "--pollutant", "pm2.5", "--out", str(out), "--no-maps"]) == 0
    text = capsys.readouterr().out
    assert "no official coverage table" in text
    a = pd.read_csv(out / "township_assignment.csv")
    assert len(a) == 38 and a["station"].notna().all()
    assert not (out / "agreement.csv").exists()
    assert "disagreements" not in dict(pyogrio.list_layers(out / "coverage.gpkg"))
    out2 = tmp_path / "yl"
    assert main(["coverage", "--county", "雲林縣", "--neighbours", "3", "--out", str(out2), "--no-maps"]) == 0
    cells = pd.read_csv(out2 / "cells.csv")
    assert set(cells["station"]) == {"斗六", "崙背", "麥寮", "臺西", "新港", "大城", "竹山"}


def test_coverage_help_teaches(capsys):
    with pytest.raises(SystemExit):
        main(["coverage", "--help"])
    out = capsys.readouterr().out
    for word in ("Voronoi", "EPSG:3826", "--official", "--neighbours", "涵蓋區域", "examples:"):
        assert word in out


# --------------------------------------------------------------------------- one contract with the other commands

ROOT = Path(__file__).resolve().parents[2]
EPISODE = ROOT / "data" / "scenario" / "episode_scenario.csv"


def _files_on_disk(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("extra", [[], ["--no-maps"]])
def test_the_closing_report_counts_the_files_on_disk(tmp_path, capsys, extra):
    out = tmp_path / "o"
    assert main(["coverage", "--county", "澎湖縣", "--out", str(out), "--offline", *extra]) == 0
    said = int(re.search(r"wrote (\d+) files to", capsys.readouterr().out).group(1))
    on_disk = _files_on_disk(out)
    assert said == len(on_disk)
    if not extra:
        assert {"coverage_map.html", "coverage_map.embed.html", "coverage_map.png"} <= set(on_disk)


def _pingtung_per_station_table(path: Path, *, township_header: str = "涵蓋區域") -> Path:
    """屏東縣's table as plans print it: one row per station, Chinese headers, townships joined by 、."""
    off = datasets.load_coverage_official("屏東縣")
    g = off.groupby("station", sort=False)["township"].agg("、".join).reset_index()
    pd.DataFrame({"縣市": "屏東縣", "測站": g["station"] + "站", township_header: g["township"]}).to_csv(path, index=False)
    return path


def test_the_same_chinese_header_table_is_accepted_by_coverage_and_warn(tmp_path, capsys):
    table = _pingtung_per_station_table(tmp_path / "涵蓋表.csv")
    want = datasets.load_coverage_official("屏東縣").set_index("township")["station"]
    assert main(["coverage", "--county", "屏東縣", "--official", str(table), "--out", str(tmp_path / "c"),
                 "--no-maps"]) == 0
    ag = pd.read_csv(tmp_path / "c" / "agreement.csv").set_index("township")
    assert ag["official_station"].to_dict() == want.loc[ag.index].to_dict()
    assert main(["warn", str(EPISODE), "--county", "屏東縣", "--coverage", str(table), "--out", str(tmp_path / "w"),
                 "--no-maps"]) == 0
    zt = pd.read_csv(tmp_path / "w" / "zone_townships.csv")
    assert len(zt) and (zt["station"].to_numpy() == want.loc[zt["township"]].to_numpy()).all()
    capsys.readouterr()


@pytest.mark.parametrize("command", ["coverage", "warn"])
def test_a_table_without_a_township_column_is_refused_by_both(tmp_path, capsys, command):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"縣市": ["屏東縣"], "測站": ["屏東"], "備註": ["x"]}).to_csv(bad, index=False)
    args = {"coverage": ["coverage", "--county", "屏東縣", "--official", str(bad)],
            "warn": ["warn", str(EPISODE), "--county", "屏東縣", "--coverage", str(bad)]}[command]
    assert main([*args, "--out", str(tmp_path / "o"), "--no-maps"]) == 2
    err = capsys.readouterr().err
    assert "needs a station and a township column" in err and "bad.csv" in err and "Traceback" not in err


def test_scenario_labels_do_not_depend_on_the_output_folder(tmp_path, capsys):
    st = datasets.load_stations("屏東縣")[["name_zh", "lon", "lat"]].rename(columns={"name_zh": "測站"})
    made_up = tmp_path / "stations.csv"
    st.assign(data_kind="scenario").to_csv(made_up, index=False)
    measured = tmp_path / "measured.csv"
    st.to_csv(measured, index=False)
    runs = {}
    for name, stations, flags in [("scenario_a", made_up, []), ("plain_b", made_up, []),
                                  ("scenario_c", measured, []), ("plain_d", measured, []),
                                  ("e", measured, ["--scenario"])]:
        out = tmp_path / name
        assert main(["coverage", "--county", "屏東縣", "--stations", str(stations), "--official", "none",
                     "--out", str(out), "--offline", *flags]) == 0
        html = (out / "coverage_map.html").read_text(encoding="utf-8")
        runs[name] = ("情境 scenario" in html, "data_kind" in pd.read_csv(out / "cells.csv").columns)
    capsys.readouterr()
    assert runs["scenario_a"] == runs["plain_b"] == runs["e"] == (True, True)
    assert runs["scenario_c"] == runs["plain_d"] == (False, False)
    a = (tmp_path / "scenario_a" / "coverage_map.html").read_bytes()
    assert a == (tmp_path / "plain_b" / "coverage_map.html").read_bytes()


def test_coverage_taichung_is_voronoi_only_and_says_so_everywhere(tmp_path, capsys):
    out = tmp_path / "tc"
    assert main(["coverage", "--county", "臺中市", "--out", str(out), "--offline"]) == 0
    text = capsys.readouterr().out
    assert "no official coverage table" in text and "Voronoi" in text
    assert "station types: 一般站、工業站" in text
    # the 交通站 臺灣大道 does not count by default (COVERAGE_TYPES), and is reported
    assert "臺灣大道" in text and "交通站" in text
    cells = pd.read_csv(out / "cells.csv")
    assert sorted(cells["station"]) == sorted(["豐原", "沙鹿", "大里", "忠明", "西屯"])
    a = pd.read_csv(out / "township_assignment.csv")
    assert len(a) == 29 and a["station"].notna().all()
    assert a["coverage_basis"].str.contains("no official table: computed").all()
    assert (out / "summary.txt").read_text(encoding="utf-8").count("無官方涵蓋表") >= 1
    html = (out / "coverage_map.html").read_text(encoding="utf-8")
    assert "無官方涵蓋表：Voronoi 計算" in html and "測站類型 station types 一般站、工業站" in html
    # --types all: the traffic station takes part
    out2 = tmp_path / "tc_all"
    assert main(["coverage", "--county", "台中市", "--types", "all", "--out", str(out2), "--no-maps"]) == 0
    assert "臺灣大道" in set(pd.read_csv(out2 / "cells.csv")["station"])
    assert "station types: all types" in capsys.readouterr().out


def test_coverage_types_reach_the_neighbours(tmp_path, capsys):
    # 臺北市 with every neighbour: other counties' 交通站/背景站 take part only with --types all
    def stations(types):
        out = tmp_path / f"tp_{types}"
        assert main(["coverage", "--county", "臺北市", "--neighbours", "--types", types, "--out", str(out),
                     "--no-maps"]) == 0
        return set(pd.read_csv(out / "cells.csv")["station"])
    few, every = stations("一般站,工業站"), stations("all")
    st = datasets.load_stations()
    kinds = dict(zip(st["name_zh"], st["sitetype"]))
    assert all(kinds[s] in ("一般站", "工業站") for s in few)
    assert any(kinds[s] not in ("一般站", "工業站") and s not in ("大同", "陽明") for s in every - few)


def test_coverage_unknown_type_is_refused(tmp_path, capsys):
    rc = main(["coverage", "--county", "臺中市", "--types", "一般站,火車站", "--out", str(tmp_path / "o"),
               "--no-maps"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "火車站" in err and "交通站" in err and "Traceback" not in err


def test_coverage_all_counties_in_one_run(tmp_path, capsys):
    out = tmp_path / "tw"
    assert main(["coverage", "--county", "all", "--out", str(out), "--no-maps"]) == 0
    text = capsys.readouterr().out
    assert "22 of 22 counties computed" in text
    t = pd.read_csv(out / "national_summary.csv", keep_default_na=False)
    assert t["county"].tolist() == datasets.county_names() and len(t) == 22
    assert int(t["townships"].sum()) == 368 and (t["stations"] >= 1).all()
    basis = dict(zip(t["county"], t["basis"]))
    assert {c for c, b in basis.items() if b == "official"} == {"屏東縣", "雲林縣", "澎湖縣"}
    row = t.set_index("county")
    assert int(row.loc["屏東縣", "agree"]) == 31 and int(row.loc["屏東縣", "differ"]) == 2
    assert int(row.loc["澎湖縣", "agree"]) == 6 and int(row.loc["臺中市", "stations"]) == 5
    assert row.loc["臺中市", "agree"] == "" and row.loc["屏東縣", "differing_townships"] == "萬丹鄉、枋山鄉"
    for county in datasets.county_names():  # one folder per county, its townships all assigned
        a = pd.read_csv(out / county / "township_assignment.csv")
        assert sorted(a["township"]) == sorted(datasets.township_names(county))
        assert int(row.loc[county, "stations"]) == len(pd.read_csv(out / county / "cells.csv"))
        voronoi = basis[county] == "voronoi"
        assert a["coverage_basis"].str.contains("no official table").all() == voronoi
    assert "Voronoi only (no official table): 19" in (out / "national_summary.txt").read_text(encoding="utf-8")
    assert main(["coverage", "--county", "all", "--stations", "all", "--out", str(tmp_path / "x"),
                 "--no-maps"]) == 2
