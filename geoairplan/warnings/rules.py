"""Warning rule tables (``data/rules/*.csv``): loading, checking, level scales and unit conversion.

Thresholds are data, never code: :func:`load_warning_rules` reads a rule table
(``warning_2022``: 004 Art. 2 / 003 Table 1; ``warning_pre2022_002``: the
2017 regulation as tabulated in 002 Table 7.1) and checks every row. The level
codes and their order come from the table's ``level``/``level_rank`` columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.io.tables import read_text_table
from geoairplan.reference.pollutants import RULE_POLLUTANTS, normalize_pollutant, normalize_unit

__all__ = ["Rules", "load_warning_rules", "load_level_map", "convert_units", "parse_level",
           "AVERAGINGS", "NONE", "INSUFFICIENT", "LEVELS_2022", "LEVEL_ZH_2022",
           "averaging_hours", "unit_factor"]

#: Averaging periods a rule may name.
AVERAGINGS = ("1h", "8h_moving", "24h_moving")
#: Level code of a station-hour that reaches no level.
NONE = "none"
#: Level code of a station-hour whose averages do not meet the completeness rule.
INSUFFICIENT = "insufficient"
#: The 2022 regulation's five levels, low to high (004 Art. 2, L8).
LEVELS_2022 = ("L1", "L2", "S1", "S2", "S3")
LEVEL_ZH_2022 = {"L1": "初級預警", "L2": "中級預警", "S1": "輕度嚴重惡化", "S2": "中度嚴重惡化",
                 "S3": "重度嚴重惡化", NONE: "未達預警等級", INSUFFICIENT: "資料不足"}

_COLUMNS = ("rule_set", "pollutant", "level", "level_zh", "level_rank", "averaging", "threshold", "unit",
            "consecutive_hours")
_UNITS = ("ug/m3", "ppm", "ppb")
# conversion factors between mixing-ratio units; mass concentration is never converted
_FACTOR = {("ppm", "ppb"): 1000.0, ("ppb", "ppm"): 0.001}


def averaging_hours(averaging: str) -> int:
    """Window length in hours of an averaging code (``24h_moving`` -> 24, ``1h`` -> 1)."""
    m = re.fullmatch(r"(\d+)h(_moving)?", str(averaging).strip())
    if not m:
        raise InputError(f"unknown averaging {averaging!r}", where="averaging",
                         fix="use one of " + ", ".join(AVERAGINGS))
    return int(m.group(1))


def unit_factor(from_unit: str, to_unit: str, *, pollutant: str = "", where: str | None = None) -> float:
    """The factor converting ``from_unit`` to ``to_unit`` (ppm <-> ppb); refuses anything else."""
    if from_unit == to_unit:
        return 1.0
    if (from_unit, to_unit) in _FACTOR:
        return _FACTOR[(from_unit, to_unit)]
    raise InputError(f"{pollutant or 'values'} in {from_unit!r} cannot be compared with a rule in {to_unit!r}: "
                     "a mass concentration and a mixing ratio differ by a temperature- and molar-mass-dependent "
                     "factor that geoairplan does not guess", where=where,
                     fix=f"give {pollutant or 'the values'} in {to_unit} (MOENV publishes PM in ug/m3, SO2/NO2/O3 "
                         "in ppb and CO in ppm)")


def convert_units(values, from_unit: str, to_unit: str, **kw) -> np.ndarray:
    """``values`` converted from ``from_unit`` to ``to_unit`` (O3 ppb -> ppm: × 0.001)."""
    return np.asarray(values, dtype=float) * unit_factor(from_unit, to_unit, **kw)


@dataclass(frozen=True)
class Rules:
    """A checked rule table and its level scale.

    ``table`` has one row per criterion (columns of ``data/rules/warning_2022.csv``
    with ``threshold``, ``level_rank`` and ``consecutive_hours`` as numbers and
    ``window`` the averaging window in hours). ``levels`` are the level codes
    low to high; ``level_zh`` their Chinese names; ``to_2022`` maps each code to
    the 2022 level of the same rank (identity for the 2022 rules).
    """

    name: str
    rule_set: str
    table: pd.DataFrame
    levels: tuple[str, ...]
    level_zh: dict[str, str]
    to_2022: dict[str, str] = field(default_factory=dict)
    source: str = ""
    ranks: dict[str, int] = field(default_factory=dict)

    @property
    def pollutants(self) -> list[str]:
        """Pollutants with at least one criterion, in :data:`geoairplan.reference.pollutants.RULE_POLLUTANTS` order."""
        ps = set(self.table["pollutant"])
        return [p for p in RULE_POLLUTANTS if p in ps]

    def rank(self, level: str) -> int:
        """1.. for a level code, 0 for ``none``, -1 for ``insufficient``."""
        if level == NONE:
            return 0
        if level == INSUFFICIENT:
            return -1
        return self.ranks[level] if self.ranks else self.levels.index(level) + 1

    def code(self, rank: int) -> str:
        """The level code of a rank (the 2022 code of that rank when the table has no level of it)."""
        rank = int(rank)
        if rank == 0:
            return NONE
        if rank < 0:
            return INSUFFICIENT
        for c, r in self.ranks.items():
            if r == rank:
                return c
        if not self.ranks and rank <= len(self.levels):
            return self.levels[rank - 1]
        return LEVELS_2022[rank - 1]

    def zh(self, level: str) -> str:
        return self.level_zh.get(level, LEVEL_ZH_2022.get(level, level))

    def series(self) -> list[tuple[str, str, str]]:
        """(pollutant, averaging, unit) of every averaged series the rules need, in a fixed order."""
        t = self.table.drop_duplicates(["pollutant", "averaging"])
        out = [(r.pollutant, r.averaging, r.unit) for r in t.itertuples()]
        return sorted(out, key=lambda s: (RULE_POLLUTANTS.index(s[0]), averaging_hours(s[1])))


def _read_rule_csv(name_or_path) -> tuple[pd.DataFrame, str, str]:
    if isinstance(name_or_path, pd.DataFrame):
        return name_or_path.astype(str).replace({"nan": np.nan}), "rules", "(table)"
    text = str(name_or_path)
    p = Path(text)
    if text.lower().endswith(".csv") or p.exists():
        if not p.exists():
            raise InputError("rule table not found", file=p, fix="check the path, or name an embedded table "
                             "such as warning_2022")
        df = read_text_table(p, source="rule table")
        return df, p.stem, str(p)
    df = datasets.load_rules(text)
    return df, text, f"data/rules/{text}.csv"


def load_warning_rules(name: str | PathLike | pd.DataFrame = "warning_2022") -> Rules:
    """A checked warning rule table: an embedded name (``warning_2022``, ``warning_pre2022_002``),
    a CSV path with the same columns, or a DataFrame.

    Raises :class:`InputError` naming the row for an unknown pollutant, averaging or unit, a
    threshold that is not a positive number, or a level whose rank disagrees between rows.
    """
    if isinstance(name, Rules):
        return name
    df, stem, src = _read_rule_csv(name)
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=src, where="header",
                         fix="a warning rule table has the columns " + ", ".join(_COLUMNS))
    if len(df) == 0:
        raise InputError("the rule table has no rows", file=src, fix="give at least one criterion")
    df = df.copy().reset_index(drop=True).astype(object)
    df = df.where(pd.notna(df), None)
    for i, r in df.iterrows():
        where = f"row {i + 2} ({r['pollutant']} {r['level']})"
        p = normalize_pollutant(r["pollutant"])
        if p not in RULE_POLLUTANTS:
            raise InputError(f"unknown pollutant {r['pollutant']!r}", file=src, where=where,
                             fix="use one of " + ", ".join(RULE_POLLUTANTS))
        if str(r["averaging"]).strip() not in AVERAGINGS:
            raise InputError(f"unknown averaging {r['averaging']!r}", file=src, where=where,
                             fix="use one of " + ", ".join(AVERAGINGS))
        u = normalize_unit(r["unit"])
        if u not in _UNITS:
            raise InputError(f"unknown unit {r['unit']!r}", file=src, where=where, fix="use one of " + ", ".join(_UNITS))
        try:
            thr = float(r["threshold"])
        except (TypeError, ValueError):
            thr = float("nan")
        if not np.isfinite(thr) or thr <= 0:
            raise InputError(f"threshold {r['threshold']!r} is not a positive number", file=src, where=where,
                             fix="write the concentration the level is reached at, e.g. 35.5")
        try:
            rank = int(r["level_rank"])
        except (TypeError, ValueError):
            raise InputError(f"level_rank {r['level_rank']!r} is not an integer", file=src, where=where,
                             fix="rank the levels 1 (lowest) to 5 (highest)") from None
        ch = r["consecutive_hours"]
        try:
            k = 1 if ch is None or (isinstance(ch, float) and np.isnan(ch)) or str(ch).strip() == "" else int(ch)
        except (TypeError, ValueError):
            raise InputError(f"consecutive_hours {ch!r} is not an integer", file=src, where=where,
                             fix="leave it empty or write 1 for a single hour") from None
        if k < 1 or (k > 1 and str(r["averaging"]).strip() != "1h"):
            raise InputError(f"consecutive_hours {k} is only meaningful (>= 2) for hourly criteria", file=src,
                             where=where, fix="write 1, or use averaging 1h")
        df.at[i, "pollutant"] = p
        df.at[i, "averaging"] = str(r["averaging"]).strip()
        df.at[i, "unit"] = u
        df.at[i, "threshold"] = thr
        df.at[i, "level_rank"] = rank
        df.at[i, "consecutive_hours"] = k
    df["threshold"] = df["threshold"].astype(float)
    df["level_rank"] = df["level_rank"].astype(int)
    df["consecutive_hours"] = df["consecutive_hours"].astype(int)
    df["window"] = df["averaging"].map(averaging_hours).astype(int)
    ranks = df.groupby("level")["level_rank"].nunique()
    if (ranks > 1).any():
        bad = ranks[ranks > 1].index[0]
        raise InputError(f"level {bad!r} has different level_rank values in different rows", file=src,
                         where=f"level {bad}", fix="give each level one rank")
    lv = df.drop_duplicates("level").sort_values("level_rank")
    if lv["level_rank"].duplicated().any() or (lv["level_rank"] < 1).any():
        raise InputError(f"level ranks {list(lv['level_rank'])} of levels {list(lv['level'])} are not distinct "
                         "positive numbers", file=src, where="level_rank", fix="rank the levels 1 (lowest) upwards")
    units = df.groupby("pollutant")["unit"].nunique()
    if (units > 1).any():
        bad = units[units > 1].index[0]
        raise InputError(f"{bad} criteria are in different units", file=src, where=f"pollutant {bad}",
                         fix="state every criterion of a pollutant in one unit")
    levels = tuple(lv["level"])
    level_zh = dict(zip(lv["level"], lv["level_zh"]))
    rule_set = str(df["rule_set"].iloc[0])
    ranks = {str(a): int(b) for a, b in zip(lv["level"], lv["level_rank"])}
    to_2022 = _mapping_to_2022(rule_set, levels, ranks)
    return Rules(name=stem, rule_set=rule_set, table=df, levels=levels, level_zh=level_zh, to_2022=to_2022,
                 source=src, ranks=ranks)


def load_level_map() -> pd.DataFrame:
    """``data/rules/level_map_pre2022_to_2022.csv``: pre-2022 level codes and their 2022 equivalents."""
    return datasets.load_rules("level_map_pre2022_to_2022")


def _mapping_to_2022(rule_set: str, levels: tuple[str, ...], ranks: dict[str, int]) -> dict[str, str]:
    if set(levels) <= set(LEVELS_2022):
        return {lv: lv for lv in levels}
    try:
        m = load_level_map()
    except InputError:
        m = pd.DataFrame(columns=["from_rule_set", "from_level", "to_level"])
    m = m[m["from_rule_set"] == rule_set]
    out = dict(zip(m["from_level"], m["to_level"]))
    if not set(levels) <= set(out):
        # no published mapping: the 2022 level of the same rank
        return {lv: LEVELS_2022[ranks[lv] - 1] for lv in levels if 1 <= ranks[lv] <= len(LEVELS_2022)}
    return out


_LEVEL_WORDS = {
    "none": NONE, "": NONE, "-": NONE, "無": NONE, "未達": NONE, "良好": NONE, "普通": NONE, "0": NONE,
    "l1": "L1", "初級預警": "L1", "初級": "L1", "預警初級": "L1", "level1": "L1",
    "l2": "L2", "中級預警": "L2", "中級": "L2", "預警中級": "L2", "level2": "L2",
    "s1": "S1", "輕度嚴重惡化": "S1", "輕度": "S1", "mild": "S1",
    "s2": "S2", "中度嚴重惡化": "S2", "中度": "S2", "moderate": "S2",
    "s3": "S3", "重度嚴重惡化": "S3", "重度": "S3", "severe": "S3",
}


def parse_level(text, *, where: str | None = None, file=None) -> str:
    """A 2022 level code (or ``none``) from what a forecast file writes: ``L2``, ``中級預警``,
    ``mild``, or a pre-2022 name of 002 (``預警二級`` -> ``L1`` via the level map)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return NONE
    key = re.sub(r"\s", "", str(text)).lower()
    if key in _LEVEL_WORDS:
        return _LEVEL_WORDS[key]
    try:
        m = load_level_map()
        pre = {str(a).lower(): b for a, b in zip(m["from_level"], m["to_level"])}
        pre.update({str(a): b for a, b in zip(m["from_level_zh"], m["to_level"])})
        if key in pre or str(text).strip() in pre:
            return pre.get(key, pre.get(str(text).strip()))
    except InputError:
        pass
    raise InputError(f"unknown warning level {text!r}", file=file, where=where,
                     fix="write none, L1, L2, S1, S2, S3 or the Chinese names 初級預警, 中級預警, 輕度/中度/重度嚴重惡化")
