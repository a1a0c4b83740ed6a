"""Maps of a warning back-test, built from a :class:`~geoairplan.warnings.backtest.BacktestResult` only.

:func:`build` returns, for :func:`geoairplan.publish.write`:

* ``calendar_<county>`` (static, PNG + PDF), one per county: an openair-style
  calendar heat map of the county's daily highest warning level (the
  ``calendar`` table: the highest level over the county's stations that day),
  one row per month and one column per day of the month, coloured with the
  warning-level colours of :data:`geoairplan.maps.style.LEVEL_COLORS` (grey:
  insufficient data, i.e. no station of the county could be given a level that
  day; white with a hatch: no row at all), the level legend, title and source
  line from ``result.meta`` (:func:`calendar_figure`);
* ``backtest`` (page, HTML): the same calendars drawn as HTML tables (a tooltip
  per warning day), the warning days per county, level and year, and the
  episode table, every text escaped; no script, no network
  (:func:`backtest_page`).

Scenario data are labelled from ``result.meta`` (title, source line, a
banner in the page), never from a path.
"""

from __future__ import annotations

import calendar as _cal
import html

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch, Rectangle

from geoairplan.io.paths import safe_name
from geoairplan.maps.output import MapOutput
from geoairplan.maps.static import font_properties, new_figure, register_font
from geoairplan.maps.style import LEVEL_CODES, LEVEL_COLORS, LEVELS, level_label, level_legend_items, text_color_for
from geoairplan.maps.webfont import FONT_STACK, embed_font

__all__ = ["build", "calendar_figure", "calendar_grid", "backtest_page", "calendar_name", "level_code",
           "MAX_EPISODE_ROWS"]

#: Episodes listed in the page (all of them are in ``episodes.csv``).
MAX_EPISODE_ROWS = 500
#: Colour of a day without any row (outside the archive's data for the county).
NO_DATA_COLOR = "#ffffff"


def level_code(rank: int) -> str:
    """The map kit's level code of a level rank (−1 insufficient, 0 none, 1..5 ``L1`` … ``S3``)."""
    r = int(rank)
    if r < 0:
        return "insufficient"
    if r == 0:
        return "none"
    return LEVELS[min(r, len(LEVELS)) - 1]


def calendar_name(county: str) -> str:
    """File stem of a county's calendar (``calendar_屏東縣``)."""
    return f"calendar_{safe_name(county, default='county')}"


