"""Escaping and JSON for web maps: every text from a file is escaped before it reaches a page."""

from __future__ import annotations

import html
import json
import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import shapely

#: Decimal places of written coordinates (5 ≈ 1 m).
PRECISION = 5


def _num(v: float, digits: int = 4) -> str:
    """A number for people: ``digits`` significant digits, positional, integer digits kept
    (``15.0933`` → ``15.09``, ``1607.96`` → ``1,608``, ``0.000123456`` → ``0.0001235``)."""
    if v == 0 or not math.isfinite(v):
        return "0" if v == 0 else str(v)
    ndig = math.floor(math.log10(abs(v))) + 1
    dec = max(0, digits - ndig)
    out = f"{round(v, dec):,.{dec}f}"
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _esc(value) -> str:
    """Text for HTML: ``None``/NaN → ``""``, numbers compact, everything escaped."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        value = _num(value)
    elif isinstance(value, (np.floating,)):
        return _esc(float(value))
    elif isinstance(value, (pd.Timestamp,)):
        value = value.isoformat(sep=" ")
    elif value is pd.NA or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def _json(obj) -> str:
    """Compact JSON safe to put inside ``<script>`` (no ``</``, no U+2028/9)."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return s.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _round_geoms(geoms, precision: int = PRECISION):
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, precision))


def _geom_json(geom) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    return shapely.geometry.mapping(geom)


def _fc(geoms, props: list[dict]) -> dict:
    feats = []
    for g, p in zip(geoms, props):
        gj = _geom_json(g)
        if gj is None:
            continue
        feats.append({"type": "Feature", "properties": p, "geometry": _to_lists(gj)})
    return {"type": "FeatureCollection", "features": feats}


def _to_lists(obj):
    if isinstance(obj, dict):
        return {k: _to_lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_lists(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return int(f) if f.is_integer() and abs(f) < 1e15 else f
    return obj


def _rows_html(row: Mapping, cols: Sequence[str], aliases: Mapping[str, str] | None) -> str:
    aliases = aliases or {}
    cells = "".join(f"<tr><th>{_esc(aliases.get(c, c))}</th><td>{_esc(row.get(c))}</td></tr>" for c in cols)
    return f'<table class="gap-pop">{cells}</table>'


def _tip_html(row: Mapping, cols: Sequence[str] | str | None, aliases: Mapping[str, str] | None) -> str | None:
    if cols is None:
        return None
    if isinstance(cols, str):
        return _esc(row.get(cols))
    if len(cols) == 1:
        return _esc(row.get(cols[0]))
    aliases = aliases or {}
    return "<br>".join(f"<b>{_esc(aliases.get(c, c))}</b> {_esc(row.get(c))}" for c in cols)
