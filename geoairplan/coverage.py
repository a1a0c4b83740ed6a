"""Station coverage areas: Voronoi cells in TM2, the official seed tables, and their agreement.

Warnings are issued "by station coverage area" (regulation 004 Art. 4;
Pingtung 003 Table 2; Yunlin 002 Table 7.3; Penghu 001 Appendix 1 附件3).
This module gives the two ways of knowing a station's area and compares them:

* **Computed** coverage: the Thiessen (Voronoi) cell of every station,
  computed in EPSG:3826 with the stations' order kept, clipped to the
  county's land (every island included). Optionally for one pollutant, with
  only the stations that measure it, and with stations of neighbouring
  counties taking part (``include_neighbours``).
* **Township assignment**: the share of each township's area in each
  station's cell, the station with the largest share, and a flag where no
  station holds a majority (> 50 %).
* **Official** coverage: the seed tables embedded in ``data/coverage_official.csv``
  (屏東縣, 雲林縣, 澎湖縣) or a user's table (county, station, township; Chinese
  headers such as 縣市, 測站, 鄉鎮市區 or 涵蓋區域 are accepted, and a cell may
  list several townships separated by 、). Every township of the county must
  be listed exactly once.
* **Agreement report**: township by township, the official station against
  the computed one, with the area shares.

:func:`township_station_map` is what the warnings module uses to turn a
station's level into a warning zone: the official table where one exists,
otherwise the computed assignment.

>>> from geoairplan.coverage import coverage_analysis
>>> res = coverage_analysis("屏東縣")                      # doctest: +SKIP
>>> res.summary()["differ"]                                 # doctest: +SKIP
['萬丹鄉', '枋山鄉']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely

from geoairplan.io.output import write_gpkg
from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import TM2, points_from_xy, to_tm2
from geoairplan.reference.geography import normalize_county
from geoairplan.reference.names import normalize_name, suggest

__all__ = ["CoverageResult", "prepare_stations", "voronoi_cells", "station_cells", "assign_townships",
           "read_official_coverage", "official_coverage", "agreement_report", "coverage_analysis",
           "township_station_map", "write_coverage_outputs", "output_layers", "write_gpkg", "station_key",
           "MAJORITY", "DUPLICATE_TOLERANCE_M", "SEA_ERROR_M"]

#: A station "holds" a township when its cell covers more than this share of the township's area.
MAJORITY = 0.5
#: Two stations closer than this (metres) are the same position: an error.
DUPLICATE_TOLERANCE_M = 1.0
#: A station farther than this (metres) from every township is refused (wrong coordinates or CRS).
SEA_ERROR_M = 30_000.0
#: Pieces of a township in a cell smaller than this (m²) are treated as slivers (share 0).
SLIVER_M2 = 1.0

# Column names accepted in users' tables, lower-cased, spaces removed.
_STATION_COLS = ("station", "station_name", "name_zh", "name", "sitename", "測站", "測站名稱", "站名",
                 "空品測站", "監測站")
_COUNTY_COLS = ("county", "countyname", "county_zh", "縣市", "縣市別", "縣市名稱")
_TOWN_COLS = ("township", "town", "townname", "township_zh", "鄉鎮", "鄉鎮市", "鄉鎮市區", "鄉鎮市區名稱",
              "涵蓋區域", "涵蓋鄉鎮", "涵蓋鄉鎮市")
_LON_COLS = ("lon", "longitude", "lng", "twd97lon", "經度")
_LAT_COLS = ("lat", "latitude", "twd97lat", "緯度")
_X_COLS = ("x_tm2", "x", "twd97_x", "tm2_x", "easting", "utm_e", "e")
_Y_COLS = ("y_tm2", "y", "twd97_y", "tm2_y", "northing", "utm_n", "n")
_POLL_COLS = ("pollutants", "測項", "items")
_SPLIT = re.compile(r"[、，,；;/]+")
# "…等十一鄉鎮" closing a printed list: the count it states is checked.
_COUNT = re.compile(r"(?:等|共)\s*([0-9０-９一二三四五六七八九十兩]+)\s*(?:個)?(?:鄉鎮市區|鄉鎮市|鄉鎮|鄉市|鄉)\s*$")
_ZH_DIGITS = {"一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _zh_number(text: str) -> int | None:
    """11 from 十一, 16 from 十六, 33 from 三十三, 6 from 6."""
    t = unicodedata.normalize("NFKC", text)
    if t.isdigit():
        return int(t)
    if "十" in t:
        tens, _, ones = t.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return _ZH_DIGITS.get(t)


# --------------------------------------------------------------------------- names

def station_key(name) -> str | None:
    """A station's name as geoairplan joins on it: normalised, without 站/測站.

    >>> station_key("台西測站"), station_key("屏東（琉球）"), station_key("恒春站")
    ('臺西', '屏東(琉球)', '恆春')
    """
    s = normalize_name(name)
    if s is None:
        return None
    for suffix in ("空氣品質監測站", "監測站", "測站", "站"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


def _pollutant(p: str | None) -> str | None:
    if p is None:
        return None
    from geoairplan.datasets import POLLUTANTS

    key = str(p).strip().lower().replace("pm25", "pm2.5").replace("₂.₅", "2.5").replace(" ", "")
    key = {"pm2_5": "pm2.5", "ozone": "o3"}.get(key, key)
    if key not in POLLUTANTS:
        hint = suggest(key, POLLUTANTS)
        raise InputError(f"unknown pollutant {p!r}", where="pollutant",
                         fix=("did you mean " + " or ".join(hint) + "? " if hint else "")
                         + "use one of " + ", ".join(POLLUTANTS))
    return key


def _pick(cols, aliases) -> str | None:
    norm = {re.sub(r"\s+", "", str(c)).lower(): c for c in cols}
    for a in aliases:
        if a in norm:
            return norm[a]
    return None


def _read_table(path, what: str) -> pd.DataFrame:
    from geoairplan.io.tables import read_text_table

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    return read_text_table(path, source=what)


# --------------------------------------------------------------------------- stations

def _all_townships() -> gpd.GeoDataFrame:
    from geoairplan.datasets import load_townships

    t = load_townships().to_crs(TM2)
    return t[["COUNTYNAME", "TOWNNAME", "TOWNCODE", "geometry"]]


def prepare_stations(stations=None, *, pollutant: str | None = None,
                     source: str = "stations") -> gpd.GeoDataFrame:
    """Stations as a checked EPSG:3826 layer, input order kept.

    ``stations`` is ``None`` (the embedded MOENV stations), a list of embedded
    station names, a CSV path (``station`` or ``測站`` and either ``lon``/``lat``
    in EPSG:4326 or ``x_tm2``/``y_tm2`` in EPSG:3826; optional ``pollutants``
    separated by ``;``), or a (Geo)DataFrame of the same. Returns columns
    ``station, county, township, pollutants, dist_to_land_m, geometry``;
    county and township come from the position (spatial join), never from a
    typed column. ``attrs["problems"]`` lists what was reported.

    Raises :class:`InputError` for duplicate names or positions, stations
    more than :data:`SEA_ERROR_M` from every township, or a ``pollutant`` the
    stations do not say they measure.
    """
    from geoairplan import datasets

    probs = Problems()
    if stations is None:
        df = datasets.load_stations().to_crs(TM2).rename(columns={"name_zh": "station"})
        source = "embedded stations (data/stations.csv)"
    elif isinstance(stations, (list, tuple)) or (isinstance(stations, str) and not _looks_like_path(stations)):
        names = [station_key(n) for n in (stations.split(",") if isinstance(stations, str) else stations)]
        names = [n for n in names if n]
        if names == ["all"]:
            out = prepare_stations(None, pollutant=pollutant)
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
            stations = _read_table(stations, "stations")
        df = _stations_from_frame(stations, source, probs)

    df = gpd.GeoDataFrame(df, geometry="geometry", crs=df.crs).reset_index(drop=True)
    if len(df) == 0:
        raise InputError("no stations given", file=source, fix="give at least one station with coordinates")
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
    p = _pollutant(pollutant)
    if p is not None:
        if df["pollutants"].isna().all():
            raise InputError(f"the stations do not say which pollutants they measure, so {p} cannot be "
                             "used to choose them", file=source,
                             fix="add a 'pollutants' column (e.g. pm2.5;pm10;o3) or leave out the pollutant")
        measures = df["pollutants"].fillna("").str.lower().str.replace(" ", "").str.split(";")
        keep = measures.map(lambda ps: p in ps)
        df = df[keep.to_numpy()]
    out = gpd.GeoDataFrame(df[["station", "county", "township", "pollutants", "dist_to_land_m", "geometry"]]
                           .reset_index(drop=True), geometry="geometry", crs=TM2)
    out.attrs["problems"] = probs
    out.attrs["source"] = source
    out.attrs["explicit"] = stations is not None
    return out


def _looks_like_path(text: str) -> bool:
    return (text.lower().endswith((".csv", ".txt", ".tsv")) or "/" in text or "\\" in text
            or Path(text).exists())


def _stations_from_frame(df: pd.DataFrame, source: str, probs: Problems) -> gpd.GeoDataFrame:
    if isinstance(df, gpd.GeoDataFrame) and df.geometry is not None and df.geometry.notna().any():
        g = to_tm2(df, source=source)
        name = _pick(g.columns, _STATION_COLS)
        if name is None:
            raise InputError("the stations layer has no station-name column", file=source,
                             fix="name it 'station' (or 測站)")
        out = gpd.GeoDataFrame({"station": g[name].astype(str).to_numpy()}, geometry=g.geometry.to_numpy(),
                               crs=TM2)
        pc = _pick(g.columns, _POLL_COLS)
        out["pollutants"] = g[pc].to_numpy() if pc else None
        bad = ~out.geometry.geom_type.eq("Point")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"station {out['station'].iloc[i]!r} is a {out.geometry.iloc[i].geom_type}, "
                             "not a point", file=source, fix="give one point per station")
        return out
    df = pd.DataFrame(df)
    name = _pick(df.columns, _STATION_COLS)
    if name is None:
        raise InputError("the stations table has no station-name column", file=source,
                         where="header: " + ", ".join(map(str, df.columns)),
                         fix="name it 'station' (or 測站), with lon/lat or x_tm2/y_tm2 columns")
    lon, lat = _pick(df.columns, _LON_COLS), _pick(df.columns, _LAT_COLS)
    x, y = _pick(df.columns, _X_COLS), _pick(df.columns, _Y_COLS)
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
    pc = _pick(df.columns, _POLL_COLS)
    out["pollutants"] = df[pc].to_numpy() if pc else None
    return out


def _check_duplicate_positions(df: gpd.GeoDataFrame, source: str) -> None:
    xy = np.column_stack([df.geometry.x.to_numpy(), df.geometry.y.to_numpy()])
    if len(xy) < 2:
        return
    from scipy.spatial import cKDTree

    pairs = sorted(cKDTree(xy).query_pairs(DUPLICATE_TOLERANCE_M))
    if pairs:
        i, j = pairs[0]
        a, b = df["station"].iloc[i], df["station"].iloc[j]
        raise InputError(f"stations {a!r} and {b!r} are at the same position "
                         f"({xy[i, 0]:.1f}, {xy[i, 1]:.1f} in EPSG:3826)", file=source,
                         fix="each station needs its own position: remove the duplicate or correct its coordinates")


# --------------------------------------------------------------------------- Voronoi

def voronoi_cells(points, *, extent=None) -> gpd.GeoSeries:
    """The Voronoi (Thiessen) cell of every point, in the points' order.

    ``points`` is a GeoSeries/GeoDataFrame in a projected CRS (EPSG:3826 for
    Taiwan) or an array of shapely points. Cells cover ``extent`` (a shapely
    geometry; default: the points' envelope grown by 200 km), so that clipping
    them to land afterwards never loses land. One point gives one cell: the
    whole extent.
    """
    crs = getattr(points, "crs", None)
    if crs is not None:
        from pyproj import CRS

        if CRS(crs).is_geographic:
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
            raise RuntimeError("Voronoi diagram did not return one cell per point")
    return gpd.GeoSeries(cells, crs=crs)


def _county_land(county: str) -> tuple[gpd.GeoDataFrame, object]:
    from geoairplan.datasets import load_counties, load_townships

    towns = load_townships(county).to_crs(TM2)
    towns["geometry"] = shapely.make_valid(towns.geometry.to_numpy())
    towns = towns.sort_values("TOWNCODE", kind="stable").reset_index(drop=True)
    # The county outline and its townships; the MOI county layer of 澎湖縣 holds
    # three islets (0.27 km²) that no township polygon covers: they are land too.
    outline = shapely.make_valid(load_counties(county).to_crs(TM2).geometry.to_numpy())
    land = shapely.union_all(np.concatenate([towns.geometry.to_numpy(), outline]))
    return towns, land


@dataclass
class _Cells:
    cells: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    land: object
    problems: Problems


def _compute_cells(county: str, stations=None, pollutant=None, include_neighbours=False,
                   county_stations: list[str] | None = None) -> _Cells:
    from geoairplan.datasets import check_county

    county = check_county(county)
    p = _pollutant(pollutant)
    st = prepare_stations(stations, pollutant=p)
    probs = Problems()
    probs.extend(st.attrs["problems"])
    source = st.attrs["source"]
    towns, land = _county_land(county)
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
    return _Cells(cells, st, towns, land, probs)


def station_cells(county: str, *, stations=None, pollutant: str | None = None,
                  include_neighbours: bool | float = False) -> gpd.GeoDataFrame:
    """Voronoi cells of the stations, clipped to the county's land (islands included), EPSG:3826.

    ``stations``: see :func:`prepare_stations` (default: the embedded stations
    of the county). ``pollutant``: only stations that measure it.
    ``include_neighbours``: ``True`` lets every given station take part
    (a neighbouring county's station may be nearer), a number lets stations
    within that many metres of the county's land take part. Rows keep the
    stations' order; stations whose cell misses the county are left out (and
    reported). Columns ``county, station, station_county, pollutant,
    area_km2, share_of_county``; ``attrs["problems"]``, ``attrs["stations"]``.
    """
    c = _compute_cells(county, stations, pollutant, include_neighbours)
    cells = c.cells
    cells.attrs["problems"] = c.problems
    cells.attrs["stations"] = c.stations
    return cells


# --------------------------------------------------------------------------- townships

def assign_townships(cells: gpd.GeoDataFrame, townships: gpd.GeoDataFrame):
    """Share of each township's area in each cell, and its station.

    Returns ``(assignment, shares)``. ``assignment`` has one row per township
    (in the given order): ``county, township, towncode, station`` (largest
    share; ties go to the earlier station), ``share``, ``majority``
    (share > 50 %), ``second_station, second_share, n_stations, shares``
    (text, largest first) and ``area_km2``, with the township's geometry.
    ``shares`` is the long table ``county, township, station, area_km2, share``
    (pieces above 1 m² only).
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


# --------------------------------------------------------------------------- official tables

def read_official_coverage(table, *, county: str | None = None, source: str | None = None,
                           stations: list[str] | None = None) -> pd.DataFrame:
    """A user's (or the embedded) coverage table, checked against the MOI townships.

    ``table`` is a CSV path or a DataFrame with columns county, station,
    township (English or Chinese headers: 縣市, 測站, 鄉鎮市區 / 涵蓋區域; a
    township cell may list several townships separated by 、 or commas; the
    county column may be left out when ``county`` is given). Names are
    normalised (台→臺, OCR typos, 站 suffixes). Every township of the county
    must be listed exactly once: a township listed twice, a township missing
    or a name that is no township of the county raises :class:`InputError`
    naming it (with the nearest spelling). Returns ``county, station,
    township, township_as_printed`` plus the provenance columns the table
    has, in MOI township order; ``attrs["problems"]``.
    """
    from geoairplan import datasets

    probs = Problems()
    if isinstance(table, (str, PathLike)):
        source = source or str(table)
        df = _read_table(table, "coverage")
    else:
        source = source or "coverage table"
        df = pd.DataFrame(table).copy()
    cc, sc, tc = (_pick(df.columns, a) for a in (_COUNTY_COLS, _STATION_COLS, _TOWN_COLS))
    if sc is None or tc is None:
        raise InputError("the coverage table needs a station and a township column", file=source,
                         where="header: " + ", ".join(map(str, df.columns)),
                         fix="use the headers county, station, township (or 縣市, 測站, 鄉鎮市區)")
    want = datasets.check_county(county) if county is not None else None
    if cc is None:
        if want is None:
            raise InputError("the coverage table has no county column and no county was given", file=source,
                             fix="add a county (縣市) column or give the county (--county)")
        df["_county"] = want
        cc = "_county"
    extra = [c for c in ("source_file", "source_table", "source_lines", "note") if c in df.columns]
    rows = []
    for i, r in enumerate(df.itertuples(index=False)):
        rec = dict(zip(df.columns, r))
        where = f"row {i + 2}"
        raw_county = rec[cc]
        cty = normalize_county(raw_county) if not pd.isna(raw_county) else want
        if cty not in datasets.county_names():
            hint = suggest(str(raw_county), datasets.county_names())
            raise InputError(f"unknown county {raw_county!r}", file=source, where=where,
                             fix=("did you mean " + " or ".join(hint) + "?") if hint else
                             "use an official county name such as 屏東縣")
        stn = station_key(rec[sc]) if not pd.isna(rec[sc]) else None
        cell = rec[tc]
        if stn is None or pd.isna(cell) or not str(cell).strip():
            raise InputError("a row without a station or a township", file=source, where=where,
                             fix="fill in both, or delete the row")
        text = unicodedata.normalize("NFKC", str(cell)).strip()
        whole = text.removeprefix("全") if text.startswith("全") else None
        if whole is not None and normalize_county(whole) in datasets.county_names():
            # "全澎湖縣": the whole county
            if normalize_county(whole) != cty:
                raise InputError(f"row says the whole of {whole} for a station in {cty}", file=source,
                                 where=where, fix="check the county column")
            parts = datasets.township_names(cty)
        else:
            m = _COUNT.search(text)
            stated = None
            if m:
                stated = _zh_number(m.group(1))
                text = text[: m.start()]
            parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
            if stated is not None and stated != len(parts):
                raise InputError(f"the cell for station {stn} says {m.group(0).strip()} ({stated}) but lists "
                                 f"{len(parts)} townships", file=source, where=where,
                                 fix="check the list against the printed count")
        for part in parts:
            rows.append({"county": cty, "station": stn, "township_as_printed": part,
                         "where_row": where, **{c: rec[c] for c in extra}})
    out = pd.DataFrame(rows, columns=["county", "station", "township_as_printed", "where_row", *extra])
    if want is not None:
        other = out[out["county"] != want]
        if len(other):
            probs.add(source, ", ".join(sorted(set(other["where_row"]))),
                      f"{len(other)} row(s) for {', '.join(sorted(set(other['county'])))} not used "
                      f"(this run is for {want})", "warning")
        out = out[out["county"] == want]
    if out.empty:
        raise InputError(f"the coverage table has no rows for {want or 'any county'}", file=source,
                         fix="check the county column")

    frames = []
    for cty, part in out.groupby("county", sort=False):
        frames.append(_check_townships(part.copy(), cty, source))
    res = pd.concat(frames, ignore_index=True)
    if stations is not None:
        for s in sorted(set(res["station"]) - set(stations)):
            hint = suggest(s, stations)
            probs.add(source, f"station {s}", "is not among the computed stations ("
                      + ", ".join(stations) + ")" + (f"; did you mean {' or '.join(hint)}?" if hint else ""),
                      "warning")
    res = res[["county", "station", "township", "township_as_printed", *extra]]
    res.attrs["problems"] = probs
    res.attrs["source"] = source
    return res


def _check_townships(part: pd.DataFrame, county: str, source: str) -> pd.DataFrame:
    from geoairplan import datasets

    towns = datasets.load_townships(county).sort_values("TOWNCODE", kind="stable")
    official = towns["TOWNNAME"].tolist()
    everywhere = datasets.load_townships()[["COUNTYNAME", "TOWNNAME"]]
    names = []
    for r in part.itertuples(index=False):
        n = normalize_name(r.township_as_printed)
        if n not in official:
            # a name written without its 鄉/鎮/市/區 suffix, when unambiguous
            cand = [t for t in official if t[:-1] == n]
            if len(cand) == 1:
                n = cand[0]
        if n not in official:
            elsewhere = everywhere[everywhere["TOWNNAME"] == n]["COUNTYNAME"].tolist()
            hint = suggest(n or "", official)
            fix = ("did you mean " + " or ".join(hint) + "?") if hint else \
                f"use one of {county}'s townships: " + "、".join(official)
            if elsewhere:
                fix = f"{n} is in {'、'.join(elsewhere)}, not {county}; " + fix
            raise InputError(f"township {r.township_as_printed!r} (station {r.station}) is not a township "
                             f"of {county}", file=source, where=r.where_row, fix=fix)
        names.append(n)
    part["township"] = names
    dup = part[part["township"].duplicated(keep=False)]
    if len(dup):
        t = dup["township"].iloc[0]
        d = dup[dup["township"] == t]
        raise InputError(f"township {t} is listed {len(d)} times in {county}'s coverage table (stations "
                         + ", ".join(d["station"]) + ")", file=source, where=", ".join(d["where_row"]),
                         fix="list each township under exactly one station")
    missing = [t for t in official if t not in set(names)]
    if missing:
        raise InputError(f"{len(missing)} township(s) of {county} are missing from the coverage table: "
                         + "、".join(missing), file=source,
                         fix="list every township of the county under one station")
    order = {t: k for k, t in enumerate(official)}
    return part.assign(_o=part["township"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")


def official_coverage(county: str, official=None, *, stations: list[str] | None = None) -> pd.DataFrame | None:
    """The official coverage table for ``county``, checked (see :func:`read_official_coverage`).

    ``official``: ``None`` for the embedded seed table (``None`` is returned
    when the seeds have none for the county), ``False`` for none, or a user's
    CSV path / DataFrame.
    """
    from geoairplan import datasets

    county = datasets.check_county(county)
    if official is False:
        return None
    if official is None:
        df = datasets.load_coverage_official(county)
        if df.empty:
            return None
        return read_official_coverage(df, county=county, stations=stations,
                                      source="data/coverage_official.csv")
    return read_official_coverage(official, county=county, stations=stations)


def agreement_report(assignment: gpd.GeoDataFrame, shares: pd.DataFrame,
                     official: pd.DataFrame) -> gpd.GeoDataFrame:
    """Township by township: official station against the computed one, with the area shares.

    Columns ``county, township, official_station, official_share`` (share of
    the township in the official station's computed cell; 0 when that
    station was not computed), ``computed_station, computed_share, majority,
    agree, shares``; the township's geometry.
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


# --------------------------------------------------------------------------- the whole analysis

@dataclass
class CoverageResult:
    """What :func:`coverage_analysis` computed (layers in EPSG:3826).

    ``stations``: every station considered, with ``used``, ``in_county``,
    ``cell_km2``; ``cells``: Voronoi cells clipped to the county's land;
    ``assignment``: one row per township (:func:`assign_townships`);
    ``shares``: long table of township × station shares; ``official``: the
    official table joined to township polygons (None when there is none);
    ``report``: the agreement report (None without an official table);
    ``problems``; ``params``.
    """

    county: str
    pollutant: str | None
    stations: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    assignment: gpd.GeoDataFrame
    shares: pd.DataFrame
    land_km2: float
    official: gpd.GeoDataFrame | None = None
    report: gpd.GeoDataFrame | None = None
    problems: Problems = field(default_factory=Problems)
    params: dict = field(default_factory=dict)

    @property
    def disagreements(self) -> gpd.GeoDataFrame | None:
        if self.report is None:
            return None
        return self.report[~self.report["agree"]].reset_index(drop=True)

    @property
    def no_majority(self) -> list[str]:
        return self.assignment.loc[~self.assignment["majority"], "township"].tolist()

    def summary(self) -> dict:
        """Counts and lists a person reads first (JSON-friendly)."""
        out = {"county": self.county, "pollutant": self.pollutant or "all",
               "stations": self.cells["station"].tolist(), "townships": len(self.assignment),
               "no_majority": self.no_majority}
        if self.report is not None:
            d = self.disagreements
            out.update({"official_source": self.params.get("official_source"),
                        "agree": int(self.report["agree"].sum()), "differ": d["township"].tolist(),
                        "differences": [
                            {"township": r.township, "official": r.official_station,
                             "official_share": round(r.official_share, 4), "computed": r.computed_station,
                             "computed_share": round(r.computed_share, 4)} for r in d.itertuples()]})
        return out

    def summary_text(self) -> str:
        s = self.summary()
        lines = [f"{self.county}: coverage of {len(s['stations'])} station(s) "
                 f"({', '.join(s['stations'])})" + (f" for {self.pollutant}" if self.pollutant else "")
                 + f", {s['townships']} townships, {self.land_km2:,.1f} km² of land"]
        for r in self.cells.itertuples():
            n = int((self.assignment["station"] == r.station).sum())
            lines.append(f"  {r.station:<8} cell {r.area_km2:9,.1f} km² ({r.share_of_county:6.1%}), "
                         f"largest share in {n} township(s)")
        if s["no_majority"]:
            lines.append("no station holds a majority (> 50 %) of: " + "、".join(
                f"{r.township} ({r.shares})" for r in
                self.assignment[~self.assignment["majority"]].itertuples()))
        if self.report is not None:
            lines.append(f"official table ({s['official_source']}): {s['agree']} of {s['townships']} "
                         f"townships agree with the nearest station")
            if s["differ"]:
                lines.append(f"{len(s['differ'])} differ:")
                for d in s["differences"]:
                    lines.append(f"  {d['township']:<5} official {d['official']} ({d['official_share']:.1%} of "
                                 f"its area nearest it), nearest {d['computed']} ({d['computed_share']:.1%})")
            else:
                lines.append("none differ")
        else:
            lines.append("no official coverage table for this county: computed coverage only")
        return "\n".join(lines)


def coverage_analysis(county: str, *, stations=None, pollutant: str | None = None,
                      include_neighbours: bool | float = False, official=None) -> CoverageResult:
    """Computed coverage, township assignment, official table and their agreement, for one county.

    ``stations=None`` uses the embedded stations of the county; when an
    official table is compared, only the stations it names (like for like:
    Pingtung's table uses 屏東, 潮州, 恆春, not the 琉球 and 枋山 stations).
    Pass ``stations="all"`` to use every embedded station of the county.
    ``official``: ``None`` (embedded seed table if any), ``False`` (none),
    or a user's CSV / DataFrame (see :func:`read_official_coverage`).
    """
    from geoairplan import datasets

    county = datasets.check_county(county)
    probs = Problems()
    off = official_coverage(county, official)
    only = None
    if stations is None and off is not None:
        emb = datasets.load_stations(county)
        named = [s for s in dict.fromkeys(off["station"]) if s in set(emb["name_zh"])]
        if named:
            only = named
            rest = [s for s in emb["name_zh"] if s not in named]
            if rest:
                probs.add("stations", ", ".join(rest), "not used: the official table names only "
                          + ", ".join(named) + " (pass stations='all' / --stations all to use them)", "warning")
    c = _compute_cells(county, stations, pollutant, include_neighbours, only)
    probs.extend(c.problems)
    assignment, shares = assign_townships(c.cells, c.towns)
    res = CoverageResult(county=county, pollutant=_pollutant(pollutant), stations=c.stations, cells=c.cells,
                         assignment=assignment, shares=shares, land_km2=float(shapely.area(c.land)) / 1e6,
                         problems=probs,
                         params={"include_neighbours": include_neighbours,
                                 "stations_source": c.stations.attrs.get("source")})
    if off is not None:
        names = c.cells["station"].tolist()
        for s in sorted(set(off["station"]) - set(names)):
            probs.add(off.attrs["source"], f"station {s}", "named in the official table but not computed "
                      "(not among the stations, or no cell in the county): its townships count as differing",
                      "warning")
        probs.extend(off.attrs["problems"])
        geo = c.towns.set_index("TOWNNAME").geometry
        og = gpd.GeoDataFrame(off.reset_index(drop=True), geometry=geo.loc[off["township"]].to_numpy(), crs=TM2)
        res.official = og
        res.report = agreement_report(assignment, shares, off)
        res.params["official_source"] = _describe_source(off)
    return res


def _describe_source(off: pd.DataFrame) -> str:
    """"seed 003 表 2 (L95-97)" for the embedded table, the file name for a user's."""
    src = off.attrs.get("source", "coverage table")
    if not {"source_file", "source_table"} <= set(off.columns) or off["source_table"].isna().all():
        return src
    parts = []
    for (f, t), g in off.groupby(["source_file", "source_table"], sort=True):
        lines = sorted(set(g["source_lines"].dropna().astype(str))) if "source_lines" in g else []
        if lines and all(x.isdigit() for x in lines):
            nums = sorted(int(x) for x in lines)
            if nums == list(range(nums[0], nums[-1] + 1)) and len(nums) > 1:
                lines = [f"{nums[0]}-{nums[-1]}"]
            else:
                lines = [str(n) for n in nums]
        ln = ", ".join(lines)
        parts.append(f"seed {str(f)[:3]} {t}" + (f" (L{ln})" if ln else ""))
    return "; ".join(parts)


def township_station_map(county: str, *, stations=None, pollutant: str | None = None,
                         official=None) -> pd.DataFrame:
    """Which station's level applies to each township of ``county``.

    Columns ``county, township, station, source`` (``official`` |
    ``computed``), one row per township in MOI order. From the official
    coverage table where one exists for the county (the embedded seed table,
    or ``official``: a CSV path / DataFrame; ``official=False`` forces the
    computed map), otherwise from the Voronoi cells of ``stations`` (default:
    the county's embedded stations, those measuring ``pollutant`` if given):
    the station with the largest share of the township's area.
    ``df.attrs["source"]`` is ``"official"`` or ``"computed"``;
    ``attrs["detail"]`` says which table or stations; ``attrs["problems"]``;
    ``attrs["no_majority"]`` lists computed townships without a majority station.
    """
    from geoairplan import datasets

    county = datasets.check_county(county)
    off = official_coverage(county, official)
    if off is not None:
        df = off[["county", "township", "station"]].assign(source="official").reset_index(drop=True)
        df.attrs.update({"source": "official", "detail": _describe_source(off),
                         "problems": off.attrs["problems"], "no_majority": []})
        return df
    c = _compute_cells(county, stations, pollutant, False)
    a, _ = assign_townships(c.cells, c.towns)
    df = pd.DataFrame({"county": a["county"], "township": a["township"], "station": a["station"],
                       "source": "computed"})
    df.attrs.update({"source": "computed",
                     "detail": "Voronoi cells (EPSG:3826) of " + ", ".join(c.cells["station"])
                     + (f" ({_pollutant(pollutant)})" if pollutant else ""),
                     "problems": c.problems, "no_majority": a.loc[~a["majority"], "township"].tolist()})
    return df


# --------------------------------------------------------------------------- outputs

def _csv(df: pd.DataFrame, path: Path) -> Path:
    pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").to_csv(
        path, index=False, lineterminator="\n", float_format="%.6g")
    return path


def output_layers(res: CoverageResult) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers: cells, township_assignment, official_coverage, disagreements, stations."""
    st = res.stations.copy()
    st["used"] = st["used"].astype(bool)
    st["in_county"] = st["in_county"].astype(bool)
    assign = res.assignment.copy()
    if res.report is not None:
        assign["official_station"] = res.report["official_station"].to_numpy()
        assign["agree"] = res.report["agree"].to_numpy()
    return {"cells": res.cells, "township_assignment": assign,
            "official_coverage": res.official, "disagreements": res.disagreements, "stations": st}


def write_coverage_outputs(res: CoverageResult, outdir, *, maps: bool = True, offline: bool = False,
                           prefix: str = "coverage") -> list[Path]:
    """Write ``<prefix>.gpkg`` (EPSG:3826), CSV tables, ``summary.txt``, problems and (``maps``) the maps.

    Files: ``coverage.gpkg`` with layers ``cells``, ``township_assignment``,
    ``official_coverage``, ``disagreements`` (the last two only with an
    official table) and ``stations``; ``cells.csv``,
    ``township_assignment.csv``, ``township_shares.csv``, ``agreement.csv``
    (with an official table), ``problems.csv`` (when something was
    reported), ``summary.txt``; ``coverage_map.html`` and ``coverage_map.png``.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    files = [write_gpkg(out / f"{prefix}.gpkg", output_layers(res), skip_empty=True)]
    files.append(_csv(res.cells, out / "cells.csv"))
    files.append(_csv(output_layers(res)["township_assignment"], out / "township_assignment.csv"))
    files.append(_csv(res.shares, out / "township_shares.csv"))
    if res.report is not None:
        files.append(_csv(res.report, out / "agreement.csv"))
    if res.problems:
        files.append(_csv(res.problems.to_frame(), out / "problems.csv"))
    (out / "summary.txt").write_text(res.summary_text() + "\n", encoding="utf-8")
    files.append(out / "summary.txt")
    if maps:
        from geoairplan.maps.coverage import coverage_static_map, coverage_web_map

        files.append(coverage_web_map(res, out / "coverage_map.html", offline=offline))
        files.append(coverage_static_map(res, out / "coverage_map.png"))
    return files
