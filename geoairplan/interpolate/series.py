"""From MOENV observations to surfaces, many hours at once, and the files of ``geoairplan interpolate``.

:func:`station_values` turns the tidy table of
:func:`geoairplan.io.read_moenv_hourly` into station points (EPSG:3826) and a
``time x station`` table of values, optionally as 8-h or 24-h moving
averages (the averaging periods of the regulation), reporting every station
and hour without a valid value.

:func:`grid_series` interpolates many hours without redoing what does not
change. Hours are grouped by the set of stations that have a value; within
a group the method is fitted once on all hours together (IDW: one neighbour
search; kriging: one inverted system, each hour a matrix-vector product,
the variance once; RBF: one solve with many right-hand sides). A station
missing in one hour only changes that hour's group, never the others.
Kriging without given variogram parameters fits **one** variogram to the
semivariances of all hours pooled, then keeps it fixed.

:func:`interpolate_observations` is the pipeline behind the command line:
surfaces, level polygons, township statistics and leave-one-out errors in an
:class:`~geoairplan.interpolate.result.InterpolationResult` (written by
:func:`geoairplan.publish.write`; this module writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.grid import MAX_CELLS, make_grid
from geoairplan.interpolate._core import Gridder
from geoairplan.interpolate.idw import IDW
from geoairplan.interpolate.kriging import VARIOGRAM_MODELS, OrdinaryKriging, fit_variogram
from geoairplan.interpolate.levels import AVERAGING_ALIASES, level_polygons, level_thresholds, township_stats
from geoairplan.interpolate.points import as_points
from geoairplan.interpolate.probability import exceedance_rasters, probabilistic_zones, township_exceedance
from geoairplan.interpolate.rbf import RBF
from geoairplan.interpolate.result import InterpolationResult, hour_label, run_title
from geoairplan.interpolate.selection import select_method
from geoairplan.interpolate.surface import Surface
from geoairplan.interpolate.validation import cross_validate
from geoairplan.io.crs import TM2, to_tm2
from geoairplan.io.moenv import read_moenv_hourly, station_positions
from geoairplan.reference.names import normalize_name
from geoairplan.reference.pollutants import normalize_pollutant
from geoairplan.io.times import check_dense_size
from geoairplan.reference.stations import load_stations
from geoairplan.results import RunMeta, scenario_of
from geoairplan.warnings.levels import Completeness

__all__ = ["METHODS", "make_gridder", "StationValues", "station_values", "grid_series",
           "interpolate_observations", "AVERAGING_WINDOWS"]

METHODS = {"idw": IDW, "kriging": OrdinaryKriging, "rbf": RBF}
#: Moving averages: (hours, least valid hours). 75 % completeness, this module's rule.
# the warning engine's completeness rule, so a surface and a warning table agree on what an average is
_COMPLETE = Completeness()
AVERAGING_WINDOWS = {w: (n, _COMPLETE.required(n)) for w, n in (("1h", 1), ("8h_moving", 8), ("24h_moving", 24))}
TZ = "Asia/Taipei"


def make_gridder(method: str, **params) -> Gridder:
    """A gridder by name with its parameters.

    Parameters
    ----------
    method : str
        ``idw``, ``kriging`` or ``rbf``.
    **params
        The method's constructor parameters.

    Returns
    -------
    Gridder
        Unfitted.
    """
    key = str(method).lower()
    if key not in METHODS:
        raise InputError(f"unknown interpolation method {method!r}", where="method",
                         fix="use one of " + ", ".join(METHODS))
    try:
        return METHODS[key](**params)
    except TypeError as exc:
        raise InputError(f"bad parameter for {key}: {exc}", where="method") from None


_label_time = hour_label


def _parse_hour(text) -> pd.Timestamp:
    try:
        t = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise InputError(f"cannot read the hour {text!r}", where="hour",
                         fix='write it as "2026-01-15 14:00" (local time)') from None
    return t.tz_localize(TZ) if t.tzinfo is None else t.tz_convert(TZ)


# --------------------------------------------------------------------------- observations

@dataclass
class StationValues:
    """Stations (EPSG:3826 points, in column order) and their values, ``time x station``.

    Attributes
    ----------
    points : geopandas.GeoDataFrame
        ``station`` and the station list's columns, points in EPSG:3826, in the order of ``values``' columns.
    values : pandas.DataFrame
        ``time x station`` (every hour of the span, NaN where a station has no valid value).
    pollutant : str
        Pollutant code.
    unit : str or None
        Unit of the values.
    averaging : str
        ``1h``, ``8h_moving`` or ``24h_moving``.
    problems : Problems
        Stations not in the list, station-hours without a value.
    """

    points: "object"  # GeoDataFrame
    values: pd.DataFrame
    pollutant: str
    unit: str | None
    averaging: str
    problems: Problems = field(default_factory=Problems)

    @property
    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        return self.points.geometry.x.to_numpy(), self.points.geometry.y.to_numpy()


def station_values(obs, pollutant: str, *, stations=None, average: str = "1h", hours=None,
                   source: str | None = None) -> StationValues:
    """Station points and a ``time x station`` table of one pollutant, ready for :func:`grid_series`.

    Parameters
    ----------
    obs : pandas.DataFrame or str or Path
        The tidy table of :func:`~geoairplan.io.read_moenv_hourly`, or a path to read.
    pollutant : str
        Any spelling of a pollutant (:func:`geoairplan.reference.pollutants.normalize_pollutant`).
    stations : GeoDataFrame, optional
        Station list with ``name_zh`` and points (default: the embedded 33
        southern stations, :func:`geoairplan.reference.stations.load_stations`).
        Stations are matched by normalised name; unknown stations are
        reported, not guessed.
    average : str
        ``1h`` (values as published), ``8h`` or ``24h`` moving averages
        (at least 6 of 8 / 18 of 24 valid hours, else empty).
    hours : str or list, optional
        Times to keep (strings in local time or timestamps); default all.
    source : str, optional
        The input's name in messages.

    Returns
    -------
    StationValues
        Points (EPSG:3826), ``time x station`` values, pollutant code, unit, averaging, problems.
    """
    if not isinstance(obs, pd.DataFrame):
        source = source or str(obs)
        obs = read_moenv_hourly(obs)
    source = source or obs.attrs.get("source", "observations")
    problems = Problems()
    problems.extend(obs.attrs.get("problems", Problems()))
    code = normalize_pollutant(pollutant)
    have = sorted(obs["pollutant"].astype(str).unique())
    if code is None or code not in have:
        raise InputError(f"no {pollutant!r} values in the file", file=source, where="pollutant",
                         fix="the file has " + ", ".join(have))
    avg = AVERAGING_ALIASES.get(str(average).lower())
    if avg is None:
        raise InputError(f"unknown averaging {average!r}", where="average", fix="use 1h, 8h or 24h")
    rows = obs[obs["pollutant"].astype(str) == code]
    units = rows["unit"].dropna().astype(str).unique()
    unit = units[0] if len(units) else None
    wide = rows.pivot_table(index="time", columns="station", values="value", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=sorted(rows["station"].astype(str).unique()))
    # complete hourly index, so moving windows count real hours (sized before it is allocated)
    if len(wide.index):
        check_dense_size(int((wide.index.max() - wide.index.min()) / pd.Timedelta(hours=1)) + 1, wide.shape[1],
                         what="the hourly table", file=source)
    full = pd.date_range(wide.index.min(), wide.index.max(), freq="h")
    wide = wide.reindex(full)
    wide.index.name = "time"
    if avg != "1h":
        n, need = AVERAGING_WINDOWS[avg]
        wide = wide.rolling(n, min_periods=need).mean()
    if hours is not None:
        want = [_parse_hour(h) for h in ([hours] if isinstance(hours, (str, pd.Timestamp)) else hours)]
        missing = [h for h in want if h not in wide.index]
        if missing:
            raise InputError(f"hour {_label_time(missing[0])} is not in the file", file=source, where="hour",
                             fix=f"the file covers {_label_time(wide.index.min())} to "
                                 f"{_label_time(wide.index.max())}")
        wide = wide.loc[want]
    # stations: the registry (or the given list), and stations the registry lacks at the file's own position
    if stations is not None:  # what the station list's reader recorded (outside its county, at sea, ...)
        problems.extend(getattr(stations, "attrs", {}).get("problems") or [])
    st = load_stations() if stations is None else stations
    st = to_tm2(st, source="stations").copy()
    if stations is None:
        st = _with_file_positions(st, obs, wide.columns, source, problems)
    nogeom = st.geometry.isna() | st.geometry.is_empty
    for name in st.loc[nogeom, "name_zh"]:
        problems.add("stations", f"station {name}", "no coordinates: not used")
    st = st[~nogeom]
    key = st["name_zh"].map(normalize_name)
    st = st.assign(_key=key).drop_duplicates("_key").set_index("_key")
    known = [s for s in wide.columns if normalize_name(s) in st.index]
    for s in wide.columns:
        if s not in known:
            problems.add(source, f"station {s}", "not in the station list: no coordinates, not used "
                         "(load a station list with read_moenv_stations and pass it as stations=)")
    if not known:
        raise InputError("none of the stations in the file is in the station list", file=source,
                         fix="pass the stations (e.g. read_moenv_stations(...)) with names matching the file")
    wide = wide[known]
    pts = st.loc[[normalize_name(s) for s in known]].reset_index(drop=True)
    pts.insert(0, "station", known)
    pts = gpd.GeoDataFrame(pts, geometry="geometry", crs=TM2)
    # report station-hours without a value
    miss = wide.isna()
    for s in known:
        n_miss = int(miss[s].sum())
        if n_miss:
            first = _label_time(wide.index[miss[s].to_numpy()][0])
            what = "hour(s) without a valid value" if avg == "1h" else f"hour(s) without a complete {avg} average"
            problems.add(source, f"station {s}", f"{n_miss} {what} (first {first}); left out of those hours",
                         severity="warning")
    return StationValues(pts, wide, code, unit, avg, problems)


def _with_file_positions(st: gpd.GeoDataFrame, obs: pd.DataFrame, names, source, problems: Problems):
    """The registry plus the stations of the file it lacks, at the file's own lon/lat (each reported)."""
    pos = station_positions(obs)
    if pos.empty:
        return st
    have = set(st["name_zh"].map(normalize_name))
    pos = pos[(pos["position"] == "file") & pos["lon"].notna() & pos["lat"].notna()]
    pos = pos[pos["station"].map(normalize_name).isin({normalize_name(n) for n in names} - have)]
    pos = pos.drop_duplicates("station")
    if pos.empty:
        return st
    pts = gpd.GeoDataFrame({"name_zh": pos["station"].to_numpy()},
                           geometry=gpd.points_from_xy(pos["lon"].astype(float), pos["lat"].astype(float)),
                           crs=4326).to_crs(TM2)
    for r in pos.itertuples():
        problems.add(source, f"station {r.station}", f"not in the embedded registry: placed at the file's own "
                     f"coordinates ({float(r.lon):.5f}, {float(r.lat):.5f})", severity="warning")
    return gpd.GeoDataFrame(pd.concat([st, pts], ignore_index=True), geometry="geometry", crs=TM2)


