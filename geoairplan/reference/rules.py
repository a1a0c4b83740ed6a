"""The rule tables of ``data/rules/`` as they are stored (text), for the engines that check them.

Thresholds, level maps, county measures and river-dust rules are data, never
code: ``data/rules/README.md`` cites the seed table and line of every file.
The warning engine (:mod:`geoairplan.warnings.rules`) checks and types them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geoairplan.errors import InputError
from geoairplan.reference.geography import data_dir

__all__ = ["rules_dir", "load_rules", "rule_names"]


def rules_dir() -> Path:
    """The folder of the embedded rule tables."""
    return data_dir() / "rules"


def rule_names() -> list[str]:
    """Names of the embedded rule tables (file stems), sorted."""
    return sorted(p.stem for p in rules_dir().glob("*.csv"))


def load_rules(name: str = "warning_2022") -> pd.DataFrame:
    """A rule table from ``data/rules/`` as text (e.g. ``warning_2022``, ``warning_pre2022_002``)."""
    path = rules_dir() / f"{name}.csv"
    if not path.exists():
        raise InputError(f"no rule table named {name!r}", where=str(path),
                         fix="use one of " + ", ".join(rule_names()))
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
