"""Maps of emission hotspots and suspicious sources (web and static), built from the results only.

:func:`build` (a :class:`~geoairplan.hotspots.report.HotspotResult`) and
:func:`build_suspects` (a :class:`~geoairplan.hotspots.report.SuspectAnalysis`)
return :class:`~geoairplan.maps.output.MapOutput` objects that
:func:`geoairplan.publish.write` saves; titles, legends and the source line
come from ``result.meta`` (scenario runs say so).

* :func:`hotspot_map` / :func:`hotspot_static`: township choropleth (t/yr,
  logarithmic colours), Gi* confidence bins (ArcGIS colours: blue cold,
  red hot), grid cells, kernel density overlay and sources with popups. On the
  web map the thematic layers are exclusive (a radio group, one shown at a
  time, its legend alone shown); on paper the emissions (or the kernel density)
  fill the land and the Gi* bins are drawn as outlines, so nothing blends.
* :func:`suspects_map` / :func:`suspects_static`: micro-sensors (flagged or
  not), the ranked suspicious sources with popups, each flagged sensor's
  upwind sector (at its median evidence-hour wind) and the townships upwind.
"""

from __future__ import annotations

import numpy as np
import geopandas as gpd
import shapely

from geoairplan.hotspots.upwind import sector_polygon
from geoairplan.io.crs import TM2, WGS84
from geoairplan.maps.output import MapOutput
from geoairplan.maps.static import (add_colorbar_static, add_static_legend, plot_geometries, plot_points,
                                    plot_polygons, plot_raster, static_map)
from geoairplan.maps.style import sequential_colors
from geoairplan.maps.surfaces import raster_to_web
from geoairplan.maps.layers import add_exclusive_layers
from geoairplan.maps.web import add_colorbar, add_legend, add_points, add_polygons, add_raster, web_map
from geoairplan.reference.geography import load_townships
from geoairplan.reference.pollutants import EMISSION_LABELS

__all__ = ["GI_BIN_COLORS", "GI_BIN_LABELS", "build", "build_suspects", "hotspot_map", "hotspot_static",
           "suspects_map", "suspects_static"]

#: Gi* confidence bins, ArcGIS Hot Spot Analysis colours.
GI_BIN_COLORS = {-3: "#4575b5", -2: "#849eba", -1: "#c0ccbe", 0: "#ffffbf", 1: "#fab984", 2: "#ed7551",
                 3: "#d62f27"}
GI_BIN_LABELS = {3: "熱點 99 % Hot spot", 2: "熱點 95 % Hot spot", 1: "熱點 90 % Hot spot",
                 0: "不顯著 Not significant", -1: "冷點 90 % Cold spot", -2: "冷點 95 % Cold spot",
                 -3: "冷點 99 % Cold spot"}


def _lab(key):
    return EMISSION_LABELS.get(key, key)


def _bin_items(present=None):
    bins = [3, 2, 1, 0, -1, -2, -3]
    return [(GI_BIN_LABELS[b], GI_BIN_COLORS[b]) for b in bins if present is None or b in present]


def _fmt(v, nd=2):
    return "" if v is None or not np.isfinite(v) else f"{v:,.{nd}f}"


def _total_note(res) -> str:
    key = res.pollutant
    tot = float(np.nansum(res.townships[f"{key}_t"]))
    note = f"縣總計 County total {_lab(key)} {tot:,.2f} t/yr"
    chk = res.total_check
    if chk is not None:
        r = chk[chk["pollutant"] == key]
        if len(r) and np.isfinite(r["printed_total"].iloc[0]):
            r = r.iloc[0]
            note += (f"；表列總計 printed total {r['printed_total']:,.2f}，差 difference {r['difference']:+,.2f} t "
                     f"({r['difference_pct']:+.2f} %)")
    return note


def _title(res) -> str:
    return res.meta.display_title()


def _source_line(res) -> str:
    line = res.meta.source_line() + f"；{res.townships.attrs.get('gi_method', 'Getis-Ord Gi*')}"
    area = res.params.get("study_area")
    if area and not res.params.get("county"):  # with --county the title names it already
        line += f"；研究範圍 study area：{'、'.join(area)}（污染源所在縣市 the counties the sources fall in）"
    return line


