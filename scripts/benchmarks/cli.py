"""CLI: the wall time of every command that writes maps, against the same command with ``--no-maps``.

Each command runs in a fresh Python process (``python -m geoairplan.cli``,
imports and all, as a user runs it) on the embedded data and the scenario
files in ``data/scenario/`` (the archive commands on an archive imported from
them into a temporary folder, ``--scheduler threads``). The peer is the same
command, same arguments, with ``--no-maps``; the variants run interleaved and
the best of ``REPEATS`` is kept. Printed per command: the seconds without
maps, with the default maps (interactive HTML + PNG at 150 dpi) and, where it
is asked for, with the plan-document set (``--static png+pdf --dpi 300``), the
ratios to the peer, and whether the default meets the goal of issue 17
(default maps <= 1.5x ``--no-maps``).

``sensorops`` and ``gridstats`` write no maps yet: both variants do the same
work, so their ratio shows only the noise of the measurement.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "data" / "scenario"
GOAL = 1.5
REPEATS = 3

#: command name -> its arguments (without --out); ``{arc}`` is the temporary archive.
COMMANDS = {
    "coverage": ["coverage", "--county", "屏東縣"],
    "warn": ["warn", str(SCEN / "episode_scenario.csv"), "--county", "屏東縣",
             "--forecast", str(SCEN / "forecast_scenario.csv")],
    "interpolate": ["interpolate", str(SCEN / "episode_scenario.csv"), "--pollutant", "pm2.5", "--method",
                    "kriging", "--cell", "500", "--county", "屏東縣", "--average", "24h", "--hour",
                    "2025-01-17 14:00"],
    "hotspots": ["hotspots", "yunlin-declared", "--county", "雲林縣", "--pollutant", "nox"],
    "site": ["site", "--county", "屏東縣", "--candidates", "grid", "--add", "5"],
    "suspects": ["suspects", str(SCEN / "sensors_scenario.csv"), "--wind", str(SCEN / "sensors_scenario_wind.csv"),
                 "--sources", str(SCEN / "sources_scenario.csv")],
    "backtest": ["backtest", "--archive", "{arc}", "--from", "2025-01-14", "--to", "2025-01-19", "--county", "all",
                 "--scheduler", "threads"],
    "sensorops": ["sensorops", "--archive", "{arc}", "--scheduler", "threads"],
    "gridstats": ["gridstats", "--archive", "{arc}", "--scheduler", "threads"],
}

#: The variants measured: label -> extra arguments.
VARIANTS = {"no-maps": ["--no-maps"], "default": [], "png+pdf 300": ["--static", "png+pdf", "--dpi", "300"]}


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "PYTHONHASHSEED": "0"}


def _cli(args: list[str], timeout: float = 900) -> float:
    """Seconds of one fresh ``python -m geoairplan.cli ARGS`` (it must succeed)."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "geoairplan.cli", *args], capture_output=True, text=True,
                       env=_env(), cwd=str(ROOT), timeout=timeout)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"geoairplan {' '.join(args)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return dt


def _supports_static() -> bool:
    p = subprocess.run([sys.executable, "-m", "geoairplan.cli", "coverage", "--help"], capture_output=True,
                       text=True, env=_env(), cwd=str(ROOT))
    return "--static" in p.stdout


def run(quick: bool = False):
    names = ["coverage", "warn", "backtest"] if quick else list(COMMANDS)
    repeats = 1 if quick else REPEATS
    variants = dict(VARIANTS)
    if quick or not _supports_static():
        variants.pop("png+pdf 300")
    with tempfile.TemporaryDirectory(prefix="geoairplan-bench-cli-") as tmp:
        tmp = Path(tmp)
        arc = tmp / "arc"
        if any("{arc}" in a for n in names for a in COMMANDS[n]):
            _cli(["archive", "import", str(SCEN / "episode_scenario.csv"), str(SCEN / "sensors_scenario.csv"),
                  "--to", str(arc)])
        _cli(["data", "list"])  # warm the file cache once (imports, embedded data)
        yield (f"best of {repeats} fresh processes per variant; default = interactive HTML + PNG 150 dpi; "
               f"goal: default <= {GOAL:g}x --no-maps")
        head = f"{'command':<12} {'no-maps s':>9} {'default s':>9} {'ratio':>6}"
        if "png+pdf 300" in variants:
            head += f" {'png+pdf 300 s':>13} {'ratio':>6}"
        yield head + "  goal"
        for name in names:
            args = [a.replace("{arc}", str(arc)) for a in COMMANDS[name]]
            best = {v: float("inf") for v in variants}
            for i in range(repeats):
                for v, extra in variants.items():
                    out = tmp / f"{name}-{v.replace(' ', '_')}-{i}"
                    best[v] = min(best[v], _cli([*args, "--out", str(out), *extra]))
            base = best["no-maps"]
            r = best["default"] / base
            line = f"{name:<12} {base:9.2f} {best['default']:9.2f} {r:6.2f}"
            if "png+pdf 300" in best:
                line += f" {best['png+pdf 300']:13.2f} {best['png+pdf 300'] / base:6.2f}"
            yield line + ("  met" if r <= GOAL else "  NOT met")
