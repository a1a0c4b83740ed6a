"""A real Dask cluster on 127.0.0.1 (``dask scheduler`` + two ``dask worker`` processes): the archive jobs
run on it with ``--scheduler`` and write the same bytes as the in-memory run."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geoairplan.cli import main
from geoairplan.engine import Engine, engine, resolve_scheduler
from geoairplan.errors import InputError
from geoairplan.io.archive import import_files

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "scenario"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_cmd() -> list[str]:
    exe = shutil.which("dask")
    return [exe] if exe else [sys.executable, "-m", "distributed.cli.dask_scheduler"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pytest.importorskip("distributed")
    from distributed import Client

    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    logs = tmp_path_factory.mktemp("dask-logs")
    procs = []
    try:
        procs.append(subprocess.Popen([*_dask_cmd(), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], env=env, stdout=open(logs / "scheduler.log", "w"),
                                      stderr=subprocess.STDOUT))
        for i in range(2):
            procs.append(subprocess.Popen([*_dask_cmd(), "worker", addr, "--nworkers", "1", "--nthreads", "1",
                                           "--memory-limit", "1GB", "--no-dashboard", "--no-nanny", "--name", f"w{i}",
                                           "--local-directory", str(logs / f"w{i}")], env=env,
                                          stdout=open(logs / f"worker{i}.log", "w"), stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 40
        while True:
            try:
                with Client(addr, timeout="5s") as c:
                    c.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                    break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield addr
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = tmp_path_factory.mktemp("cl") / "arc"
    import_files([DATA / "episode_scenario.csv", DATA / "sensors_scenario.csv"], a)
    return a


def _files(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_jobs_on_a_real_cluster_equal_the_local_run(cluster, archive, tmp_path, capsys):
    runs = {}
    for name, sched in (("memory", "memory"), ("cluster", cluster)):
        bt = tmp_path / name / "bt"
        ops = tmp_path / name / "ops"
        assert main(["backtest", "--archive", str(archive), "--from", "2025-01-14", "--to", "2025-01-19",
                     "--county", "屏東縣", "--out", str(bt), "--scheduler", sched, "--levels"]) == 0
        assert main(["sensorops", "--archive", str(archive), "--out", str(ops), "--scheduler", sched,
                     "--permutations", "19"]) == 0
        runs[name] = (_files(bt), _files(ops))
    out = capsys.readouterr().out
    assert "Dask cluster tcp://127.0.0.1" in out and "(2 workers)" in out
    assert runs["memory"] == runs["cluster"]
    levels = [k for k in runs["cluster"][0] if k.startswith("levels/station=")]
    assert len(levels) == 5  # the 屏東縣 stations, written by the workers


def test_environment_variable_selects_the_cluster(cluster, monkeypatch):
    monkeypatch.setenv("GEOAIRPLAN_SCHEDULER", cluster)
    assert resolve_scheduler(None) == cluster
    with engine() as eng:
        assert eng.workers == 2
        assert eng.map(pow, [1, 2, 3], exp=2) == [1, 4, 9]


def test_unknown_scheduler_is_an_input_error(monkeypatch):
    monkeypatch.delenv("GEOAIRPLAN_SCHEDULER", raising=False)
    with pytest.raises(InputError, match="unknown scheduler"):
        resolve_scheduler("gpu")
    assert Engine("memory").map(abs, [-1, 2]) == [1, 2]
