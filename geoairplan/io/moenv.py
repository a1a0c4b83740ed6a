"""Reading MOENV hourly air-quality data and station lists as they are published.

The Ministry of Environment (MOENV, formerly EPA) publishes hourly
observations (open data set ``aqx_p_432`` and its history exports) in forms
that changed over the years. Files users hold come in all of them:

=========== ==================================================================
generation  how to recognise it
=========== ==================================================================
``lower``   one record per station-hour, lower-case fields ``sitename, so2,
            co, co_8hr, o3, ..., wind_speed, wind_direc, publishtime, siteid``
``current`` as ``lower`` but ``windspeed, winddirec, datacreationdate``
            (replaces ``publishtime``) and a ``unit`` field
``camel``   older CamelCase: ``SiteName, SO2, CO, CO_8hr, O3, ..., WindSpeed,
            WindDirec, PublishTime, PM2.5_AVG`` (``SiteId`` when present)
``wide``    the history export "wide hours": one row per station, day and
            item (``日期/date, 測站/station, 測項/item``) and one column per
            hour (``00..23``, ``0..23`` or ``1..24``)
``tidy``    one value per row: ``time, station, pollutant, value`` (also the
            per-item history fields ``monitordate, sitename, itemengname,
            concentration, itemunit``)
=========== ==================================================================

as CSV (UTF-8, UTF-8 with BOM, or Big5/CP950 as older exports are) or JSON
(a list of records, or the API envelope ``{"fields": [...], "records":
[...]}``). :func:`read_moenv_hourly` turns every one of them into the same
tidy table, so that the rest of geoairplan never sees a field name:

=========== ==================================================================
column      meaning
=========== ==================================================================
time        tz-aware (Asia/Taipei; naive file times are local time): the
            **end** of the averaging hour (hour-ending; see "The hour
            convention" below)
station     site name, official spelling (:func:`~geoairplan.reference.names.normalize_name`)
siteid      MOENV site id as text, ``<NA>`` when the file has none
pollutant   lower-case MOENV code (see :data:`POLLUTANTS`)
value       float; NaN when the value is missing or marked invalid
raw         the value exactly as written in the file
unit        ``ug/m3`` (PM), ``ppb`` (SO2, NO2, NOx, NO, O3, O3_8hr), ``ppm``
            (CO, CO_8hr), ``m/s`` (wind speed), ``deg`` (wind direction)
flag        ``valid``; ``missing`` (empty, ``-``, ``NA``, ``ND``, ``x``);
            ``invalid`` (a number with a trailing marker ``#``, ``*``, ``x``
            -- instrument check or invalidated -- or other text); ``calm`` /
            ``no_reading`` (wind
            direction codes 888 / 999, :data:`WIND_CODES`); ``negative`` (a
            concentration or wind speed below zero); ``fill`` (a fill value
            such as 9999, -9999, :data:`FILL_VALUES`); ``implausible``
            (outside the pollutant's plausible range,
            ``data/rules/plausible_ranges.csv``). Only ``valid`` rows have a value.
=========== ==================================================================

The hour convention
-------------------
``time`` names the **end** of the hour the value averages: 13:00 is the mean
of 12:00-12:59, and a day's 24 values are 01:00 ... 24:00 (= 00:00 of the
next day). Every form is converted to it (:data:`HOUR_LABELS`):

=========================== ======================== ==========================
form                        the file's time names    conversion
=========================== ======================== ==========================
``lower`` (``publishtime``) the end of the hour      none
``current``                 the end of the hour      none
(``datacreationdate``)
``camel`` (``PublishTime``) the end of the hour      none
``wide`` ``00..23``/``0..23`` the start (MOENV ReadMe: +1 h (label 23 ->
                            "0時 = 0:00-0:59 ...      00:00 of the next day)
                            23時 = 23:00-23:59")
``wide`` ``01..24``/``1..24`` the end (the same hour   none (label 24 -> 00:00
                            labelled one later)       of the next day)
``tidy`` with ``monitordate`` the start (history API, +1 h
(``aqx_p_488`` style)       as the history exports)
``tidy`` (``time``)         the end (geoairplan's    none
                            own table)
=========================== ======================== ==========================

Why the end: the real-time feeds stamp each hourly value with the hour it
was published at, which is when the averaged hour ended (an average of
13:00-13:59 cannot be published at 13:00); the older history exports label
the same way (``1..24``); and warnings, the scenario data and the AQI
moving averages already read ``time`` as hour-ending. So the feeds and
``01..24`` files keep their times, and only ``00..23`` exports and
``monitordate`` tables move by one hour. With this, two years in different
label styles join without gap or overlap (tested). ``hour_label=`` of
:func:`read_moenv_hourly` overrides the table for a file that states
otherwise; ``attrs["hour_label"]`` says what was assumed.

Missing and invalid values are **kept** as rows (value NaN), so that data
completeness can be computed from the table. AQI, the main pollutant, status
and coordinates are not observations and do not become rows.

Station positions: the tidy table has no coordinates; ``attrs["stations"]``
(as a frame: :func:`station_positions`) places each station at the embedded
registry's position, or -- for a station the registry lacks -- at the file's
own ``longitude/latitude`` (reported), so that no station's rows are dropped
for want of a registry entry.

:func:`read_moenv_stations` reads the station list (``aqx_p_07``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import pyarrow as pa
import pyarrow.compute as pc

from geoairplan.errors import InputError, Problems
from geoairplan.io.crs import WGS84, check_points_in_county, points_from_xy
from geoairplan.reference.names import normalize_name
from geoairplan.reference.plausible import plausible_range
from geoairplan.reference.pollutants import CODES, UNITS, normalize_pollutant, normalize_unit
from geoairplan.reference.stations import load_stations
from geoairplan.io.times import normalize_time_text, outlying_times
from geoairplan.io.tables import check_file as _check_file, decode as _decode, is_scenario, parse_text

__all__ = ["read_moenv_hourly", "read_moenv_stations", "POLLUTANTS", "UNITS", "GENERATIONS",
           "HOUR_LABELS", "WIND_CODES", "FILL_VALUES", "station_positions", "normalize_pollutant", "normalize_unit"]

POLLUTANTS = CODES  # the tidy table's codes, from the one vocabulary

_STR = pd.StringDtype("pyarrow", na_value=np.nan)   # pandas' default "str"
_NASTR = pd.StringDtype("pyarrow")                   # "string": missing is <NA>

GENERATIONS = ("lower", "current", "camel", "wide", "tidy")

_EXPECTED = ("lower case (sitename, publishtime, pm2.5, ...), current (sitename, datacreationdate, "
             "windspeed, unit, ...), CamelCase (SiteName, PublishTime, PM2.5, ...), the history export "
             "in wide hours (日期, 測站, 測項, 00..23) or a tidy table (time, station, pollutant, value)")

# Text that means "no value" (compared stripped and lower-cased).
_MISSING = frozenset({"", "-", "--", "na", "n/a", "nd", "x", "none", "null", "nan"})


# --------------------------------------------------------------------------- reading text


def _json_records(obj, path: Path) -> tuple[list, list | None]:
    """The records and the envelope's ``fields`` (or None) of a parsed JSON document."""
    fields = None
    if isinstance(obj, dict):
        fields = obj.get("fields") if isinstance(obj.get("fields"), list) else None
        recs = obj.get("records", obj.get("data", obj.get("result")))
        if isinstance(recs, dict) and "records" in recs:  # {"result": {"records": [...]}}
            fields = recs.get("fields", fields)
            recs = recs["records"]
        if recs is None:
            raise InputError(f"the JSON object has no 'records' list (keys: {', '.join(map(str, obj))})",
                             file=path, fix="give the MOENV API answer ({\"records\": [...]}) or a list of records")
    else:
        recs = obj
    if not isinstance(recs, list):
        raise InputError("the JSON 'records' is not a list", file=path,
                         fix="give the MOENV API answer ({\"records\": [...]}) or a list of records")
    return recs, fields


