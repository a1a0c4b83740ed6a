"""The ``hotspots`` and ``suspects`` pipelines: analysis results and the files written from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd

from geoairplan.io.output import write_gpkg
from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2

__all__ = ["HotspotResult", "hotspot_analysis", "township_hotspots", "write_hotspot_outputs",
           "SuspectAnalysis", "suspect_analysis", "write_suspect_outputs", "write_gpkg", "is_township_table"]

#: Embedded township table usable as SOURCES on the command line.
EMBEDDED_TABLES = {"yunlin-declared": "雲林縣"}


@dataclass
class HotspotResult:
    """What :func:`hotspot_analysis` / :func:`township_hotspots` computed.

    ``townships``: one row per township (EPSG:3826) with ``<key>_t``,
    ``<key>_density`` and, for the analysed pollutant, the Gi* columns
    (``gi_z, p_sim, p_value, gi_bin, gi_label, note``); ``grid``: the same per
    grid cell (None for township tables); ``kde`` a
    :class:`~geoairplan.hotspots.emissions.KDEResult` (None for township tables);
    ``sources`` the checked sources; ``total_check`` the township sum against
    the printed total (township tables); ``problems``; ``params``.
    """

    mode: str
    pollutant: str
    townships: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame | None = None
    kde: object | None = None
    sources: gpd.GeoDataFrame | None = None
    total_check: pd.DataFrame | None = None
    problems: Problems = field(default_factory=Problems)
    params: dict = field(default_factory=dict)

    def top_townships(self, n: int = 5) -> pd.DataFrame:
        col = f"{self.pollutant}_t"
        t = pd.DataFrame(self.townships.drop(columns="geometry"))
        t = t[t[col].notna()].sort_values([col, "township"], ascending=[False, True])
        cols = ["township", col, f"{self.pollutant}_density"] + [c for c in ("gi_z", "gi_bin") if c in t.columns]
        t = t[cols].head(n).copy()
        t.insert(2, "share_pct", (100 * t[col] / self.townships[col].sum()).round(2))
        return t.reset_index(drop=True)


def is_township_table(path) -> bool:
    """Whether a CSV is a long township table (township, pollutant, value) rather than sources."""
    if str(path) in EMBEDDED_TABLES:
        return True
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    except (UnicodeDecodeError, pd.errors.EmptyDataError):
        return False
    cols = {str(c).strip().lower() for c in head}
    return {"township", "pollutant", "value"} <= cols


def _check_value(value):
    if value not in ("density", "total"):
        raise InputError(f"unknown value {value!r} for Gi*", where="value", fix="use density or total")


def _vcol(key, value):
    return f"{key}_density" if value == "density" else f"{key}_t"


def _gi(layer, values, w_info, params, probs, label):
    from geoairplan.hotspots.stats import getis_ord, local_moran

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
                      value: str = "density") -> HotspotResult:
    """Choropleth, Gi* and printed-total check of a township table (default: Yunlin 002 Table 2.27).

    Gi* runs on ``value``: ``"density"`` (t/yr/km², default: townships differ in
    area) or ``"total"`` (t/yr).
    """
    from geoairplan.hotspots.emissions import township_table, check_township_total, pollutant_key
    from geoairplan.hotspots.stats import polygon_weights

    from geoairplan.hotspots.stats import _check_permutations

    _check_permutations(permutations)
    probs = Problems()
    source = "township table"
    embedded = table is None or str(table) in EMBEDDED_TABLES
    if isinstance(table, (str, Path)) and not embedded:
        source = str(table)
        table = pd.read_csv(table, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    elif embedded:
        table = None
    layer = township_table(table, county=county, source=source)
    probs.extend(layer.attrs["problems"])
    key = pollutant_key(pollutant)
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
            check = check_township_total(layer, printed_total)
        except InputError as exc:
            probs.add("printed total", "-", f"not checked: {exc.problem}", severity="warning")
    params.update(county=layer.attrs["county"], source=layer.attrs["source"], pollutant=key)
    return HotspotResult("townships", key, layer, total_check=check, problems=probs, params=params)


def hotspot_analysis(sources, *, county: str | None = None, crs="EPSG:3826", grid: float = 1000.0,
                     pollutant: str = "nox", bandwidth=None, resolution: float = 250.0,
                     permutations: int = 999, seed: int = 12345, fdr: bool = False, islands: str = "knn",
                     grid_weights_kind: str = "queen", moran: bool = False,
                     scenario: bool = False, value: str = "density") -> HotspotResult:
    """Sources to townships and grid, Gi* on both, kernel density surface.

    ``sources`` is a path (read with :func:`~geoairplan.hotspots.emissions.read_sources`)
    or a frame for :func:`~geoairplan.hotspots.emissions.prepare_sources`. With
    ``county`` the townships and the grid cover that county; without it, the
    townships holding sources and the cells of the sources. Gi* runs on
    ``value`` (``"density"``, t/yr/km², default, or ``"total"``); on the grid
    both give the same z-scores (equal cells).
    """
    from geoairplan import datasets
    from geoairplan.hotspots import emissions as em
    from geoairplan.hotspots.stats import grid_weights, polygon_weights

    from geoairplan.hotspots.stats import _check_permutations

    key = em.pollutant_key(pollutant)
    # user parameters fail before any work; later kde InputErrors (too few sources) are warnings
    _check_permutations(permutations)
    em.check_kde_parameters(bandwidth, resolution)
    if isinstance(sources, (str, Path)):
        src = em.read_sources(sources, crs=crs, county=county)
    else:
        src = em.prepare_sources(sources, crs=crs, county=county)
    probs = Problems()
    probs.extend(src.attrs["problems"])
    if src.empty:
        raise InputError("no usable source row", file=src.attrs.get("source"),
                         fix="see the problems listed:\n" + probs.summary())
    county = datasets.check_county(county) if county else None
    params = dict(permutations=permutations, seed=seed, fdr=fdr, islands=islands, moran=moran, county=county,
                  grid_m=float(grid), pollutant=key, grid_weights=grid_weights_kind, scenario=scenario,
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
    area = datasets.load_counties(county) if county else None
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
        params.update(bandwidth_m=kde.bandwidth_m, bandwidth_rule=kde.bandwidth_rule)
        for n in kde.notes:
            probs.add("kernel density", "bandwidth", n, severity="warning")
    except InputError as exc:
        probs.add("kernel density", "-", f"no surface: {exc.problem}", severity="warning")
    return HotspotResult("points", key, tw, grid=g, kde=kde, sources=src, problems=probs, params=params)


# --------------------------------------------------------------------------- writing


def _csv(df: pd.DataFrame, path: Path) -> Path:
    df = pd.DataFrame(df).drop(columns=["geometry"], errors="ignore")
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return path


def write_hotspot_outputs(res: HotspotResult, outdir, *, offline: bool = False, maps: bool = True,
                          title: str | None = None) -> list[Path]:
    """Write GeoPackage, CSV tables, GeoTIFF, problems and (``maps``) the web and static maps."""
    from geoairplan.hotspots.emissions import write_geotiff

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    scen = bool(res.params.get("scenario"))
    tag = "_scenario" if scen else ""
    files = []
    layers = {"townships": res.townships}
    if res.grid is not None:
        layers["grid"] = res.grid
    if res.sources is not None:
        s = res.sources[res.sources["basis"] == "point"].copy()
        s["data"] = "scenario" if scen else "input"
        layers["sources"] = s
    files.append(write_gpkg(out / f"hotspots{tag}.gpkg", layers))
    tw = pd.DataFrame(res.townships.drop(columns="geometry"))
    if scen:
        tw.insert(0, "data", "scenario")
    files.append(_csv(tw, out / f"townships{tag}.csv"))
    if res.grid is not None:
        gd = pd.DataFrame(res.grid.drop(columns="geometry"))
        if scen:
            gd.insert(0, "data", "scenario")
        files.append(_csv(gd, out / f"grid{tag}.csv"))
    if res.kde is not None:
        files.append(write_geotiff(res.kde, out / f"kde_{res.pollutant}{tag}.tif", scenario=scen))
    if res.total_check is not None:
        files.append(_csv(res.total_check, out / "total_check.csv"))
    files.append(_csv(res.problems.to_frame(), out / "problems.csv"))
    if maps:
        from geoairplan.maps.hotspots import hotspot_map, hotspot_static

        files.append(hotspot_map(res, out / f"hotspots{tag}.html", offline=offline, title=title))
        files.append(hotspot_static(res, out / f"hotspots{tag}.png", title=title))
    return files


@dataclass
class SuspectAnalysis:
    """Readings, anomaly verdicts and the suspicious-source ranking of :func:`suspect_analysis`."""

    readings: pd.DataFrame
    anomaly: object
    result: object
    sources: gpd.GeoDataFrame | None
    wind: pd.DataFrame
    problems: Problems
    scenario: bool = False


def suspect_analysis(sensors, wind, sources=None, *, facilities=None, crs="EPSG:3826", stations=None,
                     k: int = 5, rule: str = "robust_z", threshold: float | None = None,
                     min_fraction: float = 0.5, min_hours: int = 6, pollutant: str = "pm25",
                     half_width: float = 30.0, max_distance_m: float = 5000.0, scenario: bool = False,
                     **kw) -> SuspectAnalysis:
    """Read sensors, wind and sources (paths or frames), flag sensors, rank the upwind sources."""
    from geoairplan.hotspots import emissions as em
    from geoairplan.hotspots.sensors import read_sensors, flag_anomalies
    from geoairplan.hotspots.upwind import read_wind, wind_observations, rank_suspects

    from geoairplan.hotspots.sensors import check_anomaly_parameters

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
        src = em.read_sources(sources, crs=crs) if isinstance(sources, (str, Path)) else \
            em.prepare_sources(sources, crs=crs)
        probs.extend(src.attrs["problems"])
    fac = None
    if facilities is not None:
        fac = facilities
        if isinstance(facilities, (str, Path)):
            from geoairplan.io import read_facilities
            fac = read_facilities(facilities)
            probs.extend(fac.attrs.get("problems", Problems()))
    an = flag_anomalies(readings, k=k, rule=rule, threshold=threshold, min_fraction=min_fraction,
                        min_hours=min_hours)
    res = rank_suspects(an, w, src, facilities=fac, pollutant=pollutant, half_width=half_width,
                        max_distance_m=max_distance_m, scenario=scenario, **kw)
    probs.extend(res.problems)
    return SuspectAnalysis(readings, an, res, src, w, probs, scenario)


def write_suspect_outputs(sa: SuspectAnalysis, outdir, *, offline: bool = False, maps: bool = True,
                          title: str | None = None) -> list[Path]:
    """Write suspects.gpkg, the ranking CSVs, sensor verdicts, evidence hours, problems and maps."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    tag = "_scenario" if sa.scenario else ""
    res = sa.result
    files = []
    sens = sa.anomaly.sensors.copy()
    rk = res.ranking.copy()
    if len(rk):
        rk_g = gpd.GeoDataFrame(rk, geometry=gpd.points_from_xy(rk["x"].astype(float), rk["y"].astype(float)),
                                crs=TM2)
    else:
        rk_g = None
    layers = {"sensors": sens, "ranked_sources": rk_g}
    files.append(write_gpkg(out / f"suspects{tag}.gpkg", layers))
    files.append(_csv(rk, out / f"suspects{tag}.csv"))
    files.append(_csv(res.by_sensor, out / f"suspects_by_sensor{tag}.csv"))
    files.append(_csv(res.townships, out / f"suspects_by_township{tag}.csv"))
    files.append(_csv(sens, out / f"sensors{tag}.csv"))
    files.append(_csv(res.hours, out / f"evidence_hours{tag}.csv"))
    files.append(_csv(sa.problems.to_frame(), out / "problems.csv"))
    if maps:
        from geoairplan.maps.hotspots import suspects_map, suspects_static

        files.append(suspects_map(sa, out / f"suspects{tag}.html", offline=offline, title=title))
        files.append(suspects_static(sa, out / f"suspects{tag}.png", title=title))
    return files
