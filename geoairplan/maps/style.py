"""One colour and legend scheme for every geoairplan map, web and static.

* **Warning levels** of the 2022 regulation (空氣品質嚴重惡化緊急防制辦法):
  ``L1`` 初級預警, ``L2`` 中級預警, ``S1`` 輕度嚴重惡化, ``S2`` 中度嚴重惡化,
  ``S3`` 重度嚴重惡化, plus ``none`` (未達預警) and ``insufficient`` (資料不足).
  The ramp runs yellow → orange → red → purple → maroon: the order of MOENV's
  AQI colours (orange, red, purple, maroon for the worst), so a reader who knows
  the AQI reads the levels without a legend; lightness falls level by level, so
  the order also survives grey-scale printing.
* **AQI classes** (0–50 … 301+) in MOENV's published colours.
* **Sequential** colour maps for emissions (``"emissions"``, yellow-orange-brown)
  and concentrations (``"concentration"``, yellow-orange-red): the same
  :class:`matplotlib.colors.Colormap` draws web rasters, web colour bars and
  static maps.
* **Categorical** palette for keys without an order (stations of a coverage
  map, source categories): :func:`categorical_colors` gives every sorted key a
  stable colour.

Every colour is a lower-case ``#rrggbb`` string.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_hex

from geoairplan.errors import InputError

__all__ = ["LEVELS", "LEVEL_CODES", "LEVEL_COLORS", "LEVEL_LABELS", "NODATA_COLOR",
           "level_color", "level_label", "level_text_color", "level_legend_items",
           "AQI_CLASSES", "aqi_class", "aqi_color", "aqi_legend_items",
           "level_classes", "class_codes", "class_colors", "class_rgba", "class_legend_items", "aqi_classes",
           "SEQUENTIAL_SCHEMES", "sequential_cmap", "sequential_colors",
           "CATEGORICAL_PALETTE", "categorical_colors", "text_color_for"]

#: The five warning levels of the 2022 regulation, mildest first.
LEVELS: tuple[str, ...] = ("L1", "L2", "S1", "S2", "S3")
#: Every code a level map may show: no warning, the five levels, insufficient data.
LEVEL_CODES: tuple[str, ...] = ("none",) + LEVELS + ("insufficient",)

LEVEL_COLORS: dict[str, str] = {
    "none": "#cfe8c3",          # pale green: below every warning threshold
    "L1": "#fed850",            # yellow
    "L2": "#fd8d3c",            # orange
    "S1": "#e31a1c",            # red
    "S2": "#7b2d8e",            # purple (AQI 201-300 is purple)
    "S3": "#5e0019",            # maroon (AQI 301+ is maroon)
    "insufficient": "#a6a6a6",  # grey: too few valid hours to decide
}

LEVEL_LABELS: dict[str, dict[str, str]] = {
    "zh": {"none": "未達預警", "L1": "初級預警", "L2": "中級預警", "S1": "輕度嚴重惡化",
           "S2": "中度嚴重惡化", "S3": "重度嚴重惡化", "insufficient": "資料不足"},
    "en": {"none": "No warning", "L1": "Level-1 warning (initial)",
           "L2": "Level-2 warning (intermediate)", "S1": "Serious deterioration, mild",
           "S2": "Serious deterioration, moderate", "S3": "Serious deterioration, severe",
           "insufficient": "Insufficient data"},
}

#: Colour for missing values in sequential and AQI maps (same grey as ``insufficient``).
NODATA_COLOR = LEVEL_COLORS["insufficient"]


def _code(code) -> str:
    c = str(code).strip()
    if c in LEVEL_COLORS:
        return c
    low = c.lower()
    if low in LEVEL_COLORS:
        return low
    if c.upper() in LEVEL_COLORS:
        return c.upper()
    for k, v in LEVEL_LABELS["zh"].items():  # a Chinese label is accepted as its code
        if c == v:
            return k
    if low in ("", "nan", "none", "null", "-"):
        return "none"
    raise InputError(f"unknown warning level {code!r}",
                     fix="use one of " + ", ".join(LEVEL_CODES) + " (or its Chinese label)")


def level_color(code) -> str:
    """The fill colour of a warning level code (``"L1"`` … ``"S3"``, ``"none"``, ``"insufficient"``)."""
    return LEVEL_COLORS[_code(code)]


def level_label(code, lang: str = "zh") -> str:
    """The regulation's name of a level (``lang="zh"``) or its English gloss (``"en"``)."""
    if lang not in LEVEL_LABELS:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return LEVEL_LABELS[lang][_code(code)]


