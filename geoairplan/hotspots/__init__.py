"""Emission hotspots and suspicious sources (issue #6); see docs/hotspots.md.

* :mod:`~geoairplan.hotspots.emissions`: sources to townships, to a 1 km TM2
  grid, township tables (002 Table 2.27), kernel density GeoTIFF;
* :mod:`~geoairplan.hotspots.stats`: Getis-Ord Gi* and local Moran with island handling;
* :mod:`~geoairplan.hotspots.sensors`: micro-sensor reading and the local-anomaly rule;
* :mod:`~geoairplan.hotspots.upwind`: wind, upwind sectors and the suspicious-source ranking;
* :mod:`~geoairplan.hotspots.report`: the ``hotspots`` and ``suspects`` pipelines and their files.
"""
from geoairplan.hotspots.emissions import *  # noqa: F401,F403
from geoairplan.hotspots.stats import *  # noqa: F401,F403
from geoairplan.hotspots.sensors import *  # noqa: F401,F403
from geoairplan.hotspots.upwind import *  # noqa: F401,F403
