"""Emission hotspots and suspicious sources (issue #6); see docs/hotspots.md.

* :mod:`~geoairplan.hotspots.emissions`: sources (read by :mod:`geoairplan.io.sources`)
  to townships, to a 1 km TM2 grid (:func:`geoairplan.grid.cell_index`), township
  tables (002 Table 2.27), kernel density (a :class:`geoairplan.raster.Raster`);
* :mod:`~geoairplan.hotspots.stats`: Getis-Ord Gi* and local Moran with island handling;
* :mod:`~geoairplan.hotspots.sensors`: micro-sensor reading and the local-anomaly rule;
* :mod:`~geoairplan.hotspots.upwind`: wind, upwind sectors and the suspicious-source ranking;
* :mod:`~geoairplan.hotspots.report`: the ``hotspots`` and ``suspects`` pipelines, returning
  :class:`~geoairplan.results.Result` objects (written by :func:`geoairplan.publish.write`).
"""
from geoairplan.hotspots.emissions import *  # noqa: F401,F403
from geoairplan.hotspots.stats import *  # noqa: F401,F403
from geoairplan.hotspots.sensors import *  # noqa: F401,F403
from geoairplan.hotspots.upwind import *  # noqa: F401,F403
