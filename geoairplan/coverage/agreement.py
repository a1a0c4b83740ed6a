"""Agreement of an official coverage table with the computed (nearest-station) assignment."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

__all__ = ["agreement_report"]


def agreement_report(assignment: gpd.GeoDataFrame, shares: pd.DataFrame,
                     official: pd.DataFrame) -> gpd.GeoDataFrame:
    """Township by township: official station against the computed one, with the area shares.

    Parameters
    ----------
    assignment : GeoDataFrame
        From :func:`~geoairplan.coverage.assign_townships`.
    shares : DataFrame
        The long share table from the same call.
    official : DataFrame
        ``township, station`` (see :func:`~geoairplan.coverage.read_official_coverage`).

    Returns
    -------
    GeoDataFrame
        Columns ``county, township, official_station, official_share``
        (share of the township in the official station's computed cell; 0
        when that station was not computed), ``computed_station,
        computed_share, majority, agree, shares``; the township's geometry.
    """
    off = official.set_index("township")["station"]
    sh = {(r.township, r.station): r.share for r in shares.itertuples(index=False)}
    rows = []
    for r in assignment.itertuples(index=False):
        o = off.get(r.township)
        rows.append({"county": r.county, "township": r.township, "official_station": o,
                     "official_share": float(sh.get((r.township, o), 0.0)),
                     "computed_station": r.station, "computed_share": r.share, "majority": r.majority,
                     "agree": bool(o == r.station), "shares": r.shares})
    return gpd.GeoDataFrame(rows, geometry=assignment.geometry.to_numpy(), crs=assignment.crs)
