"""Client for OGC SensorThings API v1.0/v1.1 services (Civil IoT Taiwan micro-sensors).

The MOENV IoT service ``STA_AirQuality_EPAIoT`` of Civil IoT Taiwan publishes
PM2.5 micro-sensors as ``Things`` (one per device) with ``Locations`` (a
GeoJSON point), ``Datastreams`` (``PM2.5``, temperature, humidity ...) and
their ``Observations`` (``phenomenonTime``, ``result``). A collection answers
``{"value": [...], "@iot.nextLink": "<url of the next page>"}``; expanded
collections carry their own ``<Name>@iot.nextLink``.

One county-period is a few requests: ::

    GET <endpoint>/Things
        ?$filter=st_within(Locations/location, geography'POLYGON((<county bbox>))')
        &$select=@iot.id,name
        &$expand=Locations($select=location),
                 Datastreams($filter=name eq 'PM2.5';$select=@iot.id,name,unitOfMeasurement;
                   $expand=Observations($filter=phenomenonTime ge <from> and phenomenonTime lt <to>;
                                        $select=phenomenonTime,result;$orderby=phenomenonTime asc;$top=N))
        &$top=M

then every ``@iot.nextLink`` (of the Things and of each expanded
Observations list) is followed. Devices outside the county polygon (the
bbox is wider) are left out here. The file written is the sensor table
:func:`geoairplan.hotspots.sensors.read_sensors` reads: ``device_id, lon,
lat, time, pm2.5`` with ``time`` the observation instant in Taiwan local
time (``YYYY-MM-DD HH:MM:SS``); the reader averages per hour ending.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from geoairplan.errors import InputError, Problems
from geoairplan.io.fetch.http import Fetcher, FetchError, redact
from geoairplan.io.output import write_csv
from geoairplan.reference.geography import check_county, load_counties

__all__ = ["EPAIOT_ENDPOINT", "SensorDownload", "fetch_sensors", "things_url"]

#: The Civil IoT Taiwan SensorThings service of the MOENV micro-sensors.
EPAIOT_ENDPOINT = "https://sta.ci.taiwan.gov.tw/STA_AirQuality_EPAIoT/v1.0"

COLUMNS = ["device_id", "lon", "lat", "time", "pm2.5"]


@dataclass
class SensorDownload:
    """What :func:`fetch_sensors` downloaded.

    Attributes
    ----------
    path : pathlib.Path
        The sensor CSV written (``device_id, lon, lat, time, pm2.5``).
    devices : int
        Devices in the county with at least one observation.
    observations : int
        Rows written.
    requests : int
        Network requests made (retries included).
    cache_hits : int
        Pages taken from the cache.
    problems : Problems
        Devices without a position or outside the county, results that are
        not numbers.
    """

    path: Path
    devices: int
    observations: int
    requests: int
    cache_hits: int
    problems: Problems = field(default_factory=Problems)


def _utc(t: pd.Timestamp) -> str:
    return t.tz_localize("Asia/Taipei").tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")


def things_url(endpoint: str, bbox: tuple[float, float, float, float], start: pd.Timestamp, end: pd.Timestamp,
               *, datastream: str = "PM2.5", top: int = 200, obs_top: int = 1000) -> str:
    """The first Things query of a county-period (see the module notes).

    Parameters
    ----------
    endpoint : str
        Service root, e.g. :data:`EPAIOT_ENDPOINT`.
    bbox : tuple of float
        ``(west, south, east, north)`` in degrees.
    start, end : pandas.Timestamp
        Naive Taiwan local times; observations with ``start <= phenomenonTime < end``.
    datastream : str
        The Datastream name to keep.
    top, obs_top : int
        Page sizes of Things and of expanded Observations.

    Returns
    -------
    str
        The URL.
    """
    w, s, e, n = bbox
    poly = f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"
    ds = datastream.replace("'", "''")
    q = {
        "$filter": f"st_within(Locations/location, geography'{poly}')",
        "$select": "@iot.id,name",
        "$expand": (f"Locations($select=location),Datastreams($filter=name eq '{ds}';"
                    f"$select=@iot.id,name,unitOfMeasurement;$expand=Observations("
                    f"$filter=phenomenonTime ge {_utc(start)} and phenomenonTime lt {_utc(end)};"
                    f"$select=phenomenonTime,result;$orderby=phenomenonTime asc;$top={int(obs_top)}))"),
        "$top": str(int(top)),
    }
    return endpoint.rstrip("/") + "/Things?" + urllib.parse.urlencode(q, quote_via=urllib.parse.quote, safe="$,()'")


def _same_service(link: str, endpoint: str) -> str:
    """``link`` made absolute; refused when it leaves the endpoint's host (never contact another address)."""
    absolute = urllib.parse.urljoin(endpoint.rstrip("/") + "/", link)
    a, b = urllib.parse.urlsplit(absolute), urllib.parse.urlsplit(endpoint)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        raise FetchError(f"the server's @iot.nextLink points to another address ({redact(absolute)}), not "
                         f"{b.scheme}://{b.netloc}: not followed. How to fix: check --endpoint.")
    return absolute


def _point(locations) -> tuple[float, float] | None:
    for loc in locations or []:
        g = loc.get("location") if isinstance(loc, dict) else None
        if isinstance(g, dict) and g.get("type") == "Feature":
            g = g.get("geometry")
        if isinstance(g, dict) and g.get("type") == "Point":
            c = g.get("coordinates") or []
            if len(c) >= 2:
                try:
                    return float(c[0]), float(c[1])
                except (TypeError, ValueError):
                    return None
    return None


