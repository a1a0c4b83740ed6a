"""A web font for every page: the page's own characters in Traditional-Chinese glyphs, embedded.

A web map whose Chinese relies on the reader's system fonts shows boxes on a
machine without CJK fonts (many Linux desktops, kiosks, some phones). Every
page geoairplan writes therefore embeds, as a base64 WOFF ``@font-face``, a
subset of the shipped font (``maps/fonts/GeoAirPlanSansTC.ttf``: Noto Sans
CJK TC, OFL, built by ``scripts/build_font.py``) that holds exactly the
characters the page contains (also those written as ``\\uXXXX`` escapes in
its JSON), and names it first in the pages' font stack (:data:`FONT_STACK`).
Offline pages thus render Chinese with no network and no system font; online
pages the same way.

The subset is deterministic (same characters, same bytes) and small: a county
map with ~400 distinct characters embeds ~80 kB.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

__all__ = ["FONT_FAMILY", "FONT_STACK", "FONT_PATH", "page_characters", "woff_subset", "font_face_css",
           "embed_font"]

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "GeoAirPlanSansTC.ttf"
FONT_FAMILY = "GeoAirPlan Sans TC"
#: The font stack of every page: the embedded subset first, then common Traditional-Chinese system fonts.
FONT_STACK = f'"{FONT_FAMILY}","Noto Sans TC","Noto Sans CJK TC","Microsoft JhengHei","PingFang TC",sans-serif'

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_ASCII = frozenset(chr(c) for c in range(0x20, 0x7F))


def page_characters(text: str) -> set[str]:
    """The non-ASCII characters of a page, with those its JSON writes as ``\\uXXXX`` escapes."""
    chars = {c for c in text if ord(c) > 0x7F}
    chars |= {chr(int(h, 16)) for h in _ESCAPE.findall(text)}
    return {c for c in chars if c.isprintable() and ord(c) > 0x7F}


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return FONT_PATH.read_bytes()


@lru_cache(maxsize=64)
def woff_subset(chars: frozenset) -> bytes:
    """A WOFF font holding ``chars`` (those the shipped font has) and printable ASCII; deterministic."""
    opts = subset.Options()
    opts.flavor = "woff"
    opts.hinting = True            # the shipped font has no hinting; keeping it avoids re-encoding glyphs
    opts.recalc_bounds = False
    opts.recalc_timestamp = False
    opts.layout_features = []
    opts.notdef_outline = True
    opts.notdef_glyph = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    sub = subset.Subsetter(opts)
    font = TTFont(io.BytesIO(_font_bytes()), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    have = font.getBestCmap()
    sub.populate(unicodes=sorted({ord(c) for c in chars | _ASCII} & set(have)))
    sub.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """A ``<style>`` block with the ``@font-face`` of the subset for the characters of ``text``."""
    data = base64.b64encode(woff_subset(frozenset(page_characters(text)))).decode("ascii")
    return (f'<style>@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/woff;base64,{data}) '
            f'format("woff");font-display:swap}}</style>')


def embed_font(html_text: str) -> str:
    """``html_text`` with the page's font subset embedded at the end of its ``<head>``."""
    css = font_face_css(html_text)
    if "</head>" in html_text:
        return html_text.replace("</head>", css + "\n</head>", 1)
    return css + "\n" + html_text
