"""``geoairplan warn`` end to end, and the scenario episode it is demonstrated on."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geoairplan.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "data" / "scenario"


def _script():
    spec = importlib.util.spec_from_file_location("make_scenario_episode", ROOT / "scripts" / "make_scenario_episode.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def small_episode(tmp_path_factory):
    """The scenario model for the 3 stations of 屏東縣's coverage table, in the MOENV "current" format."""
    mod = _script()
    st = mod.load_station_list()
    st = st[st["name_zh"].isin(["屏東", "潮州", "恆春"])].reset_index(drop=True)
    d = tmp_path_factory.mktemp("episode")
    df = mod.build(st, hours=mod.HOURS)
    path = d / "obs.csv"
    df.to_csv(path, index=False, lineterminator="\n")
    fc = d / "forecast.csv"
    mod.forecast_frame().to_csv(fc, index=False, lineterminator="\n")
    return path, fc


def test_warn_writes_every_output_with_the_expected_contents(small_episode, tmp_path, capsys):
    obs, fc = small_episode
    out = tmp_path / "out"
    rc = main(["warn", str(obs), "--county", "屏東縣", "--forecast", str(fc), "--out", str(out)])
    assert rc == 0
    printed = capsys.readouterr().out
    # issue 13: Art. 7 counts the 5 stations of 屏東縣 (004 L36), and this episode has data for 3, so
    # 2 at 中級預警 is not half (the old engine said "must" from 2 of the 3 coverage stations); 屏東縣's
    # tier 003 L172 (隔日起...初級預警，即成立之) sets up the response team from the forecast
    assert "空氣污染防制應變小組 must (county tier)" in printed and "command centre must" not in printed
    lv = pd.read_csv(out / "levels.csv")
    assert set(lv["station"]) == {"屏東", "潮州", "恆春"} and len(lv) == 3 * 144
    assert {"L1", "L2", "insufficient", "none"} <= set(lv["level"])
    assert lv["time"].iloc[0] == "2025-01-14T00:00:00+08:00"
    pq = pd.read_parquet(out / "levels.parquet")
    assert pq["level"].tolist() == lv["level"].tolist()
    z = gpd.read_file(out / "zones.gpkg", layer="zones")
    assert z.crs.to_epsg() == 3826 and {"L1", "L2"} <= set(z["level"])
    zc = pd.read_csv(out / "zones.csv")
    assert (zc["n_townships"] == zc["townships"].str.split("、").map(len)).all()
    dec = pd.read_csv(out / "decisions.csv")
    cc = dec[dec["decision"] == "command_centre"]
    assert cc["status"].str.startswith("none").all() and "2 of 5 stations" in " ".join(cc["reason"])
    ev = pd.read_csv(out / "events.csv")
    tier = ev[(ev["event"] == "centre must") & (ev["area"] == "空氣污染防制應變小組")]
    assert len(tier) and tier["seed_line"].str.contains("003 L172").all()
    assert {"issue", "may_lower", "may_lift"} <= set(dec["decision"])
    notes = pd.read_csv(out / "notifications.csv")
    assert {"designated_facility", "hospital", "health_station"} <= set(notes["recipient_kind"])
    assert (notes.loc[notes["recipient_kind"] == "designated_facility", "scope"]
            .str.startswith("county-wide").all())
    meas = pd.read_csv(out / "measures.csv")
    assert set(meas["level"]) <= {"L1", "L2", "S1", "S2", "S3"} and len(meas)
    html = (out / "episode_map.html").read_text(encoding="utf-8")
    assert "2025-01-16 06:00" in html and "屏東縣" in html
    assert (out / "peak.png").stat().st_size > 10_000


