"""Voronoi (Thiessen) cells of the stations in EPSG:3826, clipped to a county's land (every island)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geoairplan import datasets
from geoairplan.coverage.stations import prepare_stations
from geoairplan.errors import InputError, InternalError, Problems
from geoairplan.io.crs import TM2
from geoairplan.reference.pollutants import check_pollutant

__all__ = ["voronoi_cells", "station_cells", "county_land", "compute_cells", "Cells"]


def voronoi_cells(points, *, extent=None) -> gpd.GeoSeries:
    """The Voronoi (Thiessen) cell of every point, in the points' order.

    Parameters
    ----------
    points : GeoSeries, GeoDataFrame or sequence of shapely.Point
        In a projected CRS (EPSG:3826 for Taiwan).
    extent : shapely geometry, optional
        Area the cells must cover (default: the points' envelope grown by
        200 km), so that clipping them to land afterwards never loses land.

    Returns
    -------
    GeoSeries
        One cell per point, same order and CRS. One point gives one cell: the
        whole extent.
    """
    crs = getattr(points, "crs", None)
    if crs is not None and CRS(crs).is_geographic:
        raise InputError("Voronoi cells need a projected CRS (metres), not longitude/latitude",
                         fix="reproject with geoairplan.io.crs.to_tm2 first")
    geoms = np.asarray(points.geometry if hasattr(points, "geometry") else points, dtype=object)
    if len(geoms) == 0:
        raise InputError("no points to compute Voronoi cells from", fix="give at least one station")
    mp = shapely.multipoints(list(geoms))
    env = shapely.envelope(mp).buffer(200_000.0, join_style="mitre")
    if extent is not None:
        env = shapely.envelope(shapely.union(env, shapely.envelope(extent)))
    if len(geoms) == 1:
        cells = [env]
    else:
        coll = shapely.voronoi_polygons(mp, extend_to=env, ordered=True)
        cells = [shapely.intersection(c, env) for c in coll.geoms]
        if len(cells) != len(geoms):  # pragma: no cover - GEOS contract
            raise InternalError("Voronoi diagram did not return one cell per point")
    return gpd.GeoSeries(cells, crs=crs)


def county_land(county: str) -> tuple[gpd.GeoDataFrame, object]:
    """The county's townships (EPSG:3826, MOI code order) and its land (townships and outline, unioned)."""
    towns = datasets.load_townships(county).to_crs(TM2)
    towns["geometry"] = shapely.make_valid(towns.geometry.to_numpy())
    towns = towns.sort_values("TOWNCODE", kind="stable").reset_index(drop=True)
    # The county outline and its townships; the MOI county layer of 澎湖縣 holds
    # three islets (0.27 km²) that no township polygon covers: they are land too.
    outline = shapely.make_valid(datasets.load_counties(county).to_crs(TM2).geometry.to_numpy())
    land = shapely.union_all(np.concatenate([towns.geometry.to_numpy(), outline]))
    return towns, land


@dataclass
class Cells:
    """Cells of one county and what they were computed from.

    Attributes
    ----------
    cells : GeoDataFrame
        See :func:`station_cells`.
    stations : GeoDataFrame
        Every station considered, with ``used``, ``in_county``, ``cell_km2``, ``dist_to_county_m``.
    towns : GeoDataFrame
        The county's townships (EPSG:3826).
    land : shapely geometry
        The county's land.
    problems : Problems
        What was reported.
    """

    cells: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    land: object
    problems: Problems


