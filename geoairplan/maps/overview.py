"""Overview maps of the seed counties: townships, monitoring stations and designated facilities.

:func:`overview_map` builds the web map of the three seed counties (屏東縣,
雲林縣, 澎湖縣) with every MOENV station of the region; :func:`county_map` one
county with its stations and designated facilities; :func:`overview_static`
the A4 plan-document version. :mod:`geoairplan.demo.overview` writes them all
under ``outdir/overview/`` for ``geoairplan demo``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geoairplan import datasets
from geoairplan.datasets import SEED_COUNTIES
from geoairplan.maps import style
from geoairplan.maps.static import add_static_legend, plot_points, static_map
from geoairplan.maps.web import add_legend, add_points, township_base, web_map

__all__ = ["overview_map", "county_map", "facility_placement", "facility_note", "county_title", "overview_static", "county_static", "load_station_points", "SLUG"]

STATION_SOURCE = "測站：環境部空氣品質監測站清單 (aqx_p_07)"
TOWNSHIP_SOURCE = "鄉鎮界：內政部國土測繪中心 (TOWN_MOI)"
#: File stems of the seed counties' maps.
SLUG = {"屏東縣": "pingtung", "雲林縣": "yunlin", "澎湖縣": "penghu"}
_POPUP = ["name_zh", "name_en", "county", "township", "pollutants"]
_ALIASES = {"name_zh": "測站 Station", "name_en": "英文站名 English name", "county": "縣市 County", "township": "鄉鎮市區 Township",
            "pollutants": "測項 Pollutants", "control_no": "管制編號 Control no.", "name": "名稱 Name", "address": "地址 Address",
            "designation_reasons": "指定原因 Designation", "TOWNNAME": "鄉鎮市區 Township"}


def load_station_points() -> gpd.GeoDataFrame:
    """The region's MOENV stations (``datasets.load_stations``)."""
    return datasets.load_stations()


def _county_colors(counties) -> dict:
    return style.categorical_colors(counties)


def _add_stations(m, st: gpd.GeoDataFrame, highlight) -> None:
    st = st.sort_values(["county", "name_zh"]).reset_index(drop=True)
    inside = st[st["county"].isin(highlight)]
    colors = _county_colors(inside["county"])
    outside = st[~st["county"].isin(highlight)]
    cols = [c for c in _POPUP if c in st.columns]
    if len(outside):
        add_points(m, outside, name="鄰近縣市測站 Other stations", tooltip_col="name_zh", popup_cols=cols,
                   aliases=_ALIASES, color="#8c8c8c", radius=5)
    add_points(m, inside, name="測站 Stations", tooltip_col="name_zh", popup_cols=cols, aliases=_ALIASES,
               color_col="county", color_map=colors, radius=7)
    items = [(f"{c} 測站", colors[c]) for c in sorted(set(inside["county"]))]
    if len(outside):
        items.append(("其他縣市測站 Other stations", "#8c8c8c"))
    add_legend(m, items, "測站 Stations", shape="circle")


def overview_map(counties=SEED_COUNTIES, *, offline: bool = False, stations: gpd.GeoDataFrame | None = None):
    """Web map of the counties' townships (name tooltips) and the region's stations."""
    counties = tuple(counties)
    st = load_station_points() if stations is None else stations
    towns = township_base(counties)
    w, s, e, n = towns.total_bounds
    pad = 0.05
    m = web_map("種子縣市概覽：鄉鎮與空氣品質測站 Overview of the seed counties",
                source=f"{TOWNSHIP_SOURCE}；{STATION_SOURCE}；geoairplan",
                county=counties, offline=offline)
    m.fit_bounds([[s - pad, w - pad], [n + pad, e + pad]])
    _add_stations(m, st, counties)
    return m


_REASON_ZH = {"no address and no township given": "計畫書未列地址亦未列鄉鎮"}


def facility_placement(county: str) -> dict:
    """The county's designated facilities that can be drawn, and those that cannot, with why.

    Facilities have no coordinates in the seed plans: each one with a township (stated, or parsed
    from its address) is drawn at its township's representative point; one without is counted,
    never dropped silently.

    Parameters
    ----------
    county : str
        A seed county.

    Returns
    -------
    dict
        ``points`` (GeoDataFrame, EPSG:4326, or None when none can be placed), ``total``,
        ``shown``, ``unplaced`` (counts) and ``reasons`` (``{reason: count}`` of the unplaced ones).
    """
    fac = datasets.load_facilities(county)
    towns = datasets.load_townships(county).to_crs(3826)
    pts = dict(zip(towns["TOWNNAME"], towns.geometry.representative_point()))
    town = fac["township"] if "township" in fac.columns else pd.Series(pd.NA, index=fac.index)
    ok = town.map(lambda t: isinstance(t, str) and t in pts).astype(bool)
    reasons: dict[str, int] = {}
    for i in fac.index[~ok]:
        r = fac.at[i, "unplaced_reason"] if "unplaced_reason" in fac.columns else None
        if not isinstance(r, str) or not r:
            r = f"township {town[i]!r} is not a township of {county}" if isinstance(town[i], str) else \
                "no township"
        reasons[r] = reasons.get(r, 0) + 1
    placed = fac[ok].copy()
    points = None
    if len(placed):
        placed["TOWNNAME"] = placed["township"]
        points = gpd.GeoDataFrame(placed, geometry=[pts[t] for t in placed["township"]], crs=3826).to_crs(4326)
    return {"points": points, "total": int(len(fac)), "shown": int(ok.sum()), "unplaced": int((~ok).sum()),
            "reasons": dict(sorted(reasons.items()))}


