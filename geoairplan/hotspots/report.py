"""The ``hotspots`` and ``suspects`` pipelines and the results they return.

:func:`township_hotspots` (a township table), :func:`hotspot_analysis` (point
sources) and :func:`suspect_analysis` (micro-sensors, wind, sources) return
:class:`~geoairplan.results.Result` objects: :class:`HotspotResult` and
:class:`SuspectAnalysis`. They write nothing; :func:`geoairplan.publish.write`
writes their layers, tables, rasters and maps (:mod:`geoairplan.maps.hotspots`).

Whether a run is scenario (made-up) data is decided once, from the input
(:func:`geoairplan.results.scenario_of`: a ``data_kind`` or ``DATA`` column
holding ``scenario``) or the user's ``scenario=True``, and kept in ``meta``.
File names of scenario runs carry ``_scenario`` (``hotspots_scenario.gpkg``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import geopandas as gpd

from geoairplan import datasets
from geoairplan.errors import InputError, Problems
from geoairplan.hotspots import emissions as em
from geoairplan.hotspots.sensors import AnomalyResult, check_anomaly_parameters, flag_anomalies, read_sensors
from geoairplan.hotspots.stats import _check_permutations, getis_ord, grid_weights, local_moran, polygon_weights
from geoairplan.hotspots.upwind import SuspectResult, rank_suspects, read_wind, wind_observations
from geoairplan.io.crs import TM2, WGS84
from geoairplan.io.facilities import read_facilities
from geoairplan.io.sources import prepare_sources, read_sources
from geoairplan.io.tables import read_text_table
from geoairplan.raster import Raster
from geoairplan.reference.pollutants import EMISSION_LABELS, emission_key
from geoairplan.results import Result, RunMeta, scenario_of

__all__ = ["HotspotResult", "hotspot_analysis", "township_hotspots", "SuspectAnalysis", "suspect_analysis",
           "is_township_table", "read_township_table", "EMBEDDED_TABLES"]

#: Embedded township table usable as SOURCES on the command line.
EMBEDDED_TABLES = {"yunlin-declared": "雲林縣"}
#: What the embedded township table is (the source line of its maps).
EMBEDDED_SOURCE = "雲林縣空氣污染防制計畫（109–112年）表2.27 各鄉鎮市污染物申報排放量（108年第4季）"
_TOWNSHIP_COLUMNS = {"township", "pollutant", "value"}


def _label(key: str) -> str:
    return EMISSION_LABELS.get(key, key)


def _tag(meta: RunMeta) -> str:
    return "_scenario" if meta.scenario else ""


@dataclass
class HotspotResult(Result):
    """What :func:`hotspot_analysis` / :func:`township_hotspots` computed.

    Attributes
    ----------
    meta : geoairplan.results.RunMeta
        Capability ``hotspots``, the study area, the emission key, the source, scenario, title.
    mode : str
        ``townships`` (a township table) or ``points`` (point sources).
    pollutant : str
        Emission key (``nox``).
    townships : geopandas.GeoDataFrame
        One row per township (EPSG:3826) with ``<key>_t``, ``<key>_density``
        and, for the analysed pollutant, the Gi* columns (``gi_z, p_sim,
        p_value, gi_bin, gi_label, note``).
    grid : geopandas.GeoDataFrame or None
        The same per grid cell (None for township tables).
    kde : geoairplan.raster.Raster or None
        Kernel density (t/yr/km²; None for township tables or when no surface could be made).
    sources : geopandas.GeoDataFrame or None
        The checked sources.
    total_check : pandas.DataFrame or None
        The township sum against the printed total (township tables).
    problems : geoairplan.errors.Problems
        Rows or values not used, warnings.
    params : dict
        The parameters of the run (permutations, seed, grid size, bandwidth ...).
    """

    meta: RunMeta
    mode: str
    pollutant: str
    townships: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame | None = None
    kde: Raster | None = None
    sources: gpd.GeoDataFrame | None = None
    total_check: pd.DataFrame | None = None
    problems: Problems = field(default_factory=Problems)
    params: dict = field(default_factory=dict)

    @property
    def gpkg_name(self) -> str:  # type: ignore[override]
        return f"hotspots{_tag(self.meta)}.gpkg"

    def top_townships(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` townships emitting most of the pollutant, with their share of the total (%)."""
        col = f"{self.pollutant}_t"
        t = pd.DataFrame(self.townships.drop(columns="geometry"))
        t = t[t[col].notna()].sort_values([col, "township"], ascending=[False, True])
        cols = ["township", col, f"{self.pollutant}_density"] + [c for c in ("gi_z", "gi_bin") if c in t.columns]
        t = t[cols].head(n).copy()
        t.insert(2, "share_pct", (100 * t[col] / self.townships[col].sum()).round(2))
        return t.reset_index(drop=True)

    def hot_townships(self) -> list[str]:
        """Townships in a Gi* hot-spot bin (90 % confidence or more)."""
        if "gi_bin" not in self.townships.columns:
            return []
        return self.townships.loc[self.townships["gi_bin"] > 0, "township"].tolist()

    def summary(self) -> dict:
        key = self.pollutant
        out = {"capability": "hotspots", "mode": self.mode, "pollutant": key, "data_kind": self.meta.data_kind,
               "counties": list(self.meta.counties),
               "top_townships": [{"township": r.township, "t_per_yr": float(getattr(r, f"{key}_t")),
                                  "share_pct": float(r.share_pct), "gi_bin": int(getattr(r, "gi_bin", 0))}
                                 for r in self.top_townships(5).itertuples(index=False)],
               "hot_townships": self.hot_townships(), "problems": len(self.problems)}
        if self.params.get("study_area"):
            out["study_area"] = {"counties": list(self.params["study_area"]),
                                 "chosen_by": "--county" if self.params.get("county") else
                                 "the counties the sources fall in",
                                 "note": "Gi* and kernel density cover the study area's land grid, zeros included"}
        if self.grid is not None:
            g = self.grid
            out["grid"] = {"cell_m": float(self.params["grid_m"]), "cells": int(len(g)),
                           "cells_with_sources": int((g["n_sources"] > 0).sum()),
                           "hot_cells": int((g["gi_bin"] > 0).sum()), "total_t": float(g[f"{key}_t"].sum())}
        if self.kde is not None:
            out["kde"] = {"bandwidth_m": float(self.params["bandwidth_m"]),
                          "bandwidth_rule": self.params["bandwidth_rule"]}
        if self.total_check is not None:
            out["total_check"] = self.total_check.to_dict(orient="records")
        return out

    def summary_text(self) -> str:
        key = self.pollutant
        area = self.params.get("study_area")
        where = self.params.get("county") or (
            f"study area {'、'.join(area)}: the counties the sources fall in" if area else "all counties with sources")
        lines = [f"{_label(key)} by township ({where})"
                 + (f" {self.meta.tag}" if self.meta.scenario else "") + ":"]
        for r in self.top_townships(5).itertuples(index=False):
            lines.append(f"  {r.township:<6} {getattr(r, f'{key}_t'):>12,.2f} t/yr  {r.share_pct:6.2f} %  "
                         f"Gi* bin {getattr(r, 'gi_bin', 0):+d}")
        hot = self.hot_townships()
        lines.append(f"township Gi* hot spots (90 %+): {', '.join(hot) if hot else 'none'}")
        if self.grid is not None:
            g = self.grid
            lines.append(f"grid: {len(g)} cells of {self.params['grid_m']:.0f} m, {int((g['n_sources'] > 0).sum())} "
                         f"with sources; Gi* hot cells: {int((g['gi_bin'] > 0).sum())}; total "
                         f"{g[f'{key}_t'].sum():,.2f} t/yr")
        if self.kde is not None:
            lines.append(f"kernel density: bandwidth {self.params['bandwidth_m']:.0f} m "
                         f"({self.params['bandwidth_rule']})")
        if self.total_check is not None:
            for r in self.total_check.itertuples(index=False):
                lines.append(f"  total {r.label:<9} townships {r.sum_of_townships:>10,.2f}  printed "
                             f"{r.printed_total:>10,.2f}  difference {r.difference:+,.2f} ({r.difference_pct:+.2f} %)")
        return "\n".join(lines)

    def layers(self) -> dict:
        out = {"townships": self.townships}
        if self.grid is not None:
            out["grid"] = self.grid
        if self.sources is not None:
            s = self.sources[self.sources["basis"] == "point"].copy()
            s["data"] = "scenario" if self.meta.scenario else "input"
            out["sources"] = s
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        tag = _tag(self.meta)
        out = {f"townships{tag}": pd.DataFrame(self.townships.drop(columns="geometry"))}
        if self.grid is not None:
            out[f"grid{tag}"] = pd.DataFrame(self.grid.drop(columns="geometry"))
        if self.total_check is not None:
            out["total_check"] = self.total_check
        return out

    def rasters(self) -> dict[str, Raster]:
        if self.kde is None:
            return {}
        return {f"kde_{self.pollutant}{_tag(self.meta)}": self.kde}


