"""The embedded MOENV monitoring stations, with county, township, zone and pollutants.

Built into ``data/stations.csv`` by ``scripts/build_stations.py`` from the
MOENV station list (aqx_p_07); see ``data/README.md`` for sources.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from geoairplan.errors import InputError
from geoairplan.reference.geography import check_county, data_dir
from geoairplan.reference.pollutants import check_pollutant

__all__ = ["load_stations", "SITE_TYPES", "COVERAGE_TYPES", "normalize_sitetype", "check_types"]

#: MOENV station types (``sitetype`` of the station list ``aqx_p_07``), in the spelling
#: of the registry. The list itself writes ``公園站`` for 國家公園站 and ``其它站`` for 其他.
SITE_TYPES = ("一般站", "交通站", "工業站", "國家公園站", "背景站", "其他")

#: The station types the regulation's official coverage tables use, the default for
#: coverage and warnings. Every station of the three embedded tables is of one of them:
#: 003 表 2 (seed 003 L95-L97: 屏東站, 潮州站, 恆春站 -- 一般站 in aqx_p_07);
#: 002 表 7.3 (seed 002 L4343-L4347: 斗六, 崙背 -- "一般空氣品質監測站", 麥寮, 臺西 --
#: "工業測站", seed 002 L1207 and 表 3.2 L1220-L1223); 001 附件 3 (seed 001 L2481-L2487:
#: 馬公站 -- 一般站 in aqx_p_07). No table lists a 交通站, 背景站, 國家公園站 or 其他
#: station, nor a station missing from aqx_p_07 (屏東(琉球), 屏東(枋山), whose type the
#: sources do not state: they are in 屏東縣 but not in 003 表 2).
COVERAGE_TYPES = ("一般站", "工業站")

_TYPE_ALIASES = {"一般": "一般站", "一般測站": "一般站", "一般空氣品質監測站": "一般站", "general": "一般站",
                 "交通": "交通站", "交通測站": "交通站", "traffic": "交通站",
                 "工業": "工業站", "工業測站": "工業站", "industrial": "工業站",
                 "公園站": "國家公園站", "國家公園": "國家公園站", "國家公園測站": "國家公園站",
                 "park": "國家公園站", "national park": "國家公園站",
                 "背景": "背景站", "背景測站": "背景站", "background": "背景站",
                 "其它站": "其他", "其他站": "其他", "其它": "其他", "other": "其他"}


def normalize_sitetype(text: str | None) -> str | None:
    """The registry spelling of a MOENV station type (``公園站`` -> ``國家公園站``), None if unknown.

    Parameters
    ----------
    text : str or None
        A station type as MOENV or a user writes it.

    Returns
    -------
    str or None
        One of :data:`SITE_TYPES`, or None for blank or unknown text.
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    t = str(text).strip()
    if t in SITE_TYPES:
        return t
    return _TYPE_ALIASES.get(t.lower(), _TYPE_ALIASES.get(t))


def check_types(types) -> tuple[str, ...]:
    """Station types as given by a user (a string ``"一般站,工業站"``, a list, or ``"all"``), checked.

    Parameters
    ----------
    types : str or iterable of str
        Station types in any spelling :func:`normalize_sitetype` knows; ``"all"`` means every type.

    Returns
    -------
    tuple of str
        The types in :data:`SITE_TYPES` spelling, in that order.

    Raises
    ------
    InputError
        For a type that is not a MOENV station type (the message lists them), ``where="types"``.
    """
    if isinstance(types, str):
        if types.strip().lower() == "all":
            return SITE_TYPES
        types = [t for t in re.split(r"[,;，、\s]+", types) if t]
    got = []
    for t in types:
        n = normalize_sitetype(t)
        if n is None:
            raise InputError(f"unknown station type {t!r}", where="types",
                             fix="use one or more of " + ", ".join(SITE_TYPES) + " (or 'all')")
        got.append(n)
    return tuple(t for t in SITE_TYPES if t in got)


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