def _months(result) -> list[tuple[int, int]]:
    t0 = pd.Timestamp(result.meta.time_start)
    t1 = pd.Timestamp(result.meta.time_end)
    out, y, m = [], t0.year, t0.month
    while (y, m) <= (t1.year, t1.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def calendar_grid(result, county: str) -> tuple[list[tuple[int, int]], np.ndarray]:
    """(months, ranks) of a county: ``ranks[i, d - 1]`` is the highest level rank on day ``d`` of month ``i``.

    ``-9`` marks a day without any row (no data), ``-99`` a day the month does
    not have (30 February) or outside the period.

    Parameters
    ----------
    result : geoairplan.warnings.backtest.BacktestResult
        The back-test.
    county : str
        One of ``result.meta.counties``.

    Returns
    -------
    (list of (year, month), numpy.ndarray of int, shape (months, 31))
    """
    months = _months(result)
    t0 = pd.Timestamp(result.meta.time_start).normalize()
    t1 = pd.Timestamp(result.meta.time_end).normalize()
    grid = np.full((len(months), 31), -99, dtype=int)
    for i, (y, m) in enumerate(months):
        for d in range(1, _cal.monthrange(y, m)[1] + 1):
            if t0 <= pd.Timestamp(year=y, month=m, day=d) <= t1:
                grid[i, d - 1] = -9
    cal = result.calendar[result.calendar["county"] == county]
    row = {ym: i for i, ym in enumerate(months)}
    for date, rank in zip(cal["date"], cal["level_rank"]):
        y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
        if (y, m) in row:
            grid[row[(y, m)], d - 1] = int(rank)
    return months, grid


def _color(rank: int) -> str:
    if rank == -9:
        return NO_DATA_COLOR
    return LEVEL_COLORS[level_code(rank)]


def _days(result, county: str) -> dict[str, int]:
    s = result.summary_table[result.summary_table["county"] == county]
    return {level_code(r): int(v) for r, v in s.groupby("level_rank")["days"].sum().items() if v}


def _days_text(result, county: str) -> str:
    d = _days(result, county)
    if not d:
        return "no warning day 無預警日"
    return "；".join(f"{level_label(c)} {n} 日" for c, n in d.items())


def calendar_title(result, county: str) -> str:
    """Title of a county's calendar: county, what it shows, the period; tagged for scenario data."""
    t0, t1 = result.meta.time_start[:10], result.meta.time_end[:10]
    return result.meta.display_title(f"{county} 每日最高預警等級 Daily highest warning level {t0} – {t1}")


def calendar_figure(result, county: str):
    """The calendar heat map of one county (matplotlib figure, not yet saved).

    Parameters
    ----------
    result : geoairplan.warnings.backtest.BacktestResult
        The back-test.
    county : str
        One of ``result.meta.counties``.

    Returns
    -------
    matplotlib.figure.Figure
        Months as rows, days 1–31 as columns, each day in its level's colour; the
        level legend, warning days per level in the subtitle, the source line.
    """
    register_font()
    months, grid = calendar_grid(result, county)
    n = len(months)
    height = 2.3 + max(n, 6) * (0.32 if n <= 36 else 0.2)
    fig = new_figure((11.69, height))
    top_in, bottom_in = 1.05, 1.15  # title block, legend + source line (inches)
    ax = fig.add_axes([0.09, bottom_in / height, 0.89, 1 - (top_in + bottom_in) / height])
    img = np.ones((n, 31, 3))
    for i in range(n):
        for d in range(31):
            if grid[i, d] != -99:
                img[i, d] = to_rgb(_color(grid[i, d]))
    ax.imshow(img, aspect="auto", interpolation="nearest", extent=(0.5, 31.5, n - 0.5, -0.5))
    # white cell borders (lines, not a patch per cell: fast for ten years); days without data hatched
    ax.vlines(np.arange(0.5, 32.5), -0.5, n - 0.5, colors="#ffffff", linewidth=0.6)
    ax.hlines(np.arange(-0.5, n + 0.5), 0.5, 31.5, colors="#ffffff", linewidth=0.6)
    for i, d in zip(*np.nonzero(grid == -9)):
        ax.add_patch(Rectangle((d + 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#bbbbbb",
                               linewidth=0.0))
    ax.set_xlim(0.5, 31.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xticks(range(1, 32))
    ax.set_xticklabels([str(d) for d in range(1, 32)], fontproperties=font_properties(7))
    ax.xaxis.tick_top()
    step = 1 if n <= 40 else 3
    ax.set_yticks(range(0, n, step))
    ax.set_yticklabels([f"{y}-{m:02d}" for y, m in months][::step], fontproperties=font_properties(7.5))
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    for i, (y, m) in enumerate(months):  # a line between years
        if m == 1 and i:
            ax.axhline(i - 0.5, color="#333333", linewidth=1.0)
    if n <= 36:  # level codes in the cells of warning days (legible at this size)
        for i in range(n):
            for d in range(31):
                if grid[i, d] >= 1:
                    c = level_code(grid[i, d])
                    ax.text(d + 1, i, c, ha="center", va="center", fontproperties=font_properties(6),
                            color=text_color_for(LEVEL_COLORS[c]))
    title = calendar_title(result, county)
    fig.text(0.5, 1 - 0.42 / height, title, ha="center", va="center", fontproperties=font_properties(14))
    fig.text(0.5, 1 - 0.78 / height, f"{result.meta.title}；{_days_text(result, county)}", ha="center",
             va="center", fontproperties=font_properties(9), color="#333333")
    items = level_legend_items(LEVEL_CODES) + [("無資料 No data", NO_DATA_COLOR)]
    handles = [Patch(facecolor=c, edgecolor="#888888", linewidth=0.5, label=lab,
                     hatch="///" if c == NO_DATA_COLOR else None) for lab, c in items]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), bbox_to_anchor=(0.5, 0.5 / height),
               prop=font_properties(8), frameon=False, title=result.meta.legend_title("每日最高預警等級 Daily highest level"),
               title_fontproperties=font_properties(8.5))
    fig.text(0.09, 0.22 / height, result.meta.source_line() + "；每日最高等級 = 該縣市各測站當日逐時等級之最高者",
             ha="left", va="center", fontproperties=font_properties(7.5), color="#333333")
    # not a map: no scale bar or north arrow when saved
    fig._geoairplan = {"title": title, "layout": "calendar", "decorated": True}  # type: ignore[attr-defined]
    return fig


# --------------------------------------------------------------------------- the page

_CSS = ("body{font-family:" + FONT_STACK + ";margin:1em auto;max-width:70em;padding:0 1em;color:#222}"
        "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
        ".src{font-size:.85em;color:#444}.scenario{background:#fde68a;padding:.4em .6em;border-radius:3px}"
        "table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;padding:.15em .4em}"
        "table.cal{table-layout:fixed}table.cal td{width:1.5em;height:1.1em;padding:0;border:1px solid #fff}"
        "table.cal th{font-weight:normal;font-size:.8em;border:0;white-space:nowrap}"
        "td.x{background:#fff;border-color:#fff}td.nd{background:repeating-linear-gradient(45deg,#fff,#fff 2px,"
        "#ccc 2px,#ccc 3px)}.legend span{display:inline-block;width:1.2em;height:1em;vertical-align:middle;"
        "border:1px solid #999;margin:0 .3em 0 .8em}")


def _e(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        v = v.strftime("%Y-%m-%d %H:%M")
    return html.escape(str(v), quote=True)


def _level_css() -> str:
    out = []
    for r in range(-1, len(LEVELS) + 1):
        c = level_code(r)
        out.append(f"td.k{r + 1}{{background:{LEVEL_COLORS[c]}}}")
    return "".join(out)


def _calendar_html(result, county: str) -> str:
    months, grid = calendar_grid(result, county)
    head = "<tr><th></th>" + "".join(f"<th>{d}</th>" for d in range(1, 32)) + "</tr>"
    rows = []
    for i, (y, m) in enumerate(months):
        cells = []
        for d in range(31):
            r = grid[i, d]
            if r == -99:
                cells.append('<td class="x"></td>')
            elif r == -9:
                cells.append(f'<td class="nd" title="{y}-{m:02d}-{d + 1:02d} 無資料 no data"></td>')
            elif r >= 1 or r == -1:
                c = level_code(r)
                cells.append(f'<td class="k{r + 1}" title="{y}-{m:02d}-{d + 1:02d} {_e(c)} {_e(level_label(c))}">'
                             "</td>")
            else:
                cells.append(f'<td class="k{r + 1}"></td>')
        rows.append(f"<tr><th>{y}-{m:02d}</th>{''.join(cells)}</tr>")
    return f'<table class="cal" aria-label="{_e(county)}">\n{head}\n' + "\n".join(rows) + "\n</table>"


def _table_html(df: pd.DataFrame, cols: list[str], heads: list[str]) -> str:
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in heads) + "</tr>"]
    for r in df[cols].itertuples(index=False):
        out.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in r) + "</tr>")
    return "\n".join(out) + "\n</table>"


