"""The hostile-input corpus of issue 14: bad inputs for every command, each with what a right answer is.

A case is ``Case(id, item, build, check)``: ``build(tmp)`` writes its fixtures
under ``tmp`` and returns the command line; ``check(run)`` returns the list of
what is wrong with the answer (empty: right). Every failure is tagged with one
of :data:`KINDS` so that ``tests/hostile/measure.py`` can count them:

``exit3``      the CLI called the input a bug (exit status 3)
``traceback``  an exception escaped :func:`geoairplan.cli.main` (or a crash, a time-out, memory)
``silent``     rows or values of the input neither used nor reported, or a bad value used
``wrong``      any other wrong answer (exit 0 where 2 is due, an unclear message, a file outside --out)

Fixtures are built from the embedded data (station names and positions of
``data/stations.csv`` and ``data/sources/moenv``, the scenario files of
``data/scenario``); values are made up and small, positions of the
"bad station" cases are real positions moved on purpose (said where).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
KINDS = ("exit3", "traceback", "silent", "wrong")


@dataclass
class Run:
    code: int
    out: str
    err: str
    outdir: Path
    tmp: Path
    exc: str | None = None
    stray: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.out + "\n" + self.err

    def problems(self, name: str = "problems.csv") -> str:
        p = self.outdir / name
        hits = list(self.outdir.glob(f"*{name}")) if not p.exists() and self.outdir.is_dir() else [p]
        return "\n".join(h.read_text(encoding="utf-8") for h in hits if h.exists())


@dataclass
class Case:
    id: str
    item: str
    build: Callable[[Path], list[str]]
    check: Callable[[Run], list[tuple[str, str]]]
    timeout: float = 120.0
    tags: tuple = field(default_factory=tuple)


def run_cli(argv: list[str], tmp: Path) -> Run:
    """Run ``geoairplan`` in this process, capturing its output; exceptions are caught and reported."""
    from geoairplan.cli import main
    out, err = io.StringIO(), io.StringIO()
    exc = None
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as e:  # argparse
                code = e.code if isinstance(e.code, int) else 2
            except BaseException as e:  # noqa: BLE001 - that is what is counted
                import traceback
                exc = "".join(traceback.format_exception(e))
                code = -1
    finally:
        os.chdir(cwd)
    outdir = tmp / "out"
    return Run(code, out.getvalue(), err.getvalue(), outdir, tmp, exc)


# --------------------------------------------------------------------------- base checks


def _base(run: Run) -> list[tuple[str, str]]:
    bad = []
    if run.exc is not None or "Traceback (most recent call last)" in run.text:
        bad.append(("traceback", (run.exc or run.text)[-600:]))
    if run.code == 3:
        bad.append(("exit3", run.err.strip()[:400]))
    return bad


def expect_2(*words: str) -> Callable[[Run], list]:
    """Exit 2 with a message that names each of ``words`` (case-insensitive) and a fix."""
    def check(run: Run) -> list:
        bad = _base(run)
        if bad:
            return bad
        if run.code != 2:
            return [("wrong", f"exit {run.code}, expected 2: {run.text.strip()[-300:]}")]
        low = run.err.lower()
        miss = [w for w in words if w.lower() not in low]
        if miss:
            return [("wrong", f"message does not name {miss}: {run.err.strip()[:300]}")]
        return []
    return check


def expect_ok(*checks: Callable[[Run], list]) -> Callable[[Run], list]:
    """Exit 0 and every extra check passes."""
    def check(run: Run) -> list:
        bad = _base(run)
        if bad:
            return bad
        if run.code != 0:
            return [("wrong", f"exit {run.code}, expected 0: {run.text.strip()[-400:]}")]
        for c in checks:
            bad += c(run)
        return bad
    return check


def expect_ok_or_2(*words: str, ok: Callable[[Run], list] | None = None):
    """Either exit 0 (and ``ok`` passes) or exit 2 naming ``words``."""
    def check(run: Run) -> list:
        if run.code == 0:
            return expect_ok(*(ok and [ok] or []))(run)
        return expect_2(*words)(run)
    return check


def reported(*words: str, name: str = "problems.csv", kind: str = "silent"):
    """The problems file (or the printed report) mentions every one of ``words``."""
    def check(run: Run) -> list:
        text = run.problems(name) + "\n" + run.out
        miss = [w for w in words if w not in text]
        return [(kind, f"not reported: {miss}")] if miss else []
    return check


def not_in_output(*words: str, kind: str = "wrong"):
    def check(run: Run) -> list:
        hits = [w for w in words if w in run.text]
        return [(kind, f"output says {hits}")] if hits else []
    return check


# --------------------------------------------------------------------------- fixtures

OBS_COLS = ["sitename", "county", "so2", "co", "o3", "pm10", "pm2.5", "no2", "windspeed", "winddirec",
            "datacreationdate"]
PT = {"屏東": "屏東縣", "潮州": "屏東縣", "恆春": "屏東縣"}


def obs_rows(hours: int = 48, start: str = "2025-01-14 01:00", stations=PT) -> list[list[str]]:
    """Quiet hourly data (every level 'none') for three 屏東縣 stations, current generation."""
    rows = []
    times = pd.date_range(start, periods=hours, freq="h")
    for i, t in enumerate(times):
        for k, (st, county) in enumerate(stations.items()):
            rows.append([st, county, "2.1", "0.31", f"{25 + (i + k) % 7}", f"{40 + (i * 3 + k) % 11}",
                         f"{18 + (i * 5 + k) % 9}", "14.2", "2.0", "90", t.strftime("%Y-%m-%d %H:%M")])
    return rows


def write_csv(path: Path, header, rows, *, sep=",", tail="") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [sep.join(header)] + [sep.join(r) + tail for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def obs_file(tmp: Path, rows=None, name="obs.csv", **kw) -> Path:
    return write_csv(tmp / name, OBS_COLS, obs_rows() if rows is None else rows, **kw)


def sensors_file(tmp: Path, n: int = 400, edit=None) -> Path:
    lines = (DATA / "scenario" / "sensors_scenario.csv").read_text(encoding="utf-8").splitlines()[: n + 1]
    if edit:
        lines = edit(lines)
    p = tmp / "sensors.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def wind_file(tmp: Path) -> Path:
    p = tmp / "wind.csv"
    shutil.copy(DATA / "scenario" / "sensors_scenario_wind.csv", p)
    return p


def sources_file(tmp: Path, edit=None) -> Path:
    lines = (DATA / "scenario" / "sources_scenario.csv").read_text(encoding="utf-8").splitlines()
    if edit:
        lines = edit(lines)
    p = tmp / "sources.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def stations_file(tmp: Path, extra: list[list[str]] = (), edit=None) -> Path:
    lines = (DATA / "sources" / "moenv" / "moenv_stations_aqx_p_07.csv").read_text(encoding="utf-8").splitlines()
    lines += [",".join(r) for r in extra]
    if edit:
        lines = edit(lines)
    p = tmp / "stations.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def warn(tmp: Path, obs: Path, *extra) -> list[str]:
    return ["warn", str(obs), "--county", "屏東縣", "--out", str(tmp / "out"), "--no-maps", *extra]


def interp(tmp: Path, obs: Path, *extra) -> list[str]:
    return ["interpolate", str(obs), "--pollutant", "pm2.5", "--county", "屏東縣", "--cell", "2000",
            "--hour", "2025-01-14 05:00", "--out", str(tmp / "out"), "--no-maps", *extra]


def suspects(tmp: Path, sensors: Path, *extra, sources: Path | None = None) -> list[str]:
    return ["suspects", str(sensors), "--wind", str(wind_file(tmp)), "--sources",
            str(sources or sources_file(tmp)), "--out", str(tmp / "out"), "--no-maps", *extra]


def hotspots(tmp: Path, *extra, sources: Path | None = None) -> list[str]:
    return ["hotspots", str(sources or sources_file(tmp)), "--county", "雲林縣", "--permutations", "99",
            "--out", str(tmp / "out"), "--no-maps", *extra]


# --------------------------------------------------------------------------- checks on outputs


def levels_at_most(rank_name: str):
    """No station-hour in levels.csv above ``rank_name`` (none < L1 < L2 < S1 < S2 < S3)."""
    order = ["none", "L1", "L2", "S1", "S2", "S3"]

    def check(run: Run) -> list:
        p = run.outdir / "levels.csv"
        if not p.exists():
            return [("wrong", "no levels.csv")]
        df = pd.read_csv(p, dtype=str)
        col = "level" if "level" in df.columns else [c for c in df.columns if c.endswith("level")][0]
        high = [lv for lv in df[col].dropna().unique() if lv in order and order.index(lv) > order.index(rank_name)]
        return [("silent", f"levels {sorted(high)} from bad values")] if high else []
    return check


def no_zones(run: Run) -> list:
    p = run.outdir / "zones.csv"
    if p.exists():
        df = pd.read_csv(p, dtype=str)
        if "level" in df.columns and df["level"].isin(["S1", "S2", "S3"]).any():
            return [("silent", "S-level zones from bad values")]
    return []


def files_inside(run: Run) -> list:
    """Nothing written outside --out (see :func:`run_case`: files new after the run, not under out/)."""
    return [("wrong", f"written outside --out: {run.stray[:3]}")] if run.stray else []


def closing_counts_rows(run: Run) -> list:
    """The closing line does not say '0 rows or values not used' when rows were left out."""
    if "(0 rows or values not used)" in run.out:
        return [("wrong", "closing line: 0 rows or values not used")]
    return []


# --------------------------------------------------------------------------- the cases

CASES: list[Case] = []


def case(id, item, check, timeout=120.0):
    def deco(build):
        CASES.append(Case(id, item, build, check, timeout))
        return build
    return deco


# ---- item 1: fill, negative, implausible values ---------------------------------------------------

def _fill_rows():
    rows = obs_rows()
    hc = [i for i, r in enumerate(rows) if r[0] == "恆春"]
    for j in hc[10:12]:
        rows[j][5] = "9999"   # pm10
        rows[j][6] = "9999"   # pm2.5
    rows[3][6] = "-5"
    rows[4][4] = "-999"
    rows[7][2] = "-5"
    return rows


@case("warn-fill-9999-negative", "1", expect_ok(levels_at_most("none"), no_zones,
                                                 reported("9999", "-5", "-999"), closing_counts_rows))
def _(tmp):
    return warn(tmp, obs_file(tmp, _fill_rows()))


@case("warn-implausible-8000", "1", expect_ok(levels_at_most("none"), no_zones, reported("8000", "plausible")))
def _(tmp):
    rows = obs_rows()
    hc = [i for i, r in enumerate(rows) if r[0] == "恆春"]
    for j in hc[5:8]:
        rows[j][6] = "8000"
        rows[j][5] = "8000"
    return warn(tmp, obs_file(tmp, rows))


@case("warn-single-jump-no2", "1", expect_ok(reported("jump", name="summary.txt")))
def _(tmp):
    rows = obs_rows()
    hc = [i for i, r in enumerate(rows) if r[0] == "潮州"]
    rows[hc[20]][7] = "700"   # NO2 hourly S1 (650 ppb) from one station-hour, neighbours at 14
    return warn(tmp, obs_file(tmp, rows))


@case("interpolate-fill-9999", "1", expect_ok(reported("9999", name="problems.csv")))
def _(tmp):
    rows = obs_rows()
    rows[12][6] = "9999"
    return interp(tmp, obs_file(tmp, rows))


@case("suspects-sensor-negative-and-fill", "1", expect_ok(reported("-999", "99999", name="problems.csv")))
def _(tmp):
    def edit(lines):
        for k, v in ((5, "-999"), (9, "99999")):
            parts = lines[k].split(",")
            parts[4] = v
            lines[k] = ",".join(parts)
        return lines
    return suspects(tmp, sensors_file(tmp, edit=edit))


# ---- item 2: year typo -------------------------------------------------------------------------------

@case("warn-year-2205", "2", expect_ok(reported("2205")), timeout=60)
def _(tmp):
    rows = obs_rows()
    for j in (30, 31, 32):
        rows[j][10] = rows[j][10].replace("2025", "2205")
    return warn(tmp, obs_file(tmp, rows))


@case("interpolate-year-2205", "2", expect_ok(reported("2205")), timeout=60)
def _(tmp):
    rows = obs_rows()
    for j in (30, 31, 32):
        rows[j][10] = rows[j][10].replace("2025", "2205")
    return interp(tmp, obs_file(tmp, rows))


@case("interpolate-average-year-1925", "2", expect_ok(reported("1925")), timeout=60)
def _(tmp):
    rows = obs_rows()
    rows[40][10] = rows[40][10].replace("2025", "1925")
    args = interp(tmp, obs_file(tmp, rows), "--average", "24h")
    args[args.index("--hour") + 1] = "2025-01-15 12:00"
    return args


@case("suspects-sensor-year-2205", "2", expect_ok_or_2("2205", ok=reported("2205")), timeout=60)
def _(tmp):
    def edit(lines):
        lines[7] = lines[7].replace("2023-12-01", "2205-12-01")
        return lines
    return suspects(tmp, sensors_file(tmp, edit=edit))


@case("hotspots-bandwidth-tiny", "4", expect_ok_or_2("--bandwidth"), timeout=60)
def _(tmp):
    return hotspots(tmp, "--bandwidth", "0.0001")


# ---- item 3: output names from user text -------------------------------------------------------------

for _lab, _id in (("/../../escaped", "slash-dotdot"), ("..", "dotdot"), ("a\\..\\..\\escaped", "backslash"),
                  ("a\x00b", "nul"), ("CON", "reserved"), ("x" * 300, "300-chars"), ("屏東/../" * 40, "long-cjk")):
    @case(f"interpolate-label-{_id}", "3", expect_ok_or_2("label", ok=files_inside))
    def _(tmp, _lab=_lab):
        return interp(tmp, obs_file(tmp), "--label", _lab)


# ---- item 4: bad input reported as a bug -------------------------------------------------------------

def _times_rows(fmt):
    rows = obs_rows()
    for r in rows:
        t = pd.Timestamp(r[10])
        r[10] = fmt(t)
    return rows


def _levels_times_2025(run: Run) -> list:
    p = run.outdir / "levels.csv"
    if not p.exists():
        return [("wrong", "no levels.csv")]
    df = pd.read_csv(p, dtype=str)
    if len(df) == 0 or not df["time"].str.startswith("2025-01-1").all():
        return [("silent", f"times not converted: {df['time'].head(2).tolist()}")]
    return []


for _fmt, _id in ((lambda t: (t - pd.Timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") + " UTC", "utc-suffix"),
                  (lambda t: t.strftime("%Y-%m-%dT%H:%M") + "+08", "plus08"),
                  (lambda t: f"{t.year - 1911}/{t:%m/%d %H:%M}", "minguo"),
                  (lambda t: f"民國{t.year - 1911}年{t.month}月{t.day}日 {t:%H:%M}", "minguo-words")):
    @case(f"warn-times-{_id}", "4", expect_ok_or_2("row", ok=_levels_times_2025))
    def _(tmp, _fmt=_fmt):
        return warn(tmp, obs_file(tmp, _times_rows(_fmt)))


@case("sources-ragged-row", "4", expect_ok(reported("line 4")))
def _(tmp):
    def edit(lines):
        lines[3] = lines[3] + ",extra,fields"
        return lines
    return hotspots(tmp, sources=sources_file(tmp, edit))


@case("sources-unclosed-quote", "4", expect_2("sources.csv", "line", "quote"))
def _(tmp):
    def edit(lines):
        lines[5] = lines[5].replace("情境污染源", '"情境污染源', 1)
        return lines
    return hotspots(tmp, sources=sources_file(tmp, edit))


@case("sources-header-only", "4", expect_2("sources.csv", "no"))
def _(tmp):
    return hotspots(tmp, sources=sources_file(tmp, lambda lines: lines[:1]))


@case("sensors-ragged-row", "4", expect_ok(reported("line 6")))
def _(tmp):
    def edit(lines):
        lines[5] = lines[5] + ",1,2"
        return lines
    return suspects(tmp, sensors_file(tmp, edit=edit))


@case("sensors-unclosed-quote", "4", expect_2("sensors.csv", "quote"))
def _(tmp):
    def edit(lines):
        lines[8] = lines[8].replace("SCN", '"SCN', 1)
        return lines
    return suspects(tmp, sensors_file(tmp, edit=edit))


@case("sensors-header-only", "4", expect_2("sensors.csv", "no"))
def _(tmp):
    return suspects(tmp, sensors_file(tmp, edit=lambda lines: lines[:1]))


@case("obs-header-only", "4", expect_2("obs.csv", "no"))
def _(tmp):
    return warn(tmp, obs_file(tmp, []))


@case("wind-unclosed-quote", "4", expect_2("wind.csv", "quote"))
def _(tmp):
    args = suspects(tmp, sensors_file(tmp))
    w = tmp / "wind.csv"
    lines = w.read_text(encoding="utf-8").splitlines()
    lines[3] = '"' + lines[3]
    w.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return args


for _v, _id in (("inf", "inf"), ("-inf", "minus-inf"), ("1e400", "overflow"), ("nan", "nan")):
    @case(f"stations-{_id}-coordinates", "4", expect_ok_or_2("stations.csv", "row", ok=reported("海端")))
    def _(tmp, _v=_v):
        # a real station (aqx_p_07's 屏東) under another name, with an unusable longitude
        row = ["海端", "Haiduan", "高屏空品區", "屏東縣", "屏東市", "", _v, "22.673081", "一般站", "999"]
        return interp(tmp, obs_file(tmp), "--stations", str(stations_file(tmp, [row])))


@case("stations-header-only", "4", expect_2("stations.csv", "no"))
def _(tmp):
    return interp(tmp, obs_file(tmp), "--stations", str(stations_file(tmp, edit=lambda lines: lines[:1])))


for _opt, _val, _id in (("--grid", "0.001", "grid-tiny"), ("--permutations", "1000000000", "perm-huge"),
                        ("--seed", "-1", "seed-negative"), ("--resolution", "0.01", "resolution-tiny")):
    @case(f"hotspots-{_id}", "4", expect_2(_opt), timeout=60)
    def _(tmp, _opt=_opt, _val=_val):
        return hotspots(tmp, _opt, _val)


@case("out-is-a-file", "4", expect_2("--out", "file"))
def _(tmp):
    (tmp / "out").write_text("x")
    return warn(tmp, obs_file(tmp))


@case("out-under-a-file", "4", expect_2("--out", "file"))
def _(tmp):
    (tmp / "afile").write_text("x")
    args = warn(tmp, obs_file(tmp))
    args[args.index("--out") + 1] = str(tmp / "afile" / "out")
    return args


@case("out-name-300-bytes", "4", expect_2("--out"))
def _(tmp):
    args = warn(tmp, obs_file(tmp))
    args[args.index("--out") + 1] = str(tmp / ("o" * 300))
    return args


@case("data-show-csv-missing-folder", "4", expect_ok_or_2("--csv", ok=lambda r: [] if (r.tmp / "nope" / "t.csv").exists()
                                                          else [("wrong", "no file written")]))
def _(tmp):
    return ["data", "show", "stations", "--csv", str(tmp / "nope" / "t.csv")]


@case("data-show-csv-is-folder", "4", expect_2("--csv"))
def _(tmp):
    (tmp / "d").mkdir()
    return ["data", "show", "stations", "--csv", str(tmp / "d")]


@case("fetch-out-under-file", "4", expect_2("--out"))
def _(tmp):
    (tmp / "afile").write_text("x")
    return ["fetch", "moenv", "aqx_p_432", "--api-key", "k", "--base-url", "http://127.0.0.1:9/",
            "--retries", "0", "--no-cache", "--out", str(tmp / "afile" / "x.json")]


# ---- item 5: silent use of bad stations --------------------------------------------------------------

@case("interpolate-stations-misplaced", "5", expect_ok(reported("枋寮", "高雄市", "海口", "at sea")))
def _(tmp):
    # real stations moved on purpose: 枋寮 (claims 屏東縣) at 高雄市's 鳳山 position (26 km inside 高雄市),
    # 海口 (claims 屏東縣) 13 km west of 恆春, at sea
    rows = [["枋寮", "Fangliao", "高屏空品區", "屏東縣", "枋寮鄉", "", "120.358008", "22.627392", "一般站", "901"],
            ["海口", "Haikou", "高屏空品區", "屏東縣", "恆春鎮", "", "120.6628", "21.958069", "一般站", "902"]]
    obs = obs_rows(stations={"屏東": "屏東縣", "潮州": "屏東縣", "恆春": "屏東縣", "枋寮": "屏東縣", "海口": "屏東縣"})
    return interp(tmp, obs_file(tmp, obs), "--stations", str(stations_file(tmp, rows)))


@case("coverage-stations-misplaced", "5", expect_ok_or_2("stations", ok=reported("海口")))
def _(tmp):
    p = tmp / "st.csv"
    p.write_text("station,lon,lat\n屏東,120.488033,22.673081\n潮州,120.561175,22.523108\n"
                 "恆春,120.788928,21.958069\n海口,120.6628,21.958069\n", encoding="utf-8")
    return ["coverage", "--county", "屏東縣", "--official", "none", "--stations", str(p),
            "--out", str(tmp / "out"), "--no-maps"]


# ---- item 6: numeric options -------------------------------------------------------------------------

for _cmd, _opt, _val in (("suspects", "--threshold", "nan"), ("suspects", "--max-distance", "nan"),
                         ("suspects", "--min-hours", "-5"), ("suspects", "--half-width", "inf"),
                         ("suspects", "--half-width", "500"), ("interpolate", "--smoothing", "nan"),
                         ("interpolate", "--max-distance", "nan"), ("interpolate", "--cell", "1e9"),
                         ("interpolate", "--cell", "nan"), ("interpolate", "--power", "nan"),
                         ("interpolate", "--neighbors", "0"), ("interpolate", "--variogram-params", "sill=nan"),
                         ("hotspots", "--resolution", "nan"), ("coverage", "--neighbours", "nan"),
                         ("fetch", "--retries", "-1"), ("fetch", "--limit", "0")):
    @case(f"{_cmd}{_opt}={_val}", "6", expect_2(_opt))
    def _(tmp, _cmd=_cmd, _opt=_opt, _val=_val):
        if _cmd == "suspects":
            return suspects(tmp, sensors_file(tmp), _opt, _val)
        if _cmd == "interpolate":
            return interp(tmp, obs_file(tmp), _opt, _val)
        if _cmd == "hotspots":
            return hotspots(tmp, _opt, _val)
        if _cmd == "coverage":
            return ["coverage", "--county", "屏東縣", _opt, _val, "--out", str(tmp / "out"), "--no-maps"]
        return ["fetch", "moenv", "aqx_p_432", "--api-key", "k", "--base-url", "http://127.0.0.1:9/", "--no-cache",
                _opt, _val, "--out", str(tmp / "x.json")]


# ---- should fix ----------------------------------------------------------------------------------------

@case("obs-trailing-commas", "should", expect_ok(not_in_output("has no rows", "no usable rows"),
                                                  lambda r: [] if "row" not in r.problems() or "fields" not in r.problems()
                                                  else [("silent", "rows with a trailing comma not used")]))
def _(tmp):
    return warn(tmp, obs_file(tmp, tail=","))


@case("obs-ragged-first-row", "should", expect_ok(reported("line 2", "fields")))
def _(tmp):
    rows = obs_rows()
    rows[0] = rows[0] + ["x"]
    return warn(tmp, obs_file(tmp, rows))


@case("obs-unclosed-quote-line", "should", expect_2("obs.csv", "line 11"))
def _(tmp):
    rows = obs_rows()
    rows[9][0] = '"' + rows[9][0]
    return warn(tmp, obs_file(tmp, rows))


@case("warn-offhour-rows", "should", expect_ok(reported("row 5"), closing_counts_rows))
def _(tmp):
    rows = obs_rows()
    rows[3][10] = rows[3][10][:-2] + "30"
    return warn(tmp, obs_file(tmp, rows))


@case("warn-unknown-station-row-counted", "should", expect_ok(closing_counts_rows))
def _(tmp):
    rows = obs_rows()
    rows[3][0] = ""
    return warn(tmp, obs_file(tmp, rows))


@case("stations-at-sea-not-nan", "should", expect_ok(not_in_output("lies in nan", "in nan"), reported("at sea"),
                                                     lambda r: [] if "in nan" not in r.problems()
                                                     else [("wrong", "lies in nan")]))
def _(tmp):
    rows = [["海口", "Haikou", "高屏空品區", "屏東縣", "恆春鎮", "", "120.6628", "21.958069", "一般站", "902"]]
    return interp(tmp, obs_file(tmp), "--stations", str(stations_file(tmp, rows)))


@case("stations-name-keeps-zhan", "should", expect_ok(reported("海上站")))
def _(tmp):
    rows = [["海上站", "Haishang", "高屏空品區", "屏東縣", "恆春鎮", "", "120.6628", "21.958069", "一般站", "903"]]
    return interp(tmp, obs_file(tmp), "--stations", str(stations_file(tmp, rows)))


def run_case(c: Case, root: Path) -> tuple[Run, list]:
    """Build and run one case in ``root/a/b`` (so that ``--out`` two folders up is still in ``root``)."""
    tmp = root / "a" / "b"
    tmp.mkdir(parents=True, exist_ok=True)
    argv = c.build(tmp)
    before = {p for p in root.rglob("*") if p.is_file()}
    r = run_cli(argv, tmp)
    r.stray = sorted(str(p) for p in root.rglob("*") if p.is_file() and p not in before
                     and r.outdir not in p.parents and p.parent != tmp)
    return r, c.check(r)
