"""The Parquet archive: import (streamed, idempotent, problems reported), registry, info, filtered reads."""

from pathlib import Path

import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.archive import archive_info, detect_kind, import_files, read_registry, read_rows

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"
EPISODE = DATA / "episode_scenario.csv"
SENSORS = DATA / "sensors_scenario.csv"


def _snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_is_idempotent(tmp_path):
    a = tmp_path / "arc"
    rep = import_files([EPISODE, SENSORS], a)
    assert list(rep.imported["status"]) == ["imported", "imported"]
    assert list(rep.imported["kind"]) == ["moenv", "sensor"]
    before = _snapshot(a)
    again = import_files([SENSORS, EPISODE, EPISODE], a)
    assert set(again.imported["status"]) == {"already in the archive"}
    assert again.rows_added == 0
    assert _snapshot(a) == before  # not one byte changed
    # a copy under another name is the same content: nothing added
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(EPISODE.read_bytes())
    assert import_files([copy], a).rows_added == 0
    assert len(pd.read_csv(a / "ledger.csv")) == 2


def test_partitions_registry_and_info(tmp_path):
    a = tmp_path / "arc"
    import_files([EPISODE, SENSORS], a)
    parts = sorted(p.relative_to(a).parent.as_posix() for p in (a / "data").rglob("*.parquet"))
    assert parts == ["data/kind=moenv/year=2025/month=1", "data/kind=sensor/year=2023/month=12"]
    reg = read_registry(a)
    assert reg.crs.to_epsg() == 3826
    assert set(reg["kind"]) == {"moenv", "sensor"}
    st = reg.set_index("id")
    assert st.loc["屏東", "county"] == "屏東縣" and st.loc["屏東", "township"] == "屏東市"
    assert st.loc["SCN-PM001", "type"] == "micro-sensor" and st.loc["SCN-PM001", "county"] == "雲林縣"
    assert abs(st.loc["SCN-PM001", "x_tm2"] - st.loc["SCN-PM001"].geometry.x) < 1e-6
    info = archive_info(a)
    k = info.kinds.set_index("kind")
    assert k.loc["moenv", "rows"] == 71_280 and k.loc["moenv", "ids"] == 33
    assert k.loc["sensor", "rows"] == 1_440 and k.loc["sensor", "ids"] == 30
    assert k.loc["moenv", "first"] == "2025-01-14 00:00" and k.loc["moenv", "last"] == "2025-01-19 23:00"
    assert "2 source file(s)" in info.summary_text()


def test_read_rows_filters(tmp_path):
    a = tmp_path / "arc"
    import_files([EPISODE], a)
    d = read_rows(a, "moenv", stations=["屏東"], pollutants=["pm2.5"], start="2025-01-15", end="2025-01-16")
    assert len(d) == 24 and set(d["station"]) == {"屏東"}
    assert d["time"].min() == pd.Timestamp("2025-01-15 00:00", tz="Asia/Taipei")
    ref = pd.read_csv(EPISODE)
    ref = ref[(ref.sitename == "屏東") & ref.datacreationdate.str.startswith("2025-01-15")]
    assert list(d["value"]) == list(ref["pm2.5"].astype(float))


def test_sensor_problems_and_scenario_label(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("device_id,lon,lat,time,pm2.5,data_kind\n"
                 "A1,120.5,23.7,2024-03-01 10:05,12.5,scenario\n"
                 "A1,120.5,23.7,2024-03-01 10:10,abc,scenario\n"
                 ",120.5,23.7,2024-03-01 10:10,3,scenario\n"
                 "A2,20.5,23.7,2024-03-01 10:10,3,scenario\n"
                 "A3,120.51,23.71,2024/03/01 10:10:00,-4,scenario\n", encoding="utf-8")
    assert detect_kind(f) == "sensor"
    rep = import_files([f], tmp_path / "arc")
    wheres = {(p.where, p.reason) for p in rep.problems}
    assert ("row 3", "PM2.5 is not a number: row not used") in wheres
    assert ("row 4", "no device id: row not used") in wheres
    assert ("row 5", "coordinates missing or not in Taiwan: row not used") in wheres
    assert ("row 6", "PM2.5 is negative: row not used") in wheres
    d = read_rows(tmp_path / "arc", "sensor")
    assert len(d) == 1 and d["data_kind"].iat[0] == "scenario"
    assert d["time"].iat[0] == pd.Timestamp("2024-03-01 10:05", tz="Asia/Taipei")
    assert read_registry(tmp_path / "arc")["data_kind"].tolist() == ["scenario"]


def test_clear_errors(tmp_path):
    with pytest.raises(InputError, match="not an archive"):
        archive_info(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("device_id,time,pm2.5\nA,2024-01-01 00:00,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="coordinates"):
        import_files([bad], tmp_path / "arc", kind="sensor")
    with pytest.raises(InputError, match="file not found"):
        import_files([tmp_path / "nope.csv"], tmp_path / "arc")
