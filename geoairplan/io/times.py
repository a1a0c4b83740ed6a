"""Time text as Taiwan files write it, and times that lie far outside the rest of a file.

:func:`normalize_time_text` rewrites the forms pandas does not read (or reads
wrongly) into ISO text, before parsing:

=============================== ==================================
written                         read as
=============================== ==================================
``2025-01-14 05:00 UTC`` / GMT  ``2025-01-14 05:00+00:00``
``2025-01-14T05:00+08``         ``2025-01-14T05:00+08:00``
``114/01/14 05:00`` (民國 year)  ``2025/01/14 05:00``
``民國114年1月14日 05:00``        ``2025/1/14 05:00``
``2025年1月14日 5時``             ``2025/1/14 5:00``
=============================== ==================================

A 民國 (Republic of China) year is the Gregorian year minus 1911; it is
recognised only as a 2- or 3-digit first field from 60 to 200 (1971-2111)
followed by a month 1-12 and a day 1-31 (``114/01/14``), so that ISO and
month-first dates are never touched.

:func:`outlying_times` finds the rows whose time lies far from the rest of
the file (a year typed 2205 for 2025): the file's times are split where two
consecutive distinct times are more than :data:`GAP_DAYS` apart, and every
part other than the largest that holds fewer than :data:`OUTLIER_SHARE` of
the rows is an outlier. Readers report those rows and leave them out, so
that no dense hourly index is ever built over two centuries.
"""

from __future__ import annotations

import re

import numpy as np

from geoairplan.errors import InputError

__all__ = ["normalize_time_text", "outlying_times", "GAP_DAYS", "OUTLIER_SHARE", "MAX_DENSE_CELLS",
           "check_dense_size"]

#: Distinct times further apart than this split a file's times into parts.
GAP_DAYS = 366
#: A part holding fewer than this share of the rows (and not the largest) is an outlier.
OUTLIER_SHARE = 0.05
#: Most cells (hours x series) a dense time index may hold: 20 years of 100 stations' six pollutants.
MAX_DENSE_CELLS = 120_000_000

_ZONE_WORD = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_SHORT_OFF = re.compile(r"([+-]\d{2})$")
_ROC = re.compile(r"^\s*(?:民國|民国)?\s*(\d{2,3})\s*([/.\-年])\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?(?=[\sT]|$)(.*)$")
_CJK_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?(?=[\sT]|$)(.*)$")
_CJK_HOUR = re.compile(r"(\d{1,2})\s*[時时](?:\s*(\d{1,2})\s*分)?")


def _one(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip()
    if not s:
        return None
    if _ZONE_WORD.search(s) and re.search(r"\d", s):
        s = _ZONE_WORD.sub("", s) + "+00:00"
    elif re.search(r"\d{1,2}:\d{2}(?::\d{2})?[+-]\d{2}$", s):
        s = _SHORT_OFF.sub(r"\1:00", s)
    m = _ROC.match(s)
    if m:
        year = int(m.group(1))
        if 60 <= year <= 200 and 1 <= int(m.group(3)) <= 12 and 1 <= int(m.group(4)) <= 31:
            s = f"{year + 1911}/{m.group(3)}/{m.group(4)} {m.group(5).strip()}"
    m = _CJK_DATE.match(s)
    if m:
        s = f"{m.group(1)}/{m.group(2)}/{m.group(3)} {m.group(4).strip()}"
    if "時" in s or "时" in s:
        s = _CJK_HOUR.sub(lambda h: f"{h.group(1)}:{h.group(2) or '00'}", s)
    return s.strip()


def normalize_time_text(values) -> np.ndarray:
    """Time texts with zone words, short offsets and 民國 years rewritten as pandas reads them.

    Parameters
    ----------
    values : sequence
        Texts (None or NaN kept as None).

    Returns
    -------
    numpy.ndarray
        Object array of texts (None where blank).

    Examples
    --------
    >>> normalize_time_text(["114/01/14 05:00", "2025-01-14 05:00 UTC", "2025-01-14T05:00+08"]).tolist()
    ['2025/01/14 05:00', '2025-01-14 05:00+00:00', '2025-01-14T05:00+08:00']
    """
    return np.array([_one(v) for v in np.asarray(values, dtype=object)], dtype=object)


def outlying_times(t_i8, nat: int = np.iinfo(np.int64).min) -> np.ndarray:
    """Rows whose time lies far outside the rest of the file (see the module notes).

    Parameters
    ----------
    t_i8 : array of int64
        Times as nanoseconds (``nat`` where missing); one per row.

    Returns
    -------
    numpy.ndarray of bool
        True for the rows of the small, far-away parts.
    """
    t = np.asarray(t_i8, dtype=np.int64)
    ok = t != nat
    out = np.zeros(len(t), dtype=bool)
    if ok.sum() < 2:
        return out
    uniq, counts = np.unique(t[ok], return_counts=True)
    gap = np.diff(uniq) > GAP_DAYS * 86_400 * 10**9
    if not gap.any():
        return out
    part = np.concatenate([[0], np.cumsum(gap)])
    rows = np.bincount(part, weights=counts)
    main = int(np.argmax(rows))
    small = (rows < OUTLIER_SHARE * ok.sum()) & (np.arange(len(rows)) != main)
    bad_times = uniq[small[part]]
    out[ok] = np.isin(t[ok], bad_times)
    return out


def check_dense_size(n_times: int, n_series: int, *, what: str, file=None, step: str = "hour"):
    """Raise :class:`~geoairplan.errors.InputError` before a dense ``n_times x n_series`` table is allocated
    when it would hold more than :data:`MAX_DENSE_CELLS` cells."""
    cells = int(n_times) * max(int(n_series), 1)
    if cells > MAX_DENSE_CELLS:
        raise InputError(f"{what} spans {n_times:,} {step}s for {n_series:,} series ({cells:,} cells; the "
                         f"limit is {MAX_DENSE_CELLS:,})", file=file, where="time",
                         fix="check the file for dates typed wrong (a year such as 2205) or give a shorter "
                             "period")
