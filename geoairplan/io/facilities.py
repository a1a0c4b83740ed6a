"""Reading facility lists (plans' designated facilities, hospitals, a user's own list).

Plans list facilities by control number, name and address, without
coordinates. What geoairplan can know for certain is the township, and
:func:`read_facilities` places every row in one, or says why it cannot:

1. a township given in the table (``township_seed`` in the embedded lists,
   a ``鄉鎮``/``township`` column in a user's list) is used first
   (``township_method = "seed"``);
2. otherwise the address is parsed (:func:`geoairplan.io.address.parse_address`,
   ``township_method = "address"``), also its variants
   (``address_variants``) when the main address does not place it;
3. otherwise the row is not placed (``township`` and ``township_method``
   ``<NA>``) and ``unplaced_reason`` says why.

Coordinates are never invented: ``lon``/``lat`` appear only when the input
has coordinates.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.io.address import _index, parse_address
from geoairplan.io.crs import WGS84, points_from_xy, resolve_crs
from geoairplan.io.tables import check_file as _check_file, read_text_table
from geoairplan.reference.geography import check_county, county_names, normalize_county
from geoairplan.reference.names import normalize_name
from geoairplan.io.teds import county_of_control_no

__all__ = ["read_facilities", "FACILITY_COLUMN_NAMES"]

#: Header names recognised for each role (case-insensitive, spaces ignored). The first present wins.
FACILITY_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "control_no": ("control_no", "管制編號", "c_no", "管編", "facility_id"),
    "name": ("name", "名稱", "公私場所名稱", "工廠名稱", "場所名稱", "事業名稱", "facility", "機構名稱"),
    "address": ("address", "地址", "廠址", "工廠地址", "場所地址", "營業地址"),
    "township": ("township_seed", "township", "鄉鎮", "鄉鎮市區", "鄉鎮市", "town", "鄉鎮別"),
    "county": ("county", "縣市", "縣市別"),
    "address_variants": ("address_variants",),
    "lon": ("lon", "lng", "longitude", "經度", "wgs84_lon", "twd97lon"),
    "lat": ("lat", "latitude", "緯度", "wgs84_lat", "twd97lat"),
    "x": ("x", "utm_e", "x_tm2", "twd97x", "tm2_x", "座標x", "e"),
    "y": ("y", "utm_n", "y_tm2", "twd97y", "tm2_y", "座標y", "n"),
}
_ADDED = ("township", "township_method", "unplaced_reason", "lon", "lat")


def _key(name: str) -> str:
    return re.sub(r"\s+", "", str(name)).lower()


def _find(cols, role):
    keys = {_key(c): c for c in reversed(list(cols))}
    for n in FACILITY_COLUMN_NAMES[role]:
        if _key(n) in keys:
            return keys[_key(n)]
    return None


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or not str(v).strip()


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(path, dtype=str)
        except ImportError as exc:
            raise InputError("reading Excel files needs the openpyxl package", file=path,
                             fix="pip install openpyxl, or save the sheet as CSV UTF-8") from exc
        except Exception as exc:
            raise InputError(f"cannot read the Excel file ({exc})", file=path,
                             fix="save the sheet as CSV UTF-8 and give that") from exc
        df.columns = [str(c).strip() for c in df.columns]
        return df.astype(object).where(df.notna(), None)
    df, _enc = read_text_table(path, source="facility list", blanks="empty"), None
    return df


def read_facilities(path, *, county: str | None = None, crs=None) -> pd.DataFrame:
    """Read a facility list and place every facility in a township, or say why not.

    Parameters
    ----------
    path:
        CSV (UTF-8 or Big5/CP950) or XLSX. The embedded lists
        (``data/facilities.csv``, ``data/health_facilities.csv``) or a user's
        list with at least a name column and an address or township column;
        headers in Chinese or English (管制編號/control_no, 名稱/name,
        地址/address, 鄉鎮/township, 縣市/county; see
        :data:`FACILITY_COLUMN_NAMES`). Optional coordinates: ``lon/lat``
        (degrees) or ``x/y`` (in ``crs``).
    county:
        The county of a list whose rows do not name one: used for rows with
        no county column value, and addresses are looked up in it.
    crs:
        The CRS of ``x/y`` columns (e.g. ``"EPSG:3826"``); required when the
        list has ``x/y`` and no ``lon/lat``. ``lon/lat`` are EPSG:4326.

    Returns
    -------
    pandas.DataFrame
        Every input column and row, in file order, plus:

        * ``county``: official county name, from the county column, else
          ``county``, else the address, else the control-number letter
          (:data:`geoairplan.io.teds.CONTROL_LETTER_COUNTY`); replaces an
          input ``county`` column (spelling normalised);
        * ``township``: official township name or ``<NA>`` (an input column
          named ``township`` is kept as ``township_input``);
        * ``township_method``: ``seed`` (given in the table), ``address``
          (parsed from the address) or ``<NA>`` (not placed);
        * ``unplaced_reason``: ``<NA>`` when placed;
        * ``lon``, ``lat`` (EPSG:4326) only when the input has coordinates.

        ``attrs["problems"]`` lists every unplaced row with its reason, and
        warnings: a given township that disagrees with the address (the given
        one is kept), a given township that is not a township, a county that
        disagrees with the control-number letter.

    Raises
    ------
    InputError
        Missing or empty file, no name column, neither address nor township
        column, ``x/y`` without ``crs``, coordinates not in Taiwan (swapped
        longitude/latitude named with the row).
    """
    path = Path(path)
    _check_file(path, "facility list")
    df = _read_table(path)
    src = str(path)
    cols = list(df.columns)
    role = {r: _find(cols, r) for r in FACILITY_COLUMN_NAMES}
    if role["name"] is None or (role["address"] is None and role["township"] is None):
        need = [w for w, ok in (("a name column (名稱/name)", role["name"] is not None),
                                ("an address (地址/address) or township (鄉鎮/township) column",
                                 role["address"] is not None or role["township"] is not None)) if not ok]
        raise InputError(f"missing {' and '.join(need)}; the file has {', '.join(cols)}", file=path,
                         where="header",
                         fix="name the columns 名稱 (name) and 地址 (address) or 鄉鎮 (township); "
                             "管制編號 (control_no) and 縣市 (county) are optional")
    given_county = None
    if county is not None:

        given_county = check_county(county)
    probs = Problems()
    probs.extend(df.attrs.get("problems") or [])
    out = df.copy()
    if "township" in out.columns:
        out = out.rename(columns={"township": "township_input"})
        if role["township"] == "township":
            role["township"] = "township_input"
    n = len(out)
    rows = np.arange(n) + 2
    names = [None if _blank(v) else str(v).strip() for v in out[role["name"]]]
    labels = [f"row {r}" + (f" ({nm})" if nm else "") for r, nm in zip(rows, names)]


    all_counties = set(county_names())
    col = lambda r: out[role[r]].tolist() if role[r] is not None else [None] * n  # noqa: E731
    counties, towns, methods, reasons = [], [], [], []
    for i, (c_raw, t_raw, a_raw, av_raw, cno) in enumerate(zip(col("county"), col("township"), col("address"),
                                                               col("address_variants"), col("control_no"))):
        # county: column, else the list's county, else address, else control-number letter
        c = None
        if not _blank(c_raw):
            c = normalize_county(c_raw)
            if c not in all_counties:
                probs.add(src, labels[i], f"county {c_raw!r} is not a Taiwanese county name: taken from the "
                          "address instead", severity="warning")
                c = None
        c = c or given_county
        letter = county_of_control_no(cno) if not _blank(cno) else None
        addrs = [] if _blank(a_raw) else [str(a_raw)]
        if not _blank(av_raw):
            addrs += [a for a in re.split(r"[;；|]", str(av_raw)) if a.strip()]
        match = None
        for a in addrs:
            m = parse_address(a, c)
            if match is None or (m.placed and not match.placed):
                match = m
            if m.placed:
                break
        if c is None and match is not None and match.county is not None:
            c = match.county
        if c is None and letter:
            c = letter  # the control number's county, also to read an address that names none
            for a in addrs:
                m = parse_address(a, c)
                if m.placed or match is None or not match.placed:
                    match = m
                if m.placed:
                    break
        if letter and c and letter != c:
            probs.add(src, labels[i], f"county {c} differs from {letter} of control number {cno}",
                      severity="warning")
        # township: seed first, else address
        t, method, reason, why = None, None, None, None
        if not _blank(t_raw):
            seed, why = _seed_township(str(t_raw), c)
            if seed is None:
                probs.add(src, labels[i], f"given township not used: {why}; the address is used instead",
                          severity="warning")
            else:
                t, method = seed, "seed"
                if c is None:
                    c = _county_of_township(t)
                if match is not None and match.placed and match.township != t:
                    probs.add(src, labels[i], f"the given township {t} and the address township "
                              f"{match.township} ({match.normalized}) disagree: {t} is kept", severity="warning")
        if t is None:
            if match is not None and match.placed and (c is None or match.county == c):
                t, method = match.township, "address"
            elif match is not None and match.placed:
                reason = f"the address is in {match.county}, not in {c}"
            elif match is not None:
                reason = match.reason
            else:
                reason = "no address and no township given"
            if why and t is None:
                reason = f"given township not used ({why}); {reason}"
        if t is None:
            probs.add(src, labels[i], f"not placed in a township: {reason}", severity="warning")
        counties.append(c)
        towns.append(t)
        methods.append(method)
        reasons.append(reason)

    out["county"] = pd.array(counties, dtype="string")
    out["township"] = pd.array(towns, dtype="string")
    out["township_method"] = pd.array(methods, dtype="string")
    out["unplaced_reason"] = pd.array(reasons, dtype="string")
    _coordinates(out, role, crs, src, labels, probs)
    out.attrs["problems"] = probs
    out.attrs["source"] = src
    return out


def _county_of_township(town: str) -> str | None:

    cs = _index()[1].get(town, [])
    return cs[0] if len(cs) == 1 else None


def _seed_township(text: str, county: str | None) -> tuple[str | None, str | None]:
    """(official name, None) for a township given in the table, or (None, why it is not usable)."""

    by_county, by_town = _index()[0], _index()[1]
    name = normalize_name(text).replace("恒", "恆")
    pool = by_county.get(county, []) if county else list(by_town)
    hits = [name] if name in pool else [t for t in pool if len(t) > 2 and t[:-1] == name]  # 里港 -> 里港鄉
    if len(hits) == 1:
        if county is None and len(by_town[hits[0]]) > 1:
            return None, (f"township {hits[0]} exists in {', '.join(by_town[hits[0]])} and the row gives no "
                          "county")
        return hits[0], None
    if county and name in by_town:
        return None, f"township {name} is not in {county} (it is in {', '.join(by_town[name])})"
    return None, f"{text!r} is not a township name" + (f" of {county}" if county else "")


def _coordinates(out: pd.DataFrame, role, crs, src, labels, probs) -> None:
    if role["lon"] is not None and role["lat"] is not None:
        xcol, ycol, in_crs = role["lon"], role["lat"], WGS84  # lon/lat columns are degrees; crs is for x/y
    elif role["x"] is not None and role["y"] is not None:
        if crs is None:
            raise InputError(f"the list has coordinates {role['x']}/{role['y']} but no CRS was named",
                             file=src, where="header",
                             fix="name their CRS: crs='EPSG:3826' for TWD97 TM2 metres, 'EPSG:3825' for zone "
                                 "119, 'EPSG:4326' for degrees")
        xcol, ycol, in_crs = role["x"], role["y"], crs
    else:
        return
    x = pd.to_numeric(out[xcol], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(out[ycol], errors="coerce").to_numpy(dtype=float)
    has = np.isfinite(x) & np.isfinite(y)
    lon = np.full(len(out), np.nan)
    lat = np.full(len(out), np.nan)
    if has.any():
        pts = points_from_xy(x[has], y[has], resolve_crs(in_crs), source=src,
                             rows=[labels[i] for i in np.flatnonzero(has)]).to_crs(WGS84)
        lon[has], lat[has] = pts.x.to_numpy(), pts.y.to_numpy()
        if resolve_crs(in_crs).equals(resolve_crs(WGS84)):
            lon[has], lat[has] = x[has], y[has]  # keep the degrees exactly as given
    for i in np.flatnonzero(~has & (out[xcol].notna() | out[ycol].notna()).to_numpy()):
        if not (_blank(out[xcol].iloc[i]) and _blank(out[ycol].iloc[i])):
            probs.add(src, labels[i], f"coordinates ({out[xcol].iloc[i]!r}, {out[ycol].iloc[i]!r}) are not numbers: "
                      "lon/lat left empty", severity="warning")
    out["lon"] = lon
    out["lat"] = lat
