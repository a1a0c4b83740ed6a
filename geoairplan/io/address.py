"""Finding the county and township of a Taiwanese address, without guessing.

Facility lists in plans give a control number, a name and an address but no
coordinates; what can be known for certain from the address is the county
(縣市) and the township (鄉鎮市區). :func:`parse_address` finds both by looking
for the 368 official township names (embedded MOI data) in the address, after
normalising what varies between files:

* full-width characters and spaces (``屏東縣里港鄉三廂村江南巷 2-3 號``),
* 台/臺 and 恒/恆, and the OCR typos of the seed plans (炭頂 -> 崁頂,
  荊桐/蔴桐 -> 莿桐), see :func:`geoairplan.reference.names.normalize_name`,
* house numbers written in Chinese numerals: ``三三五之一二號`` ->
  ``335之12號``, ``十二號`` -> ``12號``, ``一百零五號`` -> ``105號`` (also
  before 樓, 鄰, 巷, 弄; road sections such as 二段 are left as written),
* county names before the 2010/2014 mergers (臺南縣新營市 -> 臺南市新營區).

An address is placed only when the answer is certain: a township name that
exists in several counties (東區, 北區, 中山區 ...) in an address without a
county is not placed, and the reason says which counties it could be. An
address that cannot be placed gets ``township=None`` and a reason; nothing is
ever guessed.

>>> parse_address("屏東縣里港鄉三廂村江南巷 2-3 號").township
'里港鄉'
>>> parse_address("東區民族路三三五之一二號").reason
'township 東區 exists in 新竹市, 嘉義市, 臺中市, 臺南市: the address does not say which county'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from geoairplan.reference.geography import check_county, load_townships
from geoairplan.reference.names import normalize_name

__all__ = ["AddressMatch", "parse_address", "normalize_address", "chinese_number"]

# County names before the mergers of 2010 (臺北縣, 臺中縣, 臺南縣, 高雄縣) and 2014
# (桃園縣); their 鄉/鎮/市 became 區 of the same stem.
OLD_COUNTIES = {"臺北縣": "新北市", "臺中縣": "臺中市", "臺南縣": "臺南市", "高雄縣": "高雄市",
                "桃園縣": "桃園市"}

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = "零〇○一二兩三四五六七八九十百千"
_HOUSE = re.compile(rf"(?<![{_NUM}])([{_NUM}]+)(?:之([{_NUM}]+))?(號|樓|鄰|巷|弄)")


@dataclass(frozen=True)
class AddressMatch:
    """Where an address lies, as far as its text says.

    Attributes
    ----------
    county:
        Official county name, or None when the address does not tell.
    township:
        Official township name, or None when the address cannot be placed.
    normalized:
        The address with spaces removed, full-width characters folded, 臺/恆
        and known typos corrected and house numbers in Arabic numerals.
    method:
        ``"address"`` (the official township name is in the address),
        ``"address-stem"`` (the name without its 鄉/鎮/市/區 suffix, or the
        pre-merger form, right after the county), or None when not placed.
    reason:
        Why the address was not placed (None when it was).
    """

    county: str | None
    township: str | None
    normalized: str | None
    method: str | None
    reason: str | None

    @property
    def placed(self) -> bool:
        return self.township is not None


def chinese_number(text: str) -> int:
    """The value of a number in Chinese numerals.

    Written positionally (``一百零五`` = 105, ``十二`` = 12) or digit by digit
    as house numbers often are (``三三五`` = 335, ``一二`` = 12).

    >>> chinese_number("一百零五"), chinese_number("十二"), chinese_number("三三五")
    (105, 12, 335)
    """
    if any(c in _UNITS for c in text):
        total, num = 0, 0
        for c in text:
            if c in _UNITS:
                total += (num or 1) * _UNITS[c]
                num = 0
            else:
                num = _DIGITS[c]
        return total + num
    return int("".join(str(_DIGITS[c]) for c in text))


def normalize_address(address: str | None) -> str | None:
    """An address in one spelling: see :class:`AddressMatch` ``normalized``.

    >>> normalize_address("台南市東區 民族路三三五之一二號")
    '臺南市東區民族路335之12號'
    """
    if address is None:
        return None
    s = unicodedata.normalize("NFKC", str(address))
    s = re.sub(r"\s+", "", s)
    s = normalize_name(s)
    if s is None:
        return None
    s = s.replace("恒", "恆")

    def _num(m: re.Match) -> str:
        out = str(chinese_number(m.group(1)))
        if m.group(2):
            out += "之" + str(chinese_number(m.group(2)))
        return out + m.group(3)

    return _HOUSE.sub(_num, s)


@lru_cache(maxsize=1)
def _index():
    """County -> townships, township -> counties, and search patterns (built once)."""

    tw = load_townships()[["COUNTYNAME", "TOWNNAME"]]
    by_county: dict[str, list[str]] = {}
    by_town: dict[str, list[str]] = {}
    for c, t in zip(tw["COUNTYNAME"], tw["TOWNNAME"]):
        by_county.setdefault(c, []).append(t)
        by_town.setdefault(t, []).append(c)

    def alternation(names):
        return re.compile("|".join(re.escape(n) for n in sorted(set(names), key=lambda n: (-len(n), n))))

    county_re = alternation(list(by_county) + list(OLD_COUNTIES))
    town_re = alternation(by_town)
    county_town_re = {c: alternation(ts) for c, ts in by_county.items()}
    return by_county, {t: sorted(cs, key=list(by_county).index) for t, cs in by_town.items()}, \
        county_re, town_re, county_town_re


def _strip_prefix(s: str) -> str:
    s = re.sub(r"^\d{3,6}", "", s)  # postal code
    return re.sub(r"^(中華民國|臺灣省|臺灣)", "", s)


def parse_address(address: str | None, county: str | None = None) -> AddressMatch:
    """Find the county and township of a Taiwanese address.

    Parameters
    ----------
    address:
        The address as written (any spacing, width, 台/臺, Chinese or Arabic
        house numbers).
    county:
        The county the address is known to be in (e.g. the county of a plan's
        facility list). Used for addresses that do not name one; an address
        that names another county is not placed.

    Returns
    -------
    AddressMatch
        ``township`` is None, with a ``reason``, when the address cannot be
        placed for certain: no township name found; the township is not in
        the county; the township name exists in several counties and the
        address does not say which; the address is in another county.

    Raises
    ------
    InputError
        ``county`` is not a Taiwanese county name.

    Examples
    --------
    >>> m = parse_address("炭頂鄉港東村 十二號", county="屏東縣")
    >>> m.county, m.township, m.normalized
    ('屏東縣', '崁頂鄉', '崁頂鄉港東村12號')
    """
    given = None
    if county is not None and not (isinstance(county, float) and county != county):

        given = check_county(county)
    norm = normalize_address(address) if address is not None and not (
        isinstance(address, float) and address != address) else None
    if not norm:
        return AddressMatch(given, None, None, None, "no address")
    by_county, by_town, county_re, town_re, county_town_re = _index()
    body = _strip_prefix(norm)

    m = county_re.search(body)
    if m:
        named = OLD_COUNTIES.get(m.group(0), m.group(0))
        if given is not None and named != given:
            return AddressMatch(given, None, norm, None,
                                f"the address is in {named}, not in the given county {given}")
        rest = body[m.end():]
        hit = county_town_re[named].search(rest)
        if hit:
            return AddressMatch(named, hit.group(0), norm, "address", None)
        stem = _stem_match(rest, by_county[named])
        if stem:
            return AddressMatch(named, stem, norm, "address-stem", None)
        other = town_re.search(rest)
        if other:
            return AddressMatch(named, None, norm, None,
                                f"township {other.group(0)} is not in county {named} (it is in "
                                f"{', '.join(by_town[other.group(0)])})")
        return AddressMatch(named, None, norm, None, f"no township name of {named} found in the address")

    if given is not None:
        hit = county_town_re[given].search(body)
        if hit:
            return AddressMatch(given, hit.group(0), norm, "address", None)
        other = town_re.search(body)
        if other:
            return AddressMatch(given, None, norm, None,
                                f"township {other.group(0)} is not in county {given} (it is in "
                                f"{', '.join(by_town[other.group(0)])})")
        return AddressMatch(given, None, norm, None, f"no township name of {given} found in the address")

    hit = town_re.search(body)
    if not hit:
        return AddressMatch(None, None, norm, None, "no township name found in the address")
    name = hit.group(0)
    counties = by_town[name]
    if len(counties) > 1:
        return AddressMatch(None, None, norm, None,
                            f"township {name} exists in {', '.join(counties)}: the address does not say "
                            "which county")
    return AddressMatch(counties[0], name, norm, "address", None)


def _stem_match(rest: str, towns: list[str]) -> str | None:
    """The township whose name without 鄉/鎮/市/區 starts ``rest``, when exactly one does."""
    hits = {t for t in towns if len(t) > 2 and rest.startswith(t[:-1])}
    if len(hits) == 1:
        return hits.pop()
    if len(hits) > 1:  # the longest stem wins only when it is unique in length
        best = max(len(t) for t in hits)
        top = [t for t in hits if len(t) == best]
        return top[0] if len(top) == 1 else None
    return None