def _popup_cols(layer, key, extra=()):
    cols = ["township"] if "township" in layer.columns else ["cell_id"]
    cols += [c for c in layer.columns if c.endswith("_t") and not c.startswith("n_")]
    cols += [f"{key}_density", "gi_z", "p_value", "gi_bin", "gi_label", "note", *extra]
    return [c for c in dict.fromkeys(cols) if c in layer.columns]


def _aliases(key):
    a = {"township": "鄉鎮市 Township", "cell_id": "網格 Cell", "gi_z": "Gi* z", "p_value": "p（雙尾 two-sided）",
         "gi_bin": "Gi* bin", "gi_label": "判定 Result", "note": "註 Note", "n_sources": "污染源數 Sources",
         f"{key}_density": f"{_lab(key)} 密度 t/yr/km²"}
    for k in ("pm", "pm25", "sox", "nox", "co", "nmhc"):
        a[f"{k}_t"] = f"{_lab(k)} t/yr"
    return a


def _log_range(values):
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return 0.01, 1.0
    return float(v.min()), float(v.max())


def _kde_display(k):
    """Density values, bandwidth (m) of a kernel density raster."""
    return k.values.astype(float), float(k.tags.get("bandwidth_m", "nan"))


def hotspot_map(res, *, offline: bool = False):
    """The web map (folium) of a :class:`~geoairplan.hotspots.report.HotspotResult`."""

    key = res.pollutant
    tw = res.townships
    county = res.params.get("county") or sorted(tw["county"].dropna().unique().tolist())
    m = web_map(_title(res), source=_source_line(res), county=county, offline=offline, townships=False)
    # the study area's township boundaries stay on whichever thematic layer is shown (a grid or KDE layer
    # alone would leave the sources with no land around them)
    base = gpd.GeoDataFrame({"township": tw["township"].to_numpy()}, geometry=tw.geometry.boundary.to_numpy(),
                            crs=tw.crs)
    add_polygons(m, base, name="鄉鎮界 Township boundaries", color="#555555", weight=0.8, fill_opacity=0.0,
                 tooltip_cols=["township"], aliases={"township": "鄉鎮 Township"})
    vcol = f"{key}_t"
    lo, hi = _log_range(tw[vcol])
    t = tw.copy()
    themes = []  # (label, layers, legends): the thematic layers fill the same land, so one is shown at a time
    t["_fill"] = sequential_colors(t[vcol].where(t[vcol] > 0), "emissions", lo, hi, log=True)
    em_tw = add_polygons(m, t, name=f"排放量 {_lab(key)} t/yr（鄉鎮 townships）", color_col="_fill",
                         fill_opacity=0.75, tooltip_cols=["township", vcol], popup_cols=_popup_cols(t, key),
                         aliases=_aliases(key), line_color="#555555")
    em_bar = add_colorbar(m, "emissions", lo, hi, res.meta.legend_title(f"{_lab(key)} t/yr（對數 log）"), log=True,
                          position="bottomright")
    themes.append(("排放量 Emissions（鄉鎮 townships）", em_tw, em_bar))
    t["_bin"] = t["gi_bin"].map(GI_BIN_COLORS) if "gi_bin" in t.columns else GI_BIN_COLORS[0]
    gi_tw = add_polygons(m, t, name="Gi* 熱點 Hot spots（鄉鎮 townships）", color_col="_bin", fill_opacity=0.7,
                         tooltip_cols=["township", "gi_label"], popup_cols=_popup_cols(t, key), aliases=_aliases(key),
                         line_color="#555555")
    gi_leg = add_legend(m, _bin_items(set(tw["gi_bin"]) if "gi_bin" in tw.columns else {0})
                        + [(_total_note(res), "#ffffff")],
                        res.meta.legend_title("Getis-Ord Gi* 信賴水準 Confidence（鄉鎮 townships）"))
    themes.append(("Gi* 熱點 Hot spots（鄉鎮 townships）", gi_tw, gi_leg))
    selected = 0
    if res.grid is not None:
        g = res.grid
        gg = g[(g["n_sources"] > 0) | (g["gi_bin"] != 0)].copy()
        glo, ghi = _log_range(gg[vcol])
        gg["_fill"] = sequential_colors(gg[vcol].where(gg[vcol] > 0), "emissions", glo, ghi, log=True)
        em_g = add_polygons(m, gg, name=f"網格排放 {_lab(key)} t/yr（{res.params['grid_m']:.0f} m）",
                            color_col="_fill", fill_opacity=0.75, tooltip_cols=["cell_id", vcol],
                            popup_cols=_popup_cols(gg, key, ["n_sources"]), aliases=_aliases(key), weight=0.3)
        em_gbar = add_colorbar(m, "emissions", glo, ghi,
                               res.meta.legend_title(f"網格 grid {_lab(key)} t/yr（對數 log）"), log=True)
        themes.append((f"網格排放 Emissions（{res.params['grid_m']:.0f} m grid）", em_g, em_gbar))
        sig = gg[gg["gi_bin"] != 0].copy()
        if len(sig):
            sig["_bin"] = sig["gi_bin"].map(GI_BIN_COLORS)
            gi_g = add_polygons(m, sig, name="Gi* 熱點 Hot spots（網格 grid）", color_col="_bin", fill_opacity=0.7,
                                tooltip_cols=["cell_id", "gi_label"], popup_cols=_popup_cols(sig, key, ["n_sources"]),
                                aliases=_aliases(key), weight=0.3)
            gi_gleg = add_legend(m, _bin_items(set(sig["gi_bin"])),
                                 res.meta.legend_title("Getis-Ord Gi* 信賴水準 Confidence（網格 grid）"))
            themes.append(("Gi* 熱點 Hot spots（網格 grid）", gi_g, gi_gleg))
            selected = len(themes) - 1
    if res.kde is not None:
        k = res.kde
        a, bw = _kde_display(k)
        vmax = float(np.nanmax(a)) if np.isfinite(a).any() else 1.0
        a = np.where(a >= vmax * 1e-3, a, np.nan)  # transparent where under 0.1 % of the peak
        a, b = raster_to_web(a, k.transform)
        kd = add_raster(m, a, b, scheme="emissions", vmin=vmax * 1e-3, vmax=vmax,
                        name=f"核密度 Kernel density（h = {bw:,.0f} m）", opacity=0.75, log=True)
        kbar = add_colorbar(m, "emissions", vmax * 1e-3, vmax,
                            res.meta.legend_title(f"核密度 {_lab(key)} t/yr/km²（h = {bw:,.0f} m）"), log=True)
        themes.append((f"核密度 Kernel density（h = {bw:,.0f} m）", kd, kbar))
    if res.sources is not None:
        s = res.sources[res.sources["basis"] == "point"].copy()
        if len(s):
            col = f"{key}_emi" if f"{key}_emi" in s.columns else None
            s["_fill"] = sequential_colors(s[col].where(s[col] > 0), "emissions", *_log_range(s[col]), log=True) \
                if col else "#333333"
            pop = [c for c in ("c_no", "name", "township", "sox_emi", "nox_emi", "pm_emi", "pm25_emi", "nmhc_emi",
                               "co_emi", "row") if c in s.columns]
            if res.meta.scenario:
                s["data"] = "scenario 情境"
                pop.append("data")
            add_points(m, s, name="污染源 Point sources", popup_cols=pop, tooltip_col="name" if "name" in s else "c_no",
                       color_col="_fill", radius=5, cluster="auto", outline="#333333",
                       aliases={"c_no": "管制編號 Control no.", "name": "名稱 Name", "township": "鄉鎮市 Township", "row": "列 row",
                                "data": "資料 Data"})
    add_exclusive_layers(m, themes, title="主題圖層 Thematic layer（一次一層 one at a time）", selected=selected)
    return m