def text_color_for(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""
    r, g, b = (int(fill.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if lum > 0.22 else "#ffffff"


def level_text_color(code) -> str:
    """Text colour for a label drawn on a level's fill."""
    return text_color_for(level_color(code))


def level_legend_items(include: Sequence[str] = LEVEL_CODES, lang: str = "zh",
                       codes: bool = True) -> list[tuple[str, str]]:
    """``[(label, colour), ...]`` for a level legend, in :data:`LEVEL_CODES` order.

    With ``lang="zh"`` and ``codes=True`` labels read ``"L1 初級預警"``;
    ``lang="both"`` gives ``"L1 初級預警 Level-1 warning (initial)"``.
    """
    wanted = {_code(c) for c in include}
    out = []
    for c in LEVEL_CODES:
        if c not in wanted:
            continue
        if lang == "both":
            text = f"{LEVEL_LABELS['zh'][c]} {LEVEL_LABELS['en'][c]}"
        else:
            text = level_label(c, lang)
        if codes and c in LEVELS:
            text = f"{c} {text}"
        out.append((text, LEVEL_COLORS[c]))
    return out


#: AQI classes: (low, high, colour, Chinese name, English name); MOENV's colours.
AQI_CLASSES: tuple[tuple[int, int | None, str, str, str], ...] = (
    (0, 50, "#009865", "良好", "Good"),
    (51, 100, "#fffb26", "普通", "Moderate"),
    (101, 150, "#ff9835", "對敏感族群不健康", "Unhealthy for sensitive groups"),
    (151, 200, "#ca0034", "對所有族群不健康", "Unhealthy"),
    (201, 300, "#670099", "非常不健康", "Very unhealthy"),
    (301, None, "#7e0123", "危害", "Hazardous"),
)


def aqi_class(aqi) -> int | None:
    """Index into :data:`AQI_CLASSES` of an AQI value (``None`` for missing)."""
    try:
        v = float(aqi)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v) or v < 0:
        return None
    v = math.floor(v + 0.5)  # AQI is reported as an integer
    for i, (lo, hi, *_rest) in enumerate(AQI_CLASSES):
        if hi is None or v <= hi:
            return i
    return len(AQI_CLASSES) - 1


def aqi_color(aqi) -> str:
    """MOENV colour of an AQI value; grey for missing."""
    i = aqi_class(aqi)
    return NODATA_COLOR if i is None else AQI_CLASSES[i][2]


def aqi_legend_items(lang: str = "zh") -> list[tuple[str, str]]:
    """``[(label, colour), ...]`` for an AQI legend, e.g. ``("0–50 良好", "#009865")``."""
    out = []
    for lo, hi, col, zh, en in AQI_CLASSES:
        rng = f"{lo}–{hi}" if hi is not None else f"{lo}+"
        name = {"zh": zh, "en": en}.get(lang, f"{zh} {en}")
        out.append((f"{rng} {name}", col))
    return out


# --------------------------------------------------------------------------- concentration classes
#
# A concentration surface is painted on the regulation's classes, never on a ramp stretched to the data:
# below the first threshold ``none`` (pale green), then the colour of each level reached (``>=``), the
# same colours as the level legend, the level polygons and the station markers.


def level_classes(thresholds) -> tuple[list[float], list[str]]:
    """``(breaks, codes)`` of a threshold table (``level``, ``threshold`` columns, rising).

    ``codes`` has one more item than ``breaks``: ``"none"`` below the first break, then the
    level each break starts. A plain ``{code: threshold}`` mapping is accepted too.
    """
    if hasattr(thresholds, "items") and not hasattr(thresholds, "columns"):
        pairs = sorted(thresholds.items(), key=lambda kv: float(kv[1]))
    else:
        pairs = sorted(zip(thresholds["level"], thresholds["threshold"]), key=lambda kv: float(kv[1]))
    if not pairs:
        raise InputError("no thresholds to class the values on", fix="give the regulation's thresholds")
    return [float(t) for _, t in pairs], ["none"] + [_code(c) for c, _ in pairs]


def _class_index(values, breaks) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), np.searchsorted(np.asarray(breaks, float),
                                                     np.where(np.isfinite(v), v, -np.inf), side="right"), -1)


def class_codes(values, thresholds) -> list:
    """The level code each value reaches on ``thresholds`` (``>=``), ``"none"`` below all, None for NaN."""
    breaks, codes = level_classes(thresholds)
    return [None if i < 0 else codes[i] for i in _class_index(values, breaks).ravel()]


def class_colors(values, thresholds) -> list[str]:
    """:data:`LEVEL_COLORS` of the class each value reaches; NaN → :data:`NODATA_COLOR`."""
    return [NODATA_COLOR if c is None else LEVEL_COLORS[c] for c in class_codes(values, thresholds)]


def aqi_classes() -> tuple[list[float], list[str]]:
    """``(breaks, colours)`` of MOENV's AQI classes (AQI reported as integers: 0–50, 51–100, …)."""
    return [lo - 0.5 for lo, *_ in AQI_CLASSES[1:]], [c for _, _, c, *_ in AQI_CLASSES]


