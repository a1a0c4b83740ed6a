"""Maps of a warning episode, built from a :class:`~geoairplan.warnings.WarningResult` only.

:func:`build` returns, for :func:`geoairplan.publish.write`:

* ``episode_map`` (web): Folium map of the townships and the stations coloured
  by their warning level hour by hour (one time slider, opening at the peak
  hour), the stations' highest level over the episode as a separate layer,
  and the level legend (:func:`episode_map`);
* ``peak`` (static): A4 map (PNG + PDF) of the peak hour's zones for plan
  documents (:func:`peak_map`);
* ``bulletin_<county>_<date>`` (static, when ``result.bulletin``): the A4 warning bulletin of
  each county-day with a warning (:mod:`geoairplan.maps.bulletin`).

Titles, legends and the provenance line come from ``result.meta``
(:meth:`~geoairplan.results.RunMeta.display_title`, ``legend_title``,
``source_line``): scenario data are labelled so whatever the output folder is.
The demo step is :mod:`geoairplan.demo.warnings`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geoairplan import datasets
from geoairplan.maps.bulletin import bulletins
from geoairplan.maps.output import MapOutput
from geoairplan.maps.static import add_level_legend_static, plot_points, plot_polygons, static_map
from geoairplan.maps.style import level_label
from geoairplan.maps.web import add_level_legend, add_points, add_time_slider, township_base, web_map
from geoairplan.reference.names import station_key
from geoairplan.reference.pollutants import criterion_label

__all__ = ["build", "episode_map", "peak_map", "episode_title", "peak_title", "township_hours", "station_hours"]

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


def _station_levels(result, counties):
    """The embedded stations of ``counties`` and the level rows of those stations (joined on the station
    key), or None when the level table holds none of them."""
    st = datasets.load_stations()
    st = st[st["county"].isin(counties)].copy()
    st["skey"] = st["name_zh"].map(station_key)
    lv = result.levels.copy()
    lv["skey"] = lv["station"].map(station_key)
    lv = lv[lv["skey"].isin(set(st["skey"]))]
    return None if len(lv) == 0 else (st, lv)


def _stations(result, counties) -> gpd.GeoDataFrame | None:
    both = _station_levels(result, counties)
    if both is None:
        return None
    st, lv = both
    top = lv.sort_values(["level_rank", "time"], ascending=[False, True]).drop_duplicates("skey").set_index("skey")
    st = st[st["skey"].isin(top.index)]
    st["max_code"] = st["skey"].map(top["level"].map(lambda c: c if c in ("none", "insufficient") else
                                                      _to2022(result, c)))
    st["max_level"] = st["max_code"].map(lambda c: f"{c} {level_label(c)}")
    st["max_time"] = st["skey"].map(top["time"].map(lambda t: t.strftime("%Y-%m-%d %H:%M")))
    st["criterion"] = st["skey"].map(top["criterion"]).fillna("").map(criterion_label)  # words, µg/m³
    st["station"] = st["name_zh"]
    return st.reset_index(drop=True)


#: Hourly values shown in a station's tooltip: (levels column, label, unit, decimals).
_VALUES = (("pm2.5_24h_moving_ugm3", "PM2.5 24小時移動平均", "µg/m³", 1),
           ("pm10_1h_ugm3", "PM10 小時值", "µg/m³", 0),
           ("o3_1h_ppm", "O3 小時值", "ppm", 3))


def station_hours(result, counties=None) -> gpd.GeoDataFrame | None:
    """One row per (station, hour): the station's level that hour and its values, for the slider's dots.

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode.
    counties : list of str, optional
        Default the counties of the result.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``station, time, level`` (2022 code, ``none`` or ``insufficient``), ``level_txt``,
        ``criterion``, ``values`` (the hour's values in words) and the station point (EPSG:4326);
        None when no station of the counties is in the level table.
    """
    both = _station_levels(result, list(counties or _counties(result)))
    if both is None:
        return None
    st, lv = both
    pos = st.drop_duplicates("skey").set_index("skey")
    code = lv["level"].map(lambda c: c if c in ("none", "insufficient") else _to2022(result, c))
    vals = []
    for _, r in lv.iterrows():
        parts = []
        for col, lab, unit, nd in _VALUES:
            if col in lv.columns:
                v = r[col]
                parts.append(f"{lab} {v:.{nd}f} {unit}" if pd.notna(v) else f"{lab} 無資料 no data")
        vals.append("；".join(parts))
    out = pd.DataFrame({"station": pos.loc[lv["skey"], "name_zh"].to_numpy(), "time": lv["time"].to_numpy(),
                        "level": code.to_numpy(), "level_txt": [f"{c} {level_label(c)}" if c not in
                                                                 ("none", "insufficient") else level_label(c)
                                                                 for c in code],
                        "criterion": lv["criterion"].fillna("").map(criterion_label).to_numpy(), "values": vals})
    return gpd.GeoDataFrame(out, geometry=pos.loc[lv["skey"], "geometry"].to_numpy(), crs=pos.crs)


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
        Townships and station dots coloured by level hour by hour (one slider, opening at the
        peak hour; a dot's tooltip gives its values that hour), the stations' episode peak as a
        separate layer (off by default), the level legend; title, legend title and source line
        from ``result.meta``.
    """
    counties = _counties(result)
    m = web_map(episode_title(result), source=_source(result), county=counties, townships=False)
    th = township_hours(result, counties)
    th["town_id"] = th["county"] + th["TOWNNAME"]
    legend = result.meta.legend_title("預警等級 Warning level")
    pk = _peak(result)
    zones = add_time_slider(m, th, time_col="time", color_col="level", name=legend, id_col="town_id",
                            tooltip_cols=["TOWNNAME", "level_zh", "basis", "station", "pollutant"],
                            aliases=_ALIASES, fill_opacity=0.7, start=pk)
    sh = station_hours(result, counties)
    if sh is not None and len(sh):
        # the dots show the slider's hour, like the zones (the episode peak is a separate layer, off by default)
        add_time_slider(m, sh, time_col="time", color_col="level", name="測站（所選時段等級）Stations (hour shown)",
                        id_col="station", tooltip_cols=["station", "level_txt", "criterion", "values"],
                        aliases={**_ALIASES, "level_txt": "該時段等級 Level this hour", "values": "數值 Values"},
                        fill_opacity=0.95, follow=zones, radius=7)
    st = _stations(result, counties)
    if st is not None and len(st):
        add_points(m, st, name="測站（整個期間最高等級）Stations (episode peak)", tooltip_col="station",
                   popup_cols=["station", "county", "max_level", "max_time", "criterion"], color_col="max_code",
                   radius=10, outline="#000000", aliases=_ALIASES, show=False)
    add_level_legend(m, legend)
    return m


def _centre_note(result, pk, counties) -> str:
    """The command-centre events of the peak day from the events table (issue 13), e.g.
    ``屏東縣 指揮中心 應成立（004 L36）``."""
    tl = getattr(result, "timeline", None)
    if tl is None or len(tl) == 0:
        return ""
    d = pk.date().isoformat()
    ev = tl[(tl["date"] == d) & tl["event"].isin(["centre must", "centre may"]) & (tl["area"] == "空氣污染防制指揮中心")
            & tl["county"].isin(counties)]
    zh = {"centre must": "應成立", "centre may": "得成立"}
    return "、".join(f"{r.county} 指揮中心 {zh[r.event]}（{r.seed_line}）" for r in ev.itertuples())


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
    sub = "；".join(x for x in (sub, _centre_note(result, pk, counties)) if x) or None
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


def build(result, *, static: bool = True) -> list[MapOutput]:
    """The maps of an episode: ``episode_map`` (web, time slider) and ``peak`` (static, PNG + PDF).

    Parameters
    ----------
    result : geoairplan.warnings.WarningResult
        The episode.
    static : bool
        Also the static maps (``False``: no figure is built).

    Returns
    -------
    list of MapOutput
        In the order :func:`geoairplan.publish.write` writes them.
    """
    out = [MapOutput("episode_map", "web", episode_map(result), title=episode_title(result))]
    if not static:
        return out
    out.append(MapOutput("peak", "static", peak_map(result), title=peak_title(result, _peak(result))))
    if getattr(result, "bulletin", False):  # `geoairplan warn --bulletin` (issue 13)
        out += bulletins(result)
    return out