def is_township_table(path) -> bool:
    """Whether SOURCES is a long township table (township, pollutant, value) rather than sources.

    ``yunlin-declared`` (the embedded 002 Table 2.27) is one; a file is read with
    :func:`geoairplan.io.read_text_table` (any encoding it accepts) and judged by its header.
    """
    if str(path) in EMBEDDED_TABLES:
        return True
    head = read_text_table(path, source="emission table")
    return _TOWNSHIP_COLUMNS <= {str(c).strip().lower() for c in head.columns}


def read_township_table(path) -> pd.DataFrame:
    """A long township emission table (``county, township, pollutant, value``) from a CSV in any encoding."""
    df = read_text_table(path, source="township emission table")
    cols = {str(c).strip().lower() for c in df.columns}
    if not _TOWNSHIP_COLUMNS <= cols:
        raise InputError("the township table needs township, pollutant and value columns "
                         f"(the file has {', '.join(map(str, df.columns))})", file=path, where="header",
                         fix="use long format: county, township, pollutant, value (t/yr)")
    return df


def _check_value(value):
    if value not in ("density", "total"):
        raise InputError(f"unknown value {value!r} for Gi*", where="value", fix="use density or total")


def _vcol(key, value):
    return f"{key}_density" if value == "density" else f"{key}_t"


