"""The embedded MOENV monitoring stations, with county, township, zone and pollutants.

Built into ``data/stations.csv`` by ``scripts/build_stations.py`` from the
MOENV station list (aqx_p_07); see ``data/README.md`` for sources.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geoairplan.reference.geography import check_county, data_dir
from geoairplan.reference.pollutants import check_pollutant

__all__ = ["load_stations"]


def _read_csv() -> pd.DataFrame:
    return pd.read_csv(data_dir() / "stations.csv", dtype=str, keep_default_na=False, na_values=[""])


def load_stations(county: str | None = None, pollutant: str | None = None) -> gpd.GeoDataFrame:
    """Embedded MOENV stations (EPSG:4326), optionally of one county and measuring one pollutant.

    Parameters
    ----------
    county : str, optional
        County or city as users write it (checked with :func:`~geoairplan.reference.geography.check_county`).
    pollutant : str, optional
        Keep the stations that measure it (any spelling: ``PM25``, ``細懸浮微粒``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per station: ``name_zh, name_en, siteid, county, township, zone,
        pollutants`` (``;``-separated codes), ``lon, lat, x_tm2, y_tm2`` and the point.
    """
    df = _read_csv()
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon.astype(float), df.lat.astype(float)),
                           crs=4326)
    for c in ("lon", "lat", "x_tm2", "y_tm2"):
        gdf[c] = gdf[c].astype(float)
    if county is not None:
        gdf = gdf[gdf["county"] == check_county(county)]
    if pollutant is not None:
        p = check_pollutant(pollutant)
        gdf = gdf[gdf["pollutants"].str.split(";").map(lambda ps: p in ps)]
    return gdf.reset_index(drop=True)
