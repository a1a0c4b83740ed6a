"""Client for the MOENV open-data API (``https://data.moenv.gov.tw/api/v2/<dataset>``).

The API answers ``GET /api/v2/<dataset>?api_key=KEY&format=JSON&offset=O&limit=L``
with one page::

    {"fields": [{"id": "sitename", "type": "text", "info": {"label": "測站名稱"}}, ...],
     "resource_id": "...", "__extras": {"api_key": "KEY"}, "include_total": true, "total": "85",
     "resource_format": "object", "limit": "1000", "offset": "0",
     "_links": {"start": "/api/v2/...?api_key=KEY...", "next": "/api/v2/...&offset=1000"},
     "records": [{...}, ...]}

Note that the answer repeats the API key (``__extras``, ``_links``): the file
written keeps only ``fields`` and ``records`` (the envelope
:func:`~geoairplan.io.moenv.read_moenv_hourly` and
:func:`~geoairplan.io.moenv.read_moenv_stations` read) plus a ``geoairplan``
block saying what was asked, never the key.

Paging: ``offset`` grows by the records received until a page is shorter
than ``limit`` or ``total`` is reached. History sets are asked with
``filters=datacreationdate,GR,<from>|datacreationdate,LE,<to>`` and
``sort=datacreationdate asc`` and filtered again on this side (so a server
that ignores the filter still gives the asked period).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.io.fetch.http import Fetcher, FetchError, redact

__all__ = ["MOENV_API", "DATASETS", "MoenvDownload", "fetch_moenv"]

#: The MOENV open-data API v2 base URL.
MOENV_API = "https://data.moenv.gov.tw/api/v2"

#: The data sets the client knows: what they hold, their time field, how long a cached page stays good (s).
DATASETS = {
    "aqx_p_432": {"what": "real-time hourly air quality (AQI and pollutants, all stations, latest hour)",
                  "time": "publishtime", "max_age": 600.0},
    "aqx_p_488": {"what": "hourly air quality history (one record per station-hour)",
                  "time": "datacreationdate", "max_age": None},
    "aqx_p_07": {"what": "air-quality station list", "time": None, "max_age": 86400.0},
}


@dataclass
class MoenvDownload:
    """What :func:`fetch_moenv` downloaded.

    Attributes
    ----------
    dataset : str
        The data set name.
    path : pathlib.Path
        The JSON file written (``{"fields", "records", "geoairplan"}``).
    records : int
        Records written.
    pages : int
        Pages read (from the network or the cache).
    requests : int
        Network requests made (retries included).
    cache_hits : int
        Pages taken from the cache (a resumed download).
    problems : Problems
        Short pages, record counts that differ from the announced total,
        records outside the asked period.
    """

    dataset: str
    path: Path
    records: int
    pages: int
    requests: int
    cache_hits: int
    problems: Problems = field(default_factory=Problems)


def _dataset(name: str) -> str:
    n = name.strip().lower()
    if n not in DATASETS and not (n.startswith("aqx_p_") and n[6:].isdigit()):
        raise InputError(f"unknown MOENV data set {name!r}", where="dataset",
                         fix="use one of " + ", ".join(DATASETS) + " (or another aqx_p_NNN name)")
    return n


def _time(text, what: str) -> pd.Timestamp | None:
    if text is None:
        return None
    t = pd.to_datetime(str(text), errors="coerce")
    if pd.isna(t):
        raise InputError(f"{what} {text!r} is not a date or time", where=what,
                         fix="write it like 2024-01-31 or '2024-01-31 13:00' (Taiwan time)")
    return t.tz_convert("Asia/Taipei").tz_localize(None) if t.tzinfo else t


def fetch_moenv(dataset: str, out, *, api_key: str, start=None, end=None, base_url: str = MOENV_API,
                limit: int = 1000, fetcher: Fetcher | None = None) -> MoenvDownload:
    """Download a MOENV open-data set, page by page, into one JSON file the readers read.

    Parameters
    ----------
    dataset : str
        ``aqx_p_432`` (real-time), ``aqx_p_488`` (hourly history; use
        ``start``/``end``), ``aqx_p_07`` (stations), or another ``aqx_p_NNN``.
    out : str or pathlib.Path
        The JSON file to write.
    api_key : str
        The MOENV API key (never written, logged or cached by value).
    start, end : str or datetime, optional
        The period (Taiwan time; ``time`` in the tidy table's convention, the
        end of the hour): records with ``start <= time <= end`` are kept.
    base_url : str
        The API base (tests point it at a local server).
    limit : int
        Records per page (MOENV allows up to 1000).
    fetcher : Fetcher, optional
        Retries, back-off and cache settings (default: no cache, 4 retries).

    Returns
    -------
    MoenvDownload
        The file written, counts and problems.

    Raises
    ------
    InputError
        Unknown data set, no API key, an unreadable ``start``/``end``, or a
        page that is not the API's JSON envelope.
    FetchError
        A page that failed after the retries (the cache keeps the pages
        before it: running again resumes).
    """
    name = _dataset(dataset)
    if not api_key:
        raise InputError("no MOENV API key", where="api_key",
                         fix="set the environment variable MOENV_API_KEY (or give --api-key); "
                             "get a key at https://data.moenv.gov.tw")
    t0, t1 = _time(start, "start"), _time(end, "end")
    if t0 is not None and t1 is not None and t1 < t0:
        raise InputError(f"end {t1} is before start {t0}", where="end", fix="give end after start")
    fetcher = fetcher or Fetcher()
    info = DATASETS.get(name, {"time": "datacreationdate", "max_age": None})
    tfield = info["time"]
    base = {"api_key": api_key, "format": "JSON", "limit": str(int(limit))}
    filters = []
    if tfield and t0 is not None:
        filters.append(f"{tfield},GR,{t0:%Y-%m-%d %H:%M:%S}")
    if tfield and t1 is not None:
        filters.append(f"{tfield},LE,{t1:%Y-%m-%d %H:%M:%S}")
    if filters:
        base["filters"] = "|".join(filters)
        base["sort"] = f"{tfield} asc"
    url0 = f"{base_url.rstrip('/')}/{name}"
    probs = Problems()
    fields, records, pages, offset, total = None, [], 0, 0, None
    while True:
        url = url0 + "?" + urllib.parse.urlencode({**base, "offset": str(offset)})
        doc = fetcher.get_json(url, what=f"{name} page at offset {offset}")
        pages += 1
        if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
            raise InputError(f"the answer for offset {offset} is not the MOENV API envelope "
                             f"(keys: {', '.join(map(str, doc)) if isinstance(doc, dict) else type(doc).__name__})",
                             file=redact(url), fix="check the data set name; the API may have changed")
        recs = doc["records"]
        if fields is None and isinstance(doc.get("fields"), list):
            fields = doc["fields"]
        if total is None and str(doc.get("total", "")).strip().isdigit():
            total = int(str(doc["total"]).strip())
        records.extend(recs)
        offset += len(recs)
        if not recs or (total is not None and offset >= total) or (total is None and len(recs) < limit):
            break
        if len(recs) < limit:   # a short page before the announced total: the server cut it
            probs.add(redact(url), f"page at offset {offset - len(recs)}",
                      f"{len(recs)} records where {limit} were asked and {total} announced: the page was cut "
                      "short; the download continues after it", severity="warning")
    if total is not None and len(records) != total:
        probs.add(redact(url0), "all pages", f"{len(records)} records received, {total} announced by the "
                  "server (the data changed during the download, or pages were cut): check the file",
                  severity="warning")
    if tfield and (t0 is not None or t1 is not None) and records:
        keep = []
        outside = 0
        for r in records:
            t = pd.to_datetime(str(r.get(tfield, "")), errors="coerce") if isinstance(r, dict) else pd.NaT
            if pd.notna(t) and t.tzinfo is not None:
                t = t.tz_convert("Asia/Taipei").tz_localize(None)
            if pd.isna(t) or (t0 is not None and t < t0) or (t1 is not None and t > t1):
                outside += 1
                continue
            keep.append(r)
        if outside:
            probs.add(redact(url0), tfield, f"{outside} records outside {t0 or '...'} - {t1 or '...'} (or without "
                      "a time) left out: the server did not apply the period filter", severity="warning")
        records = keep
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"dataset": name, "source": f"{redact(url0)} (MOENV open data, Open Government Data License, "
            "Taiwan v1.0)", "start": None if t0 is None else f"{t0:%Y-%m-%d %H:%M}",
            "end": None if t1 is None else f"{t1:%Y-%m-%d %H:%M}", "records": len(records)}
    clean_fields = [{k: v for k, v in f.items() if k in ("id", "type", "info")} if isinstance(f, dict) else f
                    for f in (fields or [])]
    text = json.dumps({"geoairplan": meta, "fields": clean_fields, "records": records}, ensure_ascii=False,
                      indent=1)
    if len(api_key) >= 8 and api_key in text:
        raise FetchError("the downloaded records contain the API key: not written. How to fix: report this.")
    out.write_text(text + "\n", encoding="utf-8")
    return MoenvDownload(dataset=name, path=out, records=len(records), pages=pages, requests=fetcher.requests,
                         cache_hits=fetcher.cache_hits, problems=probs)
