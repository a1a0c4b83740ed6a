"""``geoairplan site`` as one call: from observations and a county to ranked new sites (variance and plume).

:func:`site_analysis` fits the kriging model the county's surface would use
(ordinary kriging; the variogram fitted once to the semivariances of every
hour pooled, as :func:`~geoairplan.interpolate.series.grid_series` does, or
given), on the stations with a value in the chosen hour, and hands it to
:func:`~geoairplan.interpolate.siting.variance_sites`. The kriging variance
depends only on where the stations are and on the variogram, so the values
of that hour do not change the sites. :func:`plume_analysis` does the same
for :func:`~geoairplan.interpolate.siting.plume_sites` from a source table
and an hourly wind file. :func:`read_candidates` reads a user's candidate
sites. Nothing here writes files (:func:`geoairplan.publish.write` does).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.grid import make_grid
from geoairplan.hotspots.upwind import wind_observations
from geoairplan.interpolate.kriging import VARIOGRAM_MODELS, OrdinaryKriging, fit_variogram
from geoairplan.interpolate.series import station_values
from geoairplan.interpolate.siting import (PlumeSitingResult, SitingResult, plume_sites, source_locations,
                                           variance_sites)
from geoairplan.io.columns import find_column
from geoairplan.io.crs import TM2, points_from_xy
from geoairplan.io.moenv import read_moenv_hourly
from geoairplan.io.tables import read_text_table
from geoairplan.reference.geography import check_county
from geoairplan.reference.pollutants import unit_label
from geoairplan.reference.stations import load_stations
from geoairplan.results import RunMeta, scenario_of

__all__ = ["site_analysis", "plume_analysis", "read_candidates", "SITE_TITLE", "PLUME_TITLE"]

SITE_TITLE = "新測站建議位置：克利金變異數降低 Next sensor sites (kriging variance)"
PLUME_TITLE = "新感測器建議位置：煙流偵測 Next sensor sites (plume detection)"

_LON = ("lon", "longitude", "經度", "twd97lon")
_LAT = ("lat", "latitude", "緯度", "twd97lat")
_X = ("x", "x_tm2", "twd97_x", "tm2_x", "easting")
_Y = ("y", "y_tm2", "twd97_y", "tm2_y", "northing")


def read_candidates(path) -> gpd.GeoDataFrame:
    """Candidate sites from a CSV: ``lon``/``lat`` (EPSG:4326) or ``x``/``y`` (TM2 metres, EPSG:3826).

    Parameters
    ----------
    path : str or Path
        The table (read with :func:`geoairplan.io.read_text_table`); an optional
        ``name`` (or 名稱) column labels the sites.

    Returns
    -------
    GeoDataFrame
        ``name`` and points in EPSG:3826; rows without usable coordinates are
        left out and reported in ``attrs["problems"]``.

    Raises
    ------
    InputError
        No coordinate columns, or no usable row.
    """
    src = str(path)
    df = read_text_table(Path(path), source="candidates")
    probs = Problems()
    probs.extend(df.attrs.get("problems") or [])
    lon, lat = find_column(df.columns, _LON), find_column(df.columns, _LAT)
    x, y = find_column(df.columns, _X), find_column(df.columns, _Y)
    if lon and lat:
        cx, cy, crs = lon, lat, "EPSG:4326"
    elif x and y:
        cx, cy, crs = x, y, TM2
    else:
        raise InputError("the candidates table has no coordinates", file=src,
                         where="header: " + ", ".join(map(str, df.columns)),
                         fix="add lon/lat (EPSG:4326) or x/y (TWD97 TM2 metres, EPSG:3826) columns")
    xs, ys = pd.to_numeric(df[cx], errors="coerce"), pd.to_numeric(df[cy], errors="coerce")
    ok = (xs.notna() & ys.notna()).to_numpy()
    for i in np.flatnonzero(~ok):
        probs.add(src, f"row {i + 2}", f"no usable coordinates ({df[cx].iloc[i]!r}, {df[cy].iloc[i]!r}); "
                  "candidate not used")
    if not ok.any():
        raise InputError("no candidate has usable coordinates", file=src, fix="fill in the coordinate columns")
    name_col = find_column(df.columns, ("name", "名稱", "site", "地點"))
    rows = [f"row {i + 2}" for i in np.flatnonzero(ok)]
    pts = points_from_xy(xs[ok].to_numpy(float), ys[ok].to_numpy(float), crs, source=src, rows=rows)
    names = df[name_col][ok].astype(str).to_numpy() if name_col else [r.replace("row ", "candidate ") for r in rows]
    out = gpd.GeoDataFrame({"name": names}, geometry=pts.to_numpy(), crs=TM2)
    out.attrs["problems"] = probs
    return out


def site_analysis(obs, county: str, *, pollutant: str = "pm2.5", average: str = "1h", hour=None,
                  n_add: int = 5, candidates=None, weights: str = "cells", cell_size: float = 1000.0,
                  candidate_spacing: float | None = None, variogram_model: str = "spherical",
                  variogram_parameters: dict | None = None, source: str | None = None,
                  scenario: bool = False) -> SitingResult:
    """Greedy new sites that most reduce the county's weighted mean kriging variance.

    Parameters
    ----------
    obs : DataFrame, str or Path
        MOENV hourly data (:func:`geoairplan.io.read_moenv_hourly`): the stations
        with a value and the variogram come from it.
    county : str
        The county whose cells are the target (its land mask).
    pollutant, average : str
        What the variogram is fitted to.
    hour : str, optional
        The hour whose stations count (default: the hour with most stations
        reporting, then the highest value).
    n_add : int
        Sites to add.
    candidates : None, ``"grid"``, GeoDataFrame or path
        Candidate sites: a grid over the county (``candidate_spacing``, default
        twice ``cell_size``) or a user's CSV (:func:`read_candidates`).
    weights : {"cells", "area", "township"}
        Weighting of the objective (see :mod:`~geoairplan.interpolate.siting`).
    cell_size : float
        Target grid cell size (metres).
    variogram_model, variogram_parameters
        The model; parameters fitted (pooled over hours) unless given.
    source : str, optional
        The input's name for the source line.
    scenario : bool
        The user says the data are scenario data (files that say so are labelled without it).

    Returns
    -------
    SitingResult
        ``meta.capability == "siting"``; ``params`` of the run in ``meta.source``.
    """
    county = check_county(county)
    if not isinstance(obs, pd.DataFrame):
        source = source or str(obs)
        obs = read_moenv_hourly(obs)
    name = Path(str(source)).name if source else "observations"
    data = station_values(obs, pollutant, average=average, hours=[hour] if hour else None, source=source)
    values = data.values.dropna(how="all")
    if values.empty:
        raise InputError(f"no hour has a valid {data.pollutant} value", file=source or "observations",
                         where="pollutant", fix="choose another pollutant or averaging")
    if variogram_model not in VARIOGRAM_MODELS:
        raise InputError(f"unknown variogram model {variogram_model!r}", where="variogram",
                         fix="use " + ", ".join(VARIOGRAM_MODELS))
    x, y = data.xy
    counts = values.notna().sum(axis=1)
    best = values[counts == counts.max()]
    t = best.max(axis=1).idxmax() if hour is None else values.index[-1]
    row = values.loc[t]
    ok = row.notna().to_numpy()
    params = variogram_parameters
    if params is None:
        v = fit_variogram(x, y, values.to_numpy(float).T, variogram_model)
        params = v.params
    model = OrdinaryKriging(variogram_model, variogram_parameters=params).fit(
        (x[ok], y[ok]), row.to_numpy(float)[ok], labels=list(row.index[ok]))
    grid = make_grid(county=county, cell_size=cell_size)
    cand = None
    probs = Problems()
    probs.extend(data.problems)
    if candidates is not None and not (isinstance(candidates, str) and candidates.strip().lower() == "grid"):
        cand = candidates if isinstance(candidates, gpd.GeoDataFrame) else read_candidates(candidates)
        probs.extend(cand.attrs.get("problems") or [])
    when = pd.Timestamp(t).strftime("%Y-%m-%d %H:%M")
    is_scn = scenario_of(obs, user=scenario)
    meta = RunMeta("siting", counties=(county,), pollutant=data.pollutant, averaging=data.averaging,
                   time_start=when, time_end=when,
                   source=(name if is_scn else f"環境部空氣品質測站 ({name})")
                   + f"；{int(ok.sum())} 測站 stations；普通克利金變異數 ordinary kriging variance；"
                   + f"權重 weights {weights}",
                   scenario=is_scn, title=f"{county} {SITE_TITLE}")
    res = variance_sites(model, grid, n_add=n_add, candidates=cand, candidate_spacing=candidate_spacing,
                         weights=weights, unit=unit_label(data.unit) if data.unit else "", meta=meta)
    probs.extend(res.problems)
    res.problems = probs
    return res


def plume_analysis(sources, wind, county: str, *, n_add: int = 5, candidates=None, spacing: float = 1000.0,
                   reach: float = 5000.0, half_width: float = 30.0, source: str | None = None,
                   scenario: bool = False) -> PlumeSitingResult:
    """Greedy new sites that see the most plausible source locations downwind.

    Parameters
    ----------
    sources : DataFrame, str or Path
        A source table (TEDS columns; see :func:`~geoairplan.interpolate.siting.source_locations`).
    wind : DataFrame, str or Path
        MOENV hourly data with ``wind_speed`` and ``wind_direc``.
    county : str
        County of the sources and of the candidate grid.
    n_add, candidates, spacing, reach, half_width
        See :func:`~geoairplan.interpolate.siting.plume_sites` (``candidates``
        ``"grid"``/None or a CSV as for :func:`read_candidates`).
    source : str, optional
        The sources' name for the source line.
    scenario : bool
        The user says the data are scenario data.

    Returns
    -------
    PlumeSitingResult
        The county's embedded MOENV stations count as sensors already in place.
    """
    county = check_county(county)
    src_name = str(source or sources) if not isinstance(sources, pd.DataFrame) else (source or "sources")
    if not isinstance(sources, pd.DataFrame):
        sources = read_text_table(Path(sources), source="sources")
    wtab = wind if isinstance(wind, pd.DataFrame) else read_moenv_hourly(wind)
    w = wind_observations(wtab)
    locs = source_locations(sources, county=county)
    if len(locs) == 0:
        raise InputError(f"no source of {county} in the source table", file=src_name, where="county",
                         fix="give a source table (--sources) with sources in the county")
    cand = None
    if candidates is not None and not (isinstance(candidates, str) and candidates.strip().lower() == "grid"):
        cand = candidates if isinstance(candidates, gpd.GeoDataFrame) else read_candidates(candidates)
    is_scn = scenario_of(sources, wtab, user=scenario)
    meta = RunMeta("siting", counties=(county,), source=f"{Path(src_name).name}；風 wind "
                   + (Path(str(wind)).name if not isinstance(wind, pd.DataFrame) else "table")
                   + f"；可及 reach {reach:g} m，扇形 sector ±{half_width:g}°", scenario=is_scn,
                   title=f"{county} {PLUME_TITLE}")
    existing = load_stations(county).to_crs(TM2)
    return plume_sites(locs, w, county=county, n_add=n_add, candidates=cand, spacing=spacing, reach=reach,
                       half_width=half_width, existing=existing if len(existing) else None, meta=meta)
