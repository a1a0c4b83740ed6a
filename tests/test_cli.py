"""`geoairplan --help` and `--version` import neither pandas nor numpy (the commands import them in run())."""

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


def test_problems_to_frame_still_gives_a_data_frame():
    from geoairplan.errors import Problems

    p = Problems()
    p.add("f.csv", "row 3", "no value")
    df = p.to_frame()
    assert list(df.columns) == ["source", "where", "reason", "severity"] and len(df) == 1
