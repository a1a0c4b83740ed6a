"""The archive commands end to end: import (twice), info, back-test and sensor job into two folders."""

from pathlib import Path

from geoairplan.cli import main

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"


def test_archive_import_info_and_jobs(tmp_path, capsys):
    a = str(tmp_path / "arc")
    assert main(["archive", "import", str(DATA / "episode_scenario.csv"), str(DATA / "sensors_scenario.csv"),
                 "--to", a]) == 0
    assert "2 file(s) imported" in capsys.readouterr().out
    assert main(["archive", "import", str(DATA / "episode_scenario.csv"), "--to", a]) == 0
    assert "already in the archive" in capsys.readouterr().out
    assert main(["archive", "info", a]) == 0
    out = capsys.readouterr().out
    assert "moenv: 33 stations, 71,280 rows" in out and "sensor: 30 sensors, 1,440 rows" in out
    outs = []
    for name in ("one", "two"):
        o = tmp_path / name
        assert main(["backtest", "--archive", a, "--from", "2025-01-15", "--to", "2025-01-16", "--county", "屏東縣",
                     "--out", str(o / "bt"), "--scheduler", "memory", "--scenario"]) == 0
        assert main(["gridstats", "--archive", a, "--out", str(o / "grid"), "--scheduler", "threads"]) == 0
        outs.append({p.relative_to(o).as_posix(): p.read_bytes() for p in sorted(o.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1]
    assert "（情境 scenario）" in outs[0]["bt/summary.txt"].decode()
    assert b"data_kind" in outs[0]["bt/episodes.csv"].splitlines()[0]
    # the archive was built from scenario files, so its statistics say so too
    assert b"data_kind" in outs[0]["grid/grid_stats.csv"].splitlines()[0]


def test_clear_errors(tmp_path, capsys):
    assert main(["archive", "info", str(tmp_path)]) == 2
    assert "not an archive" in capsys.readouterr().err
    assert main(["backtest", "--archive", str(tmp_path), "--out", str(tmp_path / "o"), "--scheduler", "memory"]) == 2
    assert "--from" in capsys.readouterr().err
    assert main(["sensorops", "--archive", str(tmp_path), "--out", str(tmp_path / "o"), "--scheduler", "gpu"]) == 2
    assert "unknown scheduler" in capsys.readouterr().err