def _gi(layer, values, w_info, params, probs, label):
    gi = getis_ord(values, w_info, permutations=params["permutations"], seed=params["seed"],
                   fdr=params["fdr"], source=label)
    probs.extend(gi.attrs["problems"])
    for c in ("gi_z", "p_norm", "p_sim", "p_value", "gi_bin", "gi_label", "note"):
        layer[c] = gi[c].to_numpy()
    layer.attrs["gi_method"] = gi.attrs["method"]
    if params.get("moran"):
        lm = local_moran(values, w_info, permutations=params["permutations"], seed=params["seed"],
                         fdr=params["fdr"], source=label)
        for c in ("lisa_i", "lisa_z", "lisa_cluster"):
            layer[c] = lm[c].to_numpy()
        layer["lisa_p_sim"] = lm["p_sim"].to_numpy()
    return layer


def township_hotspots(table: pd.DataFrame | str | Path | None = None, *, county: str | None = None,
                      pollutant: str = "nox", permutations: int = 999, seed: int = 12345, fdr: bool = False,
                      islands: str = "knn", moran: bool = False, printed_total=None,
                      value: str = "density", scenario: bool = False) -> HotspotResult:
    """Choropleth, Gi* and printed-total check of a township table (default: Yunlin 002 Table 2.27).

    Parameters
    ----------
    table : DataFrame, str, Path or None
        Long table ``county, township, pollutant, value`` (t/yr), a CSV of it
        (UTF-8, BOM or Big5), ``"yunlin-declared"`` or None (the embedded 002 Table 2.27).
    county : str or None
        The county (default: the one the table names).
    pollutant : str
        Emission key or name.
    permutations, seed, fdr, islands, moran
        Gi* (and local Moran) settings.
    printed_total : DataFrame or None
        Printed totals to check the township sum against (the embedded table's by default).
    value : str
        Gi* on ``"density"`` (t/yr/km², default: townships differ in area) or ``"total"`` (t/yr).
    scenario : bool
        The user says the table is made-up scenario data.

    Returns
    -------
    HotspotResult
        ``mode="townships"``.
    """
    _check_permutations(permutations)
    probs = Problems()
    source = "township table"
    embedded = table is None or (isinstance(table, str) and table in EMBEDDED_TABLES)
    frame = None
    if isinstance(table, (str, Path)) and not embedded:
        source = str(table)
        table = read_township_table(table)
        frame = table
    elif embedded:
        table = None
    elif table is not None:
        frame = table
    layer = em.township_table(table, county=county, source=source)
    probs.extend(layer.attrs["problems"])
    key = emission_key(pollutant)
    if f"{key}_t" not in layer.columns:
        raise InputError(f"the township table has no {pollutant} values", where="pollutant",
                         fix="use one of " + ", ".join(layer.attrs["pollutants"]))
    _check_value(value)
    params = dict(permutations=permutations, seed=seed, fdr=fdr, islands=islands, moran=moran, value=value)
    w_info = polygon_weights(layer, islands=islands, labels=list(layer["township"]), source="townships")
    probs.extend(w_info[2])
    _gi(layer, layer[_vcol(key, value)].to_numpy(dtype=float), w_info, params, probs, "townships")
    check = None
    if embedded or printed_total is not None:
        try:
            check = em.check_township_total(layer, printed_total)
        except InputError as exc:
            probs.add("printed total", "-", f"not checked: {exc.problem}", severity="warning")
    county = layer.attrs["county"]
    params.update(county=county, source=layer.attrs["source"], pollutant=key)
    meta = RunMeta(capability="hotspots", counties=(county,), pollutant=key,
                   source=EMBEDDED_SOURCE if embedded else Path(source).name,
                   scenario=scenario_of(frame, user=scenario),
                   title=f"{county} 各鄉鎮市申報排放量 {_label(key)} 與 Gi* 熱點")
    return HotspotResult(meta, "townships", key, layer, total_check=check, problems=probs, params=params)


