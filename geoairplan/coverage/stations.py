"""Stations for coverage: embedded names, a user's table or layer, checked and placed in EPSG:3826."""

from __future__ import annotations

import unicodedata

from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geoairplan import datasets
from geoairplan.errors import InputError, Problems
from geoairplan.io.columns import find_column
from geoairplan.io.coverage_table import STATION_COLUMNS
from geoairplan.io.crs import TM2, points_from_xy, to_tm2
from geoairplan.io.tables import is_scenario, read_text_table
from geoairplan.reference.names import station_key, suggest
from geoairplan.reference.pollutants import check_pollutant
from geoairplan.reference.stations import check_types

__all__ = ["prepare_stations", "types_text", "DUPLICATE_TOLERANCE_M", "SEA_ERROR_M"]

#: Two stations closer than this (metres) are the same position: an error.
DUPLICATE_TOLERANCE_M = 1.0
#: A station farther than this (metres) from every township is refused (wrong coordinates or CRS).
SEA_ERROR_M = 30_000.0

_LON_COLS = ("lon", "longitude", "lng", "twd97lon", "經度")
_LAT_COLS = ("lat", "latitude", "twd97lat", "緯度")
_X_COLS = ("x_tm2", "x", "twd97_x", "tm2_x", "easting", "utm_e", "e")
_Y_COLS = ("y_tm2", "y", "twd97_y", "tm2_y", "northing", "utm_n", "n")
_POLL_COLS = ("pollutants", "測項", "items")


def _all_townships() -> gpd.GeoDataFrame:
    t = datasets.load_townships().to_crs(TM2)
    return t[["COUNTYNAME", "TOWNNAME", "TOWNCODE", "geometry"]]


