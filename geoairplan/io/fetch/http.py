"""HTTP GET of JSON pages with retries, back-off, a resumable cache and secrets kept out of sight.

Used by the MOENV open-data and SensorThings clients. Standard library only
(:mod:`urllib`). Every URL that appears in a message, a log line or a cache
key has its secret query parameters (``api_key``, ``token``, ...) removed by
:func:`redact`; the cache stores response bodies, never request URLs.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import time as _time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from geoairplan.errors import GeoAirPlanError

__all__ = ["FetchError", "Fetcher", "redact", "SECRET_PARAMS", "RETRY_STATUS"]

#: Query parameters that are secrets: never shown, logged, cached by value or written.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token"})

#: HTTP statuses worth retrying: rate limit and server errors.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(GeoAirPlanError):
    """A download failed for good (after the retries), with the page and what to do."""


def redact(url: str) -> str:
    """The URL with the values of secret query parameters replaced by ``***``.

    Parameters
    ----------
    url : str
        Any URL.

    Returns
    -------
    str
        The same URL, safe to show (``api_key=***``).
    """
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    q = [(k, "***" if k.lower() in SECRET_PARAMS else v)
         for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q, safe="$,()'/:@*")))


def _cache_key(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    q = sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
               if k.lower() not in SECRET_PARAMS)
    plain = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q)))
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@dataclass
class Fetcher:
    """GET JSON documents with retries and an on-disk cache.

    Attributes
    ----------
    cache_dir : pathlib.Path or None
        Where finished pages are kept (one file per page, named by a hash of
        the URL without its secrets). A download cut off by an error resumes
        from the pages already there. None: no cache.
    max_age : float or None
        Seconds a cached page stays good (None: for ever; 0: never reuse).
    retries : int
        How many times a page is tried again after a 429, a 5xx, a network
        error or a cut-off body.
    backoff : float
        First wait in seconds; doubled after every try (a ``Retry-After``
        header wins when it asks for longer, up to ``max_wait``).
    max_wait : float
        Longest single wait.
    timeout : float
        Seconds to wait for a server.
    log : callable or None
        Called with one line of text per request and retry (URLs redacted).
    sleep : callable
        The wait function (tests pass a fast one).
    requests : int
        Network requests made (cache hits are not counted).
    cache_hits : int
        Pages served from the cache.
    """

    cache_dir: Path | None = None
    max_age: float | None = None
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    timeout: float = 60.0
    log: Callable[[str], None] | None = None
    sleep: Callable[[float], None] = _time.sleep
    requests: int = field(default=0, init=False)
    cache_hits: int = field(default=0, init=False)

    def _say(self, text: str) -> None:
        if self.log is not None:
            self.log(text)

    def _cached(self, key: str) -> str | None:
        if self.cache_dir is None:
            return None
        path = Path(self.cache_dir) / f"{key}.json"
        if not path.exists():
            return None
        if self.max_age is not None and _time.time() - path.stat().st_mtime > self.max_age:
            return None
        return path.read_text(encoding="utf-8")

    def _store(self, key: str, text: str) -> None:
        if self.cache_dir is None:
            return
        d = Path(self.cache_dir)
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f"{key}.part"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(d / f"{key}.json")   # a page is in the cache whole or not at all

    def get_json(self, url: str, *, what: str = "page"):
        """The parsed JSON document at ``url`` (from the cache when there).

        Parameters
        ----------
        url : str
            The full URL, secrets included (they are never shown).
        what : str
            What the page is, for messages (``"page at offset 200"``).

        Returns
        -------
        object
            The parsed JSON.

        Raises
        ------
        FetchError
            After ``retries`` failed tries (status, network error or a body
            cut off / not JSON), or at once for a 4xx other than 429.
        """
        key = _cache_key(url)
        text = self._cached(key)
        if text is not None:
            try:
                doc = json.loads(text)
                self.cache_hits += 1
                self._say(f"cache  {redact(url)}")
                return doc
            except json.JSONDecodeError:
                pass  # a damaged cache file: fetch again
        wait = self.backoff
        last = ""
        for attempt in range(self.retries + 1):
            retry_after = None
            try:
                self.requests += 1
                self._say(f"GET    {redact(url)}")
                req = urllib.request.Request(url, headers={"Accept": "application/json",
                                                           "User-Agent": "geoairplan"})
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                text = raw.decode("utf-8-sig")
                doc = json.loads(text)
                self._store(key, text)
                return doc
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUS:
                    raise FetchError(f"{what}: the server answered HTTP {exc.code} {exc.reason} for "
                                     f"{redact(url)}. How to fix: "
                                     + ("check the API key" if exc.code in (401, 403) else
                                        "check the data set name and the options") + ".") from None
                last = f"HTTP {exc.code} {exc.reason}"
                ra = exc.headers.get("Retry-After") if exc.headers else None
                if ra and ra.strip().isdigit():
                    retry_after = float(ra)
            except http.client.IncompleteRead as exc:
                last = f"the answer was cut off ({len(exc.partial)} bytes received, more announced)"
            except json.JSONDecodeError as exc:
                last = f"the answer is not complete JSON ({exc.msg} at character {exc.pos}): cut off?"
            except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"network error ({reason})"
            if attempt < self.retries:
                pause = min(self.max_wait, max(wait, retry_after or 0.0))
                self._say(f"retry  {what}: {last}; waiting {pause:g} s ({attempt + 1}/{self.retries})")
                self.sleep(pause)
                wait *= 2
        raise FetchError(f"{what} failed after {self.retries + 1} tries: {last} ({redact(url)}). How to fix: "
                         "run the same command again later; the pages already downloaded are kept in the "
                         "cache and the download resumes from there.")