def hotspot_analysis(sources, *, county: str | None = None, crs="EPSG:3826", grid: float = 1000.0,
                     pollutant: str = "nox", bandwidth=None, resolution: float = 250.0,
                     permutations: int = 999, seed: int = 12345, fdr: bool = False, islands: str = "knn",
                     grid_weights_kind: str = "queen", moran: bool = False,
                     scenario: bool = False, value: str = "density") -> HotspotResult:
    """Sources to townships and grid, Gi* on both, kernel density surface.

    Parameters
    ----------
    sources : str, Path or DataFrame
        A path (read with :func:`geoairplan.io.sources.read_sources`) or a
        frame for :func:`geoairplan.io.sources.prepare_sources`.
    county : str or None
        The study area. With a county the townships, the grid (every land cell, zeros included) and the
        kernel density cover it; without, the study area is every county a source falls in (named in
        ``meta.counties``, ``params["study_area"]``, the summary and the map title) — never only the cells
        holding sources, on which Gi* would call a dense cluster a cold spot.
    crs : str
        CRS of ``UTM_E/UTM_N``.
    grid : float
        Grid cell size (m); edges at multiples of it (:func:`geoairplan.grid.cell_index`).
    pollutant : str
        Emission key or name.
    bandwidth, resolution
        Kernel density bandwidth (m or rule) and pixel size (m).
    permutations, seed, fdr, islands, grid_weights_kind, moran
        Gi* settings.
    scenario : bool
        The user says the sources are made-up; files with a ``data_kind``
        (or ``DATA``) column holding ``scenario`` are scenario without it.
    value : str
        Gi* on ``"density"`` (t/yr/km², default) or ``"total"`` (on the grid both give the same z).

    Returns
    -------
    HotspotResult
        ``mode="points"``.
    """
    key = emission_key(pollutant)
    # user parameters fail before any work; later kde InputErrors (too few sources) are warnings
    _check_permutations(permutations)
    em.check_kde_parameters(bandwidth, resolution)
    if isinstance(sources, (str, Path)):
        src = read_sources(sources, crs=crs, county=county)
    else:
        src = prepare_sources(sources, crs=crs, county=county)
    probs = Problems()
    probs.extend(src.attrs["problems"])
    if src.empty:
        raise InputError("no usable source row", file=src.attrs.get("source"),
                         fix="see the problems listed:\n" + probs.summary())
    county = datasets.check_county(county) if county else None
    is_scen = scenario_of(src, user=scenario)
    params = dict(permutations=permutations, seed=seed, fdr=fdr, islands=islands, moran=moran, county=county,
                  grid_m=float(grid), pollutant=key, grid_weights=grid_weights_kind,
                  source=src.attrs.get("source"), value=value)
    _check_value(value)
    # townships
    if county:
        towns = datasets.load_townships(county)
    else:
        allt = datasets.load_townships().to_crs(TM2)
        pts = src[src["basis"] == "point"]
        hit = gpd.sjoin(allt, gpd.GeoDataFrame(geometry=pts.geometry, crs=TM2), how="inner",
                        predicate="intersects").index.unique()
        only = src[src["basis"] == "township"]
        pairs = set(zip(only["county"], only["township"]))
        named = pd.Series([(c, t) in pairs or ((None, t) in pairs) for c, t in
                           zip(allt["COUNTYNAME"], allt["TOWNNAME"])], index=allt.index, dtype=bool)
        counties = set(allt.loc[hit, "COUNTYNAME"]) | set(allt.loc[named, "COUNTYNAME"])
        towns = allt[allt["COUNTYNAME"].isin(counties)]
    # the study area: the county given, else every county a source falls in (never only the cells holding
    # sources: Gi* and the kernel density need the empty land around them, zeros included)
    study = (county,) if county else tuple(sorted(towns["COUNTYNAME"].unique().tolist()))
    params["study_area"] = list(study)
    tw = em.township_emissions(src, towns)
    probs.extend(tw.attrs["problems"])
    w_info = polygon_weights(tw.reset_index(drop=True), islands=islands, labels=list(tw["township"]),
                             source="townships") if len(tw) >= 3 else None
    if w_info is not None:
        probs.extend(w_info[2])
        _gi(tw, tw[_vcol(key, value)].to_numpy(dtype=float), w_info, params, probs, "townships")
    else:
        probs.add("townships", "-", f"{len(tw)} township(s): no Gi*", severity="warning")
    # grid
    area = None
    if study:
        allc = datasets.load_counties()
        area = allc[allc["COUNTYNAME"].isin(study)].reset_index(drop=True)
    g = em.grid_emissions(src, grid, area=area)
    gw = grid_weights(g, kind=grid_weights_kind, islands=islands, source="grid")
    probs.extend(gw[2])
    _gi(g, g[_vcol(key, value)].to_numpy(dtype=float), gw, params, probs, "grid")
    # kernel density
    kde = None
    try:
        bounds = None
        if area is not None:
            b = area.to_crs(TM2).total_bounds
            bounds = (b[0], b[1], b[2], b[3])
        kde = em.kde_surface(src, key, bandwidth=bandwidth, resolution=resolution, bounds=bounds)
        params.update(bandwidth_m=float(kde.tags["bandwidth_m"]), bandwidth_rule=kde.tags["bandwidth_rule"])
        if kde.tags.get("notes"):
            for n in kde.tags["notes"].split("; "):
                probs.add("kernel density", "bandwidth", n, severity="warning")
    except InputError as exc:
        probs.add("kernel density", "-", f"no surface: {exc.problem}", severity="warning")
    area_counties = study or tuple(sorted(tw["county"].dropna().unique().tolist()))
    meta = RunMeta(capability="hotspots", counties=area_counties, pollutant=key,
                   source=Path(str(src.attrs.get("source", "sources"))).name, scenario=is_scen,
                   title=f"{'、'.join(area_counties)} 固定污染源排放 {_label(key)}：鄉鎮、1 km 網格、Gi* 熱點與核密度".strip())
    return HotspotResult(meta, "points", key, tw, grid=g, kde=kde, sources=src, problems=probs, params=params)


