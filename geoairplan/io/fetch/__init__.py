"""Clients for the sources users download from: MOENV open data and Civil IoT SensorThings.

=============================================== ===========================================
function                                        downloads
=============================================== ===========================================
:func:`~geoairplan.io.fetch.moenv.fetch_moenv`   a MOENV open-data set (``aqx_p_432``,
                                                ``aqx_p_488``, ``aqx_p_07``) as the JSON
                                                envelope :func:`~geoairplan.io.read_moenv_hourly`
                                                / :func:`~geoairplan.io.read_moenv_stations` read
:func:`~geoairplan.io.fetch.sensorthings.fetch_sensors` one county's micro-sensor PM2.5 as the
                                                sensor table ``geoairplan hotspots`` reads
=============================================== ===========================================

Both page (``offset/limit``; ``@iot.nextLink``), retry 429 and 5xx answers and
cut-off bodies with back-off, and keep finished pages in a cache so that a
download that failed part-way resumes (:class:`~geoairplan.io.fetch.http.Fetcher`).
Secrets (the API key) never reach a message, a log line, a cache key or a file.
"""

from geoairplan.io.fetch.http import Fetcher, FetchError, redact
from geoairplan.io.fetch.moenv import DATASETS, MOENV_API, fetch_moenv
from geoairplan.io.fetch.sensorthings import EPAIOT_ENDPOINT, fetch_sensors

__all__ = ["Fetcher", "FetchError", "redact", "fetch_moenv", "fetch_sensors", "DATASETS", "MOENV_API",
           "EPAIOT_ENDPOINT"]
