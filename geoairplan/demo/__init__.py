"""``geoairplan demo``: the whole map set from the embedded data alone.

Each capability contributes one *step*, a module ``geoairplan/demo/<capability>.py`` with
``demo_maps(outdir: pathlib.Path, *, offline: bool = False) -> list[MapEntry]``
that runs the analysis on embedded data, writes everything with
:func:`geoairplan.publish.write` (under ``outdir/<capability>/``) and returns one
entry per file a person would open. :func:`run_demo` runs the steps in order with a
progress bar, writes ``index.html`` linking every entry with its one-line
description and size, and returns the entries.

To add a step, append ``("label", "module:function")`` to :data:`STEPS`.
"""

from __future__ import annotations

import html
import importlib
import sys
import time
from pathlib import Path

from geoairplan.demo.entry import MapEntry
from geoairplan.maps.webfont import FONT_STACK, embed_font

__all__ = ["MapEntry", "STEPS", "run_demo", "write_index"]


#: (label, "module:function") for every capability, in the order the demo runs them.
STEPS: list[tuple[str, str]] = [
    ("overview", "geoairplan.demo.overview:demo_maps"),
    ("coverage", "geoairplan.demo.coverage:demo_maps"),
    ("warnings", "geoairplan.demo.warnings:demo_maps"),
    ("hotspots", "geoairplan.demo.hotspots:demo_maps"),
    ("interpolate", "geoairplan.demo.interpolate:demo_maps"),
    ("siting", "geoairplan.demo.siting:demo_maps"),
    ("backtest", "geoairplan.demo.backtest:demo_maps"),
]


def _bar(i: int, n: int, label: str, width: int = 30) -> str:
    filled = int(width * i / max(n, 1))
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {i}/{n} {label:<30}"


def run_demo(outdir: str | Path = "maps", *, offline: bool = False, progress: bool = True,
             steps: list[tuple[str, str]] | None = None) -> list[MapEntry]:
    """Run every demo step into ``outdir`` and write ``outdir/index.html``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    steps = STEPS if steps is None else steps
    entries: list[MapEntry] = []
    t0 = time.perf_counter()
    for i, (label, target) in enumerate(steps):
        if progress:
            print(_bar(i, len(steps), label), end="", file=sys.stderr, flush=True)
        mod, func = target.split(":")
        entries.extend(getattr(importlib.import_module(mod), func)(outdir, offline=offline))
    if progress:
        print(_bar(len(steps), len(steps), f"done in {time.perf_counter() - t0:.0f} s"), file=sys.stderr)
    write_index(outdir, entries, offline=offline)
    return entries


def _size_bytes(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def _size(path: Path) -> str:
    return _size_bytes(path.stat().st_size if path.exists() else 0)


def write_index(outdir: Path, entries: list[MapEntry], *, offline: bool = False) -> Path:
    """An index.html linking every entry with its description and size, grouped by capability.

    Web maps also link their ``.embed.html`` iframe snippet when it exists;
    the header says whether the maps were built ``--offline``.
    """
    groups: dict[str, list[MapEntry]] = {}
    for e in entries:
        groups.setdefault(e.path.split("/")[0] if "/" in e.path else "", []).append(e)
    total = sum((outdir / e.path).stat().st_size for e in entries if (outdir / e.path).exists())
    parts = []
    for group, items in groups.items():
        rows = []
        for e in items:
            tag = ' <span class="scenario">scenario</span>' if e.scenario else ""
            extra = ""
            if e.kind == "web" and e.path.endswith(".html"):
                emb = e.path[:-5] + ".embed.html"
                if (outdir / emb).exists():
                    extra = f' · <a href="{html.escape(emb)}">embed snippet</a>'
            rows.append(f'<li><a href="{html.escape(e.path)}">{html.escape(e.title)}</a>{tag} '
                        f'<small>({html.escape(e.kind)}, {_size(outdir / e.path)}{extra})</small><br>'
                        f'{html.escape(e.description)}</li>')
        head = f"<h2>{html.escape(group)}</h2>\n" if group else ""
        parts.append(head + "<ul>\n" + "\n".join(rows) + "\n</ul>")
    mode = ("<strong>offline</strong>: every web map is self-contained (Leaflet inlined, no tiles) and "
            "opens without any network" if offline else
            "online: web maps load Leaflet from a CDN and show a tile basemap; "
            "<code>geoairplan demo --offline</code> makes self-contained pages")
    page = ("<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>geoairplan demo maps</title><style>body{font-family:" + FONT_STACK + ";max-width:60em;"
            "margin:1em auto;padding:0 1em}li{margin:.6em 0}.scenario{background:#fde68a;padding:0 .3em;"
            "border-radius:3px;font-size:.8em}</style></head><body>\n"
            "<h1>geoairplan demo maps</h1>\n<p>Built by <code>geoairplan demo</code> from the embedded data. "
            "Items marked <span class=\"scenario\">scenario</span> use made-up data generated by a "
            "documented script, not measurements.</p>\n"
            f"<p>{len(entries)} outputs, {_size_bytes(total)} in all; {mode}.</p>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    path = outdir / "index.html"
    path.write_text(embed_font(page), encoding="utf-8")
    return path