# --------------------------------------------------------------------------- suspects


@dataclass
class SuspectAnalysis(Result):
    """Readings, anomaly verdicts and the suspicious-source ranking of :func:`suspect_analysis`.

    Attributes
    ----------
    meta : geoairplan.results.RunMeta
        Capability ``suspects``, the counties the sensors lie in, the emission key, sources, scenario, title.
    readings : pandas.DataFrame
        Hourly readings per sensor (:func:`geoairplan.hotspots.sensors.prepare_sensors`).
    anomaly : geoairplan.hotspots.sensors.AnomalyResult
        Hourly scores and per-sensor verdicts.
    upwind : geoairplan.hotspots.upwind.SuspectResult
        The ranking, per-sensor lists, upwind townships and evidence hours.
    sources : geopandas.GeoDataFrame or None
        The checked sources.
    wind : pandas.DataFrame
        Hourly wind per station.
    problems : geoairplan.errors.Problems
        Rows or values not used, warnings.
    """

    meta: RunMeta
    readings: pd.DataFrame
    anomaly: AnomalyResult
    upwind: SuspectResult
    sources: gpd.GeoDataFrame | None
    wind: pd.DataFrame
    problems: Problems = field(default_factory=Problems)

    @property
    def gpkg_name(self) -> str:  # type: ignore[override]
        return f"suspects{_tag(self.meta)}.gpkg"

    @property
    def scenario(self) -> bool:
        """Whether the run is on scenario (made-up) data (``meta.scenario``)."""
        return self.meta.scenario

    def summary(self) -> dict:
        an, res = self.anomaly, self.upwind
        return {"capability": "suspects", "data_kind": self.meta.data_kind, "counties": list(self.meta.counties),
                "sensors": int(len(an.sensors)), "rule": an.describe(), "flagged": list(an.flagged),
                "evidence_hours": int(res.params["evidence_hours"]), "used_hours": int(res.params["used_hours"]),
                "ranking": [{"rank": int(r.rank), "c_no": r.c_no, "name": r.name, "score": float(r.score)}
                            for r in res.ranking.head(10).itertuples(index=False)],
                "problems": len(self.problems)}

    def summary_text(self) -> str:
        an, res = self.anomaly, self.upwind
        lines = [f"{len(an.sensors)} sensors{(' ' + self.meta.tag) if self.meta.scenario else ''}; "
                 f"rule: {an.describe()}",
                 f"flagged: {', '.join(an.flagged) if an.flagged else 'none'}",
                 f"evidence hours: {res.params['evidence_hours']} ({res.params['used_hours']} with usable wind)"]
        if len(res.ranking):
            lines.append("suspicious sources (point sources upwind, by score):")
            for r in res.ranking.head(10).itertuples(index=False):
                lines.append(f"  {r.rank:>2}. {r.c_no or '-'} {r.name or ''} ({r.township or '?'}) score "
                             f"{r.score:.3g}, {r.hours_upwind} h upwind, nearest {r.min_distance_m:.0f} m")
        else:
            lines.append("no point source upwind in the evidence hours")
        if len(res.townships):
            tws = res.townships.drop_duplicates("township")
            lines.append("townships upwind (facilities known only by township): "
                         + ", ".join(f"{r.township} ({r.hours_upwind} h)" for r in tws.itertuples(index=False)))
        return "\n".join(lines)

    def ranked_points(self) -> gpd.GeoDataFrame | None:
        """The ranked sources as points (EPSG:3826), or None when nothing is ranked."""
        rk = self.upwind.ranking
        if not len(rk):
            return None
        return gpd.GeoDataFrame(rk.copy(), geometry=gpd.points_from_xy(rk["x"].astype(float),
                                                                       rk["y"].astype(float)), crs=TM2)

    def layers(self) -> dict:
        return {"sensors": self.anomaly.sensors.copy(), "ranked_sources": self.ranked_points()}

    def tables(self) -> dict[str, pd.DataFrame]:
        tag = _tag(self.meta)
        res = self.upwind
        return {f"suspects{tag}": res.ranking, f"suspects_by_sensor{tag}": res.by_sensor,
                f"suspects_by_township{tag}": res.townships, f"sensors{tag}": self.anomaly.sensors,
                f"evidence_hours{tag}": res.hours}


