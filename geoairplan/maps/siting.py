"""Maps of sensor siting results: kriging variance before/after with the ranked sites, or plume detection.

* :func:`build`: for a :class:`~geoairplan.interpolate.siting.SitingResult`,
  ``siting_map`` as a web page (variance before and after as layers, the
  existing stations, the ranked new sites) and as an A4 PNG + PDF for the plan
  document (the standard error after, the sites numbered by rank, the
  reduction in the subtitle); for a
  :class:`~geoairplan.interpolate.siting.PlumeSitingResult`, ``plume_siting_map``
  (source locations coloured by detection probability after, the sites).

Titles, legends and the source line come from ``result.meta``, so scenario
runs say so.
"""

from __future__ import annotations

import numpy as np

from geoairplan.maps import static, web
from geoairplan.maps.output import MapOutput
from geoairplan.maps.surfaces import raster_to_web

__all__ = ["build", "variance_web_map", "variance_static_map", "plume_web_map", "plume_static_map"]

SITE_COLOR = "#1f4e9e"
STATION_COLOR = "#222222"


def _sd_range(res) -> tuple[float, float]:
    v = np.sqrt(res.before.values[np.isfinite(res.before.values)])
    return (0.0, float(v.max()) if v.size and v.max() > 0 else 1.0)


def _sites_labelled(res):
    s = res.sites.copy()
    s["label"] = [f"#{r}" for r in s["rank"]]
    return s


def _subtitle(res) -> str:
    d = res.summary()
    return (f"加權平均克利金變異數 weighted mean kriging variance {d['objective_before']:.4g} → "
            f"{d['objective_after']:.4g}（-{d['reduction_pct']:.1f} %）；新增 {d['sites']} 站 new sites, "
            f"權重 weights {d['weights']}")


def variance_web_map(res, *, offline: bool = False):
    """Web map: standard error before and after (layers), existing stations, ranked sites."""
    meta = res.meta
    county = meta.counties[0] if meta.counties else None
    m = web.web_map(meta.display_title(), source=meta.source_line(), county=county, offline=offline)
    lo, hi = _sd_range(res)
    for r, name, show in ((res.before, "現有測站之克利金標準差 Kriging SD, existing stations", False),
                          (res.after, f"新增 {len(res.sites)} 站後之克利金標準差 Kriging SD with the new sites", True)):
        arr, b = raster_to_web(np.sqrt(r.values), r.transform)
        web.add_raster(m, arr, b, scheme="concentration", vmin=lo, vmax=hi, name=name, opacity=0.7, show=show)
    unit = res.before.unit.replace("(", "").replace(")^2", "") if res.before.unit else ""
    web.add_colorbar(m, "concentration", lo, hi, meta.legend_title(f"克利金標準差 Kriging SD {unit}".strip()))
    st = res.stations.copy()
    st["station"] = st["station"].astype(str)
    web.add_points(m, st[["station", "geometry"]], name="現有測站 Existing stations", tooltip_col="station",
                   color=STATION_COLOR, radius=5)
    s = _sites_labelled(res)
    s["reduction"] = [f"-{v:.1f} %" for v in s["reduction_pct"]]
    web.add_points(m, s[["label", "township", "reduction", "geometry"]], name="建議新站 Ranked new sites",
                   tooltip_col=["label", "township", "reduction"], color=SITE_COLOR, radius=8,
                   aliases={"label": "順位 Rank", "township": "鄉鎮 Township", "reduction": "累計降低 Cumulative"})
    web.add_legend(m, [("現有測站 existing station", STATION_COLOR), ("建議新站 new site (#rank)", SITE_COLOR)],
                   meta.legend_title("測站 Stations"))
    return m


def variance_static_map(res):
    """A4 map for the plan document: kriging SD after, stations, the new sites numbered by rank."""
    meta = res.meta
    county = meta.counties[0] if meta.counties else None
    fig, ax = static.static_map(meta.display_title(), source=meta.source_line(), county=county,
                                subtitle=_subtitle(res))
    lo, hi = _sd_range(res)
    im = static.plot_raster(ax, np.sqrt(res.after.values), res.after.transform, scheme="concentration",
                            vmin=lo, vmax=hi, alpha=0.8)
    static.add_colorbar_static(ax, im, caption="新增後克利金標準差 Kriging SD after (same scale as before)")
    st = res.stations.copy()
    static.plot_points(ax, st, color=STATION_COLOR, size=18, marker="^")
    static.plot_points(ax, _sites_labelled(res), color=SITE_COLOR, size=60, labels_col="label", label_size=9)
    static.add_static_legend(ax, [("現有測站 existing station", STATION_COLOR),
                                  ("建議新站 new site (#rank)", SITE_COLOR)],
                             meta.legend_title("測站 Stations"), kind="point")
    return fig