def page_title(result) -> str:
    """Title of the back-test page (``result.meta``; tagged for scenario data)."""
    return result.meta.display_title(f"{result.meta.title} {result.meta.time_start[:10]} – "
                                     f"{result.meta.time_end[:10]}")


def backtest_page(result) -> str:
    """The back-test as one HTML page (text, deterministic, self-contained, no script).

    Parameters
    ----------
    result : geoairplan.warnings.backtest.BacktestResult
        The back-test.

    Returns
    -------
    str
        The page: title and source line from ``result.meta`` (a banner for
        scenario data), the level legend, warning days per county, level and
        year, a calendar per county and the episode table (the first
        :data:`MAX_EPISODE_ROWS`; all are in ``episodes.csv``). Every text is
        HTML-escaped.
    """
    meta = result.meta
    title = page_title(result)
    parts = [f"<h1>{_e(title)}</h1>", f'<p class="src">{_e(meta.source_line())}</p>']
    if meta.scenario:
        parts.append('<p class="scenario">情境資料 scenario: made-up data generated by a documented model, '
                     "not measurements.</p>")
    s = result.summary()
    parts.append(f"<p>{s['stations']} stations in {len(s['counties'])} counties; {s['episodes']} episodes; "
                 f"{s['warning_station_hours']} station-hours at a warning level. A day's level is the highest "
                 "hourly level of any of the county's stations that day.</p>")
    legend = "".join(f'<span style="background:{c}"></span>{_e(lab)}' for lab, c in level_legend_items(LEVEL_CODES))
    legend += '<span class="nd-l" style="background:#fff"></span>無資料 No data'
    parts.append(f'<p class="legend">{legend}</p>')
    # warning days per county, year and level
    st = result.summary_table
    wide = st.pivot_table(index=["county", "year"], columns="level_rank", values="days", aggfunc="sum",
                          fill_value=0).reset_index()
    ranks = [r for r in sorted(st["level_rank"].unique()) if r >= 1]
    wide.columns = [c if isinstance(c, str) else level_code(c) for c in wide.columns]
    codes = [level_code(r) for r in ranks]
    wide["total"] = wide[codes].sum(axis=1) if codes else 0
    parts.append("<h2>預警日數 Warning days per county, year and level</h2>")
    parts.append(_table_html(wide, ["county", "year", *codes, "total"],
                             ["縣市 County", "年 Year", *[f"{c} {level_label(c)}" for c in codes],
                              "合計 Days with a warning"]))
    parts.append("<h2>每日最高預警等級 Calendars</h2>")
    for county in meta.counties:
        parts.append(f"<h3>{_e(county)}：{_e(_days_text(result, county))}</h3>")
        parts.append(_calendar_html(result, county))
    ep = result.episodes
    parts.append(f"<h2>預警事件 Episodes ({len(ep)})</h2>")
    if len(ep) > MAX_EPISODE_ROWS:
        parts.append(f"<p>The first {MAX_EPISODE_ROWS} of {len(ep)} episodes; all are in episodes.csv.</p>")
    if len(ep):
        parts.append(_table_html(ep.head(MAX_EPISODE_ROWS),
                                 ["episode", "start", "end", "hours", "peak_level", "peak_level_zh", "counties",
                                  "stations", "pollutants"],
                                 ["#", "開始 Start", "結束 End", "時數 Hours", "最高 Peak", "等級 Level",
                                  "縣市 Counties", "測站 Stations", "污染物 Pollutants"]))
    else:
        parts.append("<p>No warning hour in the period.</p>")
    page = ('<!DOCTYPE html>\n<html lang="zh-Hant-TW"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_CSS}{_level_css()}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    return embed_font(page)


def build(result, *, static: bool = True) -> list[MapOutput]:
    """The back-test's maps: one calendar per county (static) and the page (HTML).

    Parameters
    ----------
    result : geoairplan.warnings.backtest.BacktestResult
        The back-test.
    static : bool
        Also the calendars (``False``: no figure is built).

    Returns
    -------
    list of MapOutput
        ``calendar_<county>`` (``static``, PNG + PDF) per county, then ``backtest`` (``page``).
    """
    out = [MapOutput(calendar_name(c), "static", calendar_figure(result, c), title=calendar_title(result, c))
           for c in (result.meta.counties if static else ())]
    out.append(MapOutput("backtest", "page", backtest_page(result), title=page_title(result)))
    return out
