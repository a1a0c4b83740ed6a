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

__all__ = ["overview_map", "county_map", "overview_static", "county_static", "load_station_points", "SLUG"]

STATION_SOURCE = "測站：環境部空氣品質監測站清單 (aqx_p_07)"
TOWNSHIP_SOURCE = "鄉鎮界：內政部國土測繪中心 (TOWN_MOI)"
#: File stems of the seed counties' maps.
SLUG = {"屏東縣": "pingtung", "雲林縣": "yunlin", "澎湖縣": "penghu"}
_POPUP = ["name_zh", "name_en", "county", "township", "pollutants"]
_ALIASES = {"name_zh": "測站", "name_en": "Station", "county": "縣市", "township": "鄉鎮市區",
            "pollutants": "測項 Pollutants", "control_no": "管制編號", "name": "名稱", "address": "地址",
            "designation_reasons": "指定原因 Designation", "TOWNNAME": "鄉鎮市區"}


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


def _facility_points(county: str) -> gpd.GeoDataFrame | None:
    """Designated facilities placed at their township's representative point (they have no coordinates)."""
    try:
        fac = datasets.load_facilities(county)
    except Exception:
        return None
    if fac is None or not len(fac):
        return None
    if isinstance(fac, gpd.GeoDataFrame) and fac.crs is not None and fac.geometry.notna().any():
        return fac[fac.geometry.notna()]
    tcol = next((c for c in ("township", "TOWNNAME", "township_parsed", "township_seed") if c in fac.columns), None)
    if tcol is None:
        return None
    towns = datasets.load_townships(county).to_crs(3826)
    pts = dict(zip(towns["TOWNNAME"], towns.geometry.representative_point()))
    fac = fac[fac[tcol].isin(pts)].copy()
    if not len(fac):
        return None
    fac["TOWNNAME"] = fac[tcol]
    return gpd.GeoDataFrame(fac, geometry=[pts[t] for t in fac[tcol]], crs=3826).to_crs(4326)


def county_map(county: str, *, offline: bool = False, stations: gpd.GeoDataFrame | None = None):
    """Web map of one county: townships, its stations (and neighbours'), designated facilities (clustered)."""
    st = load_station_points() if stations is None else stations
    m = web_map(f"{county}：鄉鎮、測站與指定公私場所", county=county, offline=offline,
                source=f"{TOWNSHIP_SOURCE}；{STATION_SOURCE}；公私場所：{county}空氣污染防制計畫；geoairplan")
    w, s, e, n = township_base(county).total_bounds
    near = st.cx[w - 0.1:e + 0.1, s - 0.1:n + 0.1] if len(st) else st
    _add_stations(m, near, (county,))
    fac = _facility_points(county)
    if fac is not None and len(fac):
        cols = [c for c in ("control_no", "name", "address", "TOWNNAME", "designation_reasons") if c in fac.columns]
        add_points(m, fac, name=f"指定公私場所 Facilities ({len(fac)})", tooltip_col="name" if "name" in fac else None,
                   popup_cols=cols, aliases=_ALIASES, color="#6a3d9a", radius=5, cluster=True, show=True)
        add_legend(m, [("指定公私場所（位於鄉鎮代表點）", "#6a3d9a")], "公私場所 Facilities", shape="circle")
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
