"""`geoairplan --help` and `--version` import neither pandas nor numpy nor matplotlib (the commands import them
in run())."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
sys.argv = ["geoairplan", {arg!r}]
from geoairplan import cli
try:
    cli.main([{arg!r}])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in ("pandas", "numpy", "geopandas", "scipy", "matplotlib", "shapely")
                        if m in sys.modules)))
"""


@pytest.mark.parametrize("arg", ["--help", "--version"])
def test_help_and_version_import_no_heavy_modules(arg):
    res = subprocess.run([sys.executable, "-c", PROBE.format(arg=arg)], capture_output=True, text=True,
                         cwd=str(ROOT), env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    assert "geoairplan" in res.stdout
    assert json.loads(res.stdout.strip().splitlines()[-1]) == []


HEAVY = ("pandas", "numpy", "geopandas", "scipy", "matplotlib", "shapely", "pyarrow", "folium")

MAIN_PROBE = """
import json, runpy, sys
sys.argv = ["geoairplan", *{args!r}]
code = None
try:
    runpy.run_module("geoairplan.cli", run_name="__main__", alter_sys=True)  # = python -m geoairplan.cli
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "cli": "geoairplan.commands.coverage" in sys.modules,
                  "heavy": sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})}}))
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["coverage", "--help"]])
def test_the_module_entry_point_imports_no_heavy_module(args):
    """``python -m geoairplan.cli --version`` (the ``__main__`` path, as a user runs it), not only ``main()``."""
    from geoairplan import __version__

    res = subprocess.run([sys.executable, "-c", MAIN_PROBE.format(args=args, heavy=HEAVY)], capture_output=True,
                         text=True, cwd=str(ROOT), env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr[-2000:]
    *printed, last = res.stdout.strip().splitlines()
    got = json.loads(last)
    assert got["code"] == 0 and got["cli"]  # it ran to the end, through the parser of every command
    assert got["heavy"] == []
    if args == ["--version"]:
        assert printed == [f"geoairplan {__version__}"]


def test_problems_to_frame_still_gives_a_data_frame():
    from geoairplan.errors import Problems

    p = Problems()
    p.add("f.csv", "row 3", "no value")
    df = p.to_frame()
    assert list(df.columns) == ["source", "where", "reason", "severity"] and len(df) == 1
