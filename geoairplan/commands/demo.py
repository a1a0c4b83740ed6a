"""``geoairplan demo``: build the whole map set from the embedded data."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="build every demo map from the embedded data into maps/",
                       description="Build the whole map set (coverage, warnings, interpolation, hotspots) "
                                   "from the embedded data, with an index.html linking every map.")
    p.add_argument("--out", default="maps", help="output folder (default: maps)")
    p.add_argument("--offline", action="store_true",
                   help="self-contained HTML that renders with no network (no CDN, no tiles)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path
    from geoairplan.demo import run_demo

    entries = run_demo(args.out, offline=args.offline, progress=not args.quiet)
    out = Path(args.out)
    mode = "offline: self-contained pages, no network needed" if args.offline else "online: Leaflet from a CDN, tile basemap"
    print(f"wrote {len(entries)} outputs to {out}/ (open {out / 'index.html'}; {mode}):")
    for e in entries:
        size = (out / e.path).stat().st_size
        tag = " [scenario]" if e.scenario else ""
        print(f"  {e.path:<48} {size / 1e3:>8.0f} kB  {e.title}{tag}")
    return 0
