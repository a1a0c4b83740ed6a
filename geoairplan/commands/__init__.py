"""Sub-commands of the ``geoairplan`` CLI, one module each (see geoairplan.cli).

The pieces every capability command shares live here: the output options
(``--out``, ``--offline``, ``--no-maps``, ``--static``, ``--dpi``, ``--scenario``;
:func:`map_options` turns them into the arguments of ``publish.write``) and
the closing report (the problems found, what was written).
"""

from __future__ import annotations

import argparse
import math
import re
import time


def number(kind=float, *, low=None, high=None, low_open=False, unit=""):
    """An argparse ``type`` for a number in a range: ``number(int, low=1)``, ``number(float, low=0,
    low_open=True, high=1)`` for (0, 1]. A trailing ``unit`` (e.g. ``"m"``) is accepted and dropped."""
    what = "whole number" if kind is int else "number"
    lo_txt = "" if low is None else (f"> {low}" if low_open else f">= {low}")
    hi_txt = "" if high is None else f"<= {high}"
    rng = " and ".join(t for t in (lo_txt, hi_txt) if t)

    def parse(text: str):
        t = text.strip().lower()
        if unit:
            t = t.removesuffix(unit)
        try:
            v = kind(t)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {what}") from None
        bad = (isinstance(v, float) and not math.isfinite(v)) or \
            (low is not None and (v <= low if low_open else v < low)) or (high is not None and v > high)
        if bad:
            raise argparse.ArgumentTypeError(f"{text!r} must be {rng}{' ' + unit if unit else ''}")
        return v
    return parse


_N_ROWS = re.compile(r"\((\d+) (?:rows|records|values)\)|^(\d+) (?:rows|records|values)\b")
_LIST = re.compile(r"^(?:rows|records|lines) ([\d, ]+)$")


def rows_in(problem) -> int:
    """How many rows or values a problem stands for, read from its ``where`` (``row 5``: 1, ``rows 5, 9``: 2,
    ``rows 5, ... (40 rows)``: 40) and reason (``... 144 rows not used``); 1 when it does not say."""
    where = str(problem.where).strip()
    m = _N_ROWS.search(where)
    if m:
        return int(m.group(1) or m.group(2))
    m = _LIST.match(where)
    if m:
        return len([v for v in m.group(1).split(",") if v.strip()])
    m = re.search(r"(\d+) (?:rows|records|values|readings) (?:not used|skipped)", str(problem.reason))
    if m:
        return int(m.group(1))
    return 1


#: ``--static`` choices: the formats of the static maps each writes.
STATIC_CHOICES = {"png": ("png",), "pdf": ("pdf",), "png+pdf": ("png", "pdf"), "none": ()}
#: The command line's static maps unless asked otherwise: PNG at 150 dpi (the library's default,
#: for plan documents, is PNG at 300 dpi + PDF).
DEFAULT_STATIC, DEFAULT_DPI = "png", 150
#: ``--dpi`` range (= geoairplan.maps.static.DPI_RANGE, not imported here: ``--help`` loads no matplotlib).
DPI_LOW, DPI_HIGH = 72, 600


def add_output_args(p, *, no_maps_help: str) -> None:
    """``--out DIR``, ``--offline``, ``--no-maps``, ``--static``, ``--dpi`` and ``--scenario``, the same on
    every command."""
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--offline", action="store_true", help="self-contained HTML map (no CDN, no tiles)")
    p.add_argument("--no-maps", action="store_true", help=no_maps_help + " (no maps at all: wins over --static)")
    p.add_argument("--static", type=str.lower, choices=tuple(STATIC_CHOICES), default=DEFAULT_STATIC,
                   help="static maps beside the interactive HTML maps: png (default), pdf (vector, embedded "
                        "fonts, for print), png+pdf, or none")
    p.add_argument("--dpi", type=number(int, low=DPI_LOW, high=DPI_HIGH), default=DEFAULT_DPI, metavar="N",
                   help=f"resolution of PNG maps, {DPI_LOW}-{DPI_HIGH} dots per inch (default {DEFAULT_DPI}; "
                        "300 for print)")
    p.add_argument("--scenario", action="store_true",
                   help="the input is made-up scenario data: label every output so (files that say so in a "
                        "data_kind column are labelled without it)")


def map_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`geoairplan.publish.write` the output options ask for:
    ``maps``, ``offline``, ``static`` (formats) and ``dpi``."""
    return {"maps": not args.no_maps, "offline": args.offline, "static": STATIC_CHOICES[args.static],
            "dpi": args.dpi}


def report(problems, files, out, *, t0: float | None = None, where: str = "problems.csv",
           limit: int = 8) -> None:
    """Print the problems (rows or values not used, warnings) and what was written.

    ``files`` is what :func:`geoairplan.publish.write` returned (its length is
    the count printed) or a number.
    """
    n_files = files if isinstance(files, int) else len(files)
    if problems:
        n_err = sum(rows_in(p) for p in problems if p.severity == "error")
        print(f"{len(problems)} problem(s) ({n_err} rows or values not used), see {where}:")
        print("  " + problems.summary(limit).replace("\n", "\n  "))
    took = f" in {time.perf_counter() - t0:.1f} s" if t0 is not None else ""
    print(f"wrote {n_files} files to {out}{took}")
