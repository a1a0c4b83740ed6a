"""The CLI's data commands, help on every command, and errors without tracebacks."""

import subprocess
import sys

import pandas as pd
import pytest

from geoairplan.cli import COMMANDS, build_parser, main


def test_help_on_every_command(capsys):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"data", "demo"}
    for name in sub.choices:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: geoairplan " + name)


def test_data_list_counts(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "townships" in out and " 368 rows" in out and "MOI" in out


def test_data_show_county_to_csv(tmp_path, capsys):
    out = tmp_path / "towns.csv"
    assert main(["data", "show", "townships", "--county", "台東縣", "--csv", str(out)]) == 0
    df = pd.read_csv(out, dtype=str)
    assert len(df) == 16 and set(df["COUNTYNAME"]) == {"臺東縣"}
    assert "geometry" not in df.columns


def test_error_is_one_line_without_traceback():
    r = subprocess.run([sys.executable, "-m", "geoairplan.cli", "data", "show", "townships", "--county", "屏東線"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "unknown county" in r.stderr and "屏東縣" in r.stderr


def test_unexpected_exception_is_reported_as_a_bug_without_traceback(monkeypatch, capsys):
    import geoairplan.datasets as ds

    def boom(*a, **k):
        raise ZeroDivisionError("simulated")

    monkeypatch.setattr(ds, "catalog", boom)
    assert main(["data", "list"]) == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: simulated" in err and "GEOAIRPLAN_DEBUG=1" in err
    monkeypatch.setenv("GEOAIRPLAN_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["data", "list"])
