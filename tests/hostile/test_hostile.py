"""Issue 14: hostile input across every command (the corpus of corpus.py), the pieces it needs, and a fuzz test.

Run the corpus with counts by kind: ``PYTHONPATH=$PWD python tests/hostile/measure.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

from geoairplan.commands import rows_in  # noqa: E402
from geoairplan.errors import InputError, Problem  # noqa: E402
from geoairplan.io.times import check_dense_size, normalize_time_text, outlying_times  # noqa: E402
from geoairplan.reference.plausible import max_jump, plausible_range, plausible_ranges  # noqa: E402
from geoairplan.reference.pollutants import UNITS  # noqa: E402
from geoairplan.reference.rules import load_rules  # noqa: E402


@pytest.mark.parametrize("case", corpus.CASES, ids=[c.id for c in corpus.CASES])
def test_corpus(case, tmp_path):
    run, bad = corpus.run_case(case, tmp_path)
    assert not bad, f"{case.id} (item {case.item}): {bad}\n--- stdout\n{run.out[-1500:]}\n--- stderr\n{run.err[-1500:]}"


# --------------------------------------------------------------------------- item 1: the range table


def test_plausible_ranges_let_every_warning_criterion_through_and_stop_fill_values():
    """Every threshold of both rule tables lies inside its pollutant's range (in MOENV units), so no level
    can be refused as implausible; every fill value of the reader lies outside it."""
    from geoairplan.io.moenv import FILL_VALUES
    factor = {("ppm", "ppb"): 1000.0}
    for name in ("warning_2022", "warning_pre2022_002"):
        r = load_rules(name)
        for row in r.itertuples():
            lo, hi = plausible_range(row.pollutant)
            v = float(row.threshold) * factor.get((row.unit, UNITS[row.pollutant]), 1.0)
            assert lo <= v < hi / 1.5, (name, row.pollutant, v, hi)
    for p in ("pm2.5", "pm10", "so2", "no2", "o3", "co"):
        lo, hi = plausible_range(p)
        assert all(not (lo <= f <= hi) for f in FILL_VALUES), p
        assert 0 < max_jump(p) < hi
    t = plausible_ranges()
    assert set(t["unit"]) <= {"ug/m3", "ppb", "ppm", "m/s"} and t["basis"].notna().all()


# --------------------------------------------------------------------------- item 2 / 4: times


@pytest.mark.parametrize("text, want", [
    ("114/01/14 05:00", "2025-01-14 05:00+08:00"),
    ("114-1-14 5:00", "2025-01-14 05:00+08:00"),
    ("民國114年1月14日 05:00", "2025-01-14 05:00+08:00"),
    ("2025年1月14日 5時", "2025-01-14 05:00+08:00"),
    ("2025-01-13 21:00 UTC", "2025-01-14 05:00+08:00"),
    ("2025-01-13 21:00Z", "2025-01-14 05:00+08:00"),
    ("2025-01-14T05:00+08", "2025-01-14 05:00+08:00"),
    ("2025-01-14T05:00+0800", "2025-01-14 05:00+08:00"),
    ("2025/01/14 05:00:00", "2025-01-14 05:00+08:00"),
])
def test_time_forms_of_taiwan_files_are_read(text, want):
    from geoairplan.io.moenv import _parse_times
    got = _parse_times(pd.Series([text]), "Asia/Taipei")[0]
    assert got.isoformat(sep=" ", timespec="minutes") == want


def test_iso_and_month_first_dates_are_not_taken_for_minguo_years():
    assert normalize_time_text(["2025-01-14", "12/01/2023 01:00", "01/14/25"]).tolist() == \
        ["2025-01-14", "12/01/2023 01:00", "01/14/25"]


def test_outlying_times_are_the_small_far_parts_only():
    h = 3_600 * 10**9
    year = 365 * 24 * h
    t = np.r_[np.arange(100) * h, 180 * year + np.arange(3) * h]
    assert outlying_times(t).tolist() == [False] * 100 + [True] * 3
    # two real years of a history export (a gap of two years, both large) stay
    t2 = np.r_[np.arange(100) * h, 3 * year + np.arange(100) * h]
    assert not outlying_times(t2).any()
    nat = np.iinfo(np.int64).min
    assert outlying_times(np.r_[np.arange(50) * h, [nat, 90 * year]]).tolist()[-2:] == [False, True]


def test_a_dense_index_is_sized_before_it_is_allocated():
    check_dense_size(24 * 365, 200, what="t")
    with pytest.raises(InputError, match="2205|typed wrong"):
        check_dense_size(24 * 365 * 180, 6 * 80, what="the hourly table")


# --------------------------------------------------------------------------- closing line


@pytest.mark.parametrize("where, reason, n", [("row 5", "", 1), ("rows 5, 9", "", 2), ("rows 1, 2, ... (40 rows)", "", 40),
                                              ("pollutant nox", "not used: 12 rows not used", 12),
                                              ("line 4", "", 1), ("station X", "", 1)])
def test_closing_line_counts_rows(where, reason, n):
    assert rows_in(Problem("f", where, reason)) == n


# --------------------------------------------------------------------------- item 3


@pytest.mark.parametrize("label", ["/../../escaped", "..", "a\\..\\b", "a\x00b", "CON", "x" * 300, "屏東" * 120])
def test_interpolation_file_names_from_labels_are_plain_and_short(label):
    from geoairplan.interpolate.result import InterpolationResult
    r = InterpolationResult.__new__(InterpolationResult)
    r.data = type("D", (), {"pollutant": "pm2.5", "averaging": "1h"})()
    r.method, r.label = "idw", label
    for name in (r.stem + "_20250114_0500.tif", r.gpkg_name, r.problems_name):
        assert "/" not in name and "\\" not in name and "\x00" not in name and ".." not in name
        assert len(name.encode()) <= 255


# --------------------------------------------------------------------------- fuzz: readers

hyp = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_TOKENS = ["", "0", "12", "35.5", "-5", "-999", "9999", "99999", "1e400", "inf", "-inf", "nan", "NA", "-", "x",
           "12#", "8000", "屏東", "潮州", "恆春", "海上站", "Hai Shang", "2025-01-14 05:00", "2205-01-14 05:00",
           "114/01/14 06:00", "2025-01-14 05:00 UTC", "2025-01-14T07:00+08", "2025-01-14 05:30", "13/45/2025",
           "120.488033", "22.673081", "206050", "2622450", "屏東縣", "雲林縣", "斗六市", "pm2.5", "o3", " ", "　"]
_FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))


def _rows(n_fields):
    field = st.sampled_from(_TOKENS)
    row = st.lists(field, min_size=max(1, n_fields - 2), max_size=n_fields + 2)
    return st.lists(row, min_size=1, max_size=12)


def _write(tmp_path, header, rows) -> tuple[Path, int]:
    rows = [r if any(f.strip() for f in r) else ["x"] + r[1:] for r in rows]  # no blank line
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    p = tmp_path / "fuzz.csv"
    p.write_text(text, encoding="utf-8")
    return p, len(rows)


def _reported_rows(problems) -> set[int]:
    out = set()
    for p in problems:
        m = re.match(r"^(?:rows?|lines?|records?) ([\d, ]+)", str(p.where))
        if m:
            out |= {int(v) for v in m.group(1).split(",") if v.strip()}
    return out


_MOENV = ["sitename", "county", "pm2.5", "pm10", "o3", "so2", "wind_direc", "publishtime"]


@_FUZZ
@given(rows=_rows(len(_MOENV)))
def test_fuzz_moenv_reader(tmp_path_factory, rows):
    from geoairplan.io.moenv import read_moenv_hourly
    path, n = _write(tmp_path_factory.mktemp("m"), _MOENV, rows)
    try:
        df = read_moenv_hourly(path)
    except InputError:
        return
    used = set(np.asarray(df.attrs["file_rows"]).tolist())
    missing = set(range(2, n + 2)) - used - _reported_rows(df.attrs["problems"])
    assert not missing, (missing, df.attrs["problems"].summary(30))


_SOURCES = ["C_NO", "NAME", "COUNTY", "TOWNSHIP", "UTM_E", "UTM_N", "NOX_EMI", "PM25_EMI"]


@_FUZZ
@given(rows=_rows(len(_SOURCES)))
def test_fuzz_sources_reader(tmp_path_factory, rows):
    from geoairplan.io.sources import read_sources
    path, n = _write(tmp_path_factory.mktemp("s"), _SOURCES, rows)
    try:
        gdf = read_sources(path)
    except InputError:
        return
    used = set(gdf["row"].astype(int).tolist())
    missing = set(range(2, n + 2)) - used - _reported_rows(gdf.attrs["problems"])
    assert not missing, (missing, gdf.attrs["problems"].summary(30))


_SENSORS = ["device_id", "lon", "lat", "time", "pm2.5"]


@_FUZZ
@given(rows=_rows(len(_SENSORS)))
def test_fuzz_sensors_reader(tmp_path_factory, rows):
    from geoairplan.hotspots.sensors import read_sensors
    path, n = _write(tmp_path_factory.mktemp("n"), _SENSORS, rows)
    try:
        h = read_sensors(path)
    except InputError:
        return
    probs = h.attrs["problems"]
    dropped = 0
    for p in probs:
        m = re.search(r"its (\d+) readings are not used", p.reason)
        dropped += int(m.group(1)) if m else 0
    assert int(h["n_readings"].sum()) + len(_reported_rows(probs)) + dropped == n, probs.summary(30)


_STATIONS = ["sitename", "siteengname", "areaname", "county", "township", "siteaddress", "twd97lon", "twd97lat",
             "sitetype", "siteid"]


@_FUZZ
@given(rows=_rows(len(_STATIONS)))
def test_fuzz_stations_reader(tmp_path_factory, rows):
    from geoairplan.io.moenv import read_moenv_stations
    path, n = _write(tmp_path_factory.mktemp("t"), _STATIONS, rows)
    try:
        gdf = read_moenv_stations(path)
    except InputError:
        return
    ragged = {int(p.where.split()[1]) for p in gdf.attrs["problems"] if str(p.where).startswith("line ")}
    assert len(gdf) + len(ragged) == n


def test_station_list_keeps_the_official_name_for_display_and_joins_on_the_key(tmp_path):
    """Should-fix of issue 14: 恆春站 / 'Ping Tung 站' are shown as written, joined as 恆春 / 屏東-like keys."""
    from geoairplan.coverage.stations import prepare_stations
    p = tmp_path / "st.csv"
    p.write_text("station,lon,lat\n屏東,120.488033,22.673081\n潮州,120.561175,22.523108\n"
                 "恆春站,120.788928,21.958069\n", encoding="utf-8")
    st = prepare_stations(str(p))
    row = st[st["station"] == "恆春"].iloc[0]
    assert row["name"] == "恆春站"
    assert set(st["station"]) == {"屏東", "潮州", "恆春"}
