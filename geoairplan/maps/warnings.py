"""Maps of a warning episode (web map with a time slider, static map of the peak hour), and the demo step.

* :func:`episode_map`: Folium map of the townships coloured by their warning
  level hour by hour (time slider), the stations with their highest level,
  and the level legend.
* :func:`peak_map`: A4 map (PNG + PDF) of the peak hour's zones for plan documents.
* :func:`demo_maps`: the scenario episode (``data/scenario/episode_scenario.csv``,
  made up by ``scripts/make_scenario_episode.py``) for 屏東縣 and 雲林縣 under
  ``outdir/warnings/<county>/``, labelled "scenario" in titles, legends and file names.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["episode_map", "peak_map", "demo_maps", "township_hours"]

_SLUG = {"屏東縣": "pingtung", "雲林縣": "yunlin", "澎湖縣": "penghu"}
_ALIASES = {"TOWNNAME": "鄉鎮 Township", "level_zh": "等級 Level", "basis": "依據 Basis",
            "station": "測站 Station", "pollutant": "污染物 Pollutant", "time_txt": "時間 Time",
            "max_level": "最高等級 Highest level", "max_time": "時間 At", "criterion": "條件 Criterion",
            "county": "縣市 County"}
_BASIS_ZH = {"measurement": "測站涵蓋區域 station area", "forecast": "預報：全縣 forecast: whole county",
             "river_dust": "河川揚塵 river dust"}


def _basis(text: str) -> str:
    return "；".join(_BASIS_ZH.get(b, b) for b in str(text).split(";") if b)


def township_hours(result, counties=None, *, simplify: bool = True, times=None) -> gpd.GeoDataFrame:
    """One row per (township, hour) of the counties with the township's level (``none`` when not
    warned): ``county, TOWNNAME, time, level, level_zh, basis, station, pollutant`` (EPSG:4326).
    ``times``: only these hours (default every hour of the level table)."""
    from geoairplan.maps.style import level_label
    from geoairplan.maps.web import township_base

    counties = list(counties or result.counties)
    if simplify:
        towns = township_base(counties)
    else:
        from geoairplan import datasets

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
    from geoairplan import datasets
    from geoairplan.coverage import station_key

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
    from geoairplan.maps.style import level_label

    st["max_code"] = st["skey"].map(top["level"].map(lambda c: c if c in ("none", "insufficient") else
                                                      _to2022(result, c)))
    st["max_level"] = st["max_code"].map(lambda c: f"{c} {level_label(c)}")
    st["max_time"] = st["skey"].map(top["time"].map(lambda t: t.strftime("%Y-%m-%d %H:%M")))
    st["criterion"] = st["skey"].map(top["criterion"]).fillna("")
    st["station"] = st["name_zh"]
    return st.reset_index(drop=True)


def _to2022(result, code):
    return result.rules_checked().to_2022.get(code, code)


def _title(result, counties, title, what):
    if title:
        return f"{title}：{what}"
    return f"{'、'.join(counties)} {what}"


def _source(result, scenario: bool) -> str:
    src = "資料來源：" + ("情境資料 scenario（scripts/make_scenario_episode.py，非實測）" if scenario else "環境部 MOENV 小時值")
    return src + "；等級：空氣品質嚴重惡化警告發布及緊急防制辦法（2022）附件一（屏東縣表 1）；涵蓋區域：官方測站涵蓋表"


def episode_map(result, path, *, offline: bool = False, title: str | None = None, counties=None,
                scenario: bool | None = None) -> dict[str, Path]:
    """The episode as a web map with a time slider over the hours; returns ``{"episode_map": path}``."""
    from geoairplan.maps import add_level_legend, add_points, add_time_slider, save_map, web_map

    counties = list(counties or result.counties)
    scen = bool(scenario) if scenario is not None else ("scenario" in str(path))
    tl = _title(result, counties, title, "空氣品質預警區域（逐時）Warning zones by hour"
                + ("（情境 scenario）" if scen and not title else ""))
    m = web_map(tl, source=_source(result, scen), county=counties, offline=offline, townships=False)
    th = township_hours(result, counties)
    th["town_id"] = th["county"] + th["TOWNNAME"]
    legend = "預警等級" + ("（情境 scenario）" if scen else "") + " Warning level"
    add_time_slider(m, th, time_col="time", color_col="level", name=legend, id_col="town_id",
                    tooltip_cols=["TOWNNAME", "level_zh", "basis", "station", "pollutant"],
                    aliases=_ALIASES, fill_opacity=0.7)
    st = _stations(result, counties)
    if st is not None and len(st):
        add_points(m, st, name="測站（期間最高等級）Stations (highest level)", tooltip_col="station",
                   popup_cols=["station", "county", "max_level", "max_time", "criterion"], color_col="max_code",
                   radius=7, outline="#000000", aliases=_ALIASES)
    add_level_legend(m, legend)
    info = save_map(m, path, offline=offline)
    return {"episode_map": Path(info["path"])}


def peak_map(result, path_without_suffix, *, title: str | None = None, counties=None,
             scenario: bool | None = None) -> dict[str, Path]:
    """A4 map of the peak hour's zones (PNG 300 dpi + PDF); returns ``{"peak_png": ..., "peak_pdf": ...}``."""
    from geoairplan.maps import add_level_legend_static, plot_points, plot_polygons, save_static, static_map

    counties = list(counties or result.counties)
    scen = bool(scenario) if scenario is not None else ("scenario" in str(path_without_suffix))
    pk = result.peak_time()
    hours = sorted(result.levels["time"].unique())
    if pk is None:
        pk = pd.Timestamp(hours[len(hours) // 2])
    th = township_hours(result, counties, simplify=False, times=[pk])
    tl = _title(result, counties, title, f"空氣品質預警區域 {pk:%Y-%m-%d %H:%M}（尖峰時段 peak hour）"
                + ("（情境 scenario）" if scen and not title else ""))
    zones = result.zones
    sub = None
    if len(zones):
        zz = zones[(zones["time"] == pk) & zones["county"].isin(counties)]
        sub = "；".join(f"{r.level_zh}：{r.n_townships} 鄉鎮（{_basis(r.basis)}）" for r in zz.itertuples())
    fig, ax = static_map(tl, source=_source(result, scen), county=counties if len(counties) > 1 else counties[0],
                         subtitle=sub)
    plot_polygons(ax, th, color_col="level", edgecolor="#666666", linewidth=0.4)
    st = _stations(result, counties)
    if st is not None and len(st):
        lv = result.levels[result.levels["time"] == pk].set_index("station")["level"]
        st["peak_code"] = st["name_zh"].map(lv).fillna("insufficient").map(
            lambda c: c if c in ("none", "insufficient") else _to2022(result, c))
        plot_points(ax, st, color_col="peak_code", size=45, labels_col="station", edgecolor="black")
    add_level_legend_static(ax, "預警等級" + ("（情境）" if scen else ""))
    files = save_static(fig, path_without_suffix)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return {f"peak_{p.suffix.lstrip('.')}": p for p in files}


def demo_maps(outdir, *, offline: bool = False):
    """The scenario episode for 屏東縣 and 雲林縣 under ``outdir/warnings/<county>/``."""
    from geoairplan import datasets
    from geoairplan.demo import MapEntry
    from geoairplan.io import read_moenv_hourly
    from geoairplan.warnings import run_warnings, write_outputs

    outdir = Path(outdir)
    scen = datasets.data_dir() / "scenario"
    obs = read_moenv_hourly(scen / "episode_scenario.csv")
    entries = []
    for county in ("屏東縣", "雲林縣"):
        res = run_warnings(obs, county=county, forecast=scen / "forecast_scenario.csv")
        d = outdir / "warnings" / _SLUG[county]
        write_outputs(res, d, suffix="_scenario", offline=offline,
                      title=f"{county} 情境 scenario")
        rel = d.relative_to(outdir)
        cc = res.command_centre
        must = ", ".join(cc.loc[cc["decision"] == "must", "date"]) or "none"
        may = ", ".join(cc.loc[cc["decision"] == "may", "date"]) or "none"
        top = res.levels.groupby("station")["level_rank"].max()
        pk = res.peak_time()
        entries += [
            MapEntry(str(rel / "episode_map_scenario.html"), f"{county} 預警區域逐時（情境）Warning zones by hour (scenario)",
                     f"scenario episode, 144 hours: townships coloured by warning level hour by hour (time slider); "
                     f"command centre must set up on {must}, may on {may}", "web", True),
            MapEntry(str(rel / "peak_scenario.png"), f"{county} 尖峰時段預警區域（情境）Peak-hour zones (scenario)",
                     f"A4 map of {pk:%Y-%m-%d %H:%M}" if pk is not None else "A4 map of the episode", "static", True),
            MapEntry(str(rel / "decisions_scenario.csv"), f"{county} 指揮中心與調降解除（情境）Decisions (scenario)",
                     "per day: command centre (Art. 7) and may-lower / may-lift events (Art. 14)", "data", True),
            MapEntry(str(rel / "notifications_scenario.csv"), f"{county} 通報名單（情境）Who to notify (scenario)",
                     "designated facilities, hospitals and health stations per day and level", "data", True),
        ]
    return entries