def _sensor_counties(anomaly: AnomalyResult) -> tuple[str, ...]:
    sens = anomaly.sensors.to_crs(WGS84)
    cts = datasets.load_counties()
    return tuple(sorted(set(cts.loc[cts.geometry.intersects(sens.geometry.union_all()), "COUNTYNAME"])))


def suspect_analysis(sensors, wind, sources=None, *, facilities=None, crs="EPSG:3826", stations=None,
                     k: int = 5, rule: str = "robust_z", threshold: float | None = None,
                     min_fraction: float = 0.5, min_hours: int = 6, pollutant: str = "pm25",
                     half_width: float = 30.0, max_distance_m: float = 5000.0, scenario: bool = False,
                     **kw) -> SuspectAnalysis:
    """Read sensors, wind and sources (paths or frames), flag sensors, rank the upwind sources.

    Parameters
    ----------
    sensors : str, Path or DataFrame
        Micro-sensor CSV (:func:`geoairplan.hotspots.sensors.read_sensors`) or its readings.
    wind : str, Path or DataFrame
        MOENV hourly file with wind, a tidy MOENV table, or wind observations.
    sources : str, Path, DataFrame or None
        Point sources (:func:`geoairplan.io.sources.read_sources`).
    facilities : str, Path, DataFrame or None
        Facilities known only by township.
    crs : str
        CRS of the sources' ``UTM_E/UTM_N``.
    stations : GeoDataFrame or None
        Station table placing the wind stations (embedded by default).
    k, rule, threshold, min_fraction, min_hours
        The anomaly rule (:func:`geoairplan.hotspots.sensors.flag_anomalies`).
    pollutant, half_width, max_distance_m
        The ranking (:func:`geoairplan.hotspots.upwind.rank_suspects`).
    scenario : bool
        The user says the data are made up; files declaring ``data_kind=scenario`` are without it.

    Returns
    -------
    SuspectAnalysis
    """
    check_anomaly_parameters(k, min_fraction)
    probs = Problems()
    readings = read_sensors(sensors) if isinstance(sensors, (str, Path)) else sensors
    probs.extend(readings.attrs.get("problems", Problems()))
    if isinstance(wind, (str, Path)):
        w = read_wind(wind, stations=stations)
    elif {"wind_speed", "wind_dir", "x", "y"} <= set(wind.columns):
        w = wind
    else:
        w = wind_observations(wind, stations=stations)
    probs.extend(w.attrs.get("problems", Problems()))
    src = None
    if sources is not None:
        src = read_sources(sources, crs=crs) if isinstance(sources, (str, Path)) else \
            prepare_sources(sources, crs=crs)
        probs.extend(src.attrs["problems"])
    fac = None
    if facilities is not None:
        fac = facilities
        if isinstance(facilities, (str, Path)):
            fac = read_facilities(facilities)
            probs.extend(fac.attrs.get("problems", Problems()))
    is_scen = scenario_of(readings, w, src, user=scenario)
    an = flag_anomalies(readings, k=k, rule=rule, threshold=threshold, min_fraction=min_fraction,
                        min_hours=min_hours)
    res = rank_suspects(an, w, src, facilities=fac, pollutant=pollutant, half_width=half_width,
                        max_distance_m=max_distance_m, scenario=is_scen, **kw)
    probs.extend(res.problems)
    name = Path(str(readings.attrs.get("source", "sensors"))).name
    meta = RunMeta(capability="suspects", counties=_sensor_counties(an), pollutant=res.params["pollutant"],
                   source=f"感測器 sensors: {name}；風 wind: nearest MOENV station",
                   scenario=is_scen, title="微型感測器異常與上風可疑污染源")
    return SuspectAnalysis(meta, readings, an, res, src, w, probs)
