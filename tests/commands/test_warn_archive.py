"""``geoairplan warn --archive``: the back-test through the warn command, = ``geoairplan backtest``; clear errors."""

from pathlib import Path

import pytest

from geoairplan.cli import main
from geoairplan.io.archive import import_files

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = tmp_path_factory.mktemp("warnarc") / "arc"
    import_files([DATA / "episode_scenario.csv"], a)
    return str(a)


def _files(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_warn_archive_is_the_backtest(archive, tmp_path, capsys):
    common = ["--archive", archive, "--from", "2025-01-14", "--to", "2025-01-19", "--county", "雲林縣",
              "--scheduler", "memory"]
    assert main(["warn", *common, "--out", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "back-test" in out and "雲林縣: 初級預警 2 d, 中級預警 1 d, 輕度嚴重惡化 1 d" in out
    assert main(["backtest", *common, "--out", str(tmp_path / "b")]) == 0
    w, b = _files(tmp_path / "w"), _files(tmp_path / "b")
    assert w == b
    assert {"calendar_雲林縣.png", "backtest.html", "episodes.csv"} <= set(w)
    assert "calendar_雲林縣.pdf" not in w  # PDF on request (--static)
    assert "雲林縣" in w["backtest.html"].decode() and "S1" in w["calendar.csv"].decode()


@pytest.mark.parametrize("argv, message", [
    ([], "no input: give OBS"),
    ([str(DATA / "episode_scenario.csv"), "--archive", "ARC"], "both OBS and --archive"),
    (["--archive", "ARC", "--forecast", str(DATA / "forecast_scenario.csv")], "--forecast is not used"),
    ([str(DATA / "episode_scenario.csv"), "--from", "2025-01-14"], "belong to the back-test"),
])
def test_clear_errors(argv, message, tmp_path, capsys):
    assert main(["warn", *argv, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_no_maps(archive, tmp_path):
    assert main(["warn", "--archive", archive, "--from", "2025-01-18", "--to", "2025-01-19", "--county", "屏東縣",
                 "--scheduler", "memory", "--no-maps", "--out", str(tmp_path / "n")]) == 0
    names = set(_files(tmp_path / "n"))
    assert "backtest_summary.csv" in names and not any(n.endswith((".png", ".html")) for n in names)
