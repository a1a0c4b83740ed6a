"""Sub-commands of the ``geoairplan`` CLI, one module each (see geoairplan.cli).

The pieces every capability command shares live here: the output options
(``--out``, ``--offline``, ``--no-maps``) and the closing report (the problems
found, what was written).
"""

from __future__ import annotations

import time


def add_output_args(p, *, no_maps_help: str) -> None:
    """``--out DIR``, ``--offline`` and ``--no-maps``, the same on every command."""
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--offline", action="store_true", help="self-contained HTML map (no CDN, no tiles)")
    p.add_argument("--no-maps", action="store_true", help=no_maps_help)


def report(problems, n_files: int, out, *, t0: float | None = None, where: str = "problems.csv",
           limit: int = 8) -> None:
    """Print the problems (rows or values not used, warnings) and what was written."""
    if problems:
        n_err = sum(p.severity == "error" for p in problems)
        print(f"{len(problems)} problem(s) ({n_err} rows or values not used), see {where}:")
        print("  " + problems.summary(limit).replace("\n", "\n  "))
    took = f" in {time.perf_counter() - t0:.1f} s" if t0 is not None else ""
    print(f"wrote {n_files} files to {out}{took}")