def _flag_label(v):
    return "異常 Flagged" if v else "正常 Not flagged"


def _median_dir(hours):
    d = np.radians(hours["wind_dir"].dropna().to_numpy())
    if not len(d):
        return None
    return float(np.degrees(np.arctan2(np.sin(d).mean(), np.cos(d).mean())) % 360)


def _sectors(sa):
    res = sa.upwind
    rows = []
    flagged = sa.anomaly.sensors[sa.anomaly.sensors["flagged"]]
    for r in flagged.itertuples(index=False):
        h = res.hours[(res.hours["sensor"] == r.sensor) & res.hours["used"]]
        d = _median_dir(h)
        if d is None:
            continue
        rows.append({"sensor": r.sensor, "wind_from_deg": round(d, 1), "hours": len(h),
                     "geometry": sector_polygon(r.x, r.y, d, res.params["half_width"], res.params["max_distance_m"])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=TM2) if rows else None


def suspects_map(sa, *, offline: bool = False):
    """The web map (folium) of a :class:`~geoairplan.hotspots.report.SuspectAnalysis`."""
    res = sa.upwind
    sens = sa.anomaly.sensors.copy()
    sens_w = sens.to_crs(WGS84)
    pad = 0.03
    b = sens_w.total_bounds
    bounds = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
    ttl = sa.meta.display_title()
    src = (sa.meta.source_line() + f"；規則 rule: {sa.anomaly.rule}；上風扇形 upwind sector "
           f"±{res.params['half_width']:g}°, {res.params['max_distance_m'] / 1000:g} km")
    # open on the counties the sensors lie in (the web kit fits a county view reliably; users zoom in)
    hit = list(sa.meta.counties)
    m = web_map(ttl, source=src, county=hit, offline=offline) if hit else \
        web_map(ttl, source=src, bounds=bounds, offline=offline)
    sec = _sectors(sa)
    if sec is not None:
        add_polygons(m, sec, name="上風扇形 Upwind sectors", color="#6a51a3", fill_opacity=0.12,
                     tooltip_cols=["sensor", "wind_from_deg"], popup_cols=["sensor", "wind_from_deg", "hours"],
                     aliases={"sensor": "感測器 Sensor", "wind_from_deg": "風向（來自）wind from °", "hours": "時數 hours"})
    if len(res.townships):
        tws = res.townships.drop_duplicates(["county", "township"])
        towns = load_townships()
        towns = towns[towns["TOWNNAME"].isin(tws["township"])].merge(
            tws[["township", "county", "hours_upwind", "min_distance_m"]],
            left_on=["TOWNNAME", "COUNTYNAME"], right_on=["township", "county"])
        facs = res.townships.groupby("township")["name"].agg(lambda s: "、".join(str(v) for v in s.dropna()))
        towns["facilities"] = towns["township"].map(facs)
        add_polygons(m, towns, name="上風鄉鎮（僅知鄉鎮之工廠）Upwind townships", color="#9e9ac8", fill_opacity=0.15,
                     tooltip_cols=["township", "hours_upwind"],
                     popup_cols=["township", "hours_upwind", "min_distance_m", "facilities"], show=False,
                     aliases={"township": "鄉鎮市 Township", "hours_upwind": "上風時數 hours upwind",
                              "min_distance_m": "最近距離 m", "facilities": "工廠（僅知鄉鎮）facilities by township"})
    rk = res.ranking
    if len(rk):
        g = gpd.GeoDataFrame(rk.copy(), geometry=gpd.points_from_xy(rk["x"].astype(float), rk["y"].astype(float)),
                             crs=TM2)
        g["_c"] = np.where(g["rank"] <= 3, "#b30000", np.where(g["rank"] <= 10, "#ef6548", "#fdbb84"))
        g["label"] = [f"#{r} {n or c}" for r, n, c in zip(g["rank"], g["name"], g["c_no"])]
        add_points(m, g, name="可疑污染源 Suspicious sources（排名 ranked）", tooltip_col="label",
                   popup_cols=["rank", "c_no", "name", "township", "emission_t", "score", "hours_upwind",
                               "min_distance_m", "mean_offset_deg", "sensors", "data"],
                   color_col="_c", radius=7, outline="#222222",
                   aliases={"rank": "排名 rank", "c_no": "管制編號 Control no.", "name": "名稱 Name", "township": "鄉鎮市 Township",
                            "emission_t": f"{_lab(res.params['pollutant'])} t/yr", "score": "分數 score",
                            "hours_upwind": "上風時數 hours", "min_distance_m": "最近距離 m",
                            "mean_offset_deg": "偏角 offset °", "sensors": "感測器 Sensor", "data": "資料 Data"})
    if sa.sources is not None:
        others = sa.sources[(sa.sources["basis"] == "point") & ~sa.sources["c_no"].isin(rk["c_no"] if len(rk) else [])]
        others = others.to_crs(WGS84)
        others = others[others.geometry.within(shapely.box(*bounds))]
        if len(others):
            add_points(m, others, name="其他污染源 Other sources", tooltip_col="name" if "name" in others else "c_no",
                       popup_cols=[c for c in ("c_no", "name", "township", "pm25_emi", "pm_emi") if c in others],
                       color="#969696", radius=4, show=False)
    sens["status"] = sens["flagged"].map(_flag_label)
    sens["_c"] = np.where(sens["flagged"], "#d7301f", "#2b8cbe")
    sens["exceed_pct"] = (100 * sens["exceed_fraction"]).round(1)
    add_points(m, sens, name="微型感測器 Micro-sensors", tooltip_col="sensor",
               popup_cols=["sensor", "status", "n_evaluated", "n_exceed", "exceed_pct", "median_excess", "neighbours"],
               color_col="_c", radius=6,
               aliases={"sensor": "感測器 Sensor", "status": "判定 Status", "n_evaluated": "評估時數 hours evaluated",
                        "n_exceed": "超出時數 hours above", "exceed_pct": "超出比例 %", "median_excess":
                        "高於鄰近中位數 µg/m³", "neighbours": "鄰近感測器 neighbours"})
    add_legend(m, [("異常感測器 Flagged sensor", "#d7301f"), ("正常感測器 Other sensor", "#2b8cbe"),
                   ("可疑源 #1–3 Suspects", "#b30000"), ("可疑源 #4–10", "#ef6548"), ("可疑源 #11+", "#fdbb84"),
                   ("上風扇形 Upwind sector", "#6a51a3")], sa.meta.legend_title("圖例 Legend"), shape="circle")
    return m


# --------------------------------------------------------------------------- static maps


def hotspot_static(res):
    """A4 static map (matplotlib figure): Gi* bins (grid cells when any is significant, else
    townships), kernel density, sources."""

    key = res.pollutant
    county = res.params.get("county") or sorted(res.townships["county"].dropna().unique().tolist())
    fig, ax = static_map(_title(res), source=_source_line(res), county=county, township_labels=True,
                         subtitle=_total_note(res))
    t = res.townships.copy()
    t["_bin"] = t["gi_bin"].map(GI_BIN_COLORS) if "gi_bin" in t.columns else GI_BIN_COLORS[0]
    present = set(t["gi_bin"]) if "gi_bin" in t.columns else {0}
    outline = False
    if res.grid is not None:
        if res.kde is not None:
            k = res.kde
            a, bw = _kde_display(k)
            vmax = float(np.nanmax(a))
            with np.errstate(divide="ignore", invalid="ignore"):
                a = np.where(a >= vmax * 1e-3, np.log10(a), np.nan)  # log10, under 0.1 % of the peak left out
            lo_, hi_ = float(np.nanmin(a)), float(np.nanmax(a))
            plot_raster(ax, a, k.transform, scheme="emissions", vmin=lo_, vmax=hi_, alpha=0.65)
            add_colorbar_static(ax, "emissions", lo_, hi_,
                                res.meta.legend_title(f"核密度 log10({_lab(key)} t/yr/km²)（h = {bw:,.0f} m）"))
        sig = res.grid[res.grid["gi_bin"] != 0].copy()
        if len(sig):
            # Gi* cells outlined in their bin's colour over the kernel density (filled, the two would blend)
            sig = sig.to_crs(TM2)
            plot_geometries(ax, sig, facecolor="none", edgecolor=sig["gi_bin"].map(GI_BIN_COLORS).tolist(),
                            linewidth=1.4, zorder=6)
            present = set(sig["gi_bin"])
            outline = True
        if res.sources is not None:
            s = res.sources[res.sources["basis"] == "point"]
            if len(s):
                plot_points(ax, s, color="#333333", size=8, zorder=31)
    else:
        # what the title says: the emissions fill the townships, the Gi* bins outline them (never blended)
        vcol = f"{key}_t"
        lo, hi = _log_range(t[vcol])
        t["_fill"] = sequential_colors(t[vcol].where(t[vcol] > 0), "emissions", lo, hi, log=True)
        plot_polygons(ax, t, color_col="_fill", edgecolor="#555555", labels_col=None, alpha=0.9)
        add_colorbar_static(ax, "emissions", np.log10(lo), np.log10(hi),
                            res.meta.legend_title(f"排放量 log10({_lab(key)} t/yr)；灰 grey：0 或無資料 no data"))
        sig = t[t["gi_bin"] != 0].to_crs(TM2) if "gi_bin" in t.columns else t.iloc[:0]
        if len(sig):
            plot_geometries(ax, sig, facecolor="none", edgecolor=sig["_bin"].tolist(), linewidth=2.6, zorder=7)
        outline = True
    items = _bin_items(present - {0}) if outline else _bin_items(present)
    if outline:
        items.append(("無外框：不顯著 no outline: not significant", "#ffffff"))
    add_static_legend(ax, items, res.meta.legend_title("Getis-Ord Gi*（外框 outline）" if outline else "Getis-Ord Gi*"),
                      loc="lower right", kind="line" if outline else "patch")
    return fig


def suspects_static(sa):
    """A4 static map (matplotlib figure) of sensors, upwind sectors and the top-10 suspicious sources."""
    res = sa.upwind
    sens = sa.anomaly.sensors.copy()
    b = sens.to_crs(WGS84).total_bounds
    ttl = sa.meta.display_title()
    src = sa.meta.source_line() + f"；上風扇形 ±{res.params['half_width']:g}°, {res.params['max_distance_m'] / 1000:g} km"
    fig, ax = static_map(ttl, source=src, bounds=(b[0] - 0.03, b[1] - 0.03, b[2] + 0.03, b[3] + 0.03),
                         township_labels=True)
    sec = _sectors(sa)
    if sec is not None:
        plot_polygons(ax, sec, color="#6a51a3", alpha=0.15, edgecolor="#6a51a3", zorder=4)
    if sa.sources is not None:
        pts = sa.sources[sa.sources["basis"] == "point"]
        if len(pts):
            plot_points(ax, pts, color="#969696", size=10, zorder=20)
    sens["_c"] = np.where(sens["flagged"], "#d7301f", "#2b8cbe")
    plot_points(ax, sens, color_col="_c", size=30)
    rk = res.ranking.head(10)
    if len(rk):
        g = gpd.GeoDataFrame(rk.copy(), geometry=gpd.points_from_xy(rk["x"].astype(float), rk["y"].astype(float)),
                             crs=TM2)
        plot_points(ax, g, color="#b30000", size=70, marker="^", zorder=35)
        top = g.head(5).copy()  # label the first five only: the rest crowd the map
        top["label"] = [f"#{r} {str(n).replace('情境污染源 ', '')}" for r, n in zip(top["rank"], top["name"].fillna(""))]
        plot_points(ax, top, color="#b30000", size=70, marker="^", labels_col="label", zorder=36)
    add_static_legend(ax, [("異常感測器 Flagged sensor", "#d7301f"), ("正常感測器 Other sensor", "#2b8cbe"),
                           ("可疑源（排名）Suspects, ranked", "#b30000", {"marker": "^", "size": 10}),
                           ("其他污染源 Other sources", "#969696", {"size": 5}),
                           ("上風扇形 Upwind sector", "#6a51a3", {"kind": "patch", "alpha": 0.15,
                                                                "edgecolor": "#6a51a3"})],
                      sa.meta.legend_title("圖例 Legend"), kind="point")
    return fig


# --------------------------------------------------------------------------- builders


def _tag(meta) -> str:
    return "_scenario" if meta.scenario else ""


def build(result, *, offline: bool = False, static: bool = True) -> list[MapOutput]:
    """The web and static maps of a hotspot run (``hotspots[_scenario].html``, ``.png`` and ``.pdf``).

    Parameters
    ----------
    result : geoairplan.hotspots.report.HotspotResult
        The run; titles, legends and the source line come from ``result.meta``.
    offline : bool
        Draw the web map for use without tiles.
    static : bool
        Also the static map (``False``: no figure is built).

    Returns
    -------
    list of MapOutput
    """
    name = f"hotspots{_tag(result.meta)}"
    title = result.meta.display_title()
    out = [MapOutput(name, "web", hotspot_map(result, offline=offline), title)]
    if static:
        out.append(MapOutput(name, "static", hotspot_static(result), title))
    return out


def build_suspects(result, *, offline: bool = False, static: bool = True) -> list[MapOutput]:
    """The web and static maps of a suspects run (``suspects[_scenario].html``, ``.png`` and ``.pdf``).

    Parameters
    ----------
    result : geoairplan.hotspots.report.SuspectAnalysis
        The run; titles, legends and the source line come from ``result.meta``.
    offline : bool
        Draw the web map for use without tiles.
    static : bool
        Also the static map (``False``: no figure is built).

    Returns
    -------
    list of MapOutput
    """
    name = f"suspects{_tag(result.meta)}"
    title = result.meta.display_title()
    out = [MapOutput(name, "web", suspects_map(result, offline=offline), title)]
    if static:
        out.append(MapOutput(name, "static", suspects_static(result), title))
    return out
