"""Where archive jobs run: in this process, on Dask on this machine, or on an existing Dask cluster.

geoairplan has no scheduler or worker pool of its own. A job (back-test,
micro-sensor operations, grid statistics) cuts its work into independent
tasks (one per station or per month partition) and hands them to
:meth:`Engine.map`, which runs them

=================== ===========================================================
``scheduler``       runs the tasks
=================== ===========================================================
``"memory"``        one after the other in this process (no Dask at all)
``"threads"``       Dask's threaded scheduler (one process, shared memory)
``None``/``"local"`` a :class:`distributed.LocalCluster` on this machine: one
                    worker process per core, one thread each, memory bounded
                    per worker (spilled to disk past 60 %, paused at 80 %)
``"tcp://HOST:8786"`` an existing Dask cluster (``dask scheduler`` / ``dask
                    worker``); the workers need geoairplan importable
=================== ===========================================================

``GEOAIRPLAN_SCHEDULER`` gives the default when ``scheduler`` is None.
Results come back in task order whatever ran them, so every path writes the
same bytes. Progress comes from Dask's own reporting
(:func:`distributed.progress`, :class:`dask.diagnostics.ProgressBar`).

Which default: measured in ``scripts/benchmarks/scale.py`` (see
``docs/scale.md``): the per-task work is pandas/numpy code that holds the GIL
for much of its time (groupby, factorize, string handling), so worker
processes scale where threads do not; the cluster costs ~2 s to start, which
only matters for jobs of a few seconds.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable

from geoairplan.errors import InputError

__all__ = ["Engine", "engine", "ENV_VAR", "resolve_scheduler", "DEFAULT_MEMORY_LIMIT"]

ENV_VAR = "GEOAIRPLAN_SCHEDULER"
#: Memory bound of each local worker process (Dask spills to disk at 60 % of it, pauses at 80 %).
DEFAULT_MEMORY_LIMIT = "2GB"


def resolve_scheduler(scheduler: str | None) -> str:
    """The scheduler to use: the argument, else ``GEOAIRPLAN_SCHEDULER``, else ``local``; checked."""
    s = scheduler if scheduler else os.environ.get(ENV_VAR) or "local"
    s = s.strip()
    if s in ("memory", "threads", "local") or s.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        return s
    raise InputError(f"unknown scheduler {s!r}", where="scheduler",
                     fix="use memory, threads, local or a Dask scheduler address tcp://HOST:8786")


@dataclass
class Engine:
    """Runs a job's tasks (see the module notes); made by :func:`engine`.

    Attributes
    ----------
    kind : str
        ``memory``, ``threads``, ``local`` or the scheduler address.
    client : distributed.Client or None
        The Dask client (``local`` and remote clusters).
    progress : bool
        Show Dask's progress bar while tasks run.
    """

    kind: str = "memory"
    client: Any = None
    progress: bool = False

    @property
    def workers(self) -> int:
        """Number of workers (1 in memory; threads in the threaded scheduler)."""
        if self.client is not None:
            return len(self.client.scheduler_info().get("workers", {}))
        return 1 if self.kind == "memory" else (os.cpu_count() or 1)

    def describe(self) -> str:
        if self.kind == "memory":
            return "in memory (no Dask)"
        if self.kind == "threads":
            return f"Dask threaded scheduler ({os.cpu_count()} threads)"
        where = "local cluster" if self.kind == "local" else f"Dask cluster {self.kind}"
        return f"{where} ({self.workers} workers)"

    def map(self, fn: Callable, items: Iterable, **kwargs) -> list:
        """``[fn(item, **kwargs) for item in items]``, run by the engine, in item order."""
        items = list(items)
        f = partial(fn, **kwargs) if kwargs else fn
        if self.kind == "memory" or not items:
            return [f(i) for i in items]
        if self.client is None:  # threaded scheduler
            import dask
            from dask.diagnostics import ProgressBar

            tasks = [dask.delayed(f, pure=True)(i) for i in items]
            if self.progress:
                with ProgressBar():
                    return list(dask.compute(*tasks, scheduler="threads"))
            return list(dask.compute(*tasks, scheduler="threads"))
        from distributed import progress

        futures = self.client.map(f, items, pure=False)
        if self.progress:
            progress(futures)
        return self.client.gather(futures)


@contextmanager
def engine(scheduler: str | None = None, *, workers: int | None = None, memory_limit: str = DEFAULT_MEMORY_LIMIT,
           progress: bool = False, local_directory: str | None = None):
    """A context manager giving the :class:`Engine` a job runs on; the cluster it started is stopped on exit.

    Parameters
    ----------
    scheduler : str, optional
        ``memory``, ``threads``, ``local`` (default, or ``GEOAIRPLAN_SCHEDULER``)
        or a Dask scheduler address ``tcp://HOST:8786``.
    workers : int, optional
        Worker processes of a local cluster (default: the machine's cores).
    memory_limit : str
        Memory bound per local worker (Dask spills to disk beyond 60 % of it).
    progress : bool
        Show Dask's progress bar.
    local_directory : str, optional
        Where local workers spill (default: a temporary folder, removed after).

    Yields
    ------
    Engine
    """
    kind = resolve_scheduler(scheduler)
    if kind in ("memory", "threads"):
        yield Engine(kind, None, progress)
        return
    import dask
    from distributed import Client, LocalCluster

    if kind != "local":
        try:
            client = Client(kind, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {kind} ({exc})", where="scheduler",
                             fix="start it (dask scheduler; dask worker " + kind + ") or check the address") from None
        try:
            yield Engine(kind, client, progress)
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="geoairplan-dask-") as tmp, \
            dask.config.set({"distributed.worker.memory.target": 0.6, "distributed.worker.memory.spill": 0.7,
                             "distributed.worker.memory.pause": 0.8, "distributed.worker.memory.terminate": 0.95,
                             "distributed.logging.distributed": "error"}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                               dashboard_address=None, local_directory=local_directory or tmp,
                               silence_logs=40)
        client = Client(cluster)
        try:
            yield Engine("local", client, progress)
        finally:
            client.close()
            cluster.close()