# --------------------------------------------------------------------------- many hours

def _series_base(gridder: Gridder, x, y, z2: np.ndarray) -> Gridder:
    """The gridder every group of hours reuses (kriging: one variogram pooled over all hours)."""
    if isinstance(gridder, OrdinaryKriging) and gridder.variogram_parameters is None:
        ok = np.isfinite(z2)
        nonconst = any(np.ptp(z2[ok[:, h], h]) > 0 for h in range(z2.shape[1]) if ok[:, h].sum() > 1)
        if nonconst:
            v = fit_variogram(x, y, z2, gridder.variogram_model, gridder.nlags, gridder.weight)
            base = gridder.clone(variogram_parameters=v.params)
            base._pooled = v
            return base
    return gridder.clone()


def grid_series(gridder: Gridder, points, values, *, times=None, labels=None, region=None, county=None,
                cell_size: float = 500.0, grid=None, return_variance: bool | None = None,
                max_cells: int = MAX_CELLS, problems: Problems | None = None, **meta) -> list[Surface]:
    """Surfaces for many hours: ``values`` is ``(N stations, T hours)`` with NaN where a station is missing.

    ``values`` may be a ``time x station`` DataFrame (as :func:`station_values`
    gives; then ``times`` and ``labels`` come from it). Hours with fewer
    stations than the method needs are skipped and reported in ``problems``
    (raised when ``problems`` is None).

    Parameters
    ----------
    gridder : Gridder
        The method and its parameters (cloned, not changed).
    points :
        Station points (see :func:`~geoairplan.interpolate.points.as_points`).
    values : array or pandas.DataFrame
        ``(N stations, T hours)``, or ``time x station``.
    times, labels : sequence, optional
        Hour labels and station names.
    region, county, cell_size, grid, max_cells :
        The grid (see :func:`geoairplan.grid.make_grid`), or ``grid`` itself.
    return_variance : bool, optional
        Kriging variance (default: when the method has one).
    problems : Problems, optional
        Collects the hours that could not be interpolated.
    **meta
        ``pollutant``, ``unit``, ``averaging``, ``label`` for every surface.

    Returns
    -------
    list of Surface
        One per hour interpolated, in order.
    """
    if isinstance(values, pd.DataFrame):
        times = [_label_time(t) for t in values.index] if times is None else times
        labels = list(values.columns) if labels is None else labels
        z2 = values.to_numpy(dtype=float).T
    else:
        z2 = np.asarray(values, dtype=float)
        z2 = z2[:, None] if z2.ndim == 1 else z2
    x, y = as_points(points)
    if z2.shape[0] != x.size:
        raise InputError(f"{x.size} points but values for {z2.shape[0]} stations", fix="one row per station")
    nt = z2.shape[1]
    times = list(times) if times is not None else [None] * nt
    spec = grid if grid is not None else make_grid(region, county=county, cell_size=cell_size, points=(x, y),
                                                   max_cells=max_cells)
    base = _series_base(gridder, x, y, z2)
    want_var = base.has_variance if return_variance is None else (return_variance and base.has_variance)
    out: list[Surface | None] = [None] * nt
    valid = np.isfinite(z2)
    patterns: dict[bytes, list[int]] = {}
    for h in range(nt):
        patterns.setdefault(valid[:, h].tobytes(), []).append(h)
    for key, cols in patterns.items():
        m = valid[:, cols[0]]
        lab = None if labels is None else [labels[i] for i in np.flatnonzero(m)]
        g = base.clone()
        try:
            g.fit((x[m], y[m]), z2[m][:, cols], labels=lab)
        except InputError as exc:
            if problems is None:
                raise
            for h in cols:
                problems.add("interpolation", f"hour {times[h]}", f"not interpolated: {exc.problem}")
            continue
        vals, var = g._fill(spec, want_var)
        params = g.describe()
        if hasattr(base, "_pooled"):
            params["variogram"].update(fitted=True, pooled_hours=nt)
        notes = list(getattr(g, "notes_", []))
        if hasattr(base, "_pooled") and nt > 1:
            notes.append(f"variogram fitted once to the pooled semivariances of {nt} hours")
        for j, h in enumerate(cols):
            out[h] = Surface(vals[:, :, j], spec, var, method=g.name, params=params, time=times[h],
                             notes=notes + [f"{int(m.sum())} stations"], **meta)
    return [s for s in out if s is not None]