def _local(text) -> pd.Timestamp | None:
    s = str(text or "")
    if "/" in s:            # an interval "start/end": the end is when the reading was complete
        s = s.split("/")[-1]
    t = pd.to_datetime(s, errors="coerce", utc=True)
    return None if pd.isna(t) else t.tz_convert("Asia/Taipei").tz_localize(None)


def fetch_sensors(endpoint: str, county: str, start, end, out, *, datastream: str = "PM2.5",
                  fetcher: Fetcher | None = None, top: int = 200, obs_top: int = 1000) -> SensorDownload:
    """Download one county's micro-sensor PM2.5 for a period into the sensor table.

    Parameters
    ----------
    endpoint : str
        SensorThings service root (v1.0 or v1.1), e.g. :data:`EPAIOT_ENDPOINT`.
    county : str
        County as users write it (checked).
    start, end : str or datetime
        Taiwan local time; observations with ``start <= time < end``.
    out : str or pathlib.Path
        The CSV to write (``device_id, lon, lat, time, pm2.5``).
    datastream : str
        Datastream name holding PM2.5.
    fetcher : Fetcher, optional
        Retries, back-off and cache settings.
    top, obs_top : int
        Page sizes.

    Returns
    -------
    SensorDownload
        The file written, counts and problems.

    Raises
    ------
    InputError
        Unknown county, unreadable or reversed period, an answer that is not
        a SensorThings collection.
    FetchError
        A page that failed after the retries, or a ``nextLink`` to another host.
    """
    name = check_county(county)
    t0 = pd.to_datetime(str(start), errors="coerce")
    t1 = pd.to_datetime(str(end), errors="coerce")
    for t, what, text in ((t0, "start", start), (t1, "end", end)):
        if pd.isna(t):
            raise InputError(f"{what} {text!r} is not a date or time", where=what,
                             fix="write it like 2024-01-31 or '2024-01-31 13:00' (Taiwan time)")
    t0 = t0.tz_convert("Asia/Taipei").tz_localize(None) if t0.tzinfo else t0
    t1 = t1.tz_convert("Asia/Taipei").tz_localize(None) if t1.tzinfo else t1
    if t1 <= t0:
        raise InputError(f"end {t1} is not after start {t0}", where="end", fix="give end after start")
    fetcher = fetcher or Fetcher()
    shape = load_counties(name).geometry.iloc[0]
    w, s, e, n = shape.bounds
    bbox = (round(w - 0.01, 4), round(s - 0.01, 4), round(e + 0.01, 4), round(n + 0.01, 4))
    probs = Problems()
    rows = []
    outside = set()
    url = things_url(endpoint, bbox, t0, t1, datastream=datastream, top=top, obs_top=obs_top)
    page = 0
    while url:
        page += 1
        doc = fetcher.get_json(url, what=f"Things page {page}")
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
            raise InputError("the answer is not a SensorThings collection ({\"value\": [...]})",
                             file=redact(url), fix="check --endpoint (it ends in /v1.0 or /v1.1)")
        for thing in doc["value"]:
            dev = str(thing.get("name") or thing.get("@iot.id"))
            xy = _point(thing.get("Locations"))
            if xy is None:
                probs.add(redact(endpoint), f"Thing {dev}", "no Point location: left out", severity="warning")
                continue
            if not shapely.contains(shape, Point(xy)):
                outside.add(dev)
                continue
            for ds in thing.get("Datastreams") or []:
                obs = list(ds.get("Observations") or [])
                link = ds.get("Observations@iot.nextLink")
                k = 0
                while link:
                    k += 1
                    more = fetcher.get_json(_same_service(link, endpoint), what=f"Observations of {dev} page {k + 1}")
                    if not isinstance(more, dict) or not isinstance(more.get("value"), list):
                        raise InputError("an Observations page is not a SensorThings collection",
                                         file=redact(link), fix="check --endpoint")
                    obs.extend(more["value"])
                    link = more.get("@iot.nextLink")
                for o in obs:
                    t = _local(o.get("phenomenonTime"))
                    try:
                        v = float(o.get("result"))
                    except (TypeError, ValueError):
                        v = np.nan
                    if t is None or not np.isfinite(v):
                        probs.add(redact(endpoint), f"Thing {dev}",
                                  f"observation {o.get('phenomenonTime')!r} = {o.get('result')!r} is not a time "
                                  "and a number: left out", severity="warning")
                        continue
                    if t < t0 or t >= t1:
                        continue
                    rows.append((dev, xy[0], xy[1], t, v))
        nxt = doc.get("@iot.nextLink")
        url = _same_service(nxt, endpoint) if nxt else None
    if outside:
        probs.add(redact(endpoint), "Things", f"{len(outside)} device(s) inside the bounding box but outside "
                  f"{name}: left out", severity="warning")
    df = pd.DataFrame(rows, columns=["device_id", "lon", "lat", "time", "value"])
    df = df.sort_values(["device_id", "time"], kind="stable").drop_duplicates(["device_id", "time"])
    table = pd.DataFrame({
        "device_id": df["device_id"].astype(str),
        "lon": df["lon"].map(lambda v: f"{v:.6f}"),
        "lat": df["lat"].map(lambda v: f"{v:.6f}"),
        "time": df["time"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "pm2.5": df["value"].map(lambda v: f"{v:g}"),
    }, columns=COLUMNS)
    path = write_csv(table, out)
    return SensorDownload(path=path, devices=int(table["device_id"].nunique()), observations=len(table),
                          requests=fetcher.requests, cache_hits=fetcher.cache_hits, problems=probs)
