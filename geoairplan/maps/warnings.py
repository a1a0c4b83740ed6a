"""Maps of a warning episode, built from a :class:`~geoairplan.warnings.WarningResult` only.

:func:`build` returns, for :func:`geoairplan.publish.write`:

* ``episode_map`` (web): Folium map of the townships coloured by their warning
  level hour by hour (time slider), the stations with their highest level,
  and the level legend (:func:`episode_map`);
* ``peak`` (static): A4 map (PNG + PDF) of the peak hour's zones for plan
  documents (:func:`peak_map`).

Titles, legends and the provenance line come from ``result.meta``
(:meth:`~geoairplan.results.RunMeta.display_title`, ``legend_title``,
``source_line``): scenario data are labelled so whatever the output folder is.
The demo step is :mod:`geoairplan.demo.warnings`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geoairplan import datasets
from geoairplan.maps.output import MapOutput
from geoairplan.maps.static import add_level_legend_static, plot_points, plot_polygons, static_map
from geoairplan.maps.style import level_label
from geoairplan.maps.web import add_level_legend, add_points, add_time_slider, township_base, web_map
from geoairplan.reference.names import station_key
from geoairplan.reference.pollutants import criterion_label

__all__ = ["build", "episode_map", "peak_map", "episode_title", "peak_title", "township_hours"]

_ALIASES = {"TOWNNAME": "鄉鎮 Township", "level_zh": "等級 Level", "basis": "依據 Basis",
            "station": "測站 Station", "pollutant": "污染物 Pollutant", "time_txt": "時間 Time",
            "max_level": "最高等級 Highest level", "max_time": "時間 At", "criterion": "條件 Criterion",
            "county": "縣市 County"}
_BASIS_ZH = {"measurement": "測站涵蓋區域 station area", "forecast": "預報：全縣 forecast: whole county",
             "river_dust": "河川揚塵 river dust"}
#: What the map legends mean and where the coverage comes from (appended to the source line).
_RULES_NOTE = "等級：空氣品質嚴重惡化警告發布及緊急防制辦法（2022）附件一（屏東縣表 1）；涵蓋區域：官方測站涵蓋表"


def _basis(text: str) -> str:
    return "；".join(_BASIS_ZH.get(b, b) for b in str(text).split(";") if b)


def township_hours(result, counties=None, *, simplify: bool = True, times=None) -> gpd.GeoDataFrame:
    """One row per (township, hour) of the counties with the township's level (``none`` when not warned).

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode.
    counties : list of str, optional
        Default the counties of the result.
    simplify : bool
        Township shapes simplified for the web (else the embedded MOI polygons).
    times : sequence of pandas.Timestamp, optional
        Only these hours (default every hour of the level table).

    Returns
    -------
    geopandas.GeoDataFrame
        ``county, TOWNNAME, time, level, level_zh, basis, station, pollutant`` (EPSG:4326).
    """
    counties = list(counties or result.counties)
    if simplify:
        towns = township_base(counties)
    else:
        towns = gpd.GeoDataFrame(pd.concat([datasets.load_townships(c) for c in counties], ignore_index=True),
                                 crs=4326)
    towns = towns[towns["COUNTYNAME"].isin(counties)].reset_index(drop=True)
    hours = pd.DatetimeIndex(sorted(result.levels["time"].unique())) if times is None else pd.DatetimeIndex(times)
    grid = pd.DataFrame({"time": hours}).merge(towns[["COUNTYNAME", "TOWNNAME"]], how="cross")
    z = result.zone_townships
    if len(z):
        z = z[z["county"].isin(counties)][["time", "county", "township", "level_2022", "basis", "station",
                                            "pollutant"]]
        grid = grid.merge(z, how="left", left_on=["time", "COUNTYNAME", "TOWNNAME"],
                          right_on=["time", "county", "township"]).drop(columns=["county", "township"])
    else:
        grid = grid.assign(level_2022=None, basis="", station="", pollutant="")
    lv = grid["level_2022"].astype(object).where(grid["level_2022"].notna(), "none")
    geom = dict(zip(zip(towns["COUNTYNAME"], towns["TOWNNAME"]), towns.geometry))
    out = pd.DataFrame({"county": grid["COUNTYNAME"], "TOWNNAME": grid["TOWNNAME"], "time": grid["time"],
                        "level": lv, "level_zh": lv.map(level_label),
                        "basis": grid["basis"].fillna("").map(_basis), "station": grid["station"].fillna(""),
                        "pollutant": grid["pollutant"].fillna("")})
    return gpd.GeoDataFrame(out, geometry=[geom[k] for k in zip(grid["COUNTYNAME"], grid["TOWNNAME"])],
                            crs=towns.crs)


def _stations(result, counties) -> gpd.GeoDataFrame | None:
    try:
        st = datasets.load_stations()
    except Exception:
        return None
    st = st[st["county"].isin(counties)].copy()
    st["skey"] = st["name_zh"].map(station_key)
    lv = result.levels.copy()
    lv["skey"] = lv["station"].map(station_key)
    lv = lv[lv["skey"].isin(set(st["skey"]))]
    if len(lv) == 0:
        return None
    top = lv.sort_values(["level_rank", "time"], ascending=[False, True]).drop_duplicates("skey").set_index("skey")
    st = st[st["skey"].isin(top.index)]
    st["max_code"] = st["skey"].map(top["level"].map(lambda c: c if c in ("none", "insufficient") else
                                                      _to2022(result, c)))
    st["max_level"] = st["max_code"].map(lambda c: f"{c} {level_label(c)}")
    st["max_time"] = st["skey"].map(top["time"].map(lambda t: t.strftime("%Y-%m-%d %H:%M")))
    st["criterion"] = st["skey"].map(top["criterion"]).fillna("").map(criterion_label)  # words, µg/m³
    st["station"] = st["name_zh"]
    return st.reset_index(drop=True)


def _to2022(result, code):
    return result.rules_checked().to_2022.get(code, code)


def _counties(result) -> list[str]:
    return list(result.meta.counties or result.counties)


def _source(result, *, lines: int = 1) -> str:
    """The provenance line of ``result.meta`` and what the levels and zones rest on (two lines on paper)."""
    return f"{result.meta.source_line()}{'；' if lines == 1 else chr(10)}{_RULES_NOTE}"


def episode_title(result) -> str:
    """Title of the web map: ``result.meta.title`` + ``（逐時）Warning zones by hour``, tagged for scenario data."""
    return result.meta.display_title(f"{result.meta.title}（逐時）Warning zones by hour")


def peak_title(result, peak: pd.Timestamp) -> str:
    """Title of the peak-hour map: ``result.meta.title``, the hour, ``（尖峰時段 peak hour）``, tagged for scenario data."""
    return result.meta.display_title(f"{result.meta.title} {peak:%Y-%m-%d %H:%M}（尖峰時段 peak hour）")


def _peak(result) -> pd.Timestamp:
    pk = result.peak_time()
    if pk is None:
        hours = sorted(result.levels["time"].unique())
        pk = pd.Timestamp(hours[len(hours) // 2])
    return pk


def episode_map(result):
    """The episode as a web map with a time slider over the hours (not yet saved).

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode.

    Returns
    -------
    folium.Map
        Townships coloured by level hour by hour, the stations with their highest level, the
        level legend; title, legend title and source line from ``result.meta``.
    """
    counties = _counties(result)
    m = web_map(episode_title(result), source=_source(result), county=counties, townships=False)
    th = township_hours(result, counties)
    th["town_id"] = th["county"] + th["TOWNNAME"]
    legend = result.meta.legend_title("預警等級 Warning level")
    add_time_slider(m, th, time_col="time", color_col="level", name=legend, id_col="town_id",
                    tooltip_cols=["TOWNNAME", "level_zh", "basis", "station", "pollutant"],
                    aliases=_ALIASES, fill_opacity=0.7)
    st = _stations(result, counties)
    if st is not None and len(st):
        add_points(m, st, name="測站（期間最高等級）Stations (highest level)", tooltip_col="station",
                   popup_cols=["station", "county", "max_level", "max_time", "criterion"], color_col="max_code",
                   radius=7, outline="#000000", aliases=_ALIASES)
    add_level_legend(m, legend)
    return m


def peak_map(result):
    """A4 map of the peak hour's zones (not yet saved: :func:`geoairplan.maps.static.save_static`).

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode.

    Returns
    -------
    matplotlib.figure.Figure
        The peak hour (:meth:`~geoairplan.warnings.WarningResult.peak_time`, else the middle
        hour) with the zones of each level, the stations at their level then, the legend.
    """
    counties = _counties(result)
    pk = _peak(result)
    th = township_hours(result, counties, simplify=False, times=[pk])
    zones = result.zones
    sub = None
    if len(zones):
        zz = zones[(zones["time"] == pk) & zones["county"].isin(counties)]
        sub = "；".join(f"{r.level_zh}：{r.n_townships} 鄉鎮（{_basis(r.basis)}）" for r in zz.itertuples())
    fig, ax = static_map(peak_title(result, pk), source=_source(result, lines=2),
                         county=counties if len(counties) > 1 else counties[0], subtitle=sub)
    plot_polygons(ax, th, color_col="level", edgecolor="#666666", linewidth=0.4)
    st = _stations(result, counties)
    if st is not None and len(st):
        lv = result.levels[result.levels["time"] == pk].set_index("station")["level"]
        st["peak_code"] = st["name_zh"].map(lv).fillna("insufficient").map(
            lambda c: c if c in ("none", "insufficient") else _to2022(result, c))
        plot_points(ax, st, color_col="peak_code", size=45, labels_col="station", edgecolor="black")
    add_level_legend_static(ax, result.meta.legend_title("預警等級"))
    return fig


def build(result) -> list[MapOutput]:
    """The maps of an episode: ``episode_map`` (web, time slider) and ``peak`` (static, PNG + PDF).

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode.

    Returns
    -------
    list of MapOutput
        In the order :func:`geoairplan.publish.write` writes them.
    """
    return [MapOutput("episode_map", "web", episode_map(result), title=episode_title(result)),
            MapOutput("peak", "static", peak_map(result), title=peak_title(result, _peak(result)))]
