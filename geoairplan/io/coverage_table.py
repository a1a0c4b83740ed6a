"""Reading a station coverage table: which station's readings apply to which township.

Plans print coverage tables in two shapes, and users type both:

* **long**: one row per township, columns county, station, township;
* **per station**: one row per station, the townships in one cell separated by
  、 (or ，, ; /), often closed by a printed count (``…等十一鄉鎮``), or
  ``全澎湖縣`` for the whole county.

Headers may be English or Chinese (縣市, 測站, 鄉鎮市區, 涵蓋區域, ...; see
:data:`STATION_COLUMNS`, :data:`COUNTY_COLUMNS`, :data:`TOWNSHIP_COLUMNS`),
matched by :func:`geoairplan.io.columns.find_column`, the one header finder. Files are read
with :func:`geoairplan.io.read_text_table` (UTF-8, BOM or Big5).
:func:`read_coverage_table` gives the long table with names normalised; the
check of the townships against the county's MOI townships (each exactly once)
is :func:`geoairplan.coverage.read_official_coverage`.
"""

from __future__ import annotations

import re
import unicodedata
from os import PathLike
from pathlib import Path

import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.io.columns import find_column
from geoairplan.io.tables import is_scenario, read_text_table
from geoairplan.reference.geography import check_county, county_names, normalize_county, township_names
from geoairplan.reference.names import normalize_name, station_key, suggest, zh_number

__all__ = ["read_coverage_table", "STATION_COLUMNS", "COUNTY_COLUMNS", "TOWNSHIP_COLUMNS",
           "EXTRA_COLUMNS"]

#: Station-name headers accepted (lower case, spaces removed).
STATION_COLUMNS = ("station", "station_name", "name_zh", "name", "sitename", "測站", "測站名稱", "站名",
                   "空品測站", "監測站")
#: County headers accepted.
COUNTY_COLUMNS = ("county", "countyname", "county_zh", "縣市", "縣市別", "縣市名稱")
#: Township headers accepted (a cell may list several townships).
TOWNSHIP_COLUMNS = ("township", "town", "townname", "township_zh", "鄉鎮", "鄉鎮市", "鄉鎮市區", "鄉鎮市區名稱",
                    "涵蓋區域", "涵蓋鄉鎮", "涵蓋鄉鎮市")
#: Provenance columns kept as they are when the table has them.
EXTRA_COLUMNS = ("source_file", "source_table", "source_lines", "note", "source")

_SPLIT = re.compile(r"[、，,；;/]+")
# "…等十一鄉鎮" closing a printed list: the count it states is checked.
_COUNT = re.compile(r"(?:等|共)\s*([0-9０-９一二三四五六七八九十兩]+)\s*(?:個)?(?:鄉鎮市區|鄉鎮市|鄉鎮|鄉市|鄉)\s*$")


def read_coverage_table(table, *, county: str | None = None, source: str | None = None) -> pd.DataFrame:
    """A coverage table (CSV path or DataFrame) as one row per township, names normalised.

    Parameters
    ----------
    table : str, PathLike or DataFrame
        Long (county, station, township) or one row per station with the
        townships in one cell separated by 、; English or Chinese headers
        (縣市, 測站, 鄉鎮市區 / 涵蓋區域). The county column may be left out
        when ``county`` is given; a blank county cell means ``county``.
    county : str, optional
        Keep only this county's rows (others are reported in ``attrs["problems"]``).
    source : str, optional
        How messages name the table (default: the path, or ``coverage table``).

    Returns
    -------
    DataFrame
        Columns ``county, township, station, township_as_printed, where_row``
        and the provenance columns of :data:`EXTRA_COLUMNS` the table has.
        ``township`` is normalised (台→臺, OCR typos) but not yet matched to
        the county's MOI townships. ``attrs``: ``problems``, ``source``,
        ``scenario`` (the table declares itself scenario data).

    Raises
    ------
    InputError
        No station or township column, an unknown county, a row without a
        station or township, a printed count that differs from the list, or
        no rows for ``county``.
    """
    probs = Problems()
    if isinstance(table, (str, PathLike)):
        source = source or str(table)
        df = read_text_table(Path(table), source="coverage table")
        probs.extend(df.attrs.get("problems") or [])
    else:
        source = source or "coverage table"
        df = pd.DataFrame(table).copy()
    scenario = is_scenario(df)
    cc, sc, tc = (find_column(df.columns, a) for a in (COUNTY_COLUMNS, STATION_COLUMNS, TOWNSHIP_COLUMNS))
    if sc is None or tc is None:
        raise InputError("the coverage table needs a station and a township column", file=source,
                         where="header: " + ", ".join(map(str, df.columns)),
                         fix="use the headers county, station, township (or 縣市, 測站, 鄉鎮市區)")
    want = check_county(county) if county is not None else None
    if cc is None:
        if want is None:
            raise InputError("the coverage table has no county column and no county was given", file=source,
                             fix="add a county (縣市) column or give the county (--county)")
        df["_county"] = want
        cc = "_county"
    extra = [c for c in EXTRA_COLUMNS if c in df.columns]
    counties = county_names()
    rows = []
    for i, r in enumerate(df.itertuples(index=False)):
        rec = dict(zip(df.columns, r))
        where = f"row {i + 2}"
        raw_county = rec[cc]
        cty = normalize_county(raw_county) if not pd.isna(raw_county) else want
        if cty not in counties:
            hint = suggest(str(raw_county), counties)
            raise InputError(f"unknown county {raw_county!r}", file=source, where=where,
                             fix=("did you mean " + " or ".join(hint) + "?") if hint else
                             "use an official county name such as 屏東縣")
        stn = station_key(rec[sc]) if not pd.isna(rec[sc]) else None
        cell = rec[tc]
        if stn is None or pd.isna(cell) or not str(cell).strip():
            raise InputError("a row without a station or a township", file=source, where=where,
                             fix="fill in both, or delete the row")
        for part in _townships_in_cell(str(cell), cty, stn, source, where):
            rows.append({"county": cty, "township": normalize_name(part), "station": stn,
                         "township_as_printed": part, "where_row": where, **{c: rec[c] for c in extra}})
    out = pd.DataFrame(rows, columns=["county", "township", "station", "township_as_printed", "where_row", *extra])
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
    out = out.reset_index(drop=True)
    out.attrs.update({"problems": probs, "source": source, "scenario": scenario})
    return out


def _townships_in_cell(cell: str, county: str, station: str, source: str, where: str) -> list[str]:
    """The townships one cell lists: split on 、 etc., a closing printed count checked, 全<county> expanded."""
    text = unicodedata.normalize("NFKC", cell).strip()
    whole = text.removeprefix("全") if text.startswith("全") else None
    if whole is not None and normalize_county(whole) in county_names():
        # "全澎湖縣": the whole county
        if normalize_county(whole) != county:
            raise InputError(f"row says the whole of {whole} for a station in {county}", file=source,
                             where=where, fix="check the county column")
        return township_names(county)
    m = _COUNT.search(text)
    stated = None
    if m:
        stated = zh_number(m.group(1))
        text = text[: m.start()]
    parts = [p.strip() for p in _SPLIT.split(text) if p.strip()]
    if stated is not None and stated != len(parts):
        raise InputError(f"the cell for station {station} says {m.group(0).strip()} ({stated}) but lists "
                         f"{len(parts)} townships", file=source, where=where,
                         fix="check the list against the printed count")
    return parts
