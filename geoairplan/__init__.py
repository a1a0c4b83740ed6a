"""geoairplan: geospatial toolkit for air-quality control planning in Taiwan.

The pipeline, one module per concern:

* :mod:`geoairplan.io` reads what users hold (MOI townships, MOENV hourly data
  and station lists, TEDS point sources, facility lists) and checks CRSs;
* :mod:`geoairplan.datasets` is the embedded default data, with provenance;
* :mod:`geoairplan.coverage` station coverage areas (official and computed);
* :mod:`geoairplan.warnings` the 2022 regulation's levels, zones and decisions;
* :mod:`geoairplan.interpolate` IDW, ordinary kriging and RBF surfaces;
* :mod:`geoairplan.hotspots` emission hotspots and suspicious sources;
* :mod:`geoairplan.maps` Folium web maps and static plan-document maps.

Geometry is computed in EPSG:3826 (TWD97 / TM2 121) and shown in EPSG:4326.
"""

from geoairplan.errors import GeoAirPlanError, InputError

__version__ = "0.1.0"
__all__ = ["GeoAirPlanError", "InputError", "__version__"]
