"""Build geoairplan's Traditional-Chinese subset font: ``geoairplan/maps/fonts/GeoAirPlanSansTC.ttf``.

Source font: **Noto Sans CJK TC** Regular (Google, SIL Open Font License 1.1),
face 3 ("Noto Sans CJK TC") of ``NotoSansCJK-Regular.ttc`` as packaged by
Debian in ``fonts-noto-cjk`` (``apt-get install fonts-noto-cjk``). The TC face
draws the glyph forms taught and printed in Taiwan (the earlier Droid Sans
Fallback leans to Simplified forms). Its CFF (cubic) outlines are converted
to TrueType (quadratic, ``glyf``) outlines with fontTools' cu2qu (max error
2 units of 1000), so matplotlib embeds the font in PDF as Type 42 and the web
maps can subset it per page (:mod:`geoairplan.maps.webfont`).

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
family renamed "GeoAirPlan Sans TC" (a Modified Version under the OFL: the
reserved names are not used). The licence text and a README with the source
and character count are written next to the font.

Usage::

    python scripts/build_font.py [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import argparse
import ast
import codecs
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "geoairplan" / "maps" / "fonts"
FONT_FILE = "GeoAirPlanSansTC.ttf"
FAMILY = "GeoAirPlan Sans TC"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TC_FACE = "Noto Sans CJK TC"
COPYRIGHT_FILE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
MAX_BYTES = 6_000_000


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


def _tc_face(source: Path):
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() in (".ttc", ".otc"):
        coll = TTCollection(str(source), recalcTimestamp=False)
        for i, f in enumerate(coll.fonts):
            if f["name"].getDebugName(1) == TC_FACE:
                return TTFont(str(source), fontNumber=i, recalcTimestamp=False)
        sys.exit(f"{source} has no face named {TC_FACE!r}")
    return TTFont(str(source), recalcTimestamp=False)


def cff_to_glyf(font, max_err: float = 2.0) -> None:
    """Replace CFF (cubic) outlines by TrueType (quadratic) ``glyf`` outlines, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(gs)
        gs[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for k in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
              "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints",
              "maxContours", "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, k, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def build(source: Path, out_dir: Path = OUT_DIR) -> Path:
    from fontTools import subset

    if not source.exists():
        sys.exit(f"{source} is missing: install it with `apt-get install fonts-noto-cjk` or pass --source PATH")
    chars = wanted_chars()
    font = _tc_face(source)
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
    opts.drop_tables += ["vhea", "vmtx", "VORG", "BASE"]  # no vertical text on maps
    opts.recalc_timestamp = False
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=have)
    sub.subset(font)
    cff_to_glyf(font)
    name = font["name"]
    ps = FAMILY.replace(" ", "")
    for rec in list(name.names):
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY
        elif rec.nameID == 3:
            rec.string = f"{ps}-Regular (subset of Noto Sans CJK TC Regular)"
        elif rec.nameID == 6:
            rec.string = f"{ps}-Regular"
        elif rec.nameID == 2:
            rec.string = "Regular"
        elif rec.nameID == 17:
            rec.string = "Regular"
    name.setName(f"{FAMILY}: a subset of Noto Sans CJK TC Regular with TrueType outlines, made by "
                 f"geoairplan's scripts/build_font.py; SIL Open Font License 1.1", 10, 3, 1, 0x409)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / FONT_FILE
    font.save(str(out))
    size = out.stat().st_size
    if size > MAX_BYTES:
        sys.exit(f"{out} is {size} bytes, over the {MAX_BYTES} budget")
    if COPYRIGHT_FILE.exists():
        text = COPYRIGHT_FILE.read_text(encoding="utf-8")
        body = text.split("License: SIL-1.1\n", 2)[-1].split("\nLicense: ", 1)[0]
        lic = "\n".join(line[1:] if line.startswith(" ") else line for line in body.splitlines())
        lic = lic.replace("\n.\n", "\n\n")
        (out_dir / "LICENSE-OFL-1.1.txt").write_text(
            "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.\n"
            "Noto Sans CJK: Copyright 2010-2012, Google Corporation.\n\n" + lic.strip() + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(
        f"# {FAMILY}\n\n"
        f"`{FONT_FILE}` ({size:,} bytes, {len(have):,} characters) is a subset of **Noto Sans CJK TC** "
        f"Regular (Google and Adobe, SIL Open Font License 1.1; Debian package `fonts-noto-cjk`, face "
        f"\"Noto Sans CJK TC\" of `NotoSansCJK-Regular.ttc`), with its CFF outlines converted to TrueType "
        f"outlines (fontTools cu2qu, max error 2/1000 em), renamed \"{FAMILY}\" and built by "
        f"`python scripts/build_font.py`. It holds printable ASCII, CJK punctuation, full-width forms, "
        f"the 5,401 Big5 level-1 common characters and every character of the embedded data's names "
        f"(townships, stations, facilities, rules) and of the package's strings, in the glyph forms used "
        f"in Taiwan. Static maps draw with it (PDF: embedded Type 42); web maps embed a per-page subset "
        f"of it as a web font (`geoairplan.maps.webfont`). Hinting is dropped.\n\n"
        f"Licence: SIL Open Font License 1.1, see `LICENSE-OFL-1.1.txt`. This is a Modified Version; the "
        f"Reserved Font Names are not used.\n",
        encoding="utf-8")
    print(f"wrote {out} ({size:,} bytes, {len(have):,} characters; "
          f"{len(missing)} wanted characters not in the source font: {''.join(missing[:40])})")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="NotoSansCJK-Regular.ttc (or a TC .otf/.ttf)")
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    build(args.source, args.out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
