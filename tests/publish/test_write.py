"""geoairplan.publish.write: every output of a result, and exactly the files it reports."""

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from shapely.geometry import Point

from geoairplan.errors import InputError, Problems
from geoairplan.grid import make_grid
from geoairplan.publish import prepare_outdir, write
from geoairplan.raster import Raster
from geoairplan.results import Result, RunMeta


@dataclass
class _Toy(Result):
    meta: RunMeta
    problems: Problems = field(default_factory=Problems)
    gpkg_name = "toy.gpkg"

    def summary(self):
        return {"n": 2}

    def summary_text(self):
        return "two rows"

    def layers(self):
        return {"points": gpd.GeoDataFrame({"v": [1, 2]}, geometry=[Point(200_000, 2_500_000),
                                                                   Point(201_000, 2_501_000)], crs=3826)}

    def tables(self):
        return {"table": pd.DataFrame({"v": [1.5, 2.5]})}

    def rasters(self):
        g = make_grid(region=(200_000, 202_000, 2_500_000, 2_501_000), cell_size=1000)
        return {"surface": Raster.on_grid(np.ones((1, 2)), g, unit="ug/m3")}


def _on_disk(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("scenario", [False, True])
def test_the_files_reported_are_the_files_on_disk_and_carry_the_provenance(tmp_path, scenario):
    probs = Problems()
    probs.add("in.csv", "row 3", "no value")
    res = _Toy(RunMeta("toy", title="t", scenario=scenario), probs)
    files = write(res, tmp_path / "out", maps=False)
    assert sorted(files) == _on_disk(tmp_path / "out")
    assert set(files) == {"toy.gpkg", "table.csv", "surface.tif", "problems.csv", "summary.txt"}
    table = pd.read_csv(files["table.csv"])
    layer = pyogrio.read_dataframe(files["toy.gpkg"], layer="points")
    with rasterio.open(files["surface.tif"]) as src:
        tag = src.tags()["data_kind"]
    if scenario:
        assert (table["data_kind"] == "scenario").all() and (layer["data_kind"] == "scenario").all()
        assert tag == "scenario"
    else:
        assert "data_kind" not in table and "data_kind" not in layer and tag == "measured"


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError, match="existing file"):
        prepare_outdir(f)
    with pytest.raises(InputError, match="inside a file|part of its path is a file"):
        prepare_outdir(f / "sub")
