"""MOENV station types (一般站, 交通站, 工業站, ...): the vocabulary, and the types coverage uses.

Light on purpose (no pandas, no geopandas): the command line reads these for its ``--help``.
"""

from __future__ import annotations

import re

from geoairplan.errors import InputError

__all__ = ["SITE_TYPES", "COVERAGE_TYPES", "normalize_sitetype", "check_types"]

#: MOENV station types (``sitetype`` of the station list ``aqx_p_07``), in the spelling
#: of the registry. The list itself writes ``公園站`` for 國家公園站 and ``其它站`` for 其他.
SITE_TYPES = ("一般站", "交通站", "工業站", "國家公園站", "背景站", "其他")

#: The station types the regulation's official coverage tables use, the default for
#: coverage and warnings. Every station of the three embedded tables is of one of them:
#: 003 表 2 (seed 003 L95-L97: 屏東站, 潮州站, 恆春站 -- 一般站 in aqx_p_07);
#: 002 表 7.3 (seed 002 L4343-L4347: 斗六, 崙背 -- "一般空氣品質監測站", 麥寮, 臺西 --
#: "工業測站", seed 002 L1207 and 表 3.2 L1220-L1223); 001 附件 3 (seed 001 L2481-L2487:
#: 馬公站 -- 一般站 in aqx_p_07). No table lists a 交通站, 背景站, 國家公園站 or 其他
#: station, nor a station missing from aqx_p_07 (屏東(琉球), 屏東(枋山), whose type the
#: sources do not state: they are in 屏東縣 but not in 003 表 2).
COVERAGE_TYPES = ("一般站", "工業站")

_TYPE_ALIASES = {"一般": "一般站", "一般測站": "一般站", "一般空氣品質監測站": "一般站", "general": "一般站",
                 "交通": "交通站", "交通測站": "交通站", "traffic": "交通站",
                 "工業": "工業站", "工業測站": "工業站", "industrial": "工業站",
                 "公園站": "國家公園站", "國家公園": "國家公園站", "國家公園測站": "國家公園站",
                 "park": "國家公園站", "national park": "國家公園站",
                 "背景": "背景站", "背景測站": "背景站", "background": "背景站",
                 "其它站": "其他", "其他站": "其他", "其它": "其他", "other": "其他"}


def normalize_sitetype(text: str | None) -> str | None:
    """The registry spelling of a MOENV station type (``公園站`` -> ``國家公園站``), None if unknown.

    Parameters
    ----------
    text : str or None
        A station type as MOENV or a user writes it.

    Returns
    -------
    str or None
        One of :data:`SITE_TYPES`, or None for blank or unknown text.
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    t = str(text).strip()
    if t in SITE_TYPES:
        return t
    return _TYPE_ALIASES.get(t.lower(), _TYPE_ALIASES.get(t))


def check_types(types) -> tuple[str, ...]:
    """Station types as given by a user (a string ``"一般站,工業站"``, a list, or ``"all"``), checked.

    Parameters
    ----------
    types : str or iterable of str
        Station types in any spelling :func:`normalize_sitetype` knows; ``"all"`` means every type.

    Returns
    -------
    tuple of str
        The types in :data:`SITE_TYPES` spelling, in that order.

    Raises
    ------
    InputError
        For a type that is not a MOENV station type (the message lists them), ``where="types"``.
    """
    if isinstance(types, str):
        if types.strip().lower() == "all":
            return SITE_TYPES
        types = [t for t in re.split(r"[,;，、\s]+", types) if t]
    got = []
    for t in types:
        n = normalize_sitetype(t)
        if n is None:
            raise InputError(f"unknown station type {t!r}", where="types",
                             fix="use one or more of " + ", ".join(SITE_TYPES) + " (or 'all')")
        got.append(n)
    return tuple(t for t in SITE_TYPES if t in got)
