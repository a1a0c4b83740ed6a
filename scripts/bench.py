"""Speed and memory benchmarks of geoairplan against the peer measured in the same run.

Not a test: it prints ratios (ours / peer) on this machine. Each section is a
module in ``scripts/benchmarks/`` with a ``run(quick: bool)`` function returning
(or yielding, to print them as they come) the lines to print. Run all sections, or name some:

    python scripts/bench.py                 # everything
    python scripts/bench.py interpolate     # one section
    python scripts/bench.py --quick         # smaller sizes, for a smoke run
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sections", nargs="*", help="section names (file stems in scripts/benchmarks/)")
    ap.add_argument("--quick", action="store_true", help="smaller problem sizes")
    args = ap.parse_args()
    files = sorted((HERE / "benchmarks").glob("*.py"))
    if args.sections:
        files = [f for f in files if f.stem in args.sections]
    import os
    print(f"geoairplan benchmarks on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for f in files:
        spec = importlib.util.spec_from_file_location(f"bench_{f.stem}", f)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        t0 = time.perf_counter()
        print(f"\n== {f.stem} ==")
        for line in mod.run(quick=args.quick):
            print(line, flush=True)
        print(f"({f.stem}: {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
