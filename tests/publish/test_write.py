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


@pytest.fixture(scope="module")
def penghu():
    from geoairplan.coverage import coverage_analysis

    return coverage_analysis("澎湖縣")


def _static_files(files):
    return sorted(f for f in files if f.endswith((".png", ".pdf", ".svg")))


def test_write_keeps_the_plan_document_default_and_takes_the_static_formats_and_dpi(penghu, tmp_path):
    from PIL import Image

    files = write(penghu, tmp_path / "lib")  # the library default (the demo): PNG at 300 dpi + PDF
    assert _static_files(files) == ["coverage_map.pdf", "coverage_map.png"]
    assert Image.open(files["coverage_map.png"]).size == (3507, 2481)  # A4 landscape at 300 dpi
    files = write(penghu, tmp_path / "svg", static=("SVG", ".pdf"), dpi=72)
    assert _static_files(files) == ["coverage_map.pdf", "coverage_map.svg"]
    files = write(penghu, tmp_path / "png", static=["png"], dpi=100)
    assert _static_files(files) == ["coverage_map.png"]
    assert Image.open(files["coverage_map.png"]).size == (1169, 827)
    assert sorted(files) == _on_disk(tmp_path / "png")


def test_static_none_builds_no_figure(penghu, tmp_path, monkeypatch):
    import geoairplan.maps.coverage as cov

    def boom(res):
        raise AssertionError("a static figure was built that nobody writes")

    monkeypatch.setattr(cov, "static_map_of", boom)
    files = write(penghu, tmp_path / "o", static=())
    assert "coverage_map.html" in files and _static_files(files) == []
    with pytest.raises(AssertionError, match="nobody writes"):  # the check itself: the default does build it
        write(penghu, tmp_path / "p")


@pytest.mark.parametrize("kw,where", [({"dpi": 30}, "dpi"), ({"dpi": 150.0}, "dpi"), ({"dpi": True}, "dpi"),
                                      ({"static": ("png", "jpg")}, "static"), ({"static": "gif"}, "static")])
def test_bad_static_options_are_refused_before_anything_is_written(penghu, tmp_path, kw, where):
    with pytest.raises(InputError) as e:
        write(penghu, tmp_path / "o", **kw)
    assert e.value.where == where and e.value.fix
    assert not (tmp_path / "o").exists()
