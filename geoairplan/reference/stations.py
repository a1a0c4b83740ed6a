"""The embedded MOENV monitoring stations, with county, township, zone and pollutants.

Built into ``data/stations.csv`` by ``scripts/build_stations.py`` from the
MOENV station list (aqx_p_07); see ``data/README.md`` for sources.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geoairplan.reference.geography import check_county, data_dir
from geoairplan.reference.pollutants import check_pollutant
from geoairplan.reference.sitetypes import COVERAGE_TYPES, SITE_TYPES, check_types, normalize_sitetype  # noqa: F401

__all__ = ["load_stations", "SITE_TYPES", "COVERAGE_TYPES", "normalize_sitetype", "check_types"]

def _read_csv() -> pd.DataFrame:
    return pd.read_csv(data_dir() / "stations.csv", dtype=str, keep_default_na=False, na_values=[""])


def load_stations(county: str | None = None, pollutant: str | None = None,
                  types=None) -> gpd.GeoDataFrame:
    """Embedded MOENV stations (EPSG:4326), optionally of one county, measuring one pollutant, of some types.

    Parameters
    ----------
    county : str, optional
        County or city as users write it (checked with :func:`~geoairplan.reference.geography.check_county`).
    pollutant : str, optional
        Keep the stations that measure it (any spelling: ``PM25``, ``細懸浮微粒``).
    types : str or iterable of str, optional
        Keep the stations of these MOENV types (:data:`SITE_TYPES`; ``"all"`` = every
        type). None (default) keeps every station, including those whose type the
        sources do not state. Coverage and warnings use :data:`COVERAGE_TYPES`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per station: ``name_zh, name_en, county, township, zone, lon, lat,
        x_tm2, y_tm2, station_type`` (from the seeds), ``pollutants`` (``;``-separated
        codes), ``pollutants_source, source, source_file, retrieved, siteid``,
        ``sitetype`` (MOENV type, empty where the sources do not state it),
        ``township_published`` and the point.
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
    if types is not None:
        gdf = gdf[gdf["sitetype"].isin(check_types(types))]
    return gdf.reset_index(drop=True)
