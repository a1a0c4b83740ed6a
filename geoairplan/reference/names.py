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

__all__ = ["normalize_name", "suggest", "station_key", "zh_number", "fold", "TYPOS"]

#: Known OCR typos in the seed plans and common variant writings -> official.
TYPOS: dict[str, str] = {
    "炭頂": "崁頂",
    "荊桐": "莿桐",
    "蔴桐": "莿桐",
    "刺桐": "莿桐",
    "恒春": "恆春",
}

_TAI = re.compile("台")


def fold(text: str) -> str:
    """NFKC-folded text without spaces (full-width parentheses and digits become ASCII)."""
    # NFKC folds full-width parentheses and digits: 屏東（琉球） -> 屏東(琉球)
    return unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "").replace("\u3000", "")


def normalize_name(name: str | None) -> str | None:
    """Return the official MOI spelling of a county, township or station name.

    >>> normalize_name("台南市"), normalize_name("炭頂鄉"), normalize_name("屏東（琉球）")
    ('臺南市', '崁頂鄉', '屏東(琉球)')
    """
    if name is None:
        return None
    s = fold(name)
    if not s or s.lower() == "nan":
        return None
    for bad, good in TYPOS.items():
        s = s.replace(bad, good)
    return _TAI.sub("臺", s)


def suggest(name: str, candidates, n: int = 3) -> list[str]:
    """Closest spellings of ``name`` among ``candidates`` (after normalising)."""
    cands = sorted(set(candidates))
    norm = normalize_name(name) or ""
    hits = difflib.get_close_matches(norm, cands, n=n, cutoff=0.5)
    if not hits:
        hits = [c for c in cands if norm[:2] and c.startswith(norm[:2])][:n]
    return hits


_ZH_DIGITS = {"一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def zh_number(text: str) -> int | None:
    """A small number written in Chinese or Arabic numerals.

    >>> zh_number("十一"), zh_number("三十三"), zh_number("6"), zh_number("兩")
    (11, 33, 6, 2)
    """
    t = unicodedata.normalize("NFKC", text)
    if t.isdigit():
        return int(t)
    if "十" in t:
        tens, _, ones = t.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return _ZH_DIGITS.get(t)


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