def class_rgba(array, breaks: Sequence[float], colors: Sequence[str], alpha: float = 1.0) -> np.ndarray:
    """An RGBA ``uint8`` image of a 2-D array on classes: ``colors[i]`` for values in
    ``[breaks[i-1], breaks[i])`` (``len(colors) == len(breaks) + 1``); NaN transparent."""
    a = np.asarray(array, dtype=float)
    if len(colors) != len(breaks) + 1:
        raise ValueError("class_rgba needs one colour more than breaks")
    lut = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] + [round(255 * alpha)] for c in colors], np.uint8)
    idx = _class_index(a, breaks)
    out = lut[np.clip(idx, 0, len(colors) - 1)]
    out[idx < 0] = 0
    return out


def class_legend_items(thresholds, unit: str = "", *, codes: bool = True) -> list[tuple[str, str]]:
    """``[(label, colour), ...]`` of the classes of ``thresholds`` with their ranges, lowest first, e.g.
    ``("未達預警 < 35.5 µg/m³", ...)``, ``("L1 初級預警 35.5–54.5 µg/m³", ...)``, ``("S3 … ≥ 350.5 µg/m³", ...)``."""
    breaks, cl = level_classes(thresholds)
    u = f" {unit}" if unit else ""
    out = []
    for i, c in enumerate(cl):
        name = level_label(c) if c == "none" else (f"{c} {level_label(c)}" if codes else level_label(c))
        if i == 0:
            rng = f"< {breaks[0]:g}{u}"
        elif i == len(cl) - 1:
            rng = f"≥ {breaks[-1]:g}{u}"
        else:
            rng = f"{breaks[i - 1]:g}–{breaks[i]:g}{u}"
        out.append((f"{name} {rng}", LEVEL_COLORS[c]))
    return out


#: Sequential schemes: name → list of colour stops (low → high).
SEQUENTIAL_SCHEMES: dict[str, tuple[str, ...]] = {
    # ColorBrewer YlOrBr (9 classes): emissions, sources
    "emissions": ("#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014",
                  "#cc4c02", "#993404", "#662506"),
    # ColorBrewer YlOrRd (9 classes): concentrations
    "concentration": ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a",
                      "#e31a1c", "#bd0026", "#800026"),
}


def sequential_cmap(scheme: str = "concentration"):
    """The :class:`matplotlib.colors.LinearSegmentedColormap` of a sequential scheme.

    NaN (``cmap.set_bad``) is transparent; use it for web rasters and static maps alike.
    """
    if scheme not in SEQUENTIAL_SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {sorted(SEQUENTIAL_SCHEMES)}")
    cmap = LinearSegmentedColormap.from_list(f"geoairplan_{scheme}", SEQUENTIAL_SCHEMES[scheme], N=256)
    return cmap.with_extremes(bad=(0, 0, 0, 0))


def _norm(values, vmin, vmax, log):
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    if vmin is None:
        vmin = float(finite.min()) if finite.size else 0.0
    if vmax is None:
        vmax = float(finite.max()) if finite.size else 1.0
    if log:
        lo = max(vmin, 1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (np.log10(np.clip(v, lo, None)) - np.log10(lo)) / max(np.log10(max(vmax, lo * 10)) - np.log10(lo), 1e-12)
    else:
        t = (v - vmin) / (vmax - vmin) if vmax > vmin else np.zeros_like(v)
    return np.clip(t, 0, 1), v


def sequential_colors(values: Iterable[float], scheme: str = "concentration", vmin: float | None = None,
                      vmax: float | None = None, *, log: bool = False) -> list[str]:
    """One ``#rrggbb`` per value on a sequential scheme; NaN → :data:`NODATA_COLOR`.

    ``vmin``/``vmax`` default to the data range; ``log=True`` spaces colours
    logarithmically (skewed emissions).
    """
    t, v = _norm(list(values), vmin, vmax, log)
    cmap = sequential_cmap(scheme)
    return [NODATA_COLOR if not np.isfinite(x) else to_hex(cmap(float(tt)), keep_alpha=False)
            for x, tt in zip(v, t)]


#: Categorical palette: Okabe–Ito-like strong colours, then lighter companions (20 in all).
CATEGORICAL_PALETTE: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#9edae5", "#dbdb8d", "#393b79",
)


def categorical_colors(keys: Iterable) -> dict:
    """A stable ``{key: colour}``: keys are sorted (as text if of mixed types) and take palette colours in turn.

    The same set of keys always gets the same colours; more than 20 keys reuse
    the palette in order.
    """
    uniq = {k for k in keys if k is not None and not (isinstance(k, float) and math.isnan(k))}
    try:
        uniq = sorted(uniq)
    except TypeError:  # mixed types: sort as text
        uniq = sorted(uniq, key=str)
    return {k: CATEGORICAL_PALETTE[i % len(CATEGORICAL_PALETTE)] for i, k in enumerate(uniq)}
