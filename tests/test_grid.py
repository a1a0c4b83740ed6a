"""geoairplan.grid: the one grid — cell edges on whole multiples, integer cell arithmetic."""

import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.grid import GridSpec, cell_index, make_grid


def test_grids_of_different_extents_line_up_cell_for_cell():
    a = make_grid(region=(200_123, 210_456, 2_500_010, 2_505_990), cell_size=500)
    b = make_grid(region=(195_000, 230_000, 2_490_000, 2_520_000), cell_size=500)
    assert a.west % 500 == 0 and a.north % 500 == 0
    # the same point falls in cells whose edges coincide in both grids
    ra, ca = a.cell_of(np.array([201_234.0]), np.array([2_503_333.0]))
    rb, cb = b.cell_of(np.array([201_234.0]), np.array([2_503_333.0]))
    assert a.west + ca[0] * 500 == b.west + cb[0] * 500
    assert a.north - ra[0] * 500 == b.north - rb[0] * 500


def test_cell_index_is_floor_division_and_matches_the_grid():
    x = np.array([999.999, 1000.0, -0.5, 206_050.0])
    y = np.array([0.0, 1999.0, 2_622_450.0, 2_622_450.0])
    c, r = cell_index(x, y, 1000)
    assert c.tolist() == [0, 1, -1, 206] and r.tolist() == [0, 1, 2622, 2622]


def test_a_county_grid_masks_the_sea_and_refuses_a_runaway_size():
    g = make_grid(county="澎湖縣", cell_size=1000)
    assert isinstance(g, GridSpec) and g.counties == ("澎湖縣",)
    assert 0.02 < g.land.mean() < 0.2            # islands (127 km²) in a lot of sea
    with pytest.raises(InputError, match="cells"):
        make_grid(county="屏東縣", cell_size=1)
