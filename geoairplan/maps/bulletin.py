"""The warning bulletin: one A4 page (PNG + PDF, Chinese) per county and day with a warning.

Built from a :class:`~geoairplan.warnings.WarningResult` only (its zones, events table,
measures, notifications and levels), in the form agencies publish a warning:

* the **level issued** (and the level measured beside it, 004 Art. 10 L60), the area and the
  **start time** (the first hour of the day under a warning, and the issue / raise events);
* the **zones** as a map (townships coloured by the day's highest issued level, the stations);
* the **triggering stations and values** (the criterion of each station's issue / raise hour);
* **what the regulation requires now**: the measures of ``data/rules`` for the issued level
  (屏東縣, 003 chapter 六; other counties: their seeds give no machine-readable table, said so);
* **whom to notify** (004 Art. 9(1) L51: the lists of the notification table and the categories
  the seeds do not list by name; Art. 9(2) L56-L58 at deterioration levels; Art. 11 upwind
  counties);
* the **command-centre decision** with its article and seed line (Art. 7, county tiers, Art. 16).

File names are ``bulletin_<county>_<date>`` made with :func:`geoairplan.io.paths.safe_name`;
:func:`geoairplan.publish.write` writes them like any static map.
"""

from __future__ import annotations

import pandas as pd

from geoairplan import datasets
from geoairplan.io.paths import safe_name
from geoairplan.maps.output import MapOutput
from geoairplan.maps.static import add_level_legend_static, font_properties, plot_points, plot_polygons, static_map
from geoairplan.maps.style import level_label
from geoairplan.reference.names import station_key

__all__ = ["bulletins", "bulletin_figure", "bulletin_days", "bulletin_name"]

_LEVELS = ("L1", "L2", "S1", "S2", "S3")
_EVENT_ZH = {"issue": "發布", "raise": "提升", "hold": "維持", "lower": "調降", "lift": "解除",
             "centre must": "應成立", "centre may": "得成立", "notify": "通知"}
_KIND_ZH = {"designated_facility": "指定公私場所", "hospital": "醫院", "health_station": "衛生所",
            "health_bureau": "衛生局"}


def bulletin_name(county: str, date: str) -> str:
    """``bulletin_<county>_<date>`` with both parts through :func:`~geoairplan.io.paths.safe_name`."""
    return f"bulletin_{safe_name(county, default='county')}_{safe_name(date, default='date')}"


def bulletin_days(result) -> list[tuple[str, str]]:
    """``(county, date)`` of every county-day with a warning zone, in order."""
    z = result.zone_townships
    if len(z) == 0:
        return []
    days = sorted({(c, t.date().isoformat()) for c, t in zip(z["county"], z["time"])},
                  key=lambda cd: (list(result.counties).index(cd[0]) if cd[0] in result.counties else 99, cd[1]))
    return days


def _top(codes) -> str:
    codes = [c for c in codes if c in _LEVELS]
    return max(codes, key=_LEVELS.index) if codes else "none"


def _wrap(text: str, width: int) -> list[str]:
    """Wrap by characters (CJK text has no spaces), counting ASCII as half a character."""
    out, line, w = [], "", 0.0
    for ch in str(text):
        cw = 0.55 if ord(ch) < 128 else 1.0
        if w + cw > width:
            out.append(line)
            line, w = "", 0.0
        line += ch
        w += cw
    if line:
        out.append(line)
    return out


def _day(df: pd.DataFrame, county: str, date: str, time_col: str = "time") -> pd.DataFrame:
    if df is None or len(df) == 0:
        return df
    d = df[df["county"] == county] if "county" in df.columns else df
    if "date" in d.columns:
        return d[d["date"].astype(str) == date]
    return d[[t.date().isoformat() == date for t in d[time_col]]]


