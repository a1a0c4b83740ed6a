"""Back-test maps: the calendar grid is the calendar table, the PNG shows the levels' colours, the page escapes."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geoairplan.io.archive import import_files
from geoairplan.maps.backtest import backtest_page, build, calendar_grid, level_code
from geoairplan.maps.style import LEVEL_COLORS
from geoairplan.publish import write
from geoairplan.warnings.backtest import backtest

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    a = tmp_path_factory.mktemp("btmaps") / "arc"
    import_files([DATA / "episode_scenario.csv"], a)
    return backtest(a, start="2025-01-10", end="2025-01-19", county=["屏東縣", "雲林縣"])


def test_grid_is_the_calendar_table(result):
    months, grid = calendar_grid(result, "雲林縣")
    assert months == [(2025, 1)]
    cal = result.calendar[result.calendar["county"] == "雲林縣"].set_index("date")["level_rank"]
    for d in range(1, 32):
        date = f"2025-01-{d:02d}"
        if 10 <= d <= 19:
            assert grid[0, d - 1] == cal[date]
        else:
            assert grid[0, d - 1] == -99  # outside the period: not drawn
    assert grid.max() == 3  # 麥寮 reaches S1 (river dust)
    assert level_code(3) == "S1" and level_code(-1) == "insufficient" and level_code(0) == "none"


def _has(img, colour: str, tol: int = 6) -> int:
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img[..., :3].astype(int) - rgb).max(axis=-1) <= tol).sum())


def test_calendar_png_shows_each_days_level(result, tmp_path):
    files = write(result, tmp_path)
    assert {"calendar_屏東縣.png", "calendar_屏東縣.pdf", "calendar_雲林縣.png", "backtest.html"} <= set(files)
    pt = np.asarray(Image.open(files["calendar_屏東縣.png"]).convert("RGB"))
    yl = np.asarray(Image.open(files["calendar_雲林縣.png"]).convert("RGB"))
    # 屏東縣 peaks at L2, 雲林縣 at S1: the S1 colour is in 雲林's calendar only (beyond the legend swatch)
    swatch = _has(pt, LEVEL_COLORS["S1"])
    assert _has(yl, LEVEL_COLORS["S1"]) > swatch * 3
    assert _has(pt, LEVEL_COLORS["L2"]) > _has(yl, LEVEL_COLORS["L2"])


def test_page_tables_and_escaping(result):
    page = backtest_page(result)
    assert "（情境 scenario）" in page and "情境資料 scenario" in page
    # one coloured cell per county-day of the calendar table, by level
    for rank, n in result.calendar.groupby("level_rank").size().items():
        assert page.count(f'class="k{rank + 1}"') == n
    ep = result.episodes
    assert page.count("<tr><td>") == len(ep) + len(result.summary_table.groupby(["county", "year"]))
    bad = replace(result, episodes=ep.assign(stations="<script>alert(1)</script>"))
    p2 = backtest_page(bad)
    assert "<script>" not in p2 and "&lt;script&gt;alert(1)&lt;/script&gt;" in p2


def test_build_is_deterministic(result, tmp_path):
    a = write(result, tmp_path / "a")
    b = write(result, tmp_path / "b")
    assert [p.read_bytes() for p in a.values()] == [p.read_bytes() for p in b.values()]
    assert [m.name for m in build(result)] == ["calendar_屏東縣", "calendar_雲林縣", "backtest"]
