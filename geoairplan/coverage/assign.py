"""Township assignment: the share of each township's area in each station's cell, and its station."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoairplan.io.crs import TM2, to_tm2

__all__ = ["assign_townships", "MAJORITY", "SLIVER_M2"]

#: A station "holds" a township when its cell covers more than this share of the township's area.
MAJORITY = 0.5
#: Pieces of a township in a cell smaller than this (m²) are treated as slivers (share 0).
SLIVER_M2 = 1.0


def assign_townships(cells: gpd.GeoDataFrame, townships: gpd.GeoDataFrame):
    """Share of each township's area in each cell, and its station.

    Parameters
    ----------
    cells : GeoDataFrame
        Station cells with a ``station`` column (see :func:`~geoairplan.coverage.station_cells`).
    townships : GeoDataFrame
        MOI townships (``COUNTYNAME, TOWNNAME, TOWNCODE``).

    Returns
    -------
    assignment : GeoDataFrame
        One row per township (in the given order): ``county, township,
        towncode, station`` (largest share; ties go to the earlier station),
        ``share``, ``majority`` (share > 50 %), ``second_station,
        second_share, n_stations, shares`` (text, largest first) and
        ``area_km2``, with the township's geometry (EPSG:3826).
    shares : DataFrame
        The long table ``county, township, station, area_km2, share``
        (pieces above :data:`SLIVER_M2` only).
    """
    cells = to_tm2(cells, source="cells")
    towns = to_tm2(townships, source="townships")
    tg = towns.geometry.to_numpy()
    cg = cells.geometry.to_numpy()
    names = cells["station"].tolist()
    A = shapely.area(shapely.intersection(tg[:, None], cg[None, :]))
    A = np.where(A < SLIVER_M2, 0.0, A)
    tarea = shapely.area(tg)
    S = A / tarea[:, None]
    rows, long = [], []
    for i, tr in enumerate(towns.itertuples(index=False)):
        order = sorted(range(len(names)), key=lambda j: (-S[i, j], j))
        order = [j for j in order if A[i, j] > 0]
        if not order:
            rows.append({"county": tr.COUNTYNAME, "township": tr.TOWNNAME, "towncode": tr.TOWNCODE,
                         "station": None, "share": 0.0, "majority": False, "second_station": None,
                         "second_share": 0.0, "n_stations": 0, "shares": "", "area_km2": tarea[i] / 1e6})
            continue
        j0 = order[0]
        j1 = order[1] if len(order) > 1 else None
        rows.append({
            "county": tr.COUNTYNAME, "township": tr.TOWNNAME, "towncode": tr.TOWNCODE,
            "station": names[j0], "share": float(S[i, j0]), "majority": bool(S[i, j0] > MAJORITY),
            "second_station": names[j1] if j1 is not None else None,
            "second_share": float(S[i, j1]) if j1 is not None else 0.0,
            "n_stations": len(order),
            "shares": "; ".join(f"{names[j]} {S[i, j]:.1%}" for j in order if S[i, j] >= 0.0005),
            "area_km2": tarea[i] / 1e6,
        })
        for j in order:
            long.append({"county": tr.COUNTYNAME, "township": tr.TOWNNAME, "station": names[j],
                         "area_km2": A[i, j] / 1e6, "share": float(S[i, j])})
    assignment = gpd.GeoDataFrame(rows, geometry=list(tg), crs=TM2)
    shares = pd.DataFrame(long, columns=["county", "township", "station", "area_km2", "share"])
    return assignment, shares