def facility_note(county: str, placement: dict | None = None) -> str:
    """``指定公私場所：顯示 0 / 69 處；69 處無法定位（計畫書未列地址亦未列鄉鎮 …：69）`` for the map and the index."""
    pl = facility_placement(county) if placement is None else placement
    text = f"指定公私場所 designated facilities：顯示 shown {pl['shown']} / {pl['total']} 處"
    if pl["unplaced"]:
        why = "；".join(f"{_REASON_ZH.get(r, r)} {r}：{n}" if r in _REASON_ZH else f"{r}：{n}"
                       for r, n in pl["reasons"].items())
        text += f"；{pl['unplaced']} 處無法定位 could not be placed（{why}）"
    return text


def county_title(county: str, placement: dict | None = None) -> str:
    """The county map's title: it promises the facilities only when some are drawn."""
    pl = facility_placement(county) if placement is None else placement
    if pl["shown"]:
        return f"{county}：鄉鎮、測站與指定公私場所"
    return f"{county}：鄉鎮與測站（指定公私場所 {pl['total']} 處無法定位 not placed）"


def county_map(county: str, *, offline: bool = False, stations: gpd.GeoDataFrame | None = None):
    """Web map of one county: townships, its stations (and neighbours'), designated facilities (clustered).

    The facilities legend and the source note say how many facilities are shown and how many could
    not be placed, and why (:func:`facility_placement`).
    """
    st = load_station_points() if stations is None else stations
    pl = facility_placement(county)
    note = facility_note(county, pl)
    m = web_map(county_title(county, pl), county=county, offline=offline,
                source=f"{TOWNSHIP_SOURCE}；{STATION_SOURCE}；公私場所：{county}空氣污染防制計畫；{note}；geoairplan")
    w, s, e, n = township_base(county).total_bounds
    near = st.cx[w - 0.1:e + 0.1, s - 0.1:n + 0.1] if len(st) else st
    _add_stations(m, near, (county,))
    fac = pl["points"]
    if fac is not None and len(fac):
        cols = [c for c in ("control_no", "name", "address", "TOWNNAME", "designation_reasons") if c in fac.columns]
        add_points(m, fac, name=f"指定公私場所 Facilities ({len(fac)})", tooltip_col="name" if "name" in fac else None,
                   popup_cols=cols, aliases=_ALIASES, color="#6a3d9a", radius=5, cluster=True, show=True)
    items = [(f"指定公私場所（位於鄉鎮代表點）顯示 {pl['shown']} / {pl['total']} 處", "#6a3d9a")]
    if pl["unplaced"]:
        items.append((f"無法定位、未繪出 not drawn：{pl['unplaced']} 處（見下方資料說明 see the source note）",
                      "#ffffff"))
    add_legend(m, items, "公私場所 Facilities", shape="circle")
    return m


def overview_static(counties=SEED_COUNTIES, *, layout: str = "A4-portrait", stations=None):
    """The A4 overview: townships, county outlines, stations labelled, legend; returns ``(fig, ax)``."""
    counties = tuple(counties)
    st = load_station_points() if stations is None else stations
    fig, ax = static_map("種子縣市概覽：鄉鎮與空氣品質測站", source=f"{TOWNSHIP_SOURCE}；{STATION_SOURCE}；geoairplan",
                         county=counties, layout=layout)
    inside = st[st["county"].isin(counties)]
    colors = _county_colors(inside["county"])
    plot_points(ax, inside, color_col="county", color_map=colors, size=28, labels_col="name_zh")
    add_static_legend(ax, [(f"{c} 測站", colors[c]) for c in sorted(colors)], "圖例", kind="point")
    return fig, ax


def county_static(county: str, *, layout: str = "A4-portrait", stations=None):
    """A4 map of one county: townships labelled, stations labelled."""
    st = load_station_points() if stations is None else stations
    fig, ax = static_map(f"{county}：鄉鎮與空氣品質測站", source=f"{TOWNSHIP_SOURCE}；{STATION_SOURCE}；geoairplan",
                         county=county, layout=layout, township_labels=True)
    inside = st[st["county"] == county]
    plot_points(ax, inside, color="#1f77b4", size=36, labels_col="name_zh", label_size=8)
    add_static_legend(ax, [("空氣品質測站", "#1f77b4")], "圖例", kind="point")
    return fig, ax
