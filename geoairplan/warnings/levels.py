"""Warning levels per station and hour (004 Art. 2; thresholds from the rule tables).

From the tidy hourly table of :func:`geoairplan.io.read_moenv_hourly`
(``time, station, pollutant, value, unit, flag``) this module computes, for
every station and every hour of a complete hourly index:

* the averages the rules name: the hourly value (``1h``, "即時濃度值", 003 L76),
  the most recent 8-hour moving mean (``8h_moving``, CO, 003 L75) and the
  24-hour moving mean (``24h_moving``, PM10/PM2.5/SO2, 003 L74). A window ends
  at (and includes) the hour itself;
* each criterion: the average **reaches** the threshold (``>=``, "達", 004 L8),
  for ``consecutive_hours`` hours in a row where the rule says so (PM10
  1050/1250 µg/m³ "連續二/三小時", 003 L63);
* the level per pollutant (highest level whose criterion holds; alternative
  criteria of one level are alternatives, OR), the station's level (highest
  over pollutants, 004 L9 "任一空氣污染物") and the pollutant(s) that set it.

Completeness rule (configurable, :class:`Completeness`): a moving average
needs at least 18 valid hours of 24 and 6 of 8 (75 %); an hourly criterion
needs the hour itself (and, for consecutive-hour rules, every hour of the
run) to be valid. An average that does not meet it is *insufficient*, never
a low value: a pollutant none of whose criteria holds while one of its
series is insufficient has level ``insufficient``; a station whose
pollutants reach no level while one of them is insufficient has level
``insufficient``. Values flagged ``missing`` or ``invalid`` never count.

Everything is vectorised: one array of shape (hours, stations) per series,
pandas rolling sums over the complete hourly index. :func:`levels_reference`
is a deliberately naive per-row implementation used as the peer in tests and
in ``scripts/benchmarks/warnings.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geoairplan.errors import InputError, Problems
from geoairplan.io.times import check_dense_size, outlying_times
from geoairplan.reference.plausible import max_jump, plausible_range
from geoairplan.reference.names import normalize_name
from geoairplan.reference.pollutants import RULE_POLLUTANTS, UNITS, normalize_pollutant, normalize_unit
from geoairplan.warnings.rules import INSUFFICIENT, NONE, Rules, load_warning_rules, unit_factor

__all__ = ["Completeness", "prepare_observations", "compute_levels", "levels_reference", "TZ",
           "series_column", "REL_TOL"]

TZ = "Asia/Taipei"
#: Relative tolerance of the ">=" comparison (floating-point sums of exact values).
REL_TOL = 1e-9
_H = 3_600_000_000_000  # one hour in ns
WIND = ("wind_speed", "wind_direc")


@dataclass(frozen=True)
class Completeness:
    """How many valid hours a moving average needs (default 75 %: 18 of 24, 6 of 8).

    Not stated by the regulation (003 Table 1 notes L72-L76 define the
    averages, not their completeness); chosen as the common 75 % convention.
    Windows of other lengths need ``ceil(0.75 * window)`` hours.
    """

    h24: int = 18
    h8: int = 6

    def __post_init__(self):
        if not 1 <= int(self.h24) <= 24:
            raise InputError(f"completeness for 24-h averages must be 1..24 hours, not {self.h24}",
                             where="min_hours_24h", fix="give a number of valid hours between 1 and 24")
        if not 1 <= int(self.h8) <= 8:
            raise InputError(f"completeness for 8-h averages must be 1..8 hours, not {self.h8}",
                             where="min_hours_8h", fix="give a number of valid hours between 1 and 8")

    def required(self, window: int) -> int:
        if window <= 1:
            return 1
        if window == 24:
            return int(self.h24)
        if window == 8:
            return int(self.h8)
        return math.ceil(0.75 * window)


def series_column(pollutant: str, averaging: str, unit: str) -> str:
    """Column name of an averaged series in the level table: ``pm2.5_24h_moving_ugm3``."""
    return f"{pollutant}_{averaging}_{unit.replace('/', '')}"


# --------------------------------------------------------------------------- input checks


def _times(col: pd.Series, tz: str, probs: Problems, source: str) -> pd.Series:
    """Tz-aware times in ``tz``; naive times are read as ``tz`` and other zones converted (reported)."""
    s = col
    if not (pd.api.types.is_datetime64_any_dtype(s)):
        codes, uniq = pd.factorize(s.astype(object), use_na_sentinel=True)
        u = pd.Series(np.asarray(uniq, dtype=object))
        texts = u.map(lambda v: v if isinstance(v, pd.Timestamp) else str(v))
        has_off = texts.astype(str).str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
        parsed = pd.Series(pd.NaT, index=u.index, dtype=f"datetime64[ns, {tz}]")
        if has_off.any():
            t = pd.to_datetime(texts[has_off], utc=True, errors="coerce", format="mixed")
            parsed[has_off] = t.dt.tz_convert(tz)
            other = ~texts[has_off].astype(str).str.endswith(("+08:00", "+0800"))
            if (t.notna() & other).any():
                probs.add(source, "time", f"times written with a UTC offset were converted to {tz}",
                          severity="warning")
        if (~has_off).any():
            t = pd.to_datetime(texts[~has_off], errors="coerce", format="mixed")
            if getattr(t.dt, "tz", None) is None:
                t = t.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
                if t.notna().any():
                    probs.add(source, "time", f"times without a time zone were read as {tz} (MOENV local time)",
                              severity="warning")
            parsed[~has_off] = t.dt.tz_convert(tz)
        vals = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))[codes]
        return pd.Series(pd.DatetimeIndex(vals).tz_localize("UTC").tz_convert(tz), index=col.index)
    if getattr(s.dt, "tz", None) is None:
        probs.add(source, "time", f"times without a time zone were read as {tz} (MOENV local time)",
                  severity="warning")
        return s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    if str(s.dt.tz) != tz:
        probs.add(source, "time", f"times in {s.dt.tz} were converted to {tz}", severity="warning")
        return s.dt.tz_convert(tz)
    return s


def _rows_text(rows) -> str:
    """``row 5`` / ``rows 5, 9, 12`` / ``rows 5, 9, ... (40 rows)``."""
    rows = sorted({int(r) for r in rows})
    shown = ", ".join(map(str, rows[:20])) + (f", ... ({len(rows)} rows)" if len(rows) > 20 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown}"


def prepare_observations(obs: pd.DataFrame, *, pollutants=None, tz: str = TZ,
                         source: str | None = None) -> tuple[pd.DataFrame, Problems]:
    """Check and normalise a tidy hourly table for the warning engine.

    Parameters
    ----------
    obs : pandas.DataFrame
        Columns ``time, station, pollutant, value`` (required), ``unit`` and
        ``flag`` (optional; MOENV's published units are assumed, with a
        warning, when ``unit`` is absent; without ``flag`` every finite value
        is valid).
    pollutants : sequence of str, optional
        Codes to keep (default: the six rule pollutants and the wind).
    tz : str
        Time zone the times are given in or converted to.
    source : str, optional
        What the table is, in messages (default ``attrs["source"]``).

    Returns
    -------
    frame : pandas.DataFrame
        ``time`` (tz-aware ``tz``), ``station``, ``pollutant``, ``value``,
        ``unit``, ``valid`` (bool), sorted by station, pollutant and time;
        one row per (station, pollutant, hour).
    problems : geoairplan.errors.Problems
        Unknown pollutant codes (rows not used), rows without station or time, times
        not on the hour, repeated (station, time, pollutant) rows (the first
        in the table is kept), input not in time order (sorted), naive or
        non-Taipei times (read as / converted to Taipei time).

    Raises
    ------
    InputError
        Missing columns, no rows, or a unit that is unknown or cannot be
        converted to the pollutant's rule unit.
    """
    src = source or str(getattr(obs, "attrs", {}).get("source", "observations"))
    if not isinstance(obs, pd.DataFrame):
        raise InputError(f"observations must be a table (DataFrame), not {type(obs).__name__}", where=src,
                         fix="read the file with geoairplan.io.read_moenv_hourly")
    need = ["time", "station", "pollutant", "value"]
    missing = [c for c in need if c not in obs.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; the table has {', '.join(map(str, obs.columns))}",
                         file=src, where="columns",
                         fix="give the tidy table of geoairplan.io.read_moenv_hourly (time, station, pollutant, "
                             "value, unit, flag)")
    if len(obs) == 0:
        raise InputError("the observation table has no rows", file=src, fix="give at least one hour of data")
    wanted = list(pollutants) if pollutants is not None else list(RULE_POLLUTANTS) + list(WIND)
    probs = Problems()
    n = len(obs)
    # pollutant codes, computed on the distinct values
    pc, pu = pd.factorize(obs["pollutant"], use_na_sentinel=True)
    pnorm = [normalize_pollutant(u) for u in pu]
    for k, (u, p) in enumerate(zip(pu, pnorm)):
        if p is None:
            cnt = int((pc == k).sum())
            probs.add(src, f"pollutant {u!r}", f"not a MOENV pollutant code: {cnt} rows not used "
                      "(codes: pm2.5, pm10, o3, so2, no2, co, wind_speed, wind_direc, ...)", severity="warning")
    pols = sorted({p for p in pnorm if p in wanted})
    pmap = np.array([pols.index(p) if p in pols else -1 for p in pnorm] + [-1], dtype=np.int64)
    pcode = pmap[pc]
    keep = pcode >= 0
    # known codes the rules do not use (nox, pm2.5_avg, ...): one warning per code
    unwanted: dict[str, int] = {}
    for k, p in enumerate(pnorm):
        if p is not None and p not in pols:
            unwanted[p] = unwanted.get(p, 0) + int((pc == k).sum())
    for p in sorted(unwanted):
        probs.add(src, f"pollutant {p}", f"not used by the warning rules: {unwanted[p]} rows skipped "
                  "(used: " + ", ".join(wanted) + ")", severity="warning")
    # row labels as the readers give them: the table's own ``row`` column, else the CSV row
    # (header = row 1, first data row = row 2)
    if "row" in obs.columns:
        rowno = pd.to_numeric(obs["row"], errors="coerce").to_numpy(dtype=float)
        rowno = np.where(np.isfinite(rowno), rowno, np.arange(n) + 2).astype(np.int64)
    elif len(np.asarray(obs.attrs.get("file_rows", ()))) == n:  # read_moenv_hourly: the file's own rows
        rowno = np.asarray(obs.attrs["file_rows"], dtype=np.int64)
    else:
        rowno = np.arange(n, dtype=np.int64) + 2
    # station codes (normalised names, sorted)
    sc, su = pd.factorize(obs["station"], use_na_sentinel=True)
    snorm = [normalize_name(u) for u in su]
    stations = sorted({x for x in snorm if x is not None})
    smap = np.array([stations.index(x) if x is not None else -1 for x in snorm] + [-1], dtype=np.int64)
    scode = smap[sc]
    nost = keep & (scode < 0)
    if nost.any():
        probs.add(src, _rows_text(rowno[nost]), "no station name: not used")
    keep &= scode >= 0
    # times
    t = _times(obs["time"], tz, probs, src)
    ti8 = t.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    nat = ti8 == np.iinfo(np.int64).min
    bad = keep & nat
    if bad.any():
        probs.add(src, f"{int(bad.sum())} rows (first: row {int(rowno[np.flatnonzero(bad)[0]])})",
                  f"time missing or unreadable: not used ({_rows_text(rowno[bad])})")
    keep &= ~nat
    far = outlying_times(np.where(keep, ti8, np.iinfo(np.int64).min))
    if far.any():
        texts = sorted({f"{v:%Y-%m-%d %H:%M}" for v in t[far]})[:3]
        probs.add(src, _rows_text(rowno[far]), f"time {', '.join(texts)} lies more than a year away from the "
                  "rest of the table: a typo? not used (fix: correct the date)")
    keep &= ~far
    offhour = keep & (ti8 % _H != 0)
    if offhour.any():
        first = t.iloc[int(np.flatnonzero(offhour)[0])]
        probs.add(src, _rows_text(rowno[offhour]), f"time is not on the hour (first: {first:%Y-%m-%d %H:%M}): "
                  "not used (hourly values are stamped on the hour)")
    keep &= ~offhour
    # units (distinct values)
    pol_names = np.array(pols + [None], dtype=object)
    if "unit" in obs.columns:
        uc, uu = pd.factorize(obs["unit"], use_na_sentinel=True)
        unorm = []
        for k, u in enumerate(uu):
            nu = normalize_unit(u)
            if nu is None and u is not None and str(u).strip() not in ("", "nan", "<NA>"):
                hit = np.flatnonzero((uc == k) & keep)
                if len(hit):
                    i = hit[0]
                    raise InputError(f"unknown unit {u!r} for {pol_names[pcode[i]]} at {stations[scode[i]]} "
                                     f"{t.iloc[i]:%Y-%m-%d %H:%M}", file=src, where=f"row {int(rowno[i])}",
                                     fix="use ug/m3 (PM), ppb (SO2, NO2, O3) or ppm (CO), m/s and deg for wind")
            unorm.append(nu)
        unit = np.array(unorm + [None], dtype=object)[uc]
    else:
        unit = np.full(n, None, dtype=object)
    nounit = keep & pd.isna(unit)
    if nounit.any():
        for k in sorted(set(pcode[nounit])):
            p = pols[k]
            probs.add(src, f"pollutant {p}", f"no unit given: MOENV's published unit {UNITS[p]} assumed",
                      severity="warning")
        defaults = np.array([UNITS.get(p) for p in pols] + [None], dtype=object)
        unit = np.where(pd.isna(unit), defaults[pcode], unit)
    # values and validity
    value = pd.to_numeric(obs["value"], errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(value)
    if "flag" in obs.columns:
        fc, fu = pd.factorize(obs["flag"], use_na_sentinel=True)
        valid &= np.array([u == "valid" for u in fu] + [False])[fc]
    # values outside the pollutant's plausible range (data/rules/plausible_ranges.csv) are never used
    for k, p in enumerate(pols):
        lo, hi = plausible_range(p)
        u = UNITS.get(p)
        rows_p = keep & valid & (pcode == k)
        if u is not None and not np.all(pd.isna(unit[rows_p]) | (unit[rows_p] == u)):
            continue  # another unit than MOENV's: the range (in MOENV units) does not apply as written
        bad = rows_p & ((value < lo) | (value > hi))
        if bad.any():
            vals = sorted({float(v) for v in value[bad]})
            vtxt = ", ".join(f"{v:g}" for v in vals[:5]) + (" ..." if len(vals) > 5 else "")
            probs.add(src, _rows_text(rowno[bad]), f"{p} {vtxt}: outside the plausible range {lo:g}-{hi:g} "
                      f"{u or ''} (data/rules/plausible_ranges.csv): not used")
            valid &= ~bad
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        raise InputError("no usable rows for the warning rules (pollutants " + ", ".join(wanted) + ")", file=src,
                         fix="give hourly values of pm2.5, pm10, o3, so2, no2 or co")
    s_, p_, t_ = scode[idx], pcode[idx], ti8[idx]
    # repeated (station, pollutant, hour): keep the first in the table
    hour = (t_ - t_.min()) // _H
    key = (s_ * len(pols) + p_) * (int(hour.max()) + 1) + hour
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    if dup.any():
        d = pd.DataFrame({"s": s_[dup], "p": p_[dup], "t": t_[dup]})
        for (si, pi), g in d.groupby(["s", "p"], sort=True):
            first = pd.Timestamp(int(g["t"].min()), tz="UTC").tz_convert(tz)
            probs.add(src, f"{stations[si]} {pols[pi]}", f"{len(g)} repeated hour(s) (first {first:%Y-%m-%d %H:%M}): "
                      "the first value in the table is kept, the later ones are not used", severity="warning")
        idx, s_, p_, t_, key = idx[~dup], s_[~dup], p_[~dup], t_[~dup], key[~dup]
    # order: report stations whose rows are not in time order, then sort
    order = np.lexsort((idx, t_, p_, s_))
    back = np.zeros(len(idx), dtype=bool)
    inorder = np.lexsort((idx, p_, s_))  # input order within (station, pollutant)
    ss, pp, tt = s_[inorder], p_[inorder], t_[inorder]
    back[1:] = (tt[1:] < tt[:-1]) & (ss[1:] == ss[:-1]) & (pp[1:] == pp[:-1])
    if back.any():
        for si in sorted(set(ss[back])):
            probs.add(src, f"station {stations[si]}", "times are not in order: sorted before averaging",
                      severity="warning")
    sel = idx[order]
    out = pd.DataFrame({
        "time": pd.DatetimeIndex(ti8[sel].view("M8[ns]")).tz_localize("UTC").tz_convert(tz),
        "station": pd.Categorical.from_codes(scode[sel], categories=stations),
        "pollutant": pd.Categorical.from_codes(pcode[sel], categories=pols),
        "value": np.where(valid, value, np.nan)[sel],
        "unit": pd.Categorical(unit[sel]),
        "valid": valid[sel],
        "_t": ti8[sel],
    })
    out.attrs["problems"] = probs
    out.attrs["source"] = src
    return out, probs


# --------------------------------------------------------------------------- vectorised engine


@dataclass
class _Grid:
    t0: int  # first hour, ns since epoch (UTC)
    hours: int
    stations: list[str]

    def index(self, tz) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.t0 + np.arange(self.hours, dtype=np.int64) * _H).tz_localize("UTC").tz_convert(tz)


def _grid(clean: pd.DataFrame) -> _Grid:
    t = clean["_t"].to_numpy()
    st = clean["station"]
    names = list(st.cat.categories[np.unique(st.cat.codes)]) if hasattr(st, "cat") else sorted(st.unique())
    hours = int((t.max() - t.min()) // _H) + 1
    # sized before anything dense is allocated (a year typo would otherwise span centuries)
    n_pol = clean["pollutant"].nunique() if len(clean) else 1
    check_dense_size(hours, len(names) * n_pol, what="the hourly table", file=clean.attrs.get("source"))
    return _Grid(int(t.min()), hours, sorted(names))


def _matrix(clean: pd.DataFrame, grid: _Grid, pollutant: str, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """(values (hours × stations) in ``unit``, NaN where not valid; stations that report the pollutant)."""
    sub = clean[clean["pollutant"] == pollutant]
    arr = np.full((grid.hours, len(grid.stations)), np.nan)
    measured = np.zeros(len(grid.stations), dtype=bool)
    if len(sub) == 0:
        return arr, measured
    pos = {s: i for i, s in enumerate(grid.stations)}
    st = sub["station"]
    if hasattr(st, "cat"):
        cmap = np.array([pos.get(c, -1) for c in st.cat.categories], dtype=np.int64)
        si = cmap[st.cat.codes.to_numpy()]
    else:
        si = st.map(pos).to_numpy()
    ti = (sub["_t"].to_numpy() - grid.t0) // _H
    val = sub["value"].to_numpy(dtype=float).copy()
    units = np.asarray(sub["unit"].astype(object))
    for u in pd.unique(units):
        m = units == u
        i = int(np.flatnonzero(m)[0])
        val[m] *= unit_factor(u, unit, pollutant=pollutant,
                              where=f"{sub['station'].iat[i]} {pollutant} ({u} in the data, {unit} in the rules)")
    arr[ti, si] = val
    measured[np.unique(si)] = True
    return arr, measured


def _rolling_sum(a: np.ndarray, w: int) -> np.ndarray:
    if w == 1:
        return a
    return pd.DataFrame(a).rolling(w, min_periods=1).sum().to_numpy()


def _reaches(v: np.ndarray, thr: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return v >= thr - REL_TOL * max(1.0, abs(thr))


def _fmt_many(v: np.ndarray) -> np.ndarray:
    """Numbers as short text (4 significant digits below 1000, whole numbers above), vectorised."""
    v = np.asarray(v, dtype=float)
    digits = np.clip(3 - np.floor(np.log10(np.maximum(np.abs(v), 1e-12))), 0, 6).astype(int)
    out = np.empty(len(v), dtype=object)
    for d in np.unique(digits):
        m = digits == d
        r = np.round(v[m], d)
        if d > 0:  # fixed point without trailing zeros ("35.50" -> "35.5", "12.00" -> "12")
            out[m] = np.char.rstrip(np.char.rstrip(np.char.mod(f"%.{d}f", r), "0"), ".")
        else:
            out[m] = np.char.mod("%.0f", r)
    return out


def _fmt(v: float) -> str:
    return f"{v:.4g}" if abs(v) < 1000 else f"{v:.0f}"


def compute_levels(obs: pd.DataFrame, rules="warning_2022", *, completeness: Completeness | None = None,
                   tz: str = TZ) -> pd.DataFrame:
    """Warning level of every station and hour.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy hourly table (:func:`geoairplan.io.read_moenv_hourly`), checked
        by :func:`prepare_observations`.
    rules : str or Path or pandas.DataFrame or Rules
        Rule table name (``warning_2022``, ``warning_pre2022_002``), path or
        :class:`~geoairplan.warnings.rules.Rules`.
    completeness : Completeness, optional
        Minimum valid hours of moving averages (default 18/24, 6/8).
    tz : str
        Time zone of the level table.

    Returns
    -------
    pandas.DataFrame
        One row per station and hour of a complete hourly index (first to
        last hour of the table), sorted by station and time. Columns:
        ``time, station, rule_set, level`` (code, ``none`` or
        ``insufficient``), ``level_zh, level_rank`` (1.. for levels, 0 none,
        -1 insufficient), ``pollutant`` (the pollutant(s) that set the level,
        ``;``-joined), ``criterion`` (which threshold was reached, with the
        value), ``insufficient`` (series that did not meet the completeness
        rule, with their valid hours), ``level_<pollutant>`` for each rule
        pollutant (empty where the station does not report it), and every
        averaged series in the rule's unit (``pm2.5_24h_moving_ugm3``,
        ``o3_1h_ppm``, ...) with its count of valid hours (``..._n``).
        ``attrs``: ``problems``, ``rules`` (name), ``rule_set``,
        ``completeness``.
    """
    R = load_warning_rules(rules)
    comp = completeness or Completeness()
    clean, probs = prepare_observations(obs, pollutants=R.pollutants, tz=tz)
    return _levels_from_clean(clean, probs, R, comp, tz)


def _levels_from_clean(clean, probs, R: Rules, comp: Completeness, tz: str) -> pd.DataFrame:
    grid = _grid(clean)
    T, S = grid.hours, len(grid.stations)
    series = R.series()
    mean: dict[tuple[str, str], np.ndarray] = {}
    count: dict[tuple[str, str], np.ndarray] = {}
    avail: dict[tuple[str, str], np.ndarray] = {}
    measured: dict[str, np.ndarray] = {}
    base: dict[str, np.ndarray] = {}
    for p, a, u in series:
        if p not in base:
            base[p], measured[p] = _matrix(clean, grid, p, u)
        v = base[p]
        w = int(R.table.loc[(R.table.pollutant == p) & (R.table.averaging == a), "window"].iloc[0])
        ok = np.isfinite(v)
        n = _rolling_sum(ok.astype(float), w)
        s = _rolling_sum(np.where(ok, v, 0.0), w)
        need = comp.required(w)
        av = n >= need
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(av, s / np.where(n > 0, n, 1.0), np.nan)
        mean[(p, a)], count[(p, a)], avail[(p, a)] = m, n.astype(np.int16), av
    # per-pollutant ranks
    prank: dict[str, np.ndarray] = {}
    pinsuf: dict[str, np.ndarray] = {}
    holds_by_row = []
    for p in R.pollutants:
        rk = np.zeros((T, S), dtype=np.int8)
        for r in R.table[R.table.pollutant == p].itertuples():
            h = avail[(p, r.averaging)] & _reaches(mean[(p, r.averaging)], r.threshold)
            if r.consecutive_hours > 1:
                k = int(r.consecutive_hours)
                h = pd.DataFrame(h.astype(float)).rolling(k, min_periods=k).sum().to_numpy() >= k
            holds_by_row.append((r, h))
            rk = np.where(h & (r.level_rank > rk), np.int8(r.level_rank), rk)
        ins = np.zeros((T, S), dtype=bool)
        for a in R.table.loc[R.table.pollutant == p, "averaging"].unique():
            ins |= ~avail[(p, a)]
        prank[p] = rk
        pinsuf[p] = ins
    best = np.zeros((T, S), dtype=np.int8)
    any_ins = np.zeros((T, S), dtype=bool)
    for p in R.pollutants:
        mp = measured[p][None, :]
        best = np.where(mp & (prank[p] > best), prank[p], best)
        any_ins |= mp & (prank[p] == 0) & pinsuf[p]
    rank = np.where(best > 0, best, np.where(any_ins, -1, 0)).astype(np.int8)
    jumps = _jumps(base, measured, prank, R, grid, tz, probs, clean.attrs.get("source", "observations"))
    # which pollutant set it, by which criterion
    setp = np.full((T, S), "", dtype=object)
    crit = np.full((T, S), "", dtype=object)
    for p in R.pollutants:
        mk = measured[p][None, :] & (best > 0) & (prank[p] == best)
        setp = np.where(mk, np.where(setp == "", p, setp + ";" + p), setp)
    for r, h in holds_by_row:
        mk = h & measured[r.pollutant][None, :] & (best == r.level_rank) & (prank[r.pollutant] == best)
        idx = np.flatnonzero(mk.ravel())
        if not len(idx):
            continue
        vals = mean[(r.pollutant, r.averaging)].ravel()[idx]
        tail = f" for {r.consecutive_hours} consecutive hours" if r.consecutive_hours > 1 else ""
        txt = (f"{r.pollutant} {r.averaging} " + _fmt_many(vals).astype(object)
               + f" >= {_fmt(r.threshold)} {r.unit}{tail}")
        flat = crit.ravel()
        cur = flat[idx]
        flat[idx] = np.where(cur == "", txt, cur + "; " + txt)
        crit = flat.reshape(T, S)
    ins_txt = np.full((T, S), "", dtype=object)
    for p, a, u in series:
        w = int(R.table.loc[(R.table.pollutant == p) & (R.table.averaging == a), "window"].iloc[0])
        mk = measured[p][None, :] & ~avail[(p, a)]
        idx = np.flatnonzero(mk.ravel())
        if not len(idx):
            continue
        cnt = count[(p, a)].ravel()[idx]
        txt = f"{p} {a} (" + cnt.astype(str).astype(object) + f"/{w} h valid)"
        flat = ins_txt.ravel()
        cur = flat[idx]
        flat[idx] = np.where(cur == "", txt, cur + "; " + txt)
        ins_txt = flat.reshape(T, S)
    # assemble, station-major
    times = grid.index(tz)
    top = int(R.table["level_rank"].max())
    codes = np.array([INSUFFICIENT, NONE] + [R.code(r) for r in range(1, top + 1)], dtype=object)
    zh = np.array([R.zh(c) for c in codes], dtype=object)
    order_rank = rank.T.ravel()
    ti8 = np.tile(times.asi8, S)
    out = pd.DataFrame({
        "time": pd.DatetimeIndex(ti8.view("M8[ns]")).tz_localize("UTC").tz_convert(tz),
        "station": np.repeat(np.array(grid.stations, dtype=object), T),
        "rule_set": R.rule_set,
        "level": codes[order_rank + 1],
        "level_zh": zh[order_rank + 1],
        "level_rank": order_rank.astype(int),
        "pollutant": setp.T.ravel(),
        "criterion": crit.T.ravel(),
        "insufficient": ins_txt.T.ravel(),
    })
    for p in R.pollutants:
        pr = np.where(prank[p] > 0, prank[p], np.where(pinsuf[p], -1, 0))
        lv = codes[pr.T.ravel() + 1].astype(object)
        lv[~np.repeat(measured[p], T)] = ""
        out[f"level_{p}"] = lv
    for p, a, u in series:
        col = series_column(p, a, u)
        v = mean[(p, a)].T.ravel().copy()
        v[~np.repeat(measured[p], T)] = np.nan
        out[col] = v
        out[col + "_n"] = count[(p, a)].T.ravel().astype(int)
    out.attrs.update({"problems": probs, "rules": R.name, "rule_set": R.rule_set, "jumps": jumps,
                      "completeness": {"24h": comp.h24, "8h": comp.h8}})
    return out


#: Level rank from which a level resting on a single-hour jump is reported (S1).
JUMP_RANK = 3


def _jumps(base, measured, prank, R: Rules, grid: _Grid, tz: str, probs: Problems, src: str) -> list[str]:
    """Levels S1 or above that rest on a single station-hour jump (a value that rises above both its
    neighbouring hours by more than the pollutant's ``max_jump``, data/rules/plausible_ranges.csv).

    Each is reported (warning) and returned as a line for the summary.
    """
    lines = []
    for p in R.pollutants:
        v = base.get(p)
        if v is None or len(v) < 3:
            continue
        rule_unit = str(R.table.loc[R.table.pollutant == p, "unit"].iloc[0])
        try:
            j = max_jump(p) * unit_factor(UNITS[p], rule_unit, pollutant=p, where=p)
        except (InputError, KeyError):
            continue
        if not np.isfinite(j):
            continue
        with np.errstate(invalid="ignore"):
            spike = np.zeros_like(v, dtype=bool)
            spike[1:-1] = (v[1:-1] - v[:-2] > j) & (v[1:-1] - v[2:] > j)
        if not spike.any():
            continue
        rk = prank[p]
        for t_i, s_i in zip(*np.nonzero(spike)):
            if not measured[p][s_i]:
                continue
            after = rk[t_i:t_i + 24, s_i]
            top = int(after.max()) if len(after) else 0
            if top < JUMP_RANK:
                continue
            when = pd.Timestamp(grid.t0 + int(t_i) * _H, tz="UTC").tz_convert(tz)
            text = (f"{grid.stations[s_i]} {p} {when:%Y-%m-%d %H:%M}: level {R.code(top)} rests on a single-hour "
                    f"jump ({_fmt(v[t_i - 1, s_i])} -> {_fmt(v[t_i, s_i])} -> {_fmt(v[t_i + 1, s_i])} {rule_unit}, more than "
                    f"{_fmt(j)} above both neighbouring hours): check this value before acting on the level")
            probs.add(src, f"{grid.stations[s_i]} {p} {when:%Y-%m-%d %H:%M}", text, severity="warning")
            lines.append("suspect jump: " + text)
    return lines


# --------------------------------------------------------------------------- naive peer


def levels_reference(obs: pd.DataFrame, rules="warning_2022", *, completeness: Completeness | None = None,
                     tz: str = TZ) -> pd.DataFrame:
    """The same levels, computed row by row with plain Python (the brute-force peer).

    Returns ``time, station, level, level_rank, pollutant`` and
    ``level_<pollutant>`` in the order of :func:`compute_levels`. Slow by
    design: for tests and the benchmark only.
    """
    R = load_warning_rules(rules)
    comp = completeness or Completeness()
    clean, _ = prepare_observations(obs, pollutants=R.pollutants, tz=tz)
    grid = _grid(clean)
    units = dict(zip(R.table.pollutant, R.table.unit))
    data: dict[tuple[str, str, int], float] = {}
    measured: set[tuple[str, str]] = set()
    for row in clean.itertuples(index=False):
        k = (int(pd.Timestamp(row.time).value) - grid.t0) // _H
        measured.add((row.station, row.pollutant))
        if row.valid:
            data[(row.station, row.pollutant, k)] = row.value * unit_factor(row.unit, units[row.pollutant])
    rows = list(R.table.itertuples())
    times = grid.index(tz)
    recs = []
    for s in grid.stations:
        for k in range(grid.hours):
            best, ins_any, plev = 0, False, {}
            for p in R.pollutants:
                if (s, p) not in measured:
                    plev[p] = None
                    continue
                rk, ins = 0, False
                for r in rows:
                    if r.pollutant != p:
                        continue
                    w = r.window
                    vals = [data[(s, p, j)] for j in range(k - w + 1, k + 1) if (s, p, j) in data]
                    if len(vals) < comp.required(w):
                        ins = True
                        continue
                    tol = REL_TOL * max(1.0, abs(r.threshold))
                    if r.consecutive_hours > 1:
                        ok = all((s, p, j) in data and data[(s, p, j)] >= r.threshold - tol
                                 for j in range(k - r.consecutive_hours + 1, k + 1))
                    else:
                        ok = sum(vals) / len(vals) >= r.threshold - tol
                    if ok and r.level_rank > rk:
                        rk = r.level_rank
                plev[p] = rk if rk > 0 else (-1 if ins else 0)
                if rk > best:
                    best = rk
                if rk == 0 and ins:
                    ins_any = True
            rank = best if best > 0 else (-1 if ins_any else 0)
            setp = ";".join(p for p in R.pollutants if plev[p] is not None and best > 0 and plev[p] == best)
            rec = {"time": times[k], "station": s, "level": R.code(rank), "level_rank": rank, "pollutant": setp}
            for p in R.pollutants:
                rec[f"level_{p}"] = "" if plev[p] is None else R.code(plev[p])
            recs.append(rec)
    return pd.DataFrame(recs)