def compute_cells(county: str, stations=None, pollutant=None, include_neighbours=False,
                  county_stations: list[str] | None = None, types=None) -> Cells:
    """Cells of ``stations`` in ``county`` (see :func:`station_cells`); ``county_stations``: only these
    of the county's own stations take part; ``types``: the MOENV station types the embedded stations
    (the county's and its neighbours') are chosen from (None: every station)."""
    county = datasets.check_county(county)
    p = check_pollutant(pollutant)
    st = prepare_stations(stations, pollutant=p, types=types)
    probs = Problems()
    probs.extend(st.attrs["problems"])
    source = st.attrs["source"]
    ex = st.attrs.get("excluded")
    if ex is not None and len(ex):
        for r in ex[ex["county"] == county].itertuples():
            kind = r.sitetype if isinstance(r.sitetype, str) and r.sitetype else "type not stated by the sources"
            probs.add(source, f"station {r.station}", f"not used: {kind}, not one of the station types "
                      + "、".join(st.attrs["types"]) + " (--types all uses every station)", "warning")
    towns, land = county_land(county)
    st["dist_to_county_m"] = st.distance(land).round(1)
    st["in_county"] = st["county"] == county
    if county_stations is not None:  # only these of the county's own stations
        st = st[~st["in_county"] | st["station"].isin(county_stations)].reset_index(drop=True)
    if isinstance(include_neighbours, np.bool_):
        include_neighbours = bool(include_neighbours)
    what = f"in {county}" + (f" measuring {p}" if p else "")
    n_in = int(st["in_county"].sum())
    if include_neighbours is True:
        use = np.ones(len(st), bool)
    elif include_neighbours is False or include_neighbours is None:
        use = st["in_county"].to_numpy()
    else:
        dist = float(include_neighbours)
        if not np.isfinite(dist) or dist < 0:
            raise InputError(f"neighbour distance {include_neighbours!r} is not a distance",
                             where="include_neighbours", fix="give metres >= 0, True (all) or False")
        use = (st["in_county"] | (st["dist_to_county_m"] <= dist)).to_numpy()
    if n_in == 0:
        if not use.any():
            raise InputError(f"no station {what} among {source}", where="stations",
                             fix="give stations with --stations FILE, choose another pollutant, or let "
                                 "neighbouring counties' stations take part (--neighbours)")
        probs.add(source, county, f"no station {what}: coverage comes from neighbouring counties' "
                                  "stations only", "warning")
    if st.attrs.get("explicit") and (include_neighbours is False or include_neighbours is None):
        out = st.loc[~st["in_county"], "station"].tolist()
        if out:
            names = ", ".join(out[:6]) + (f" and {len(out) - 6} more" if len(out) > 6 else "")
            probs.add(source, f"{len(out)} station(s)", f"outside {county}, not used: {names} (pass "
                      "include_neighbours / --neighbours to let them take part)", "warning")
    st["used"] = use
    used = st[use].reset_index(drop=True)
    raw = voronoi_cells(used.geometry, extent=land)
    clipped = shapely.intersection(raw.to_numpy(), land)
    area = shapely.area(clipped)
    cells = gpd.GeoDataFrame({
        "county": county,
        "station": used["station"].to_numpy(),
        "station_county": used["county"].to_numpy(),
        "pollutant": p or "all",
        "area_km2": area / 1e6,
        "share_of_county": area / shapely.area(land),
    }, geometry=clipped, crs=TM2)
    st["cell_km2"] = st["station"].map(dict(zip(cells["station"], cells["area_km2"]))).fillna(0.0)
    for r in st[st["used"] & st["in_county"] & (st["cell_km2"] <= 0)].itertuples():
        probs.add(source, f"station {r.station}", f"its cell does not reach {county}'s land", "warning")
    cells = cells[cells["area_km2"] > 0].reset_index(drop=True)
    return Cells(cells, st, towns, land, probs)


def station_cells(county: str, *, stations=None, pollutant: str | None = None,
                  include_neighbours: bool | float = False, types=None) -> gpd.GeoDataFrame:
    """Voronoi cells of the stations, clipped to the county's land (islands included), EPSG:3826.

    Parameters
    ----------
    county : str
        County or city (台 = 臺).
    stations : optional
        See :func:`~geoairplan.coverage.prepare_stations` (default: the
        embedded stations of the county).
    pollutant : str, optional
        Only stations that measure it.
    include_neighbours : bool or float
        ``True`` lets every given station take part (a neighbouring county's
        station may be nearer), a number lets stations within that many
        metres of the county's land take part.
    types : None, str or iterable of str
        MOENV station types the embedded stations are chosen from (None or
        ``"all"``: every station; coverage runs use
        :data:`~geoairplan.reference.stations.COVERAGE_TYPES`).

    Returns
    -------
    GeoDataFrame
        Columns ``county, station, station_county, pollutant, area_km2,
        share_of_county``, rows in the stations' order; stations whose cell
        misses the county are left out (and reported).
        ``attrs["problems"]``, ``attrs["stations"]``.
    """
    c = compute_cells(county, stations, pollutant, include_neighbours, types=types)
    cells = c.cells
    cells.attrs["problems"] = c.problems
    cells.attrs["stations"] = c.stations
    return cells
