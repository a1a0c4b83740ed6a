"""Official coverage tables (embedded seeds or a user's), checked against the county's MOI townships.

This is the one check every command that takes a coverage table uses
(``geoairplan coverage --official`` and ``geoairplan warn --coverage``):
the table is read by :func:`geoairplan.io.coverage_table.read_coverage_table`
and every township of the county must then be listed exactly once.
"""

from __future__ import annotations

import pandas as pd

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.io.coverage_table import read_coverage_table
from geoairplan.reference.names import normalize_name, suggest

__all__ = ["read_official_coverage", "official_coverage", "describe_source"]


def read_official_coverage(table, *, county: str | None = None, source: str | None = None,
                           stations: list[str] | None = None) -> pd.DataFrame:
    """A user's (or the embedded) coverage table, checked against the MOI townships.

    Parameters
    ----------
    table : str, PathLike or DataFrame
        Columns county, station, township (English or Chinese headers: 縣市,
        測站, 鄉鎮市區 / 涵蓋區域; a township cell may list several townships
        separated by 、 or commas; see
        :func:`~geoairplan.io.coverage_table.read_coverage_table`).
    county : str, optional
        The county checked (the county column may then be left out).
    source : str, optional
        How messages name the table.
    stations : list of str, optional
        The computed stations: stations of the table not among them are reported.

    Returns
    -------
    DataFrame
        ``county, station, township, township_as_printed`` plus the
        provenance columns the table has, in MOI township order.
        ``attrs``: ``problems``, ``source``, ``scenario``.

    Raises
    ------
    InputError
        A township listed twice, a township missing or a name that is no
        township of the county (with the nearest spelling), and every error of
        :func:`~geoairplan.io.coverage_table.read_coverage_table`.
    """
    long = read_coverage_table(table, county=county, source=source)
    source = long.attrs["source"]
    probs = long.attrs["problems"]
    extra = [c for c in long.columns if c not in ("county", "township", "station", "township_as_printed",
                                                  "where_row")]
    frames = [_check_townships(part.copy(), cty, source) for cty, part in long.groupby("county", sort=False)]
    res = pd.concat(frames, ignore_index=True)
    if stations is not None:
        for s in sorted(set(res["station"]) - set(stations)):
            hint = suggest(s, stations)
            probs.add(source, f"station {s}", "is not among the computed stations ("
                      + ", ".join(stations) + ")" + (f"; did you mean {' or '.join(hint)}?" if hint else ""),
                      "warning")
    res = res[["county", "station", "township", "township_as_printed", *extra]]
    res.attrs.update({"problems": probs, "source": source, "scenario": long.attrs["scenario"]})
    return res


def _check_townships(part: pd.DataFrame, county: str, source: str) -> pd.DataFrame:
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

    Parameters
    ----------
    county : str
        County or city.
    official : None, False, str, PathLike or DataFrame
        ``None`` for the embedded seed table (``None`` is returned when the
        seeds have none for the county), ``False`` for none, or a user's CSV
        path / DataFrame.
    stations : list of str, optional
        The computed stations (others named by the table are reported).

    Returns
    -------
    DataFrame or None
    """
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


def describe_source(off: pd.DataFrame) -> str:
    """``seed 003 表 2 (L95-97)`` for the embedded table, the file name for a user's."""
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