# --------------------------------------------------------------------------- the pipeline

def interpolate_observations(obs, pollutant: str, method: str = "idw", *, params: dict | None = None,
                             county=None, region=None, cell_size: float = 500.0, hours=None,
                             average: str = "1h", stations=None, rules: str = "warning_2022",
                             label: str | None = None, max_cells: int = MAX_CELLS,
                             source: str | None = None, scenario: bool = False,
                             confidence: float | None = None) -> InterpolationResult:
    """Observations to surfaces, level polygons, township statistics and leave-one-out errors.

    Every station with a value in an hour is used (neighbouring counties'
    stations steady the edges); the grid covers ``county`` (default: the
    counties of the stations with data). The maps show ``hours`` if one is
    given, else the hour with the highest station value.

    Parameters
    ----------
    obs : pandas.DataFrame or str or Path
        The tidy table of :func:`~geoairplan.io.read_moenv_hourly`, or a file to read.
    pollutant : str
        ``pm2.5``, ``pm10``, ``o3``, ``so2``, ``no2`` or ``co`` (any spelling).
    method : str
        ``idw``, ``kriging``, ``rbf`` or ``auto``: leave-one-out and 5-fold
        cross-validation of every candidate of
        :func:`~geoairplan.interpolate.selection.select_method` (IDW powers and
        neighbours, each kriging variogram model, RBF kernels) on the stations
        of the mapped hour; the lowest leave-one-out RMSE is used for every
        hour (``result.selection``; ``params`` are then ignored).
    params : dict, optional
        The method's parameters (see :func:`make_gridder`).
    county, region :
        What to grid (see :func:`geoairplan.grid.make_grid`).
    cell_size : float
        Cell size in metres.
    hours : str or list, optional
        Hours to interpolate (local time); default every hour.
    average : str
        ``1h``, ``8h`` or ``24h`` (moving averages).
    stations : GeoDataFrame, optional
        Station list (default: the embedded one).
    rules : str
        Rule table of the level thresholds.
    label : str, optional
        Free text for file names and titles. ``label="scenario"`` also says the
        data are scenario data, as ``scenario=True`` does.
    max_cells : int
        Largest grid allowed.
    source : str, optional
        The input's name for messages and the source line.
    scenario : bool
        The user says the data are made-up scenario data. A file that declares
        itself scenario (a ``data_kind`` column) is labelled without it.
    confidence : float, optional
        0.5, 0.8 or 0.95 (kriging only): for the mapped hour, the exceedance
        probability of every level per cell
        (:func:`~geoairplan.interpolate.probability.exceedance_rasters`, on the
        data scale, Gaussian kriging errors), per township (area-weighted mean,
        block kriging: :func:`~geoairplan.interpolate.probability.township_exceedance`)
        and the model-based zone list at that confidence
        (:func:`~geoairplan.interpolate.probability.probabilistic_zones`).

    Returns
    -------
    InterpolationResult
        Surfaces, levels, township statistics, leave-one-out errors and ``meta``;
        ``selection`` (method auto), ``exceedance``, ``township_p``, ``zones``
        (with ``confidence``).
    """
    if not isinstance(obs, pd.DataFrame):
        source = source or str(obs)
        obs = read_moenv_hourly(obs)
    source = source or obs.attrs.get("source")
    is_scenario = scenario_of(obs, user=scenario or (label or "").strip().lower() == "scenario")
    data = station_values(obs, pollutant, stations=stations, average=average, hours=hours, source=source)
    problems = Problems()
    problems.extend(data.problems)
    values = data.values.dropna(how="all")
    if values.empty:
        raise InputError(f"no hour has a valid {data.pollutant} value"
                         + ("" if data.averaging == "1h" else f" ({data.averaging} average)"),
                         file=source or "observations",
                         fix="pick hours with data (moving averages need most of their window)")
    if county is None and region is None:
        used = data.points.loc[values.notna().any().to_numpy(), "county"]
        county = sorted(set(used.dropna()))
    x, y = data.xy
    if hours is not None:
        t_target = values.index[-1]
    else:
        t_target = values.max(axis=1).idxmax()
    selection = None
    if str(method).strip().lower() == "auto":
        row0 = values.loc[t_target]
        ok0 = row0.notna().to_numpy()
        selection = select_method((x[ok0], y[ok0]), row0.to_numpy()[ok0], labels=list(row0.index[ok0]))
        gridder = selection.gridder
    else:
        gridder = make_gridder(method, **(params or {}))
    if confidence is not None and not isinstance(gridder, OrdinaryKriging):
        raise InputError(f"exceedance probabilities need kriging; the method is {gridder.name}"
                         + (f" (chosen by cross-validation: {selection.choice})" if selection else ""),
                         where="confidence", fix="use method kriging (or leave out the confidence)")
    spec = make_grid(region, county=county, cell_size=cell_size, points=(x, y), max_cells=max_cells)
    thresholds = level_thresholds(data.pollutant, averaging=data.averaging, unit=data.unit, rules=rules)
    surfaces = grid_series(gridder, (x, y), values, grid=spec, problems=problems, pollutant=data.pollutant,
                           unit=data.unit, averaging=data.averaging, label=label)
    if not surfaces:
        raise InputError(f"no hour could be interpolated with {method}", file=source or "observations",
                         fix=problems.summary(3) or "check the data")
    if hours is not None and len(surfaces) >= 1:
        mapped = surfaces[-1]
    else:
        peak = values.max(axis=1)
        t_peak = _label_time(peak.idxmax())
        mapped = next((s for s in surfaces if s.time == t_peak), surfaces[-1])
    lv = [level_polygons(s, thresholds) for s in surfaces]
    levels = pd.concat(lv, ignore_index=True) if lv else gpd.GeoDataFrame()
    levels = gpd.GeoDataFrame(levels, geometry="geometry", crs=TM2)
    towns = pd.concat([township_stats(s, thresholds) for s in surfaces], ignore_index=True)
    # leave-one-out errors of the mapped hour, with the parameters the surfaces used
    cv = None
    row = values.loc[[i for i in values.index if _label_time(i) == mapped.time]].iloc[0]
    ok = row.notna().to_numpy()
    try:
        g = gridder
        vario = mapped.params.get("variogram") if isinstance(mapped.params, dict) else None
        if isinstance(gridder, OrdinaryKriging) and vario is not None and gridder.variogram_parameters is None:
            g = gridder.clone(variogram_parameters={k: vario[k] for k in VARIOGRAM_MODELS[vario["model"]]})
        cv = cross_validate(g, (x[ok], y[ok]), row.to_numpy()[ok], labels=list(row.index[ok]))
        cv.table.insert(0, "time", mapped.time)
    except InputError as exc:
        problems.add("cross-validation", f"hour {mapped.time}", exc.problem, severity="warning")
    exceed = township_p = zones = None
    if confidence is not None:
        exceed, township_p, zones = _probabilities(gridder, mapped, (x[ok], y[ok]), row.to_numpy()[ok],
                                                   list(row.index[ok]), thresholds, confidence)
    name = Path(str(source)).name if source else "observations"
    meta = RunMeta(capability="interpolate", counties=tuple(spec.counties), pollutant=data.pollutant,
                   averaging=data.averaging, time_start=surfaces[0].time, time_end=surfaces[-1].time,
                   source=name if is_scenario else f"環境部空氣品質測站 ({name})", scenario=is_scenario,
                   title=run_title(mapped, label))
    return InterpolationResult(meta, surfaces, data, thresholds, levels, towns, mapped, cv, gridder.name, label,
                               problems, selection=selection, exceedance=exceed, township_p=township_p,
                               zones=zones, confidence=confidence)


def _probabilities(gridder, mapped, xy, z, labels, thresholds, confidence):
    """Exceedance rasters, township probabilities and zones of the mapped hour (kriging, data scale)."""
    vario = mapped.params.get("variogram") if isinstance(mapped.params, dict) else None
    g = gridder.clone(n_neighbors=None) if getattr(gridder, "n_neighbors", None) is not None else gridder.clone()
    if vario is not None and g.variogram_parameters is None:
        g = g.clone(variogram_parameters={k: vario[k] for k in VARIOGRAM_MODELS[vario["model"]]})
    model = g.fit(xy, z, labels=labels)
    exceed = exceedance_rasters(mapped, thresholds)
    table = township_exceedance(mapped, model, thresholds)
    zones = probabilistic_zones(table, confidence)
    return exceed, table, zones
