"""Physically plausible value ranges per pollutant (``data/rules/plausible_ranges.csv``).

A value outside its range is not a measurement (a fill value, a unit slip, a
fault): readers flag it ``implausible``, report it with its file row and never
use it. ``max_jump`` is the rise-and-fall within one hour above which a single
station-hour is a suspect spike (the warning engine reports a level S1 or above
that rests on one). ``data/rules/README.md`` says where each bound comes from.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from geoairplan.reference.rules import rules_dir

__all__ = ["plausible_ranges", "plausible_range", "max_jump"]


@lru_cache(maxsize=1)
def plausible_ranges() -> pd.DataFrame:
    """The range table, indexed by pollutant code (MOENV lower case), in the units MOENV publishes.

    Returns
    -------
    pandas.DataFrame
        ``low, high, max_jump`` (float; ``max_jump`` NaN where there is none), ``unit``, ``basis``.
    """
    df = pd.read_csv(rules_dir() / "plausible_ranges.csv", dtype={"pollutant": str, "unit": str})
    return df.set_index("pollutant")


def plausible_range(pollutant: str) -> tuple[float, float]:
    """``(low, high)`` of a pollutant; ``(-inf, inf)`` for a code the table does not list."""
    t = plausible_ranges()
    if pollutant not in t.index:
        return float("-inf"), float("inf")
    return float(t.at[pollutant, "low"]), float(t.at[pollutant, "high"])


def max_jump(pollutant: str) -> float:
    """The one-hour rise and fall above which a single station-hour is a suspect spike (inf if none)."""
    t = plausible_ranges()
    if pollutant not in t.index or pd.isna(t.at[pollutant, "max_jump"]):
        return float("inf")
    return float(t.at[pollutant, "max_jump"])