def _sections(result, county: str, date: str) -> dict[str, list[str]]:
    """The text of the bulletin, section by section (plain lines, not yet wrapped)."""
    z = _day(result.zone_townships, county, date)
    tl = result.timeline
    ev = _day(tl, county, date)
    nat = tl[(tl["county"] == "全國") & (tl["date"] == date)] if len(tl) else tl
    issued = _top(z["level_2022"])
    measured = _top(z["measured_level"]) if "measured_level" in z.columns else issued
    start = min(z["time"])
    towns = list(dict.fromkeys(z.loc[z["level_2022"] == issued, "township"]))
    basis = sorted({b for s in z["basis"] for b in str(s).split(";") if b})
    sec: dict[str, list[str]] = {}
    sec["等級 Level"] = [f"發布等級：{level_label(issued)}（{issued}）；實測最高：{level_label(measured)}（{measured}）"
                         "（004 第10條 L60：依發布之等級執行防制措施）",
                         f"警告區域（{issued}）：{'、'.join(towns)}（{len(towns)} 鄉鎮市）",
                         "依據：" + "、".join({"measurement": "測站涵蓋區域（004 L16）", "forecast": "預報（004 L15）",
                                            "river_dust": "河川揚塵（002 L4296）"}.get(b, b) for b in basis),
                         f"開始時間：{start:%Y-%m-%d %H:%M}"]
    trig = []
    for r in ev[ev["event"].isin(["issue", "raise", "lower", "lift"])].itertuples() if len(ev) else []:
        line = f"{r.time:%H:%M} {_EVENT_ZH[r.event]} {r.level}（{r.area}；{r.article}，{r.seed_line}）"
        st = str(r.area).replace(" 涵蓋區域", "")
        if r.area.endswith("涵蓋區域") and r.article != "Art. 4(1)":
            lv = result.levels
            hit = lv[(lv["station"].map(station_key) == station_key(st)) & (lv["time"] == r.time)]
            if len(hit) and isinstance(hit["criterion"].iloc[0], str) and hit["criterion"].iloc[0]:
                line += f"：{hit['criterion'].iloc[0]}"
        trig.append(line)
    sec["觸發測站及數值 Triggering stations"] = trig or ["本日無新發布或調整（警告延續前日）"]
    ms = _day(result.measures, county, date)
    ms = ms[ms["level"] == issued] if len(ms) else ms
    if ms is not None and len(ms):
        items = list(dict.fromkeys(f"{r.measure_zh}（003 L{r.source_lines}）" for r in ms.itertuples()))
        lines = [f"{i + 1}. {t}" for i, t in enumerate(items[:9])]
        if len(items) > 9:
            lines.append(f"……另 {len(items) - 9} 項，見 measures.csv")
        sec["應採措施 Measures now"] = lines
    else:
        sec["應採措施 Measures now"] = [f"{county} 的種子文件未提供可機讀的各級措施表：依該縣區域防制措施及 004 附件二、三"
                                    "（附件不在種子文件中）執行。"]
    notes = _day(result.notifications, county, date)
    who = []
    if notes is not None and len(notes):
        n = notes["recipient_kind"].value_counts()
        who.append("名單：" + "、".join(f"{_KIND_ZH.get(k, k)} {int(v)}" for k, v in sorted(n.items())) +
                   "（notifications.csv）")
    try:
        rec = datasets.load_rules("art9_recipients")
        own = rec[rec["county"] == county]
        rec = pd.concat([own, rec[(rec["county"] == "*") & ~rec["category"].isin(set(own["category"]))]])
        unnamed = rec[rec["names_in_seed"] == "no"]
        who.append("未列名（由權責單位轉知）：" + "、".join(f"{r.category_zh}（{r.relayed_by}，{r.source_lines}）"
                                             for r in unnamed.itertuples()))
    except Exception:
        pass
    if issued in ("S1", "S2", "S3"):
        who.append("嚴重惡化：協調新聞媒體插播至解除，並以公開平台、鄰里通報、電子看板、跑馬燈、簡訊傳達（004 L56-L58）")
    up = ev[(ev["article"] == "Art. 11")] if len(ev) else ev
    for r in up.itertuples() if up is not None and len(up) else []:
        who.append(f"上風相鄰縣市（004 第11條 L63）：{r.area}")
    sec["通知對象 Whom to notify（004 第9條 L51）"] = who
    cen = []
    for r in ev[ev["event"].isin(["centre must", "centre may"])].itertuples() if len(ev) else []:
        cen.append(f"{r.area}：{_EVENT_ZH[r.event]}（{r.article}，{r.seed_line}）")
    for r in nat.itertuples() if nat is not None and len(nat) else []:
        cen.append(f"{r.area}：{_EVENT_ZH.get(r.event, r.event)}（{r.article}，{r.seed_line}）")
    cc = result.command_centre
    if not cen and len(cc):
        row = cc[(cc["county"] == county) & (cc["date"] == date)]
        if len(row):
            cen.append(f"空氣污染防制指揮中心：{row['decision_zh'].iloc[0]}（004 第7條 L35-L36）")
    sec["指揮中心 Command centre"] = cen or ["無紀錄"]
    return sec


def bulletin_figure(result, county: str, date: str):
    """The A4 portrait bulletin of ``county`` on ``date`` (a matplotlib figure, not yet saved).

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode (with its events table).
    county : str
        A county of the result.
    date : str
        ISO date of a day with a warning zone (:func:`bulletin_days`).

    Returns
    -------
    matplotlib.figure.Figure
        Title and provenance from ``result.meta`` (scenario data are tagged), the zone map on top,
        the sections of the bulletin below.
    """
    sec = _sections(result, county, date)
    z = _day(result.zone_townships, county, date)
    issued = _top(z["level_2022"])
    title = result.meta.display_title(f"{county} 空氣品質{'嚴重惡化' if issued.startswith('S') else '預警'}警告 {date}")
    source = "\n".join(_wrap(result.meta.source_line(), 100))
    fig, ax = static_map(title, source=source, layout="A4-portrait", county=county,
                         subtitle=f"發布等級 {level_label(issued)}（{issued}） Warning bulletin")
    ax.set_position([0.05, 0.50, 0.90, 0.40])
    towns = datasets.load_townships(county)
    day_top = z.groupby("township")["level_2022"].agg(_top)
    towns = towns.assign(level=towns["TOWNNAME"].map(day_top).fillna("none"))
    plot_polygons(ax, towns, color_col="level", edgecolor="#666666", linewidth=0.4)
    try:
        st = datasets.load_stations(county)
        if len(st):
            plot_points(ax, st, color="#222222", size=18, labels_col="name_zh", edgecolor="white")
    except Exception:
        pass
    add_level_legend_static(ax, result.meta.legend_title("預警等級"))
    y = 0.475
    for head, lines in sec.items():
        if y < 0.07:
            break
        fig.text(0.05, y, head, fontproperties=font_properties(10.5), va="top")
        y -= 0.017
        for line in lines:
            for part in _wrap(line, 62):
                if y < 0.06:
                    break
                fig.text(0.065, y, part, fontproperties=font_properties(8), va="top", color="#222222")
                y -= 0.0135
        y -= 0.006
    return fig


def bulletins(result) -> list[MapOutput]:
    """One static :class:`~geoairplan.maps.output.MapOutput` per county-day with a warning,
    named :func:`bulletin_name`."""
    out = []
    for county, date in bulletin_days(result):
        fig = bulletin_figure(result, county, date)
        out.append(MapOutput(bulletin_name(county, date), "static", fig, title=fig._geoairplan["title"]))
    return out
