"""Interpolation of station data to rasters: IDW, ordinary kriging and RBF (issue #5; docs/interpolate.md).

One protocol for every method, in the manner of verde's gridders::

    from geoairplan.interpolate import OrdinaryKriging
    ok = OrdinaryKriging("spherical").fit(stations_gdf, values)   # GeoDataFrame or (x, y) in TM2 metres
    surface = ok.grid(county="屏東縣", cell_size=500)              # Surface: values, variance, EPSG:3826
    surface.to_geotiff("pm25.tif")                                 # band 1 values, band 2 variance
    level_polygons(surface, thresholds)                            # GeoDataFrame, one row per level
    township_stats(surface, thresholds)                            # mean, max, highest level per township
    ok.cross_validate()                                            # leave-one-out RMSE, MAE, bias

* :mod:`geoairplan.grid`: the grid (:class:`GridSpec`, :func:`make_grid`), shared with every gridded product;
* :mod:`~geoairplan.interpolate.points`: :func:`as_points`, :func:`check_values`;
* :mod:`~geoairplan.interpolate.surface`: :class:`Surface`, a :class:`geoairplan.raster.Raster`;
* :mod:`~geoairplan.interpolate._core`: :class:`Gridder`, the protocol every method follows;
* :mod:`~geoairplan.interpolate.idw`: :class:`IDW` (AirNow's power 5, 10 neighbours, sparse areas masked);
* :mod:`~geoairplan.interpolate.kriging`: :class:`OrdinaryKriging`, :class:`Variogram`, variogram fitting;
* :mod:`~geoairplan.interpolate.rbf`: :class:`RBF` (scipy's RBFInterpolator);
* :mod:`~geoairplan.interpolate.validation`: :func:`cross_validate` (leave-one-out);
* :mod:`~geoairplan.interpolate.levels`: regulation thresholds, level polygons, township statistics;
* :mod:`~geoairplan.interpolate.series`: observations to station values, many hours at once, the CLI pipeline;
* :mod:`~geoairplan.interpolate.result`: :class:`InterpolationResult` (a :class:`geoairplan.results.Result`).

This package computes and returns; :func:`geoairplan.publish.write` writes a result,
:mod:`geoairplan.maps.interpolate` maps it.
"""

from geoairplan.grid import MAX_CELLS, GridSpec, make_grid
from geoairplan.interpolate.points import as_points, check_values
from geoairplan.interpolate.surface import Surface
from geoairplan.interpolate._core import Gridder
from geoairplan.interpolate.idw import IDW
from geoairplan.interpolate.kriging import (OrdinaryKriging, Variogram, VARIOGRAM_MODELS, empirical_variogram,
                                            fit_variogram)
from geoairplan.interpolate.rbf import RBF
from geoairplan.interpolate.validation import CVResult, cross_validate
from geoairplan.interpolate.levels import level_polygons, level_thresholds, township_stats, level_of
from geoairplan.interpolate.result import InterpolationResult, InterpolationRun
from geoairplan.interpolate.series import (grid_series, interpolate_observations, station_values,
                                           make_gridder, METHODS)

__all__ = ["GridSpec", "Gridder", "MAX_CELLS", "Surface", "as_points", "check_values", "make_grid",
           "IDW", "OrdinaryKriging", "Variogram", "VARIOGRAM_MODELS", "empirical_variogram", "fit_variogram",
           "RBF", "CVResult", "cross_validate", "level_polygons", "level_thresholds", "township_stats",
           "level_of", "grid_series", "interpolate_observations", "station_values", "make_gridder", "METHODS",
           "InterpolationResult", "InterpolationRun"]
