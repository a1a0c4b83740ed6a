"""Safe output paths: every file name built from user text stays a plain name inside the output folder.

Names users give (labels, county names, station names) can hold ``/``,
``..``, ``\\``, NUL, Windows reserved names or be hundreds of bytes long.
:func:`safe_name` turns any text into a portable file-name part, and
:func:`inside` refuses a path that would leave its folder.

>>> safe_name("/../../escaped")
'escaped'
>>> safe_name("屏東縣 PM2.5 (scenario)")
'屏東縣_PM2.5_(scenario)'
>>> safe_name("CON")
'_CON'
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from geoairplan.errors import InputError

__all__ = ["safe_name", "inside", "MAX_NAME_BYTES"]

#: Most file systems allow 255 bytes in one name; leave room for suffixes such as ``.embed.html``.
MAX_NAME_BYTES = 200

_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(text, *, default: str = "output", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file-name part made from ``text``: no separators, no ``..``, no control or reserved characters.

    Parameters
    ----------
    text : str
        What the user wrote (a label, a county, a station).
    default : str
        Used when nothing usable is left.
    max_bytes : int
        Longest result in UTF-8 bytes (cut at a character boundary).
    """
    s = unicodedata.normalize("NFC", str(text))
    s = _BAD.sub("_", s)
    s = re.sub(r"\s+", "_", s.strip())
    s = re.sub(r"\.{2,}", ".", s).strip("._ ")
    s = re.sub(r"_+", "_", s)
    if not s:
        s = default
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    b = s.encode("utf-8")
    if len(b) > max_bytes:
        s = b[:max_bytes].decode("utf-8", errors="ignore").rstrip("._ ") or default
    return s


def inside(folder, name: str) -> Path:
    """``folder / name``, refused with :class:`InputError` unless it stays inside ``folder``."""
    base = Path(folder).resolve()
    path = (base / name).resolve()
    if path != base and base not in path.parents:
        raise InputError(f"the output name {name!r} would be written outside the output folder", where="out",
                         fix="give a plain name without '/', '\\\\' or '..'")
    return path