def _embedded(types) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The embedded stations in EPSG:3826, those of ``types`` (None: every type) and the others."""
    emb = datasets.load_stations().to_crs(TM2).rename(columns={"name_zh": "station"})
    if types is None:
        return emb, emb.iloc[0:0]
    keep = emb["sitetype"].isin(check_types(types)).to_numpy()
    return emb[keep], pd.DataFrame(emb.loc[~keep, ["station", "county", "sitetype"]]).reset_index(drop=True)


def types_text(types) -> str:
    """How outputs state the station types used: ``一般站、工業站`` or ``all types (every station)``.

    Parameters
    ----------
    types : None, str or iterable of str
        As for :func:`prepare_stations`.

    Returns
    -------
    str
    """
    if types is None:
        return "all types (every station)"
    t = check_types(types)
    return "all types (every station)" if len(t) == 6 else "、".join(t)


def prepare_stations(stations=None, *, pollutant: str | None = None,
                     source: str = "stations", types=None) -> gpd.GeoDataFrame:
    """Stations as a checked EPSG:3826 layer, input order kept.

    Parameters
    ----------
    stations : None, str, list of str, PathLike or (Geo)DataFrame
        ``None`` (the embedded MOENV stations), a list of embedded station
        names (or one comma-separated string; ``"all"``), a CSV path
        (``station`` or ``測站`` and either ``lon``/``lat`` in EPSG:4326 or
        ``x_tm2``/``y_tm2`` in EPSG:3826; optional ``pollutants`` separated by
        ``;``), or a (Geo)DataFrame of the same.
    pollutant : str, optional
        Keep only the stations that say they measure it.
    source : str
        How messages name the stations.
    types : None, str or iterable of str
        MOENV station types (``sitetype``) the embedded stations are chosen
        from when ``stations`` is None or ``"all"`` (e.g.
        :data:`~geoairplan.reference.stations.COVERAGE_TYPES`; ``"all"`` or
        None: every station, including those whose type the sources do not
        state). Stations named explicitly or given in a table are used as given.

    Returns
    -------
    GeoDataFrame
        Columns ``station, county, township, pollutants, dist_to_land_m,
        geometry`` (EPSG:3826); county and township come from the position
        (spatial join), never from a typed column. ``attrs``: ``problems``,
        ``source``, ``explicit`` (stations were given), ``scenario`` (a given
        table declares itself scenario data), ``types`` (the types chosen by,
        or None) and ``excluded`` (embedded stations left out by their type:
        ``station, county, sitetype``).

    Raises
    ------
    InputError
        Duplicate names or positions, stations more than :data:`SEA_ERROR_M`
        from every township, or a ``pollutant`` the stations do not say they
        measure.
    """
    probs = Problems()
    scenario = False
    excluded = pd.DataFrame(columns=["station", "county", "sitetype"])
    if isinstance(types, str) and types.strip().lower() == "all":
        types = None
    chosen = check_types(types) if types is not None else None
    if stations is None:
        df, excluded = _embedded(chosen)
        source = "embedded stations (data/stations.csv)"
    elif isinstance(stations, (list, tuple)) or (isinstance(stations, str) and not _looks_like_path(stations)):
        names = [station_key(n) for n in (stations.split(",") if isinstance(stations, str) else stations)]
        names = [n for n in names if n]
        if names == ["all"]:
            out = prepare_stations(None, pollutant=pollutant, types=chosen)
            out.attrs["explicit"] = False
            return out
        emb = datasets.load_stations().to_crs(TM2).rename(columns={"name_zh": "station"})
        known = emb["station"].tolist()
        for n in names:
            if n not in known:
                hint = suggest(n, known)
                raise InputError(f"no embedded station named {n!r}", where=source,
                                 fix=("did you mean " + " or ".join(hint) + "? " if hint else "")
                                 + "the embedded stations are listed by 'geoairplan data show stations'")
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"station {dup[0]!r} is named twice", where=source, fix="name each station once")
        df = emb.set_index("station").loc[names].reset_index()
        source = "embedded stations " + ", ".join(names)
    else:
        if isinstance(stations, (str, PathLike)):
            source = str(stations)
            stations = read_text_table(Path(stations), source="stations")
            probs.extend(stations.attrs.get("problems") or [])
        scenario = is_scenario(stations)
        df = _stations_from_frame(stations, source, probs)

    df = gpd.GeoDataFrame(df, geometry="geometry", crs=df.crs).reset_index(drop=True)
    if len(df) == 0:
        raise InputError("no stations given", file=source, fix="give at least one station with coordinates")
    # the official name as written (spaces and a trailing 站 kept) for display; ``station`` is the join key
    df["name"] = df["station"].map(display_name)
    df["station"] = df["station"].map(station_key)
    if df["station"].isna().any():
        i = int(np.flatnonzero(df["station"].isna())[0])
        raise InputError("a station has no name", file=source, where=f"row {i + 2}",
                         fix="fill in the station column")
    dup = df["station"][df["station"].duplicated()]
    if len(dup):
        raise InputError(f"station {dup.iloc[0]!r} is listed twice", file=source,
                         fix="list each station once (rename one if they are different stations)")
    _check_duplicate_positions(df, source)

    # county and township from the position; stations off the coast are reported
    towns = _all_townships()
    hit = gpd.sjoin(df[["geometry"]], towns, how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")].reindex(df.index)
    df["county"] = hit["COUNTYNAME"].to_numpy()
    df["township"] = hit["TOWNNAME"].to_numpy()
    df["dist_to_land_m"] = 0.0
    for i in np.flatnonzero(df["county"].isna().to_numpy()):
        pt = df.geometry.iloc[i]
        d = towns.distance(pt)
        j = int(np.argmin(d.to_numpy()))
        dist = float(d.iloc[j])
        near = towns.iloc[j]
        name = df["station"].iloc[i]
        if dist > SEA_ERROR_M:
            raise InputError(f"station {name!r} is {dist / 1000:.1f} km from the nearest township "
                             f"({near.COUNTYNAME}{near.TOWNNAME}): it is not on land", file=source,
                             where=f"station {name}",
                             fix="check its coordinates and their CRS (lon/lat in EPSG:4326, TM2 metres in "
                                 "EPSG:3826; TWD67 is about 830 m off)")
        df.loc[df.index[i], ["county", "township", "dist_to_land_m"]] = [near.COUNTYNAME, near.TOWNNAME,
                                                                        round(dist, 1)]
        probs.add(source, f"station {name}",
                  f"outside every township (at sea), {dist:.0f} m from {near.COUNTYNAME}{near.TOWNNAME}; "
                  "used, counted in that county; check its coordinates", "warning")

    if "pollutants" not in df.columns:
        df["pollutants"] = None
    p = check_pollutant(pollutant)
    if p is not None:
        if df["pollutants"].isna().all():
            raise InputError(f"the stations do not say which pollutants they measure, so {p} cannot be "
                             "used to choose them", file=source,
                             fix="add a 'pollutants' column (e.g. pm2.5;pm10;o3) or leave out the pollutant")
        measures = df["pollutants"].fillna("").str.lower().str.replace(" ", "").str.split(";")
        keep = measures.map(lambda ps: p in ps)
        df = df[keep.to_numpy()]
    out = gpd.GeoDataFrame(df[["station", "name", "county", "township", "pollutants", "dist_to_land_m", "geometry"]]
                           .reset_index(drop=True), geometry="geometry", crs=TM2)
    out.attrs["problems"] = probs
    out.attrs["source"] = source
    out.attrs["explicit"] = stations is not None
    out.attrs["scenario"] = scenario
    out.attrs["types"] = chosen if stations is None else None
    out.attrs["excluded"] = excluded
    return out


def display_name(name) -> str | None:
    """A station's name as written, for display: NFKC-folded, outer spaces trimmed, inner runs of spaces
    kept as one, 台 -> 臺; a trailing 站 and the spaces are kept (``station_key`` drops them for joining)."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return None
    s = " ".join(unicodedata.normalize("NFKC", str(name)).split())
    return s.replace("台", "臺") or None


