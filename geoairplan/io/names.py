"""Normalising Taiwanese place names before joining tables.

Official MOI spelling writes 臺 in county names (臺南市, 臺東縣) and in a few
township names (臺西鄉, 霧臺鄉, 臺東市); many files write 台. MOI writes 恆春鎮;
some files write 恒. Plans transcribed by OCR carry typos (炭頂 for 崁頂,
荊桐 or 蔴桐 for 莿桐). :func:`normalize_name` maps all of these to the
official spelling so that joins on names work; the original text is kept by
the callers in a separate column.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

__all__ = ["normalize_name", "normalize_county", "suggest", "TYPOS"]

#: Known OCR typos in the seed plans and common variant writings -> official.
TYPOS: dict[str, str] = {
    "炭頂": "崁頂",
    "荊桐": "莿桐",
    "蔴桐": "莿桐",
    "刺桐": "莿桐",
    "恒春": "恆春",
}

_TAI = re.compile("台")


def _fold(text: str) -> str:
    # NFKC folds full-width parentheses and digits: 屏東（琉球） -> 屏東(琉球)
    return unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\u3000", "")


def normalize_name(name: str | None) -> str | None:
    """Return the official MOI spelling of a county, township or station name.

    >>> normalize_name("台南市"), normalize_name("炭頂鄉"), normalize_name("屏東（琉球）")
    ('臺南市', '崁頂鄉', '屏東(琉球)')
    """
    if name is None:
        return None
    s = _fold(name)
    if not s or s.lower() == "nan":
        return None
    for bad, good in TYPOS.items():
        s = s.replace(bad, good)
    return _TAI.sub("臺", s)


def normalize_county(name: str | None) -> str | None:
    """Official county name; accepts a name without its 縣/市 suffix when unambiguous."""
    s = normalize_name(name)
    if s is None:
        return None
    from geoairplan.datasets import county_names  # late import: datasets imports io

    names = county_names()
    if s in names:
        return s
    hits = [n for n in names if n[:-1] == s]
    return hits[0] if len(hits) == 1 else s


def suggest(name: str, candidates, n: int = 3) -> list[str]:
    """Closest spellings of ``name`` among ``candidates`` (after normalising)."""
    cands = sorted(set(candidates))
    norm = normalize_name(name) or ""
    hits = difflib.get_close_matches(norm, cands, n=n, cutoff=0.5)
    if not hits:
        hits = [c for c in cands if norm[:2] and c.startswith(norm[:2])][:n]
    return hits
