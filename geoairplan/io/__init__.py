"""Readers for the files users hold, and the CRS checks they share.

=========================== ==================================================
function                    reads
=========================== ==================================================
:func:`read_townships`      MOI township boundaries (shapefile, GeoPackage,
                            GeoJSON, TopoJSON)
:func:`read_moenv_hourly`   MOENV hourly air quality, every field-name
                            generation, CSV or JSON, into one tidy table
:func:`read_moenv_stations` the MOENV station list (aqx_p_07)
:func:`read_teds_points`    TEDS point sources (stacks), TM2 metres
:func:`read_sources`        emission sources: TEDS points, facility lists with
                            lon/lat, township-only rows (hotspots reads these)
:func:`read_facilities`     facility lists, placed in townships
:func:`parse_address`       county and township of an address
:func:`read_text_table`     any CSV/TSV table as text (UTF-8, BOM or Big5)
:func:`write_gpkg`          GeoPackage layers, byte-identical every run
=========================== ==================================================

Every reader raises :class:`geoairplan.errors.InputError` naming the file,
the row, the problem and the fix, and reports rows it cannot use in
``result.attrs["problems"]``. Geometry is computed in EPSG:3826
(:data:`TM2`) and shown in EPSG:4326 (:data:`WGS84`).

Importing this package reads no data; embedded tables are loaded on first use.
"""

from geoairplan.io.address import AddressMatch, parse_address
from geoairplan.io.crs import TM2, WGS84, check_points_in_county, points_from_xy, to_display, to_tm2
from geoairplan.io.facilities import read_facilities
from geoairplan.io.moenv import read_moenv_hourly, read_moenv_stations
from geoairplan.io.sources import prepare_sources, read_sources
from geoairplan.io.teds import read_teds_points
from geoairplan.io.tables import is_scenario, read_text_table
from geoairplan.io.townships import read_townships
from geoairplan.io.output import write_gpkg
from geoairplan.io.rasters import write_geotiff

__all__ = ["read_townships", "read_moenv_hourly", "read_moenv_stations", "read_teds_points",
           "read_facilities", "read_sources", "prepare_sources", "parse_address", "AddressMatch", "points_from_xy", "check_points_in_county",
           "to_tm2", "to_display", "TM2", "WGS84", "read_text_table", "write_gpkg", "write_geotiff",
           "is_scenario"]
