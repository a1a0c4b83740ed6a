"""Build geoairplan's subset CJK font for static maps: ``geoairplan/maps/fonts/GeoAirPlanSansCJK.ttf``.

Source font: Droid Sans Fallback Full (``DroidSansFallbackFull.ttf``, Apache
License 2.0, from the Android Open Source Project), as packaged by Debian in
``fonts-droid-fallback`` (``apt-get install fonts-droid-fallback``). It is a
plain TrueType (glyf) font, so matplotlib embeds it in PDF as Type 42.

Characters kept (the union):

* printable ASCII, Latin-1 signs used on maps (° ² ³ µ · × ±), Greek μ,
  sub/superscript digits (PM₂.₅, NO₂), dashes, quotes, arrows;
* CJK symbols and punctuation (U+3000–U+303F) and full-width forms (U+FF01–U+FF5E);
* Big5 level-1 common characters: every cp950 code 0xA440–0xC67E (5,401 characters);
* every character in the embedded data's text: ``data/**/*.csv`` and the
  township and county names in ``data/townships.gpkg`` (townships, stations,
  facilities, addresses, rules), the level and AQI labels of
  :mod:`geoairplan.maps.style`, and the string literals of ``geoairplan/**/*.py``
  (map titles and legends).

Outlines are kept, hinting dropped (maps are printed or rendered at 300 dpi),
``.notdef`` kept (so missing characters show as a box, never disappear), and the
family renamed "GeoAirPlan Sans CJK" (a modified version). The licence text and
a README with the source and character count are written next to the font.

Usage::

    python scripts/build_font.py [--source /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf]
"""

from __future__ import annotations

import argparse
import ast
import codecs
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "geoairplan" / "maps" / "fonts"
FONT_FILE = "GeoAirPlanSansCJK.ttf"
FAMILY = "GeoAirPlan Sans CJK"
DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
LICENCE_SOURCES = [Path("/usr/share/common-licenses/Apache-2.0")]
MAX_BYTES = 4_000_000


def big5_level1() -> list[str]:
    """Every character of Big5 level 1 (common characters, cp950 0xA440–0xC67E)."""
    out = []
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            code = (lead << 8) | trail
            if code < 0xA440 or code > 0xC67E:
                continue
            try:
                ch = bytes([lead, trail]).decode("cp950")
            except UnicodeDecodeError:
                continue
            out.append(ch)
    return out


def base_chars() -> set[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= set("°²³µ·×±÷¹¼½¾§©®μ–—‘’“”•…‧※←↑→↓↔⇒≤≥≈≠∼℃㎍㎎㎏㎞㎡ⅠⅡⅢⅣⅤⅥ①②③④⑤⑥⑦⑧⑨⑩")
    chars |= {chr(c) for c in range(0x2080, 0x208A)}  # subscript digits
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    return chars


def data_chars() -> set[str]:
    chars: set[str] = set()
    data = ROOT / "data"
    for p in sorted(data.rglob("*")):
        if p.suffix.lower() in (".csv", ".md", ".txt", ".json", ".geojson"):
            chars |= set(p.read_text(encoding="utf-8", errors="ignore"))
    ref = ROOT.parent / "shared" / "reference"
    for p in sorted(ref.glob("*.csv")) if ref.exists() else []:
        chars |= set(p.read_text(encoding="utf-8", errors="ignore"))
    try:
        import pandas as pd
        import pyogrio

        for layer in ("townships", "counties"):
            df = pyogrio.read_dataframe(data / "townships.gpkg", layer=layer, read_geometry=False)
            for col in df.columns:
                if not pd.api.types.is_numeric_dtype(df[col]):
                    chars |= set("".join(df[col].dropna().astype(str)))
    except Exception as exc:  # pragma: no cover - build-time only
        print(f"warning: could not read township names: {exc}", file=sys.stderr)
    return chars


def code_chars() -> set[str]:
    chars: set[str] = set()
    for p in sorted((ROOT / "geoairplan").rglob("*.py")):
        try:
            tree = ast.parse(p.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                chars |= set(node.value)
    return chars


def wanted_chars() -> set[str]:
    chars = base_chars() | set(big5_level1()) | data_chars() | code_chars()
    return {c for c in chars if c.isprintable() or c == "\u3000"}


def build(source: Path, out_dir: Path = OUT_DIR) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    if not source.exists():
        sys.exit(f"{source} is missing: install it with `apt-get install fonts-droid-fallback` "
                 f"or pass --source PATH")
    chars = wanted_chars()
    font = TTFont(str(source), recalcTimestamp=False)
    cmap = font.getBestCmap()
    have = sorted(ord(c) for c in chars if ord(c) in cmap)
    missing = sorted(c for c in chars if ord(c) not in cmap and not c.isspace() and ord(c) > 0x7E)
    opts = subset.Options()
    opts.hinting = False
    opts.notdef_outline = True
    opts.notdef_glyph = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.name_languages = ["*"]
    opts.glyph_names = False
    opts.recalc_timestamp = False
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=have)
    sub.subset(font)
    name = font["name"]
    ps = FAMILY.replace(" ", "")
    for rec in list(name.names):
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY
        elif rec.nameID == 3:
            rec.string = f"{ps}-Regular (subset of Droid Sans Fallback Full)"
        elif rec.nameID == 6:
            rec.string = f"{ps}-Regular"
        elif rec.nameID == 2:
            rec.string = "Regular"
    name.setName(f"{FAMILY}: a subset of Droid Sans Fallback Full made by geoairplan's "
                 f"scripts/build_font.py; Apache License 2.0", 10, 3, 1, 0x409)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / FONT_FILE
    font.save(str(out))
    size = out.stat().st_size
    if size > MAX_BYTES:
        sys.exit(f"{out} is {size} bytes, over the {MAX_BYTES} budget")
    for lic in LICENCE_SOURCES:
        if lic.exists():
            (out_dir / "LICENSE-Apache-2.0.txt").write_text(lic.read_text(encoding="utf-8"), encoding="utf-8")
            break
    (out_dir / "README.md").write_text(
        f"# {FAMILY}\n\n"
        f"`{FONT_FILE}` ({size:,} bytes, {len(have):,} characters) is a subset of **Droid Sans Fallback "
        f"Full** (Android Open Source Project, Apache License 2.0; Debian package `fonts-droid-fallback`), "
        f"renamed \"{FAMILY}\" and built by `python scripts/build_font.py`. It holds printable ASCII, "
        f"CJK punctuation, full-width forms, the 5,401 Big5 level-1 common characters and every "
        f"character of the embedded data's names (townships, stations, facilities, rules) and of the "
        f"package's strings. Hinting is dropped; outlines are unchanged.\n\n"
        f"Licence: Apache License 2.0, see `LICENSE-Apache-2.0.txt`. Original copyright: "
        f"Copyright (C) 2008 The Android Open Source Project.\n",
        encoding="utf-8")
    print(f"wrote {out} ({size:,} bytes, {len(have):,} characters; "
          f"{len(missing)} wanted characters not in the source font: {''.join(missing[:40])})")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="DroidSansFallbackFull.ttf")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    build(args.source, args.out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