def test_warn_is_deterministic(small_episode, tmp_path):
    obs, fc = small_episode
    for k in ("a", "b"):
        assert main(["warn", str(obs), "--county", "屏東縣", "--forecast", str(fc), "--out", str(tmp_path / k),
                     "--no-maps"]) == 0
    for name in ("levels.csv", "zones.csv", "decisions.csv", "notifications.csv", "zones.gpkg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_warn_pre2022_rules(small_episode, tmp_path):
    obs, _ = small_episode
    assert main(["warn", str(obs), "--county", "屏東縣", "--rules", "warning_pre2022_002", "--out",
                 str(tmp_path), "--no-maps"]) == 0
    lv = pd.read_csv(tmp_path / "levels.csv")
    assert set(lv["level"]) <= {"W2", "W1", "D3", "D2", "D1", "none", "insufficient"}
    assert "W1" in set(lv["level"])


def test_warn_with_a_rule_table_given_as_a_file(small_episode, tmp_path):
    obs, _ = small_episode
    rules = pd.read_csv(ROOT / "data" / "rules" / "warning_2022.csv", dtype=str)
    rules.loc[(rules.pollutant == "pm2.5") & (rules.level == "L1"), "threshold"] = "20"   # a stricter local rule
    path = tmp_path / "local_rules.csv"
    rules.to_csv(path, index=False)
    assert main(["warn", str(obs), "--county", "屏東縣", "--rules", str(path), "--out", str(tmp_path / "o")]) == 0
    lv = pd.read_csv(tmp_path / "o" / "levels.csv")
    assert "pm2.5 24h_moving" in " ".join(lv.loc[lv["station"] == "恆春", "criterion"].fillna(""))   # 恆春 ~24 >= 20


@pytest.mark.parametrize("args,message", [
    (["warn", "{missing}", "--out", "{out}"], "file not found"),
    (["warn", "{obs}", "--county", "火星縣", "--out", "{out}"], "unknown county '火星縣'"),
    (["warn", "{obs}", "--county", "屏東縣", "--forecast", "{badfc}", "--out", "{out}"], "unknown warning level"),
    (["warn", "{obs}", "--county", "屏東縣", "--rules", "no_such_rules", "--out", "{out}"], "no rule table named"),
    (["warn", "{obs}", "--county", "臺東縣", "--coverage", "{cov}", "--out", "{out}"], "has no rows for 臺東縣"),
])
def test_warn_errors_exit_2_with_a_clear_message(small_episode, tmp_path, capsys, args, message):
    obs, _ = small_episode
    badfc = tmp_path / "fc.csv"
    badfc.write_text("date,area,level\n2025-01-15,高屏,purple\n", encoding="utf-8")
    cov = tmp_path / "cov.csv"
    cov.write_text("county,township,station\n屏東縣,屏東市,屏東\n", encoding="utf-8")
    fill = {"missing": str(tmp_path / "nope.csv"), "out": str(tmp_path / "o"), "obs": str(obs),
            "badfc": str(badfc), "cov": str(cov)}
    rc = main([a.format(**fill) for a in args])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err and "Traceback" not in err


# --------------------------------------------------------------------------- scenario labels, file count


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _wrote(printed: str) -> int:
    return int(re.search(r"wrote (\d+) files to", printed).group(1))


def _measured_copy(src: Path, dst: Path) -> Path:
    """The file without its data_kind column: what a user's measured file looks like."""
    lines = src.read_text(encoding="utf-8").split("\n")
    assert lines[0].endswith(",data_kind")
    dst.write_text("\n".join(re.sub(r",(data_kind|scenario)$", "", x) for x in lines), encoding="utf-8")
    assert "scenario" not in dst.read_text(encoding="utf-8")
    return dst


def test_readme_command_labels_every_output_scenario_whatever_the_out_folder(tmp_path, capsys):
    outs = {}
    for name in ("warn", "x_scenario"):
        out = tmp_path / name
        assert main(["warn", str(SCEN / "episode_scenario.csv"), "--county", "屏東縣", "--forecast",
                     str(SCEN / "forecast_scenario.csv"), "--out", str(out), "--offline"]) == 0
        printed = capsys.readouterr().out
        assert _wrote(printed) == len(list(out.iterdir()))               # the report counts what is on disk
        assert printed.startswith("屏東縣 空氣品質預警區域（情境 scenario）")
        outs[name] = _files(out)
    a, b = outs["warn"], outs["x_scenario"]
    assert sorted(a) == sorted(b) == sorted([
        "levels.csv", "levels.parquet", "zones.gpkg", "zones.csv", "zone_townships.csv", "decisions.csv",
        "events.csv", "command_centre.csv", "notifications.csv", "measures.csv", "problems.csv", "summary.txt",
        "episode_map.html", "episode_map.embed.html", "peak.png"])  # PDF on request (--static)
    for name in a:
        assert a[name] == b[name], name                                   # the same bytes in both folders
    html = a["episode_map.html"].decode("utf-8")
    assert "屏東縣 空氣品質預警區域（逐時）Warning zones by hour（情境 scenario）" in html    # title
    assert "預警等級 Warning level（情境 scenario）" in html                               # legend
    assert "資料來源：情境資料 scenario" in html and "環境部 MOENV 小時值" not in html        # source line
    assert "情境 scenario" in a["episode_map.embed.html"].decode("utf-8")
    assert "情境 scenario" in a["summary.txt"].decode("utf-8")
    for name in a:
        if name.endswith(".csv") and name != "problems.csv":
            df = pd.read_csv(tmp_path / "warn" / name)
            assert list(df.columns)[-1] == "data_kind", name
            assert len(df) == 0 or set(df["data_kind"]) == {"scenario"}, name
    assert set(pd.read_parquet(tmp_path / "warn" / "levels.parquet")["data_kind"]) == {"scenario"}


def test_a_users_measured_copy_is_labelled_measured_everywhere(tmp_path, capsys):
    obs = _measured_copy(SCEN / "episode_scenario.csv", tmp_path / "obs.csv")
    fc = _measured_copy(SCEN / "forecast_scenario.csv", tmp_path / "fc.csv")
    out = tmp_path / "x_scenario"                                         # the folder name plays no part
    assert main(["warn", str(obs), "--county", "屏東縣", "--forecast", str(fc), "--out", str(out),
                 "--offline", "--static", "png+pdf"]) == 0                  # the PDF's title checked too
    printed = capsys.readouterr().out
    assert "scenario" not in printed.replace(str(out), "") and "情境" not in printed
    files = _files(out)
    assert _wrote(printed) == len(files) == 16                              # + events.csv (issue 13)
    assert {"peak.png", "peak.pdf"} <= set(files)
    for name, data in files.items():
        assert b"scenario" not in data and "情境".encode("utf-8") not in data, name
    html = files["episode_map.html"].decode("utf-8")
    assert "資料來源：環境部 MOENV 小時值 (obs.csv)；預報 forecast (fc.csv)" in html
    assert "data_kind" not in pd.read_csv(out / "levels.csv").columns
    # the user says it is scenario data: labelled so
    assert main(["warn", str(obs), "--county", "屏東縣", "--forecast", str(fc), "--out", str(tmp_path / "s"),
                 "--no-maps", "--scenario"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("屏東縣 空氣品質預警區域（情境 scenario）")
    assert set(pd.read_csv(tmp_path / "s" / "decisions.csv")["data_kind"]) == {"scenario"}
    assert _wrote(printed) == len(_files(tmp_path / "s"))
