"""The one raster grid of geoairplan: north-up cells in EPSG:3826 with edges on whole multiples.

Every gridded product (interpolated surfaces, kernel densities, 1 km
emission grids) uses :class:`GridSpec`: origin (west, north), cell size,
shape and an optional land mask. Cell edges sit on multiples of the cell
size in TM2 metres, so grids of different runs and capabilities line up
cell for cell, and a point's cell is integer arithmetic (:func:`cell_index`)
with no geometry at all.

>>> g = make_grid(region=(200_000, 210_000, 2_500_000, 2_505_000), cell_size=1000)
>>> g.shape, g.bounds
((5, 10), (200000.0, 2500000.0, 210000.0, 2505000.0))
>>> cell_index([200_500.0], [2_504_999.0], 1000)
(array([200]), array([2504]))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio.features import geometry_mask

from geoairplan.errors import InputError
from geoairplan.io.crs import TM2, to_tm2
from geoairplan.reference.geography import check_county, load_counties

__all__ = ["GridSpec", "make_grid", "nice_cell_size", "cell_index", "cell_id", "cell_polygons", "MAX_CELLS",
           "BYTES_PER_CELL"]

#: Largest grid :func:`make_grid` builds unless told otherwise (cells).
MAX_CELLS = 20_000_000
#: Bytes of memory a grid cell costs end to end (values, variance, mask, coordinates, GeoTIFF buffer).
BYTES_PER_CELL = 45


def cell_index(x, y, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Column and row numbers of the cells (edges at multiples of ``cell`` metres) holding points.

    Column ``c`` spans ``[c * cell, (c + 1) * cell)`` in easting, row ``r`` the
    same in northing (rows count northwards). Pure integer arithmetic on TM2
    metres: a million points take milliseconds.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return np.floor(x / cell).astype(np.int64), np.floor(y / cell).astype(np.int64)



def cell_id(col, row, cell: float) -> str:
    """The name of a cell: ``E171N2620`` (kilometres) for whole-kilometre cells, else metres."""
    if cell % 1000 == 0:
        return f"E{col * cell / 1000:.0f}N{row * cell / 1000:.0f}"
    return f"E{col * cell:.0f}N{row * cell:.0f}"


def cell_polygons(cols, rows, cell: float = 1000.0) -> gpd.GeoDataFrame:
    """Square cells (EPSG:3826) of the columns and rows of :func:`cell_index`.

    Parameters
    ----------
    cols, rows : array-like of int
        Cell numbers (column ``c`` spans ``[c * cell, (c + 1) * cell)`` in easting).
    cell : float
        Cell edge in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id, col, row, x0, y0`` (south-west corner, metres) and the square, in EPSG:3826.
    """
    cols = np.asarray(cols, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    x0 = cols * cell
    y0 = rows * cell
    geom = shapely.box(x0, y0, x0 + cell, y0 + cell)
    return gpd.GeoDataFrame({"cell_id": [cell_id(c, r, cell) for c, r in zip(cols, rows)],
                             "col": cols, "row": rows, "x0": x0.astype(float), "y0": y0.astype(float)},
                            geometry=geom, crs=TM2)


def nice_cell_size(extent_x: float, extent_y: float, max_cells: int) -> float:
    """The smallest 1-2-5 cell size (metres) whose grid over the extent stays under ``max_cells``."""
    for exp in range(0, 7):
        for m in (1, 2, 5):
            size = m * 10 ** exp
            if math.ceil(extent_x / size) * math.ceil(extent_y / size) <= max_cells:
                return float(size)
    return 1e6


@dataclass(frozen=True)
class GridSpec:
    """A north-up raster grid in EPSG:3826: origin (west, north), cell size, shape and land mask.

    ``mask`` is True on cells to fill (inside the county's land or region);
    ``area`` is the clipping geometry (EPSG:3826) when the grid was made from
    a county or a polygon, ``name`` says what it covers.
    """

    west: float
    north: float
    cell_size: float
    nx: int
    ny: int
    mask: np.ndarray | None = field(default=None, repr=False, compare=False)
    area: Any = field(default=None, repr=False, compare=False)
    name: str = ""
    counties: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, int]:
        return (self.ny, self.nx)

    @property
    def transform(self):
        return Affine(self.cell_size, 0.0, self.west, 0.0, -self.cell_size, self.north)

    @property
    def crs(self) -> str:
        return TM2

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in metres."""
        return (self.west, self.north - self.ny * self.cell_size, self.west + self.nx * self.cell_size,
                self.north)

    @property
    def x(self) -> np.ndarray:
        """Cell-centre eastings, west to east."""
        return self.west + (np.arange(self.nx) + 0.5) * self.cell_size

    @property
    def y(self) -> np.ndarray:
        """Cell-centre northings, north to south (row order of the raster)."""
        return self.north - (np.arange(self.ny) + 0.5) * self.cell_size

    @property
    def land(self) -> np.ndarray:
        return np.ones(self.shape, bool) if self.mask is None else self.mask

    def cell_of(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the cells holding the points (may fall outside the grid)."""
        col = np.floor((np.asarray(x, float) - self.west) / self.cell_size).astype(int)
        row = np.floor((self.north - np.asarray(y, float)) / self.cell_size).astype(int)
        return row, col


def _county_area(county) -> tuple[Any, str, tuple[str, ...]]:
    names = [county] if isinstance(county, str) else list(county)
    names = [check_county(c) for c in names]
    gdf = load_counties().to_crs(TM2)
    gdf = gdf[gdf["COUNTYNAME"].isin(names)]
    return shapely.union_all(gdf.geometry.to_numpy()), "、".join(names), tuple(names)


def make_grid(region=None, *, county=None, cell_size: float = 500.0, points=None,
              max_cells: int = MAX_CELLS, variance: bool = True) -> GridSpec:
    """A grid over a county (or several), a region or the points, snapped to multiples of ``cell_size``.

    Parameters
    ----------
    region:
        ``(west, east, south, north)`` in TM2 metres (verde's order), or a
        polygon / GeoDataFrame to fill (reprojected to EPSG:3826).
    county:
        A county name (e.g. ``"屏東縣"``) or a list of names: the grid covers
        their land and cells whose centre lies outside it are left empty.
    cell_size:
        Cell edge in metres. Grids are aligned on multiples of it, so grids
        of different runs line up cell for cell.
    points:
        ``(x, y)`` used when neither region nor county is given: their
        bounding box plus two cells.
    max_cells:
        Refuse grids larger than this, saying how many cells and how much
        memory the request would take and which cell size would fit.
    """
    try:
        cell = float(cell_size)
    except (TypeError, ValueError):
        raise InputError(f"cell size {cell_size!r} is not a number", where="cell_size",
                         fix="give the cell edge in metres, e.g. 500") from None
    if not math.isfinite(cell) or cell <= 0:
        raise InputError(f"cell size must be a positive number of metres, got {cell_size!r}",
                         where="cell_size", fix="give the cell edge in metres, e.g. 500 or 1000")
    area, name, counties = None, "", ()
    if county is not None:
        area, name, counties = _county_area(county)
        bounds = area.bounds
    elif region is not None:
        if isinstance(region, (gpd.GeoDataFrame, gpd.GeoSeries)):
            g = region if isinstance(region, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=region)
            area = shapely.union_all(to_tm2(g, source="region").geometry.to_numpy())
            bounds = area.bounds
        elif isinstance(region, shapely.Geometry):
            area = region
            bounds = area.bounds
        else:
            try:
                w, e, s, n = (float(v) for v in region)
            except (TypeError, ValueError):
                raise InputError(f"region must be (west, east, south, north) in TM2 metres, got {region!r}",
                                 where="region", fix="e.g. (170000, 230000, 2420000, 2520000)") from None
            if not (e > w and n > s):
                raise InputError(f"region (west={w}, east={e}, south={s}, north={n}) is empty or reversed",
                                 where="region", fix="give (west, east, south, north) with east > west and "
                                                     "north > south")
            bounds = (w, s, e, n)
        name = "region"
    elif points is not None:
        x, y = points
        bounds = (float(np.min(x)) - 2 * cell, float(np.min(y)) - 2 * cell,
                  float(np.max(x)) + 2 * cell, float(np.max(y)) + 2 * cell)
        name = "stations"
    else:
        raise InputError("say where to grid: a county, a region or points", where="grid",
                         fix="pass county='屏東縣' or region=(west, east, south, north)")
    w, s, e, n = bounds
    west = math.floor(w / cell) * cell
    north = math.ceil(n / cell) * cell
    nx = max(1, math.ceil((e - west) / cell))
    ny = max(1, math.ceil((north - s) / cell))
    cells = nx * ny
    if cells > max_cells:
        per = BYTES_PER_CELL if variance else BYTES_PER_CELL - 12
        good = nice_cell_size(e - w, n - s, max_cells)
        gx, gy = math.ceil((e - w) / good), math.ceil((n - s) / good)
        raise InputError(
            f"a {cell:g} m grid over {name} ({(e - w) / 1000:.1f} km x {(n - s) / 1000:.1f} km) would have "
            f"{cells:,} cells ({nx:,} x {ny:,}) and need about {_fmt_bytes(cells * per)} of memory; "
            f"the limit is {max_cells:,} cells", where="cell_size",
            fix=f"use a cell size of {good:g} m or more ({gx * gy:,} cells, about "
                f"{_fmt_bytes(gx * gy * per)}); 500 m or 1000 m suit county maps")
    mask = None
    if area is not None:
        mask = geometry_mask([area], out_shape=(ny, nx), transform=Affine(cell, 0, west, 0, -cell, north),
                             invert=True)
    return GridSpec(west, north, cell, nx, ny, mask=mask, area=area, name=name, counties=counties)


def _fmt_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:.0f} B"