def _read_json(text: str, path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Records of a JSON file as a frame of strings, and the units stated in ``fields`` labels."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"the JSON cannot be parsed: {exc.msg}", file=path,
                         where=f"line {exc.lineno}, column {exc.colno}",
                         fix="download the file again; a cut-off download ends in the middle of a record") from exc
    recs, fields = _json_records(obj, path)
    if not recs:
        raise InputError("the JSON holds no records", file=path, fix="download a period that has data")
    labels: dict[str, str] = {}
    ids = None
    if fields:
        ids = [f.get("id") if isinstance(f, dict) else str(f) for f in fields]
        for f in fields:
            if isinstance(f, dict) and f.get("id"):
                info = f.get("info") if isinstance(f.get("info"), dict) else {}
                lab = str(info.get("label") or f.get("label") or "")
                m = re.search(r"[(（]([^()（）]+)[)）]\s*$", lab)
                if m and normalize_unit(m.group(1)):
                    labels[str(f["id"]).strip()] = normalize_unit(m.group(1))
    if all(isinstance(r, dict) for r in recs):
        df = _records_frame(recs)
    elif all(isinstance(r, list) for r in recs) and ids:
        df = pd.DataFrame(recs, columns=ids[:len(recs[0])])
    else:
        i = next(i for i, r in enumerate(recs) if not isinstance(r, dict))
        raise InputError(f"record {i + 1} is a {type(recs[i]).__name__}, not an object", file=path,
                         where=f"record {i + 1}", fix="give a list of records like {\"sitename\": ..., ...}")
    df.columns = [str(c).strip() for c in df.columns]
    for c in df.columns:
        if df[c].dtype == object:  # numbers, booleans, nested values: their text
            col = df[c]
            df[c] = col.where(col.isna(), col.map(_json_text))
    return df, labels


def _records_frame(recs: list[dict]) -> pd.DataFrame:
    """JSON records as a frame; all-text fields go through pyarrow (fast), others keep Python values."""
    try:
        tbl = pa.Table.from_struct_array(pa.array(recs))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pd.DataFrame.from_records(recs).astype(object)
    cols = {}
    for name in tbl.column_names:
        col = tbl.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_null(col.type):
            cols[name] = col.cast(pa.large_string()).to_pandas(types_mapper={pa.large_string(): _STR}.get)
        else:
            cols[name] = pd.Series([r.get(name) for r in recs], dtype=object)
    return pd.DataFrame(cols)


def _json_text(v) -> str:
    """The text of a JSON value as the file writes it (numbers via str, objects as JSON)."""
    if isinstance(v, str):
        return v
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _read_any(path: Path, *, what: str) -> tuple[pd.DataFrame, str, str, dict[str, str]]:
    """(frame of strings, 'csv'|'json', encoding, units from JSON field labels)."""
    text, enc = _decode(path, what=what)
    stripped = text.lstrip()
    if not stripped:
        raise InputError("the file is empty", file=path, fix=f"download the {what} again")
    if path.suffix.lower() == ".json" or stripped[:1] in "[{":
        df, labels = _read_json(stripped, path)
        return df, "json", enc, labels
    return parse_text(text, path, what=what), "csv", enc, {}


# --------------------------------------------------------------------------- helpers


def _find(cols: list[str], *names: str) -> str | None:
    """The first column whose name matches one of ``names`` (case-insensitive, stripped)."""
    low = {c.strip().lower(): c for c in reversed(cols)}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    return None


_FLAGS = ("valid", "missing", "invalid", "calm", "no_reading", "negative", "fill", "implausible")

#: Wind-direction codes that are not directions (MOENV): 888 calm, 999 no reading.
WIND_CODES = {888.0: "calm", 999.0: "no_reading"}
#: Fill values written where an instrument gave nothing (never a concentration).
FILL_VALUES = frozenset({9999.0, 99999.0, 999999.0, -9999.0, -99999.0, -999.0, 9999.9, -9999.9})
_NOT_CONC = ("wind_speed", "wind_direc")
_FLAG_TEXT = {"calm": "the wind-direction code for calm (888), not a direction",
              "no_reading": "the wind-direction code for no reading (999), not a direction",
              "negative": "a negative value, not a measurement",
              "fill": "a fill value (9999-style), not a measurement",
              "implausible": "outside the plausible range (data/rules/plausible_ranges.csv), not a measurement"}


