"""Coverage of every county in one run, and the national summary table (counties × stations × townships)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from geoairplan import datasets
from geoairplan.coverage.analysis import coverage_analysis
from geoairplan.coverage.result import CoverageResult
from geoairplan.errors import InputError, Problems
from geoairplan.reference.stations import COVERAGE_TYPES

__all__ = ["national_coverage", "national_table", "NATIONAL_COLUMNS"]

#: Columns of the national summary table, in order.
NATIONAL_COLUMNS = ["county", "stations", "station_names", "townships", "land_km2", "basis", "official_table",
                    "agree", "differ", "differing_townships", "no_majority", "problems", "error"]


def national_coverage(*, pollutant: str | None = None, include_neighbours: bool | float = False,
                      types=COVERAGE_TYPES, scenario: bool = False,
                      counties: list[str] | None = None) -> Iterator[tuple[str, CoverageResult | InputError]]:
    """Run :func:`~geoairplan.coverage.coverage_analysis` for every county, one at a time.

    Each county uses its embedded stations (the official table's stations
    where one of the three seed tables exists, otherwise Voronoi coverage of
    the county's stations of ``types``). A county that cannot be computed (e.g.
    no station of the types and no neighbours allowed) yields its
    :class:`~geoairplan.errors.InputError` instead of stopping the run.

    Parameters
    ----------
    pollutant, include_neighbours, types, scenario
        As for :func:`~geoairplan.coverage.coverage_analysis`.
    counties : list of str, optional
        Default: the 22 counties in MOI code order.

    Yields
    ------
    (str, CoverageResult or InputError)
        The county and its result (or why it has none).
    """
    for county in (counties or datasets.county_names()):
        try:
            yield county, coverage_analysis(county, pollutant=pollutant, include_neighbours=include_neighbours,
                                            types=types, scenario=scenario)
        except InputError as exc:
            yield county, exc


def national_table(results) -> pd.DataFrame:
    """One row per county: stations, townships, what the coverage rests on and the agreement.

    Parameters
    ----------
    results : iterable of (str, CoverageResult or InputError)
        What :func:`national_coverage` yielded.

    Returns
    -------
    DataFrame
        Columns :data:`NATIONAL_COLUMNS`: ``stations`` (count of stations with
        a cell), ``townships``, ``basis`` (``official`` or ``voronoi``: no
        official table), ``official_table`` (its source), ``agree`` /
        ``differ`` (townships; empty without an official table),
        ``no_majority`` (townships with no station over 50 %), ``problems``
        (count), ``error`` (why a county has no result). ``attrs["problems"]``
        gathers every county's problems, prefixed with the county.
    """
    rows = []
    probs = Problems()
    for county, r in results:
        if isinstance(r, InputError):
            rows.append({"county": county, "stations": 0, "station_names": "",
                         "townships": len(datasets.township_names(county)), "basis": "none",
                         "official_table": "", "error": str(r.problem)})
            probs.add(county, "county", f"no coverage: {r.problem}", "error")
            continue
        s = r.summary()
        rows.append({"county": county, "stations": len(s["stations"]), "station_names": "、".join(s["stations"]),
                     "townships": s["townships"], "land_km2": round(r.land_km2, 1),
                     "basis": "official" if r.report is not None else "voronoi",
                     "official_table": s.get("official_source") or "",
                     "agree": s.get("agree"), "differ": len(s["differ"]) if "differ" in s else None,
                     "differing_townships": "、".join(s.get("differ", [])),
                     "no_majority": len(s["no_majority"]), "problems": len(r.problems), "error": ""})
        for p in r.problems:
            probs.add(f"{county}: {p.source}", p.where, p.reason, p.severity)
    df = pd.DataFrame(rows).reindex(columns=NATIONAL_COLUMNS)
    for c in ("agree", "differ", "no_majority", "problems"):
        df[c] = df[c].astype("Int64")
    df.attrs["problems"] = probs
    return df