def plume_web_map(res, *, offline: bool = False):
    """Web map: plausible source locations by detection probability after, and the ranked sites."""
    meta = res.meta
    county = meta.counties[0] if meta.counties else None
    m = web.web_map(meta.display_title(), source=meta.source_line(), county=county, offline=offline)
    locs = res.locations.copy()
    locs["偵測前"] = [f"{100 * v:.0f} %" for v in locs["p_before"]]
    locs["偵測後"] = [f"{100 * v:.0f} %" for v in locs["p_after"]]
    locs["band"] = np.where(locs["p_after"] >= 0.5, "≥ 50 %", np.where(locs["p_after"] > 0, "1–49 %", "0 %"))
    colors = {"≥ 50 %": "#1a9850", "1–49 %": "#fdae61", "0 %": "#d73027"}
    web.add_points(m, locs[["band", "偵測前", "偵測後", "geometry"]], name="可能污染源位置 Plausible source locations",
                   tooltip_col=["偵測前", "偵測後"], color_col="band", color_map=colors, radius=4)
    s = _sites_labelled(res)
    web.add_points(m, s[["label", "township", "geometry"]], name="建議新感測器 Ranked new sensors",
                   tooltip_col=["label", "township"], color=SITE_COLOR, radius=8)
    web.add_legend(m, [(f"偵測機率 detected {k}", c) for k, c in colors.items()]
                   + [("建議新感測器 new sensor (#rank)", SITE_COLOR)],
                   meta.legend_title("煙流偵測 Plume detection (after)"))
    return m


def plume_static_map(res):
    """A4 map: source locations by detection after, and the sites numbered by rank."""
    meta = res.meta
    county = meta.counties[0] if meta.counties else None
    d = res.summary()
    sub = (f"可能污染源位置與時數被偵測比例 detected {100 * d['detected_before']:.1f} % → "
           f"{100 * d['detected_after']:.1f} %（可及 reach {d['reach_m']:g} m，扇形 ±{d['half_width_deg']:g}°）")
    fig, ax = static.static_map(meta.display_title(), source=meta.source_line(), county=county, subtitle=sub)
    locs = res.locations.copy()
    locs["band"] = np.where(locs["p_after"] >= 0.5, "≥ 50 %", np.where(locs["p_after"] > 0, "1–49 %", "0 %"))
    colors = {"≥ 50 %": "#1a9850", "1–49 %": "#fdae61", "0 %": "#d73027"}
    static.plot_points(ax, locs, color_col="band", color_map=colors, size=10)
    static.plot_points(ax, _sites_labelled(res), color=SITE_COLOR, size=60, labels_col="label", label_size=9)
    static.add_static_legend(ax, [(f"偵測機率 detected {k}", c) for k, c in colors.items()]
                             + [("建議新感測器 new sensor (#rank)", SITE_COLOR)],
                             meta.legend_title("煙流偵測 Plume detection (after)"), kind="point")
    return fig


def build(res, *, offline: bool = False, static: bool = True) -> list[MapOutput]:
    """The siting maps of ``res``: web page and A4 PNG + PDF.

    Parameters
    ----------
    res : SitingResult or PlumeSitingResult
    offline : bool
        Build the web map for a self-contained page.

    Returns
    -------
    list of MapOutput
        ``siting_map`` (variance) or ``plume_siting_map`` (plume detection).
    """
    title = res.meta.display_title()
    if hasattr(res, "locations"):
        out = [MapOutput("plume_siting_map", "web", plume_web_map(res, offline=offline), title)]
        if static:
            out.append(MapOutput("plume_siting_map", "static", plume_static_map(res), title, formats=("png", "pdf")))
        return out
    out = [MapOutput("siting_map", "web", variance_web_map(res, offline=offline), title)]
    if static:
        out.append(MapOutput("siting_map", "static", variance_static_map(res), title, formats=("png", "pdf")))
    return out
