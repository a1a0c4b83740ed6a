"""Station coverage areas: Voronoi cells in TM2, the official seed tables, and their agreement.

Warnings are issued "by station coverage area" (regulation 004 Art. 4;
Pingtung 003 Table 2; Yunlin 002 Table 7.3; Penghu 001 Appendix 1 附件3).
This package gives the two ways of knowing a station's area and compares them:

* **Computed** coverage (:mod:`~geoairplan.coverage.voronoi`): the Thiessen
  (Voronoi) cell of every station, computed in EPSG:3826 with the stations'
  order kept, clipped to the county's land (every island included).
  Optionally for one pollutant, with only the stations that measure it, and
  with stations of neighbouring counties taking part (``include_neighbours``).
  Stations are checked by :mod:`~geoairplan.coverage.stations`.
* **Township assignment** (:mod:`~geoairplan.coverage.assign`): the share of
  each township's area in each station's cell, the station with the largest
  share, and a flag where no station holds a majority (> 50 %).
* **Official** coverage (:mod:`~geoairplan.coverage.official`): the seed tables
  embedded in ``data/coverage_official.csv`` (屏東縣, 雲林縣, 澎湖縣) or a user's
  table (read by :func:`geoairplan.io.coverage_table.read_coverage_table`:
  county, station, township; Chinese headers such as 縣市, 測站, 鄉鎮市區 or
  涵蓋區域 are accepted, and a cell may list several townships separated by
  、). Every township of the county must be listed exactly once.
* **Agreement report** (:mod:`~geoairplan.coverage.agreement`): township by
  township, the official station against the computed one, with the area shares.
* :func:`coverage_analysis` (:mod:`~geoairplan.coverage.analysis`) runs it all
  and returns a :class:`CoverageResult` (:mod:`~geoairplan.coverage.result`);
  :func:`geoairplan.publish.write` writes it.

:func:`township_station_map` is what the warnings module uses to turn a
station's level into a warning zone: the official table where one exists,
otherwise the computed assignment.

>>> from geoairplan.coverage import coverage_analysis
>>> res = coverage_analysis("屏東縣")                      # doctest: +SKIP
>>> res.summary()["differ"]                                 # doctest: +SKIP
['萬丹鄉', '枋山鄉']
"""

from geoairplan.coverage.agreement import agreement_report
from geoairplan.coverage.analysis import coverage_analysis, coverage_source, coverage_title, township_station_map
from geoairplan.coverage.assign import MAJORITY, SLIVER_M2, assign_townships
from geoairplan.coverage.official import describe_source, official_coverage, read_official_coverage
from geoairplan.coverage.result import CoverageResult
from geoairplan.coverage.stations import DUPLICATE_TOLERANCE_M, SEA_ERROR_M, prepare_stations
from geoairplan.coverage.voronoi import station_cells, voronoi_cells
from geoairplan.reference.names import station_key

__all__ = ["CoverageResult", "prepare_stations", "voronoi_cells", "station_cells", "assign_townships",
           "read_official_coverage", "official_coverage", "agreement_report", "coverage_analysis",
           "township_station_map", "station_key", "describe_source", "coverage_title", "coverage_source",
           "MAJORITY", "SLIVER_M2", "DUPLICATE_TOLERANCE_M", "SEA_ERROR_M"]
