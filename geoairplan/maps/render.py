"""Rendering and saving web maps: deterministic element ids, offline inlining, iframe snippets."""

from __future__ import annotations

import contextlib
import itertools
import re
from functools import lru_cache
from pathlib import Path

import folium
from branca import element as be
from branca.element import Figure
from offlinefolium.elements import _res as _offline_res

from geoairplan.errors import InputError
from geoairplan.maps.elements import _state
from geoairplan.maps.webfont import embed_font
from geoairplan.maps.escape import _esc


def _walk(el, seen=None):
    seen = set() if seen is None else seen
    if id(el) in seen:
        return
    seen.add(id(el))
    yield el
    for child in list(el._children.values()):
        yield from _walk(child, seen)


@contextlib.contextmanager
def _deterministic_ids():
    """Element ids drawn from a counter while rendering (elements folium creates at render time)."""
    counter = itertools.count(1)
    orig = be.Element._generate_id
    be.Element._generate_id = lambda self: f"r{next(counter):05d}"  # type: ignore[assignment]
    try:
        yield
    finally:
        be.Element._generate_id = orig  # type: ignore[assignment]


def _fix_ids(root) -> None:
    for i, el in enumerate(_walk(root)):
        el._id = f"{i:05d}"


@lru_cache(maxsize=1)
def _offline_assets() -> dict[str, str]:
    return dict(_offline_res)  # folium-offline: {CDN url: file text}


def offline_asset(url: str) -> str | None:
    """The text of a CDN script/stylesheet shipped by ``folium-offline`` (``None`` if not shipped)."""
    return _offline_assets().get(url)


_SCRIPT_RE = re.compile(r'<script src="(https?://[^"]+)"></script>')


_CSS_RE = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')


def _inline(html_text: str) -> str:
    def js(mo):
        text = offline_asset(mo.group(1))
        if text is None:
            raise InputError(f"no offline copy of {mo.group(1)}",
                             fix="use only layers geoairplan.maps provides in offline maps")
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"

    def css(mo):
        text = offline_asset(mo.group(1))
        if text is None:
            raise InputError(f"no offline copy of {mo.group(1)}",
                             fix="use only layers geoairplan.maps provides in offline maps")
        return "<style>" + text.replace("</style", "<\\/style") + "</style>"

    out = _SCRIPT_RE.sub(lambda mo: js(mo), html_text)
    out = _CSS_RE.sub(lambda mo: css(mo), out)
    left = re.findall(r'(?:src|href)="(https?://[^"]+)"', out)
    bad = [u for u in left if not re.search(r"<a [^>]*href=\"" + re.escape(u), out)]
    if bad:
        raise InputError(f"offline map still references {bad[0]}", fix="report this as a geoairplan bug")
    return out


def render_html(m, *, offline: bool | None = None) -> str:
    """The standalone HTML page of a map (deterministic)."""
    st = _state(m)
    offline = st["offline"] if offline is None else (offline or st["offline"])
    if not any(isinstance(c, folium.LayerControl) for c in m._children.values()):
        m.add_child(folium.LayerControl(collapsed=True, position="topright"), name="gap_layer_control")
    removed = {}
    if offline:
        removed = {k: c for k, c in m._children.items() if isinstance(c, folium.TileLayer)}
        for k in removed:
            del m._children[k]
    # a fresh Figure each time: branca caches rendered pieces in the figure it renders into
    old_parent = m._parent
    root = Figure()
    root.add_child(m, name="map")
    # folium's render adds children (e.g. Layer's addTo); take them away again afterwards so that
    # rendering leaves the map as it was and the next save starts from the same tree
    snapshot = [(el, list(el._children)) for el in _walk(m)]
    try:
        _fix_ids(root)
        with _deterministic_ids():
            text = root.render()
    finally:
        for el, keys in snapshot:
            for k in [k for k in el._children if k not in keys]:
                del el._children[k]
        m._parent = old_parent
        for k, c in removed.items():
            m._children[k] = c
    text = text.replace("<html>", '<html lang="zh-Hant-TW">', 1)
    text = text.replace('charset=UTF-8" />',
                        f'charset=UTF-8" />\n    <title>{_esc(st["title"])}</title>', 1)
    # folium's viewport forbids zooming the page; maps on phones should allow it
    text = re.sub(r'<meta name="viewport"[^>]*/>',
                  '<meta name="viewport" content="width=device-width, initial-scale=1.0" />', text, count=1)
    text = re.sub(r"[ \t]+\n", "\n", text)
    if offline:
        text = _inline(text)
    return embed_font(text)


def embed_snippet(page_name: str, title: str, *, height: str = "70vh") -> str:
    """An ``<iframe>`` snippet that embeds ``page_name`` (put both files in the same folder)."""
    t = _esc(title)
    src = _esc(page_name)
    return (f"<!-- geoairplan map: {t}. Upload {src} next to the page and paste this snippet. -->\n"
            f'<div class="geoairplan-map" style="position:relative;width:100%;height:{_esc(height)};'
            f'min-height:320px">\n'
            f'  <iframe src="{src}" title="{t}" loading="lazy" allowfullscreen\n'
            f'          style="position:absolute;inset:0;width:100%;height:100%;border:0"></iframe>\n'
            f'</div>\n'
            f'<p style="font-size:.8em"><a href="{src}" target="_blank" rel="noopener">'
            f'在新視窗開啟地圖 Open the map in a new window</a></p>\n')


def save_map(m, path, *, offline: bool = False) -> dict:
    """Write the map as a standalone page ``path`` and an iframe snippet ``path.with_suffix('.embed.html')``.

    Byte-identical for the same map. ``offline=True`` (or a map made with
    ``offline=True``) inlines every script and stylesheet and drops tile
    layers: the page then makes no network request at all.
    Returns ``{"path", "bytes", "embed", "offline"}``.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"a web map is saved as .html, not {path.suffix or 'no suffix'}", file=path,
                         fix="name the file like map.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    st = _state(m)
    off = bool(offline or st["offline"])
    text = render_html(m, offline=off)
    data = text.encode("utf-8")
    path.write_bytes(data)
    embed = path.with_suffix(".embed.html")
    embed.write_text(embed_snippet(path.name, st["title"]), encoding="utf-8")
    return {"path": path, "bytes": len(data), "embed": embed, "offline": off}
