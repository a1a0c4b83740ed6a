"""Options shared by the archive job commands (``backtest``, ``sensorops``, ``gridstats``)."""

from __future__ import annotations

from geoairplan.commands import number


def add_job_args(p, *, archive_required: bool = True) -> None:
    """``--archive``, ``--from``, ``--to``, ``--scheduler``, ``--workers``, ``--progress``.

    ``archive_required=False`` for commands where the archive is one input among others
    (``geoairplan warn OBS`` or ``geoairplan warn --archive ARCHIVE``).
    """
    p.add_argument("--archive", required=archive_required, metavar="ARCHIVE",
                   help="archive folder (geoairplan archive import)")
    p.add_argument("--from", dest="start", metavar="DATE", help="first day (YYYY-MM-DD, Taiwan time)")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="memory, threads, local (default; or env GEOAIRPLAN_SCHEDULER) or a Dask scheduler "
                        "address tcp://HOST:8786")
    p.add_argument("--workers", type=number(int, low=1, high=512), metavar="N", help="worker processes of the local cluster (default: cores)")
    p.add_argument("--progress", action="store_true", help="show Dask's progress bar")


def end_exclusive(end):
    """The day after an inclusive end date (None stays None)."""
    import pandas as pd

    if end is None:
        return None
    t = pd.Timestamp(end)
    return t + pd.Timedelta(days=1) if t == t.normalize() else t