def _classify(texts: list) -> tuple[np.ndarray, np.ndarray]:
    """(float value, flag code into ``_FLAGS``) for distinct raw texts."""
    text = pd.Series([str(t).strip() for t in texts], dtype=object)
    missing = text.str.lower().isin(_MISSING).to_numpy(dtype=bool)
    num = pd.to_numeric(text.where(~missing, None), errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(num) & ~missing
    flag = np.where(missing, 1, np.where(valid, 0, 2)).astype(np.int64)
    return np.where(valid, num, np.nan), flag


_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$")


def _one_time(v, utc: bool = False):
    """One time text, NaT where it cannot be read (any error, out-of-bounds years included)."""
    try:
        t = pd.Timestamp(pd.to_datetime(v, utc=utc)).as_unit("ns")
    except (ValueError, OverflowError, TypeError):
        return pd.NaT
    if t is pd.NaT or (not utc and t.tzinfo is not None):
        return pd.NaT
    return t.tz_localize(None) if utc else t


def _parse_times(text: pd.Series, tz: str) -> pd.DatetimeIndex:
    """Tz-aware times (NaT where unparseable) for strings; naive ones are local time in ``tz``."""
    # zone words (UTC), short offsets (+08) and 民國 years rewritten first (geoairplan.io.times)
    s = pd.Series(normalize_time_text(text), dtype=object)
    out = pd.Series(pd.NaT, index=s.index, dtype=f"datetime64[ns, {tz}]")
    has_off = s.fillna("").str.contains(_OFFSET, regex=True)
    naive = s[~has_off & s.notna()]
    if len(naive):
        try:
            t = pd.to_datetime(naive, errors="coerce")  # format inferred from the first value
            redo = t.isna()
            if redo.any():
                t[redo] = pd.to_datetime(naive[redo], format="mixed", errors="coerce")
            t = pd.DatetimeIndex(t).as_unit("ns")
        except (ValueError, OverflowError, TypeError):  # out-of-bounds years (-5, 99999) even with coerce
            t = pd.DatetimeIndex(naive.map(_one_time).to_numpy(dtype="datetime64[ns]"))
        t = t.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        out[naive.index] = t
    aware = s[has_off]
    if len(aware):
        try:
            t = pd.to_datetime(aware, utc=True, format="mixed", errors="coerce")
        except (ValueError, OverflowError):
            t = pd.Series(pd.DatetimeIndex(aware.map(lambda v: _one_time(v, utc=True))
                                           .to_numpy(dtype="datetime64[ns]")).tz_localize("UTC"), index=aware.index)
        out[aware.index] = pd.DatetimeIndex(t).as_unit("ns").tz_convert(tz)
    return pd.DatetimeIndex(out)


def _factorize_text(values, norm=None) -> tuple[np.ndarray, list]:
    """Codes into sorted distinct values (after ``norm``); -1 where blank or None."""
    codes, uniq = pd.factorize(pd.Series(np.asarray(values, dtype=object), dtype=object),
                               use_na_sentinel=True)
    names = [None if u is None else (norm(u) if norm else (str(u).strip() or None)) for u in uniq]
    final = sorted({n for n in names if n is not None})
    pos = {n: i for i, n in enumerate(final)}
    remap = np.array([pos[n] if n is not None else -1 for n in names] + [-1], dtype=np.int64)
    return remap[codes], final


# --------------------------------------------------------------------------- hourly


class FileRows:
    """The file row of each row of a table, kept in ``attrs`` (``numpy.asarray(rows)`` gives the array).

    A plain array in ``attrs`` would break pandas' attribute comparison in ``concat``; this holder
    compares by identity and is shared, not copied, when pandas copies ``attrs``.
    """

    __slots__ = ("rows",)

    def __init__(self, rows):
        self.rows = np.asarray(rows, dtype=np.int64)

    def __array__(self, dtype=None, copy=None):
        return self.rows if dtype is None else self.rows.astype(dtype)

    def __len__(self) -> int:
        return len(self.rows)

    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        return self


def read_moenv_hourly(path, *, tz: str = "Asia/Taipei", hour_label: str | None = None) -> pd.DataFrame:
    """Read MOENV hourly air-quality data, in any published form, into one tidy table.

    Parameters
    ----------
    path:
        A CSV (UTF-8, UTF-8 with BOM, or Big5/CP950, detected) or JSON file
        (a list of records, or the API envelope ``{"records": [...]}``) in
        one of the generations described in :mod:`geoairplan.io.moenv`:
        ``lower``, ``current``, ``camel``, ``wide`` (history export, one
        column per hour) or ``tidy``.
    tz:
        The time zone naive file times are read in, and the zone of the
        output. MOENV publishes local time, so the default is right for every
        MOENV file; times written with an offset (``+08:00``, ``Z``) are
        converted.
    hour_label:
        What the file's hour labels or times name: ``"start"`` (the hour that
        begins then, MOENV's history ReadMe: "0時 = 0:00-0:59") or ``"end"``
        (the hour that ends then). None (default) takes it from the form of the
        file (see :data:`HOUR_LABELS` and the module notes); give it only for a
        file that states another convention.

    Returns
    -------
    pandas.DataFrame
        Columns ``time, station, siteid, pollutant, value, raw, unit, flag``,
        one row per station, hour and pollutant, sorted by station, time and
        pollutant. ``attrs["generation"]`` names the form read,
        ``attrs["problems"]`` (:class:`~geoairplan.errors.Problems`) lists
        every row that was not used, with its file row:

        * a row without a station name, or whose time cannot be parsed;
        * a repeated (station, time, pollutant): the first is kept;
        * items that are not pollutants of the table (history exports carry
          ``AMB_TEMP``, ``RH``, ``RAINFALL`` ...), once per item (warning).

        * codes that are not values (wind direction 888/999, negative
          concentrations, 9999-style fill values), flagged, with their rows
          (warning);
        * stations not in the embedded registry (placed at the file's own
          coordinates when it has them; see :func:`station_positions`).

        ``attrs["encoding"]`` and ``attrs["source"]`` say what was read;
        ``attrs["hour_label"]`` what the file's times named (``start`` or
        ``end``; ``time`` is always the end of the hour);
        ``attrs["stations"]`` where each station is;
        ``attrs["scenario"]`` is True when the file declares itself made-up
        scenario data (a ``data_kind`` column holding ``scenario``).
        ``attrs["file_rows"]`` holds the file row (record) of each output row,
        for messages of later checks.

    Raises
    ------
    InputError
        Missing or empty file, undecodable text, JSON that is not a list of
        records, or no recognisable station or time column (the message lists
        the columns found and the forms expected).

    Notes
    -----
    Row numbers in reports count the CSV header as row 1 (as a spreadsheet
    shows them); JSON records are counted from 1. A ``unit`` field in a
    record that holds many pollutants (``current`` generation) cannot
    describe them all: each pollutant keeps the unit MOENV publishes it in
    and a warning is reported where the field says otherwise. Units stated
    per row (``tidy``) or per field (``fields`` labels such as ``臭氧(ppb)``
    in the JSON envelope) are used.

    The work is vectorised (distinct values are parsed once): a year of 33
    stations (290,000 records, 4.3 million values) reads in a few seconds.

    Examples
    --------
    >>> df = read_moenv_hourly("aqx_p_432_2024.csv")            # doctest: +SKIP
    >>> pm = df[df.pollutant == "pm2.5"].pivot(index="time", columns="station", values="value")  # doctest: +SKIP
    """
    path = Path(path)
    _check_file(path, "MOENV data file")
    df, kind, enc, labels = _read_any(path, what="MOENV data file")
    src = str(path)
    if len(df) == 0:
        raise InputError("the file has a header but no data rows", file=path,
                         fix="download a period that has data")
    cols = list(df.columns)
    probs = Problems()
    probs.extend(df.attrs.get("problems") or [])
    rowlab = "row" if kind == "csv" else "record"
    rownum = df.attrs.get("lines")
    if rownum is None or len(rownum) != len(df):
        rownum = np.arange(len(df)) + (2 if kind == "csv" else 1)
    gen, spec = _detect(cols, path)
    if hour_label not in (None, "start", "end"):
        raise InputError(f"hour_label {hour_label!r} is not 'start' or 'end'", where="hour_label",
                         fix="give 'start' (label = the hour that begins then) or 'end' (the hour that ends then)")
    label = hour_label or _hour_label(gen, spec, path)
    if gen == "wide":
        long = _long_from_wide(df, spec, rownum, probs, src, rowlab, tz, label)
    elif gen == "tidy":
        long = _long_from_tidy(df, spec, rownum, probs, src, rowlab, tz)
    else:
        long = _long_from_records(df, spec, rownum, probs, src, rowlab, tz, labels)
    if label == "start" and gen != "wide":
        for part in long.parts:
            t = part["time"]
            part["time"] = np.where(t == _NAT, _NAT, t + _HOUR_NS)
    out = _assemble(long, probs, src, rowlab, tz)
    out.attrs["stations"] = _positions(df, spec, gen, rownum, probs, src, rowlab)
    out.attrs["generation"] = gen
    out.attrs["hour_label"] = label
    out.attrs["problems"] = probs
    out.attrs["encoding"] = enc
    out.attrs["source"] = src
    out.attrs["scenario"] = is_scenario(df)
    return out


#: What the time of each form names, before conversion to ``time`` (the END of the hour).
HOUR_LABELS = {
    "lower": "end", "current": "end", "camel": "end",   # publishtime / datacreationdate: hour just ended
    "wide 00..23": "start", "wide 01..24": "end",          # MOENV history ReadMe; older exports one later
    "tidy monitordate": "start",                            # the history API (aqx_p_488 style): as the exports
    "tidy": "end",                                          # geoairplan's own tidy table
}


def _hour_label(gen: str, spec: dict, path: Path) -> str:
    """``"start"`` or ``"end"``: what the file's hour labels or times name (see :data:`HOUR_LABELS`)."""
    if gen == "wide":
        hours = set(spec["hours"].values())
        if 0 in hours and 24 in hours:
            raise InputError("the hour columns run from 0 to 24 (25 hours): the label style cannot be told",
                             file=path, where="header",
                             fix="give hour columns 00..23 or 01..24, or hour_label='start'/'end'")
        if 0 in hours:
            return HOUR_LABELS["wide 00..23"]
        if 24 in hours:
            return HOUR_LABELS["wide 01..24"]
        raise InputError("the hour columns have neither 0 nor 24: the label style (00..23 or 01..24) cannot be "
                         "told", file=path, where="header",
                         fix="give every hour column, or hour_label='start' (00..23) / 'end' (01..24)")
    if gen == "tidy":
        return HOUR_LABELS["tidy monitordate"] if spec["time"].strip().lower() == "monitordate" \
            else HOUR_LABELS["tidy"]
    return HOUR_LABELS[gen]


def _detect(cols: list[str], path: Path) -> tuple[str, dict]:
    """The generation of a file from its field names, and the columns to read."""
    station = _find(cols, "sitename", "測站", "站名", "測站名稱", "station", "site")
    siteid = _find(cols, "siteid", "測站代碼", "站號", "site_id")
    hours = {c: int(c) for c in cols if re.fullmatch(r"\d{1,2}", c.strip()) and int(c) <= 24}
    item = _find(cols, "測項", "item", "itemengname", "itemname")
    if item is not None and len(hours) >= 20:
        date = _find(cols, "日期", "date", "monitordate", "監測日期")
        if station is None or date is None:
            raise _no_columns(cols, path, "station" if station is None else "date",
                              "the history export needs 日期 (date), 測站 (station) and 測項 (item) columns")
        return "wide", {"station": station, "siteid": siteid, "date": date, "item": item, "hours": hours}
    value = _find(cols, "value", "concentration", "數值", "濃度", "監測值")
    pol = _find(cols, "pollutant", "itemengname", "item", "測項", "itemname", "parameter")
    if value is not None and pol is not None:
        time = _find(cols, "time", "datetime", "monitordate", "publishtime", "datacreationdate", "時間",
                     "監測時間", "date")
        if station is None or time is None:
            raise _no_columns(cols, path, "station" if station is None else "time",
                              "a tidy table needs time, station, pollutant and value columns")
        unit = _find(cols, "unit", "itemunit", "單位")
        return "tidy", {"station": station, "siteid": siteid, "time": time, "pollutant": pol,
                        "value": value, "unit": unit}
    time = _find(cols, "datacreationdate", "publishtime", "monitordate", "time", "datetime")
    pcols = {c: normalize_pollutant(c) for c in cols if normalize_pollutant(c)}
    if station is None or time is None or not pcols:
        missing = ("station (sitename)" if station is None else
                   "time (publishtime / datacreationdate)" if time is None else "pollutant")
        raise _no_columns(cols, path, missing, None)
    camel = any(c in cols for c in ("SiteName", "PublishTime", "WindSpeed", "WindDirec", "PM2.5_AVG")) or \
        any(c != c.lower() for c in [station, time, *pcols])
    if camel:
        gen = "camel"
    elif time.lower() == "datacreationdate" or any(c.lower() in ("windspeed", "winddirec") for c in pcols) \
            or _find(cols, "unit") is not None:
        gen = "current"
    else:
        gen = "lower"
    keep, seen = {}, set()  # a pollutant under two spellings: the first column wins
    for c, p in pcols.items():
        if p not in seen:
            seen.add(p)
            keep[c] = p
    return gen, {"station": station, "siteid": siteid, "time": time, "pollutants": keep,
                 "unit": _find(cols, "unit")}


def _no_columns(cols, path, what, extra) -> InputError:
    shown = ", ".join(cols[:40]) + (f", ... ({len(cols)} columns)" if len(cols) > 40 else "")
    return InputError(f"no recognisable {what} column; the file has columns: {shown}", file=path,
                      where="header",
                      fix=(extra + "; " if extra else "") + "give MOENV hourly data in one of the forms: "
                      + _EXPECTED)


def _text_col(df: pd.DataFrame, col: str | None) -> np.ndarray:
    """A column as an object array with None for missing (all None when ``col`` is None)."""
    if col is None:
        return np.full(len(df), None, dtype=object)
    s = df[col].astype(object)
    return s.where(s.notna(), None).to_numpy(dtype=object)


_NAT = np.iinfo(np.int64).min
_HOUR_NS = 3_600_000_000_000


def _arrow_text(values) -> pa.Array:
    """Text values (a column or an object array, None/NaN = null) as a pyarrow large_string array."""
    arr = pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        arr = pa.nulls(len(arr), pa.large_string())
    return arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr


def _from_codes(codes: np.ndarray, names, dtype) -> pd.api.extensions.ExtensionArray:
    """A string array from integer codes into ``names`` (-1 = missing), without a Python loop."""
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    dic = pa.DictionaryArray.from_arrays(idx, pa.array(list(names), type=pa.large_string()))
    return pa.chunked_array([dic.cast(pa.large_string())]).to_pandas(types_mapper={pa.large_string(): dtype}.get).array


class _Long:
    """The long table before checks, one entry per value, built from parts of the file."""

    def __init__(self, station_names: list[str], siteid_names: list[str]):
        self.station_names = station_names
        self.siteid_names = siteid_names
        self.units: list[str] = []
        self.parts: list[dict] = []

    def unit_code(self, unit: str) -> int:
        if unit not in self.units:
            self.units.append(unit)
        return self.units.index(unit)

    def add(self, *, station, siteid, time, pollutant, raw, unit, row) -> None:
        n = len(station)
        self.parts.append({"station": station, "siteid": siteid, "time": time,
                           "pollutant": np.broadcast_to(np.asarray(pollutant, dtype=np.int64), n),
                           "unit": np.broadcast_to(np.asarray(unit, dtype=np.int64), n),
                           "row": row, "raw": raw})

    def cat(self, key: str) -> np.ndarray:
        if not self.parts:
            return np.array([], dtype=np.int64)
        return np.concatenate([p[key] for p in self.parts]).astype(np.int64)

    def raw(self) -> pa.ChunkedArray:
        chunks = []
        for p in self.parts:
            r = p["raw"]
            chunks.extend(r.chunks if isinstance(r, pa.ChunkedArray) else [r])
        return pa.chunked_array(chunks, type=pa.large_string())


def _station_and_time(df, station_col, siteid_col, time_text, rownum, probs, src, rowlab, tz, what="time"):
    """Station codes, site-id codes and times of each file row; rows without them are reported."""
    st_codes, st_names = _factorize_text(_text_col(df, station_col), normalize_name)
    sid_codes, sid_names = _factorize_text(_text_col(df, siteid_col))
    tcodes, tuniq = pd.factorize(pd.Series(time_text, dtype=object), use_na_sentinel=True)
    tparsed = _parse_times(pd.Series(np.asarray(tuniq, dtype=object)), tz)
    if what == "date":
        tparsed = tparsed.normalize()
    t_i8 = np.append(tparsed.asi8, _NAT)[tcodes]
    for i in np.flatnonzero(st_codes < 0):
        probs.add(src, f"{rowlab} {rownum[i]}", "no station name: not used (fix: fill in the site name)")
    for i in np.flatnonzero((t_i8 == _NAT) & (st_codes >= 0)):
        example = "2024-01-31" if what == "date" else "2024-01-31 13:00"
        probs.add(src, f"{rowlab} {rownum[i]}", f"{what} {time_text[i]!r} cannot be read: not used "
                  f"(fix: write {what}s like {example})")
    far = outlying_times(np.where(st_codes >= 0, t_i8, _NAT))
    if far.any():
        rows = [int(rownum[i]) for i in np.flatnonzero(far)]
        shown = ", ".join(map(str, rows[:20])) + (f", ... ({len(rows)} rows)" if len(rows) > 20 else "")
        texts = sorted({str(time_text[i]) for i in np.flatnonzero(far)})[:3]
        probs.add(src, f"{rowlab}{'s' if len(rows) > 1 else ''} {shown}",
                  f"{what} {', '.join(texts)} lies more than a year away from the rest of the file: a typo? "
                  f"not used (fix: correct the {what})")
        t_i8 = np.where(far, _NAT, t_i8)
    return st_codes, st_names, sid_codes, sid_names, t_i8


def _long_from_records(df, spec, rownum, probs, src, rowlab, tz, labels) -> _Long:
    st, st_names, sid, sid_names, t_i8 = _station_and_time(
        df, spec["station"], spec["siteid"], _text_col(df, spec["time"]), rownum, probs, src, rowlab, tz)
    long = _Long(st_names, sid_names)
    pols = list(spec["pollutants"].items())
    # units: per field label (JSON envelope), else as published; a record-level unit is only checked
    units = {p: labels.get(c, UNITS[p]) for c, p in pols}
    if spec.get("unit") is not None:
        _check_record_units(_text_col(df, spec["unit"]), [p for _, p in pols], units, rownum, probs, src,
                            rowlab, spec["unit"])
    for c, p in pols:
        long.add(station=st, siteid=sid, time=t_i8, pollutant=POLLUTANTS.index(p), raw=_arrow_text(df[c]),
                 unit=long.unit_code(units[p]), row=rownum)
    return long


def _check_record_units(unit_text, pols, units, rownum, probs, src, rowlab, col):
    codes, uniq = pd.factorize(pd.Series(unit_text, dtype=object), use_na_sentinel=True)
    for k, u in enumerate(uniq):
        if u is None or not str(u).strip():
            continue
        nu = normalize_unit(u)
        first = int(rownum[np.flatnonzero(codes == k)[0]])
        count = int((codes == k).sum())
        if nu is None:
            probs.add(src, f"{rowlab} {first} ({count} rows)", f"{col} {u!r} is not a unit geoairplan knows: "
                      "each pollutant keeps the unit MOENV publishes it in", severity="warning")
            continue
        differ = [p for p in pols if units[p] != nu]
        if differ:
            probs.add(src, f"{rowlab} {first} ({count} rows)",
                      f"{col} {u!r} cannot describe every pollutant of the record; kept the published units "
                      + ", ".join(f"{p} {units[p]}" for p in differ), severity="warning")


def _pollutant_codes(text, rownum, probs, src, rowlab, what):
    """Codes into POLLUTANTS for item/pollutant names (-1 where not read); unread names reported once."""
    codes, uniq = pd.factorize(pd.Series(text, dtype=object), use_na_sentinel=True)
    cmap = np.array([POLLUTANTS.index(normalize_pollutant(u)) if normalize_pollutant(u) else -1
                     for u in uniq] + [-1], dtype=np.int64)
    for k, u in enumerate(uniq):
        if cmap[k] < 0:
            rows = rownum[codes == k]
            probs.add(src, f"{rowlab}s {rows[0]}..{rows[-1]} ({len(rows)} rows)",
                      f"{what} {u!r} is not one of the pollutants read ({', '.join(POLLUTANTS)}): not read",
                      severity="warning")
    for r in rownum[codes < 0]:
        probs.add(src, f"{rowlab} {r}", f"no {what} name: not used")
    return cmap[codes]


def _long_from_wide(df, spec, rownum, probs, src, rowlab, tz, label) -> _Long:
    dtext = _text_col(df, spec["date"])
    st, st_names, sid, sid_names, d_i8 = _station_and_time(
        df, spec["station"], spec["siteid"], dtext, rownum, probs, src, rowlab, tz, what="date")
    long = _Long(st_names, sid_names)
    pcode = _pollutant_codes(_text_col(df, spec["item"]), rownum, probs, src, rowlab, "item")
    idx = np.flatnonzero(pcode >= 0)
    ucode = np.array([long.unit_code(UNITS[POLLUTANTS[p]]) for p in pcode[idx]], dtype=np.int64)
    take = pa.array(idx)
    for c, h in sorted(spec["hours"].items(), key=lambda kv: kv[1]):
        d = d_i8[idx]
        end = h + 1 if label == "start" else h  # time = the end of the hour: 23 (start) / 24 (end) -> next day 00
        t = np.where(d == _NAT, _NAT, d + end * _HOUR_NS)
        long.add(station=st[idx], siteid=sid[idx], time=t, pollutant=pcode[idx],
                 raw=_arrow_text(df[c]).take(take), unit=ucode, row=rownum[idx])
    return long


def _long_from_tidy(df, spec, rownum, probs, src, rowlab, tz) -> _Long:
    st, st_names, sid, sid_names, t_i8 = _station_and_time(
        df, spec["station"], spec["siteid"], _text_col(df, spec["time"]), rownum, probs, src, rowlab, tz)
    long = _Long(st_names, sid_names)
    pcode = _pollutant_codes(_text_col(df, spec["pollutant"]), rownum, probs, src, rowlab, "pollutant")
    default = np.array([long.unit_code(UNITS[POLLUTANTS[p]]) if p >= 0 else -1 for p in pcode], dtype=np.int64)
    ucode = default
    if spec["unit"] is not None:
        uc, uu = pd.factorize(pd.Series(_text_col(df, spec["unit"]), dtype=object), use_na_sentinel=True)
        umap = []
        for k, u in enumerate(uu):
            nu = normalize_unit(u)
            if nu is None and str(u).strip():
                rows = rownum[uc == k]
                probs.add(src, f"{rowlab} {rows[0]} ({len(rows)} rows)",
                          f"unit {u!r} is not one geoairplan knows: the published unit is assumed",
                          severity="warning")
            umap.append(long.unit_code(nu) if nu else -1)
        given = np.array(umap + [-1], dtype=np.int64)[uc]
        ucode = np.where(given >= 0, given, default)
    idx = np.flatnonzero(pcode >= 0)
    long.add(station=st[idx], siteid=sid[idx], time=t_i8[idx], pollutant=pcode[idx],
             raw=_arrow_text(df[spec["value"]]).take(pa.array(idx)), unit=ucode[idx], row=rownum[idx])
    return long


def _assemble(long: _Long, probs: Problems, src: str, rowlab: str, tz: str) -> pd.DataFrame:
    station, siteid, time = long.cat("station"), long.cat("siteid"), long.cat("time")
    pol, unit, row = long.cat("pollutant"), long.cat("unit"), long.cat("row")
    ok = np.flatnonzero((station >= 0) & (time != _NAT))  # the others are reported already
    tcode, _ = pd.factorize(time[ok])
    key = (station[ok] * (int(tcode.max(initial=0)) + 1) + tcode) * len(POLLUTANTS) + pol[ok]
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    if dup.any():
        firsts = ok[~dup][pd.Index(key[~dup]).get_indexer(key[dup])]
        by_row: dict[int, list] = {}
        for j, f in zip(ok[dup], firsts):
            e = by_row.setdefault(int(row[j]), [int(row[f]), set(), int(station[j]), int(time[j])])
            e[1].add(POLLUTANTS[pol[j]])
        for r in sorted(by_row):
            r0, ps, s, t = by_row[r]
            when = pd.Timestamp(t, tz="UTC").tz_convert(tz).strftime("%Y-%m-%d %H:%M")
            probs.add(src, f"{rowlab} {r}", f"repeats {long.station_names[s]} at {when} already given in "
                      f"{rowlab} {r0} ({', '.join(sorted(ps))}): the later value is not used", severity="warning")
        ok = ok[~dup]
    order = ok[np.lexsort((pol[ok], time[ok], station[ok]))]  # stable: station, time, pollutant
    raw = long.raw().take(pa.array(order)).combine_chunks()
    enc = pc.dictionary_encode(raw)
    value, flag = _classify(enc.dictionary.to_pylist())
    ridx = pc.fill_null(enc.indices, len(value)).to_numpy(zero_copy_only=False).astype(np.int64)
    value = np.append(value, np.nan)[ridx]
    fcode = np.append(flag, _FLAGS.index("missing"))[ridx]
    value, fcode = _sentinels(value, fcode, pol[order], station[order], row[order], long.station_names,
                              probs, src, rowlab)
    out = pd.DataFrame({
        "time": pd.DatetimeIndex(time[order].astype("M8[ns]")).tz_localize("UTC").tz_convert(tz),
        "station": _from_codes(station[order], long.station_names, _STR),
        "siteid": _from_codes(siteid[order], long.siteid_names, _NASTR),
        "pollutant": _from_codes(pol[order], POLLUTANTS, _STR),
        "value": value.astype(float),
        "raw": pa.chunked_array([raw]).to_pandas(types_mapper={pa.large_string(): _NASTR}.get).array,
        "unit": _from_codes(unit[order], long.units, _STR),
        "flag": _from_codes(fcode, _FLAGS, _STR),
    })
    out.attrs["file_rows"] = FileRows(row[order])  # the file row (or record) of each output row
    return out


_POS_COLS = (("longitude", "lon", "twd97lon", "經度"), ("latitude", "lat", "twd97lat", "緯度"))


def _registry() -> pd.DataFrame:
    reg = pd.DataFrame(load_stations().drop(columns="geometry"))
    return reg[["name_zh", "siteid", "lon", "lat"]]


def _positions(df, spec, gen, rownum, probs, src, rowlab) -> pd.DataFrame:
    """Where each station of the file is: the registry's position, else the file's own (reported)."""
    cols = list(df.columns)
    ncodes, nuniq = pd.factorize(pd.Series(_text_col(df, spec["station"]), dtype=object), use_na_sentinel=True)
    names = pd.Series(np.array([normalize_name(u) for u in nuniq] + [None], dtype=object)[ncodes], dtype=object)
    scodes, suniq = pd.factorize(pd.Series(_text_col(df, spec.get("siteid")), dtype=object), use_na_sentinel=True)
    sids = pd.Series(np.array([str(u).strip() or None for u in suniq] + [None], dtype=object)[scodes], dtype=object)
    lon_c, lat_c = (_find(cols, *c) for c in _POS_COLS)
    lon = pd.to_numeric(pd.Series(_text_col(df, lon_c)), errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(pd.Series(_text_col(df, lat_c)), errors="coerce").to_numpy(dtype=float)
    reg = _registry()
    by_id = {str(i): k for k, i in enumerate(reg["siteid"]) if isinstance(i, str) and i}
    by_name = {n: k for k, n in enumerate(reg["name_zh"])}
    frame = pd.DataFrame({"name": names, "sid": sids, "pos": np.arange(len(names)),
                          "has": np.isfinite(lon) & np.isfinite(lat)}).dropna(subset=["name"])
    first = frame.groupby("name", sort=True)["pos"].first()
    first_sid = frame.dropna(subset=["sid"]).groupby("name")["sid"].first()
    first_xy = frame[frame["has"]].groupby("name")["pos"].first()
    rows = []
    for name, p0 in first.items():
        sid = first_sid.get(name)
        k = by_id.get(sid) if sid is not None else None
        k = by_name.get(name) if k is None else k
        m = [p0]
        ok = [first_xy[name]] if name in first_xy.index else []
        if k is not None:
            rows.append({"station": name, "siteid": sid if sid is not None else reg["siteid"].iloc[k],
                         "lon": float(reg["lon"].iloc[k]), "lat": float(reg["lat"].iloc[k]),
                         "position": "registry"})
            continue
        if len(ok):
            i = ok[0]
            rows.append({"station": name, "siteid": sid, "lon": float(lon[i]), "lat": float(lat[i]),
                         "position": "file"})
            probs.add(src, f"{rowlab} {rownum[i]}", f"station {name!r} is not in the embedded station registry: "
                      f"the file's own coordinates ({lon[i]:.6f}, {lat[i]:.6f}) are used; its rows are kept",
                      severity="warning")
        else:
            rows.append({"station": name, "siteid": sid, "lon": np.nan, "lat": np.nan, "position": "none"})
            probs.add(src, f"{rowlab} {rownum[m[0]]}", f"station {name!r} is not in the embedded station registry "
                      "and the file gives no coordinates: its rows are kept, but it cannot be placed "
                      "(fix: give a station list with read_moenv_stations, or longitude/latitude fields)",
                      severity="warning")
    return rows


def station_positions(df: pd.DataFrame) -> pd.DataFrame:
    """Where the stations of a table read by :func:`read_moenv_hourly` are.

    Parameters
    ----------
    df : pandas.DataFrame
        The tidy table (its ``attrs["stations"]``, kept as plain records so that
        ``pd.concat`` of tables works).

    Returns
    -------
    pandas.DataFrame
        ``station, siteid, lon, lat, position``: ``registry`` (the embedded
        registry's position), ``file`` (a station the registry lacks, at the
        file's own coordinates, reported) or ``none`` (no position anywhere).
    """
    return pd.DataFrame(list(df.attrs.get("stations") or []),
                        columns=["station", "siteid", "lon", "lat", "position"])


def _sentinels(value, fcode, pol, station, row, station_names, probs, src, rowlab):
    """Codes and fill values that are not values: flagged (see ``_FLAGS``), reported, value NaN."""
    value = value.copy()
    fcode = fcode.copy()
    pols = np.asarray(POLLUTANTS, dtype=object)[pol] if len(pol) else np.array([], dtype=object)
    ok = fcode == _FLAGS.index("valid")
    wd = ok & (pols == "wind_direc")
    new = np.full(len(value), -1, dtype=np.int64)
    for code, name in WIND_CODES.items():
        new[wd & (value == code)] = _FLAGS.index(name)
    # other directions outside 0-360 stay as written: the analyses that use directions report them
    other = ok & (new < 0)
    new[other & np.isin(value, list(FILL_VALUES))] = _FLAGS.index("fill")
    new[other & (new < 0) & (value < 0) & (pols != "wind_direc")] = _FLAGS.index("negative")
    if len(value):
        rng = {p: plausible_range(p) for p in set(pols[other & (new < 0)].tolist())}
        lo = np.array([rng.get(p, (-np.inf, np.inf))[0] for p in pols])
        hi = np.array([rng.get(p, (-np.inf, np.inf))[1] for p in pols])
        new[other & (new < 0) & ((value > hi) | (value < lo))] = _FLAGS.index("implausible")
    hit = np.flatnonzero(new >= 0)
    if len(hit) == 0:
        return value, fcode
    fcode[hit] = new[hit]
    groups: dict[tuple, list] = {}
    for i in hit:
        groups.setdefault((int(station[i]), pols[i], int(new[i])), []).append(i)
    for (st, p, f), idx in sorted(groups.items(), key=lambda kv: int(row[kv[1][0]])):
        rows = sorted({int(row[i]) for i in idx})
        shown = ", ".join(map(str, rows[:20])) + (f", ... ({len(rows)} rows)" if len(rows) > 20 else "")
        vals = sorted({float(value[i]) for i in idx})
        vtxt = ", ".join(f"{v:g}" for v in vals[:5]) + (" ..." if len(vals) > 5 else "")
        lab = f"{rowlab}{'s' if len(rows) > 1 else ''} {shown}"
        why = _FLAG_TEXT[_FLAGS[f]]
        if _FLAGS[f] == "implausible":
            lo_, hi_ = plausible_range(p)
            why = f"outside the plausible range {lo_:g}-{hi_:g} (data/rules/plausible_ranges.csv), not a measurement"
        probs.add(src, lab, f"{station_names[st]} {p} {vtxt}: {why}; flagged "
                  f"{_FLAGS[f]!r}, not used as a value", severity="warning" if _FLAGS[f] == "calm" else "error")
    value[hit] = np.nan
    return value, fcode


# --------------------------------------------------------------------------- stations


_STATION_FIELDS = {
    "name_zh": ("sitename", "測站名稱", "站名"),
    "name_en": ("siteengname", "英文名稱"),
    "siteid": ("siteid", "測站代碼"),
    "zone": ("areaname", "空品區"),
    "county": ("county", "縣市"),
    "township": ("township", "鄉鎮", "鄉鎮市區"),
    "address": ("siteaddress", "地址"),
    "station_type": ("sitetype", "測站類型"),
    "lon": ("twd97lon", "longitude", "lon", "經度"),
    "lat": ("twd97lat", "latitude", "lat", "緯度"),
}


def read_moenv_stations(path) -> gpd.GeoDataFrame:
    """Read the MOENV station list (open data set ``aqx_p_07``), CSV or JSON.

    Parameters
    ----------
    path:
        The station list with the fields ``sitename, siteengname, areaname,
        county, township, siteaddress, twd97lon, twd97lat, sitetype,
        siteid`` (any case). ``twd97lon/twd97lat`` are degrees (TWD97
        geographic, equal to WGS84 within a metre), not metres.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name_zh, name_en, siteid, zone, county, township, address,
        station_type, lon, lat, registry`` and point geometry in EPSG:4326, in
        file order. Every station keeps the file's own position; ``registry``
        compares it with the embedded registry (:func:`~geoairplan.reference.stations.load_stations`):
        ``same`` (within 50 m), ``moved <d> m`` or ``new`` (not in the
        registry) -- the last two are reported too. Names are normalised (full-width parentheses folded, 台 ->
        臺), so ``屏東（琉球）`` becomes ``屏東(琉球)``; ``zone`` drops the
        ``空品區`` suffix (``高屏空品區`` -> ``高屏``). ``attrs["problems"]``
        reports stations without coordinates (kept, geometry empty) and
        stations that lie outside the county they claim, with the distance.

    Raises
    ------
    InputError
        Missing or empty file, no ``sitename`` or coordinate fields, or
        coordinates that are not in Taiwan (a swapped longitude/latitude pair
        is named with its row).
    """
    path = Path(path)
    _check_file(path, "station list")
    df, kind, _enc, _labels = _read_any(path, what="station list")
    src = str(path)
    cols = list(df.columns)
    found = {k: _find(cols, *names) for k, names in _STATION_FIELDS.items()}
    missing = [k for k in ("name_zh", "lon", "lat") if found[k] is None]
    if missing:
        need = {"name_zh": "sitename", "lon": "twd97lon", "lat": "twd97lat"}
        raise InputError(f"missing field(s) {', '.join(need[m] for m in missing)}; the file has "
                         f"{', '.join(cols)}", file=path, where="header",
                         fix="give the MOENV station list (aqx_p_07) with sitename, twd97lon, twd97lat, "
                             "siteid, county, ... fields")
    if len(df) == 0:
        raise InputError("the station list has no rows", file=path, fix="download the station list again")
    probs = Problems()
    probs.extend(df.attrs.get("problems") or [])  # ragged rows the table reader left out, with their line
    rowlab = "row" if kind == "csv" else "record"
    first = 2 if kind == "csv" else 1
    lines = df.attrs.get("lines")
    filerow = list(lines) if lines is not None and len(lines) == len(df) else [i + first for i in range(len(df))]
    out = pd.DataFrame(index=range(len(df)))
    for k in ("name_zh", "name_en", "siteid", "zone", "county", "township", "address", "station_type"):
        col = found[k]
        vals = pd.Series(_text_col(df, col), dtype=object).map(
            lambda v: None if v is None or not str(v).strip() else str(v).strip())
        if k in ("name_zh", "county", "township"):
            vals = vals.map(normalize_name)
        elif k == "zone":
            vals = vals.map(lambda v: None if v is None else re.sub(r"空品區?$", "", normalize_name(v) or "") or None)
        elif k == "address":
            vals = vals.map(lambda v: None if v is None else normalize_name(v))
        out[k] = pd.array(vals.to_numpy(dtype=object), dtype="string")
    lon = pd.to_numeric(pd.Series(_text_col(df, found["lon"])), errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(pd.Series(_text_col(df, found["lat"])), errors="coerce").to_numpy(dtype=float)
    labels = [f"{rowlab} {filerow[i]} ({n})" for i, n in enumerate(out["name_zh"].fillna("?"))]
    has = np.isfinite(lon) & np.isfinite(lat)
    for i in np.flatnonzero(~has):
        probs.add(src, labels[i], "no usable twd97lon/twd97lat: the station has no position (kept, geometry "
                  "empty; fix: fill in the coordinates in degrees)")
    if has.any():
        points_from_xy(lon[has], lat[has], WGS84, source=src, rows=[labels[i] for i in np.flatnonzero(has)])
    out["lon"] = lon
    out["lat"] = lat
    geom = gpd.points_from_xy(lon, lat)
    geom[~has] = None
    gdf = gpd.GeoDataFrame(out, geometry=geom, crs=WGS84)
    claim = has & out["county"].notna().to_numpy()
    if claim.any():
        sub = gdf[claim].copy()
        sub["_label"] = [labels[i] for i in np.flatnonzero(claim)]
        rep = check_points_in_county(sub, "county", label_col="_label", source=src)
        for _, r in rep.iterrows():
            if r["reason"] == "unknown county name":
                probs.add(src, r["label"], f"county {r['claimed_county']!r} is not a Taiwanese county name",
                          severity="warning")
            else:
                fc = r["found_county"]
                where = f"in {fc}" if isinstance(fc, str) and fc.strip() else "at sea (in no county)"
                probs.add(src, r["label"], f"lies {where}, {r['distance_m']:.0f} m outside its county "
                          f"{r['claimed_county']}: check the coordinates or the county", severity="warning")
    gdf.insert(len(gdf.columns) - 1, "registry", _compare_registry(gdf, has, labels, probs, src))
    gdf.attrs["problems"] = probs
    gdf.attrs["source"] = src
    return gdf


def _compare_registry(gdf, has, labels, probs, src) -> list:
    """Per station: ``same`` (within 50 m of the embedded registry), ``moved <d> m`` or ``new`` (reported)."""
    reg = load_stations()
    by_id = {str(i): k for k, i in enumerate(reg["siteid"]) if isinstance(i, str) and i}
    by_name = {n: k for k, n in enumerate(reg["name_zh"])}
    reg_tm = reg.to_crs(3826).geometry
    file_tm = gpd.GeoSeries(gdf.geometry, crs=WGS84).to_crs(3826)
    out = []
    for i in range(len(gdf)):
        sid, name = gdf["siteid"].iloc[i], gdf["name_zh"].iloc[i]
        k = by_id.get(str(sid)) if isinstance(sid, str) else None
        k = by_name.get(name) if k is None and isinstance(name, str) else k
        if k is None:
            out.append("new")
            where = "its position from this file is used" if has[i] else "and the file gives no position"
            probs.add(src, labels[i], f"not in the embedded station registry: {where} (kept)", severity="warning")
        elif not has[i]:
            out.append("same")
        else:
            d = float(file_tm.iloc[i].distance(reg_tm.iloc[k]))
            out.append("same" if d <= 50 else f"moved {d:.0f} m")
            if d > 50:
                probs.add(src, labels[i], f"lies {d:.0f} m from the embedded registry's position of "
                          f"{reg['name_zh'].iloc[k]}: this file's position is used", severity="warning")
    return out