def _looks_like_path(text: str) -> bool:
    return (text.lower().endswith((".csv", ".txt", ".tsv")) or "/" in text or "\\" in text
            or Path(text).exists())


def _stations_from_frame(df: pd.DataFrame, source: str, probs: Problems) -> gpd.GeoDataFrame:
    if isinstance(df, gpd.GeoDataFrame) and df.geometry is not None and df.geometry.notna().any():
        g = to_tm2(df, source=source)
        name = find_column(g.columns, STATION_COLUMNS)
        if name is None:
            raise InputError("the stations layer has no station-name column", file=source,
                             fix="name it 'station' (or 測站)")
        out = gpd.GeoDataFrame({"station": g[name].astype(str).to_numpy()}, geometry=g.geometry.to_numpy(),
                               crs=TM2)
        pc = find_column(g.columns, _POLL_COLS)
        out["pollutants"] = g[pc].to_numpy() if pc else None
        bad = ~out.geometry.geom_type.eq("Point")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"station {out['station'].iloc[i]!r} is a {out.geometry.iloc[i].geom_type}, "
                             "not a point", file=source, fix="give one point per station")
        return out
    df = pd.DataFrame(df)
    name = find_column(df.columns, STATION_COLUMNS)
    if name is None:
        raise InputError("the stations table has no station-name column", file=source,
                         where="header: " + ", ".join(map(str, df.columns)),
                         fix="name it 'station' (or 測站), with lon/lat or x_tm2/y_tm2 columns")
    lon, lat = find_column(df.columns, _LON_COLS), find_column(df.columns, _LAT_COLS)
    x, y = find_column(df.columns, _X_COLS), find_column(df.columns, _Y_COLS)
    if lon and lat:
        cx, cy, crs = lon, lat, "EPSG:4326"
    elif x and y:
        cx, cy, crs = x, y, TM2
    else:
        raise InputError("the stations table has no coordinates", file=source,
                         where="header: " + ", ".join(map(str, df.columns)),
                         fix="add lon/lat (EPSG:4326) or x_tm2/y_tm2 (TWD97 TM2 metres, EPSG:3826) columns")
    xs = pd.to_numeric(df[cx], errors="coerce")
    ys = pd.to_numeric(df[cy], errors="coerce")
    ok = xs.notna() & ys.notna()
    for i in np.flatnonzero(~ok.to_numpy()):
        probs.add(source, f"row {i + 2} ({df[name].iloc[i]})",
                  f"no usable coordinates ({df[cx].iloc[i]!r}, {df[cy].iloc[i]!r}); station not used")
    df, xs, ys = df[ok.to_numpy()], xs[ok], ys[ok]
    rows = [f"row {i + 2} ({n})" for i, n in zip(np.flatnonzero(ok.to_numpy()), df[name])]
    pts = points_from_xy(xs.to_numpy(float), ys.to_numpy(float), crs, source=source, rows=rows)
    out = gpd.GeoDataFrame({"station": df[name].to_numpy()}, geometry=pts.to_numpy(), crs=TM2)
    pc = find_column(df.columns, _POLL_COLS)
    out["pollutants"] = df[pc].to_numpy() if pc else None
    return out


def _check_duplicate_positions(df: gpd.GeoDataFrame, source: str) -> None:
    xy = np.column_stack([df.geometry.x.to_numpy(), df.geometry.y.to_numpy()])
    if len(xy) < 2:
        return
    pairs = sorted(cKDTree(xy).query_pairs(DUPLICATE_TOLERANCE_M))
    if pairs:
        i, j = pairs[0]
        a, b = df["station"].iloc[i], df["station"].iloc[j]
        raise InputError(f"stations {a!r} and {b!r} are at the same position "
                         f"({xy[i, 0]:.1f}, {xy[i, 1]:.1f} in EPSG:3826)", file=source,
                         fix="each station needs its own position: remove the duplicate or correct its coordinates")
