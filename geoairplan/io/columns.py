"""Finding columns by the names users give them: one header fold, one finder.

Files name the same column many ways (``縣市``, ``County``, ``COUNTYNAME``;
``經度``, ``lon``, ``Longitude``). Every reader declares the spellings of
the roles it needs and finds them with :func:`find_column`, which compares
headers after :func:`fold_header` (NFKC, lower case, no spaces, ``_`` or
``-``), so ``TM2 X``, ``tm2_x`` and ``ＴＭ２Ｘ`` are the same header.

>>> find_column(["站名", "Longitude", "緯度"], COMMON["lon"])
'Longitude'
>>> find_column(["x"], ("lon", "longitude")) is None
True
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Sequence

__all__ = ["fold_header", "find_column", "find_columns", "COMMON"]

_DROP = re.compile(r"[\s_\-\u3000]+")

#: Spellings of the roles most tables share; readers extend them with their own.
COMMON: dict[str, tuple[str, ...]] = {
    "county": ("county", "countyname", "縣市", "縣市別", "縣市名稱"),
    "township": ("township", "town", "townname", "鄉鎮", "鄉鎮市", "鄉鎮市區", "鄉鎮別", "行政區"),
    "station": ("station", "sitename", "site", "測站", "站名", "測站名稱"),
    "lon": ("lon", "lng", "longitude", "經度", "wgs84lon", "twd97lon"),
    "lat": ("lat", "latitude", "緯度", "wgs84lat", "twd97lat"),
    "x": ("x", "x_tm2", "tm2_x", "twd97x", "utm_e", "座標x", "x座標"),
    "y": ("y", "y_tm2", "tm2_y", "twd97y", "utm_n", "座標y", "y座標"),
    "time": ("time", "datetime", "時間", "日期時間", "monitordate", "publishtime", "datacreationdate"),
    "name": ("name", "名稱"),
}


def fold_header(name) -> str:
    """A header as it is compared: NFKC-folded, lower case, without spaces, ``_`` or ``-``."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(name)).strip().lower()).lstrip("\ufeff")


def find_column(columns: Iterable, names: Sequence[str]) -> str | None:
    """The first column (in the order of ``names``) whose folded header matches one of ``names``."""
    folded = {}
    for c in columns:
        folded.setdefault(fold_header(c), c)
    for n in names:
        hit = folded.get(fold_header(n))
        if hit is not None:
            return hit
    return None


def find_columns(columns: Iterable, roles: dict[str, Sequence[str]]) -> dict[str, str | None]:
    """``{role: column or None}`` for every role of ``roles``."""
    cols = list(columns)
    return {role: find_column(cols, names) for role, names in roles.items()}
