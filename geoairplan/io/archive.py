"""Archives: many MOENV hourly files and micro-sensor tables as one hive-partitioned Parquet dataset.

Layout of an archive folder::

    ARCHIVE/
      data/kind=moenv/year=2025/month=1/part-<sha256[:16]>.parquet   tidy rows of one source file
      data/kind=sensor/year=2025/month=1/part-<sha256[:16]>.parquet
      registry.parquet     GeoParquet (EPSG:3826 points): one row per station and sensor
      ledger.csv           one row per imported file: sha256, name, kind, rows, data_kind

Every data file holds the tidy table (:data:`SCHEMA`):

=========== ==================================================================
column      meaning
=========== ==================================================================
time        tz-aware time (Asia/Taipei); MOENV hours as read, sensor readings
            as reported (every few minutes)
station     MOENV station name (official spelling) or micro-sensor id
pollutant   lower-case MOENV code (``pm2.5`` for sensors)
value       float; NaN when missing or invalid
unit        ``ug/m3``, ``ppb``, ``ppm``, ``m/s``, ``deg``
flag        ``valid``, ``missing`` or ``invalid`` (MOENV reader's flags)
data_kind   ``measured`` or ``scenario`` (the file said so in a data_kind column)
=========== ==================================================================

and the partition columns ``kind`` (``moenv``/``sensor``), ``year`` and
``month`` (Taiwan local time), which readers get back from the folder names.
The registry holds positions once: readings carry only ids, so no reading
ever becomes a geometry.

Import streams: one file at a time is read (with
:func:`~geoairplan.io.read_moenv_hourly` or :func:`~geoairplan.io.read_text_table`),
split by month and written, so memory is bounded by the largest single file,
never by the archive. Importing a file whose content (SHA-256) is already in
the ledger adds nothing. Rows that cannot be used are reported in
:class:`~geoairplan.errors.Problems` as everywhere else.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from pyproj import Transformer

from geoairplan.errors import InputError, Problems
from geoairplan.io.columns import find_column
from geoairplan.io.crs import TM2, WGS84
from geoairplan.io.moenv import read_moenv_hourly
from geoairplan.io.tables import check_file, is_scenario, read_text_table
from geoairplan.reference.geography import load_townships
from geoairplan.reference.names import normalize_name
from geoairplan.reference.stations import load_stations

__all__ = ["has_source", "import_files", "archive_info", "read_rows", "read_registry", "month_partitions", "time_windows", "ImportReport",
           "ArchiveInfo", "LevelsSink", "register", "record_source", "SCHEMA", "KINDS", "TZ", "detect_kind", "write_partitioned"]

TZ = "Asia/Taipei"
KINDS = ("moenv", "sensor")

#: The tidy table of every data file (partition columns kind/year/month come from the folders).
SCHEMA = pa.schema([
    ("time", pa.timestamp("ns", tz=TZ)),
    ("station", pa.string()),
    ("pollutant", pa.string()),
    ("value", pa.float64()),
    ("unit", pa.string()),
    ("flag", pa.string()),
    ("data_kind", pa.string()),
])

REGISTRY_COLUMNS = ["kind", "id", "siteid", "lon", "lat", "x_tm2", "y_tm2", "county", "township", "type",
                    "data_kind"]
LEDGER_COLUMNS = ["sha256", "file", "kind", "rows", "data_kind", "parts"]

#: Headers of micro-sensor tables (folded as :func:`~geoairplan.io.columns.fold_header` does).
SENSOR_HEADERS = {
    "id": ("device_id", "sensor_id", "sensor", "deviceid", "device", "id", "感測器編號", "設備編號", "微型感測器編號"),
    "lon": ("lon", "longitude", "lng", "經度"),
    "lat": ("lat", "latitude", "緯度"),
    "x": ("x_tm2", "tm2_x", "twd97x", "x"),
    "y": ("y_tm2", "tm2_y", "twd97y", "y"),
    "time": ("time", "datetime", "timestamp", "localtime", "時間", "監測時間", "資料時間"),
    "pm25": ("pm2.5", "pm25", "pm2_5", "細懸浮微粒", "value"),
}
#: A sensor id seen at places further apart than this (m) keeps its first place (reported).
MOVE_TOLERANCE_M = 50.0


# --------------------------------------------------------------------------- small pieces


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _ledger(archive: Path) -> pd.DataFrame:
    p = archive / "ledger.csv"
    if not p.exists():
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    return pd.read_csv(p, dtype=str, keep_default_na=False)


def _write_ledger(archive: Path, ledger: pd.DataFrame) -> None:
    tmp = archive / "ledger.csv.tmp"
    ledger[LEDGER_COLUMNS].to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, archive / "ledger.csv")


def _check_archive(archive, *, create: bool = False) -> Path:
    a = Path(archive)
    if a.exists() and not a.is_dir():
        raise InputError("the archive is an existing file, not a folder", file=a, where="archive",
                         fix="give a folder (created on the first import)")
    if create:
        a.mkdir(parents=True, exist_ok=True)
    elif not (a / "ledger.csv").exists():
        raise InputError("not an archive (no ledger.csv)", file=a, where="archive",
                         fix="create it with: geoairplan archive import FILES... --to " + str(a))
    return a


def detect_kind(path: Path) -> str:
    """``sensor`` when the header has a device id, coordinates and PM2.5 but no station name; else ``moenv``."""
    with open(path, "rb") as f:
        head = f.read(4096)
    for enc in ("utf-8-sig", "cp950"):
        try:
            first = head.decode(enc).splitlines()[0] if head else ""
            break
        except (UnicodeDecodeError, IndexError):
            first = ""
    cols = [c.strip().strip('"') for c in first.replace("\t", ",").split(",")]
    has = {k: find_column(cols, v) is not None for k, v in SENSOR_HEADERS.items()}
    station = find_column(cols, ("sitename", "測站", "station", "測站名稱")) is not None
    if has["id"] and has["pm25"] and (has["lon"] or has["x"]) and not station:
        return "sensor"
    return "moenv"


def write_partitioned(frame: pd.DataFrame, root: Path, kind: str, tag: str) -> list[str]:
    """Write tidy rows under ``root/data/kind=<kind>/year=Y/month=M/part-<tag>.parquet``; relative paths.

    Rows are sorted by station and time inside each file (MOENV: row-group
    statistics then prune a station's read) or by time and sensor (sensors:
    they prune a time window's read). Files are written whole to a temporary name
    and renamed, so an interrupted import leaves no half file.
    """
    if frame.empty:
        return []
    t = frame["time"].dt.tz_convert(TZ)
    ym = (t.dt.year.to_numpy() * 100 + t.dt.month.to_numpy())
    parts = []
    for key in np.unique(ym):
        order = ["time", "station", "pollutant"] if kind == "sensor" else ["station", "time", "pollutant"]
        sub = frame[ym == key].sort_values(order, kind="stable")
        rel = Path("data") / f"kind={kind}" / f"year={key // 100}" / f"month={key % 100}" / f"part-{tag}.parquet"
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(sub[SCHEMA.names], schema=SCHEMA, preserve_index=False)
        tmp = dest.with_suffix(".tmp")
        pq.write_table(table, tmp, row_group_size=256_000, compression="zstd")
        os.replace(tmp, dest)
        parts.append(rel.as_posix())
    return parts


# --------------------------------------------------------------------------- registry


def read_registry(archive, kind: str | None = None) -> gpd.GeoDataFrame:
    """The archive's stations and sensors (GeoParquet, EPSG:3826 points), optionally of one kind.

    Columns ``kind, id, siteid, lon, lat, x_tm2, y_tm2, county, township,
    type, data_kind`` and the point; sorted by kind and id. Stations whose
    position is unknown have NaN coordinates and an empty geometry.
    """
    a = Path(archive)
    p = a / "registry.parquet"
    if not p.exists():
        return gpd.GeoDataFrame({c: pd.Series(dtype=float if c in ("lon", "lat", "x_tm2", "y_tm2") else object)
                                 for c in REGISTRY_COLUMNS}, geometry=gpd.GeoSeries([], crs=TM2), crs=TM2)
    reg = gpd.read_parquet(p)
    if kind is not None:
        reg = reg[reg["kind"] == kind].reset_index(drop=True)
    return reg


def _place(lon: np.ndarray, lat: np.ndarray) -> tuple[list, list]:
    """County and township of points (degrees) by the embedded township boundaries."""
    county = [None] * len(lon)
    town = [None] * len(lon)
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok):
        pts = gpd.GeoDataFrame({"i": ok}, geometry=gpd.points_from_xy(lon[ok], lat[ok]), crs=WGS84)
        towns = load_townships()[["COUNTYNAME", "TOWNNAME", "geometry"]]
        hit = gpd.sjoin(pts, towns.to_crs(WGS84), how="left", predicate="within")
        hit = hit[~hit.index.duplicated(keep="first")]
        for i, c, t in zip(hit["i"], hit["COUNTYNAME"], hit["TOWNNAME"]):
            county[int(i)] = None if pd.isna(c) else c
            town[int(i)] = None if pd.isna(t) else t
    return county, town


def _registry_rows(kind: str, ids, siteid, lon, lat, types, data_kind: str) -> pd.DataFrame:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = Transformer.from_crs(WGS84, TM2, always_xy=True).transform(lon, lat)
    county, town = _place(lon, lat)
    return pd.DataFrame({"kind": kind, "id": list(ids), "siteid": list(siteid), "lon": lon, "lat": lat,
                         "x_tm2": np.round(np.asarray(x, float), 1), "y_tm2": np.round(np.asarray(y, float), 1),
                         "county": county, "township": town, "type": list(types), "data_kind": data_kind})


def _merge_registry(archive: Path, new: pd.DataFrame, probs: Problems, src: str) -> None:
    old = pd.DataFrame(read_registry(archive).drop(columns="geometry"))
    if len(old):
        key_old = set(zip(old["kind"], old["id"]))
        known = new[[k in key_old for k in zip(new["kind"], new["id"])]]
        if len(known):
            m = known.merge(old, on=["kind", "id"], suffixes=("", "_old"))
            d = np.hypot(m["x_tm2"] - m["x_tm2_old"], m["y_tm2"] - m["y_tm2_old"])
            for r, dist in zip(m.itertuples(), d):
                if np.isfinite(dist) and dist > MOVE_TOLERANCE_M:
                    probs.add(src, f"sensor {r.id}", f"registered {dist:.0f} m away from this file's position: "
                              "the registered position is kept (fix: give a moved sensor a new id)",
                              severity="warning")
        new = new[[k not in key_old for k in zip(new["kind"], new["id"])]]
    if new.empty and len(old):
        return
    reg = pd.concat([old, new], ignore_index=True) if len(old) else new
    reg = reg.sort_values(["kind", "id"], kind="stable").reset_index(drop=True)[REGISTRY_COLUMNS]
    for c in ("kind", "id", "siteid", "county", "township", "type", "data_kind"):
        reg[c] = reg[c].astype(object).where(reg[c].notna(), None)
    geom = gpd.points_from_xy(reg["x_tm2"], reg["y_tm2"])
    geom[~(np.isfinite(reg["x_tm2"]) & np.isfinite(reg["y_tm2"])).to_numpy()] = None
    gdf = gpd.GeoDataFrame(reg, geometry=geom, crs=TM2)
    tmp = archive / "registry.parquet.tmp"
    gdf.to_parquet(tmp, index=False)
    os.replace(tmp, archive / "registry.parquet")


def register(archive, kind: str, ids, lon, lat, *, types=None, siteid=None, data_kind: str = "measured") -> Problems:
    """Add stations or sensors (positions in degrees) to an archive's registry; ids already there are kept.

    For writers that make data without a source file (scenario generators).
    County and township come from the embedded township boundaries.
    Returns the problems (moved ids).
    """
    a = _check_archive(archive, create=True)
    ids = list(ids)
    probs = Problems()
    rows = _registry_rows(kind, ids, list(siteid) if siteid is not None else [None] * len(ids), lon, lat,
                          list(types) if types is not None else [kind] * len(ids), data_kind)
    _merge_registry(a, rows, probs, str(a))
    return probs


def has_source(archive, digest: str) -> bool:
    """Whether a source with this SHA-256 (or generator digest) is in the archive's ledger already."""
    a = Path(archive)
    if not (a / "ledger.csv").exists():
        return False
    return digest in set(_ledger(a)["sha256"])


def record_source(archive, digest: str, name: str, kind: str, rows: int, data_kind: str, parts) -> bool:
    """Add a source to the ledger (False, nothing done, when ``digest`` is there already)."""
    a = _check_archive(archive, create=True)
    ledger = _ledger(a)
    if digest in set(ledger["sha256"]):
        return False
    entry = {"sha256": digest, "file": name, "kind": kind, "rows": str(rows), "data_kind": data_kind,
             "parts": ";".join(parts)}
    _write_ledger(a, pd.concat([ledger, pd.DataFrame([entry])], ignore_index=True))
    return True


# --------------------------------------------------------------------------- readers per kind


def _moenv_rows(path: Path, probs: Problems) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    df = read_moenv_hourly(path)
    probs.extend(df.attrs.get("problems") or [])
    data_kind = "scenario" if is_scenario(df) else "measured"
    rows = pd.DataFrame({"time": df["time"], "station": df["station"].astype(object),
                         "pollutant": df["pollutant"].astype(object), "value": df["value"].astype(float),
                         "unit": df["unit"].astype(object), "flag": df["flag"].astype(object),
                         "data_kind": data_kind})
    st = df[["station", "siteid"]].drop_duplicates("station")
    known = load_stations()
    pos = {n: (lo, la, t) for n, lo, la, t in zip(known["name_zh"], known["lon"], known["lat"],
                                                  known["station_type"])}
    names = [str(s) for s in st["station"]]
    lon, lat, types = [], [], []
    for n in names:
        lo, la, t = pos.get(n, (np.nan, np.nan, "unknown"))
        lon.append(lo)
        lat.append(la)
        types.append(f"moenv station ({t})" if t and t != "unknown" else "moenv station")
        if n not in pos:
            probs.add(str(path), f"station {n}", "not in the embedded station list: registered without a "
                      "position (it takes part in back-tests, not in maps or grids)", severity="warning")
    sid = [None if pd.isna(v) else str(v) for v in st["siteid"]]
    reg = _registry_rows("moenv", names, sid, lon, lat, types, data_kind)
    return rows, reg, data_kind


def _parse_times(text: pd.Series) -> pd.Series:
    """Times as written (ISO, ``/`` dates, with or without a zone) to Asia/Taipei; NaT when unreadable."""
    codes, uniq = pd.factorize(text, use_na_sentinel=True)
    out = []
    for u in uniq:
        try:
            ts = pd.Timestamp(str(u).strip().replace("/", "-"))
        except (ValueError, TypeError):
            ts = pd.NaT
        if ts is not pd.NaT and not pd.isna(ts):
            ts = ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)
        out.append(ts)
    vals = pd.DatetimeIndex(out + [pd.NaT]).tz_convert(TZ) if out else pd.DatetimeIndex([pd.NaT], tz=TZ)
    return pd.Series(vals[np.where(codes < 0, len(uniq), codes)], index=text.index)


def _sensor_rows(path: Path, probs: Problems) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    df = read_text_table(path, source="micro-sensor table")
    probs.extend(df.attrs.get("problems") or [])
    src = str(path)
    cols = list(df.columns)
    c = {k: find_column(cols, v) for k, v in SENSOR_HEADERS.items()}
    geo = c["lon"] is not None and c["lat"] is not None
    missing = [n for n, k in (("device id", "id"), ("time", "time"), ("PM2.5", "pm25")) if c[k] is None]
    if not geo and (c["x"] is None or c["y"] is None):
        missing.append("coordinates (lon/lat or TM2 x/y)")
    if missing:
        raise InputError("no column for " + ", ".join(missing) + f" (columns: {', '.join(map(str, cols))})",
                         file=path, where="header",
                         fix="name the columns device_id, lon, lat, time, pm2.5")
    data_kind = "scenario" if is_scenario(df) else "measured"
    n = len(df)
    rowno = np.arange(n) + 2
    ids = df[c["id"]].astype(object).map(lambda v: None if pd.isna(v) or not str(v).strip() else str(v).strip())
    a = pd.to_numeric(df[c["lon"] if geo else c["x"]], errors="coerce").to_numpy(float)
    b = pd.to_numeric(df[c["lat"] if geo else c["y"]], errors="coerce").to_numpy(float)
    if geo:
        lon, lat = a, b
    else:
        lon, lat = (np.asarray(v, float) for v in Transformer.from_crs(TM2, WGS84, always_xy=True).transform(a, b))
    t = _parse_times(df[c["time"]])
    v = pd.to_numeric(df[c["pm25"]], errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(lon) & np.isfinite(lat) & (lon >= 118) & (lon <= 122.5) & (lat >= 21.5) & (lat <= 26.5)
        checks = [(ids.isna().to_numpy(), "no device id"),
                  (~inside, "coordinates missing or not in Taiwan"),
                  (t.isna().to_numpy(), "time not understood"),
                  (~np.isfinite(v), "PM2.5 is not a number"),
                  (np.isfinite(v) & (v < 0), "PM2.5 is negative")]
    bad = np.zeros(n, dtype=bool)
    for mask, why in checks:
        for i in np.flatnonzero(mask)[:20]:
            probs.add(src, f"row {rowno[i]}", f"{why}: row not used")
        if mask.sum() > 20:
            probs.add(src, f"{int(mask.sum()) - 20} more rows", f"{why}: rows not used")
        bad |= mask
    good = ~bad
    if not good.any():
        raise InputError("no usable micro-sensor reading", file=path,
                         fix="each row needs a device id, a place in Taiwan, a time and a PM2.5 value")
    ids_g = ids[good].to_numpy(dtype=object)
    rows = pd.DataFrame({"time": t[good].to_numpy(), "station": ids_g, "pollutant": "pm2.5",
                         "value": v[good], "unit": "ug/m3", "flag": "valid", "data_kind": data_kind})
    rows["time"] = pd.DatetimeIndex(rows["time"]).tz_convert(TZ) if len(rows) else rows["time"]
    # one place per id: the median of its rows; ids spread over places are reported, first place kept
    pos = pd.DataFrame({"id": ids_g, "lon": lon[good], "lat": lat[good]})
    med = pos.groupby("id", sort=True)[["lon", "lat"]].median()
    tm = Transformer.from_crs(WGS84, TM2, always_xy=True)
    px, py = tm.transform(pos["lon"].to_numpy(), pos["lat"].to_numpy())
    mx, my = tm.transform(med["lon"].to_numpy(), med["lat"].to_numpy())
    k = med.index.get_indexer(pos["id"])
    spread = pd.Series(np.hypot(np.asarray(px) - np.asarray(mx)[k], np.asarray(py) - np.asarray(my)[k])) \
        .groupby(pos["id"].to_numpy()).max()
    for sid, d in spread[spread > MOVE_TOLERANCE_M].items():
        probs.add(src, f"sensor {sid}", f"its rows are up to {d:.0f} m apart: registered at the median place "
                  "(fix: give each place its own id)", severity="warning")
    reg = _registry_rows("sensor", med.index.tolist(), [None] * len(med), med["lon"].to_numpy(),
                         med["lat"].to_numpy(), ["micro-sensor"] * len(med), data_kind)
    return rows, reg, data_kind


# --------------------------------------------------------------------------- import / info


@dataclass
class ImportReport:
    """What :func:`import_files` did.

    Attributes
    ----------
    archive : Path
        The archive folder.
    imported : pandas.DataFrame
        One row per file given: ``file, kind, sha256, status`` (``imported`` or
        ``already in the archive``), ``rows``, ``parts`` (data files written).
    problems : Problems
        Rows not used and warnings, with file and row.
    """

    archive: Path
    imported: pd.DataFrame
    problems: Problems = field(default_factory=Problems)

    @property
    def rows_added(self) -> int:
        return int(self.imported.loc[self.imported["status"] == "imported", "rows"].sum())

    def summary_text(self) -> str:
        n_new = int((self.imported["status"] == "imported").sum())
        n_old = len(self.imported) - n_new
        return (f"{n_new} file(s) imported ({self.rows_added:,} rows), {n_old} already in the archive; "
                f"archive {self.archive}")


def import_files(files, archive, *, kind: str = "auto") -> ImportReport:
    """Stream MOENV hourly files and micro-sensor tables into an archive (created when missing).

    Parameters
    ----------
    files : iterable of str or Path
        MOENV hourly files of any generation (CSV or JSON, see
        :func:`~geoairplan.io.read_moenv_hourly`) and micro-sensor CSV tables
        (``device_id, lon, lat, time, pm2.5``; TM2 ``x, y`` also accepted).
    archive : str or Path
        The archive folder.
    kind : {"auto", "moenv", "sensor"}
        What the files are; ``auto`` looks at each file's header.

    Returns
    -------
    ImportReport
        Per file what happened, and the problems.

    Raises
    ------
    InputError
        A file is missing, unreadable, or has none of the columns of its kind;
        the archive path is a file. Files imported before the failing one stay
        imported (each file is committed to the ledger once written).
    """
    if kind not in ("auto",) + KINDS:
        raise InputError(f"unknown kind {kind!r}", where="kind", fix="use auto, moenv or sensor")
    a = _check_archive(archive, create=True)
    probs = Problems()
    ledger = _ledger(a)
    seen = set(ledger["sha256"])
    out = []
    for f in files:
        path = Path(f)
        check_file(path, "data file")
        digest = sha256_of(path)
        k = detect_kind(path) if kind == "auto" else kind
        if digest in seen:
            out.append({"file": str(path), "kind": k, "sha256": digest, "status": "already in the archive",
                        "rows": 0, "parts": ""})
            continue
        rows, reg, data_kind = (_sensor_rows if k == "sensor" else _moenv_rows)(path, probs)
        parts = write_partitioned(rows, a, k, digest[:16])
        _merge_registry(a, reg, probs, str(path))
        entry = {"sha256": digest, "file": path.name, "kind": k, "rows": str(len(rows)), "data_kind": data_kind,
                 "parts": ";".join(parts)}
        ledger = pd.concat([ledger, pd.DataFrame([entry])], ignore_index=True)
        _write_ledger(a, ledger)
        seen.add(digest)
        out.append({"file": str(path), "kind": k, "sha256": digest, "status": "imported", "rows": len(rows),
                    "parts": ";".join(parts)})
    if not (a / "ledger.csv").exists():
        _write_ledger(a, ledger)
    return ImportReport(a, pd.DataFrame(out, columns=["file", "kind", "sha256", "status", "rows", "parts"]),
                        probs)


@dataclass
class ArchiveInfo:
    """What an archive holds (:func:`archive_info`).

    Attributes
    ----------
    archive : Path
        The folder.
    sources : pandas.DataFrame
        The ledger: one row per imported file.
    kinds : pandas.DataFrame
        Per kind: ``kind, ids`` (stations or sensors), ``rows, files, first, last, data_kind``.
    size_bytes : int
        Bytes on disk of the data files and the registry.
    """

    archive: Path
    sources: pd.DataFrame
    kinds: pd.DataFrame
    size_bytes: int

    def summary_text(self) -> str:
        lines = [f"archive {self.archive}: {len(self.sources)} source file(s), {self.size_bytes / 1e6:.1f} MB"]
        for r in self.kinds.itertuples():
            what = "stations" if r.kind == "moenv" else "sensors"
            lines.append(f"  {r.kind}: {r.ids} {what}, {r.rows:,} rows in {r.files} file(s), {r.first} .. {r.last}"
                         f" ({r.data_kind})")
        return "\n".join(lines)


def _parts(archive: Path, kind: str) -> list[Path]:
    return sorted((archive / "data" / f"kind={kind}").glob("year=*/month=*/*.parquet"))


def archive_info(archive) -> ArchiveInfo:
    """Sources, stations and sensors, time span, rows and size of an archive.

    Row counts and the time span come from the Parquet footers (no data read).
    """
    a = _check_archive(archive)
    ledger = _ledger(a)
    reg = read_registry(a)
    rows = []
    size = (a / "registry.parquet").stat().st_size if (a / "registry.parquet").exists() else 0
    for k in KINDS:
        parts = _parts(a, k)
        if not parts:
            continue
        n, lo, hi = 0, None, None
        for p in parts:
            size += p.stat().st_size
            md = pq.ParquetFile(p).metadata
            n += md.num_rows
            ti = md.schema.names.index("time")
            for g in range(md.num_row_groups):
                st = md.row_group(g).column(ti).statistics
                if st is not None and st.has_min_max:
                    lo = st.min if lo is None else min(lo, st.min)
                    hi = st.max if hi is None else max(hi, st.max)
        kinds = sorted(set(ledger.loc[ledger["kind"] == k, "data_kind"]))
        fmt = (lambda t: "?" if t is None else pd.Timestamp(t).tz_convert(TZ).strftime("%Y-%m-%d %H:%M"))
        rows.append({"kind": k, "ids": int((reg["kind"] == k).sum()), "rows": n, "files": len(parts),
                     "first": fmt(lo), "last": fmt(hi), "data_kind": "+".join(kinds) or "measured"})
    return ArchiveInfo(a, ledger, pd.DataFrame(rows, columns=["kind", "ids", "rows", "files", "first", "last",
                                                              "data_kind"]), size)


# --------------------------------------------------------------------------- reading back


def month_partitions(archive, kind: str, start=None, end=None) -> list[tuple[int, int]]:
    """``(year, month)`` of the archive's partitions of ``kind`` that overlap [start, end), sorted."""
    a = Path(archive)
    out = set()
    lo = None if start is None else pd.Timestamp(start)
    hi = None if end is None else pd.Timestamp(end)
    for p in _parts(a, kind):
        y = int(p.parent.parent.name.split("=")[1])
        m = int(p.parent.name.split("=")[1])
        first = pd.Timestamp(year=y, month=m, day=1, tz=TZ)
        last = first + pd.offsets.MonthBegin(1)
        if (lo is None or last > _tz(lo)) and (hi is None or first < _tz(hi)):
            out.add((y, m))
    return sorted(out)


def time_windows(archive, kind: str, start=None, end=None, days: int = 1) -> list[tuple]:
    """``(year, month, window start, window end)`` of ``days``-day windows (inside months) over the partitions."""
    out = []
    lo = None if start is None else _tz(pd.Timestamp(start))
    hi = None if end is None else _tz(pd.Timestamp(end))
    for y, m in month_partitions(archive, kind, start, end):
        first = pd.Timestamp(year=y, month=m, day=1, tz=TZ)
        last = first + pd.offsets.MonthBegin(1)
        w = first
        while w < last:
            w1 = min(last, w + pd.Timedelta(days=days))
            a, b = (w if lo is None else max(w, lo)), (w1 if hi is None else min(w1, hi))
            if a < b:
                out.append((y, m, a, b))
            w = w1
    return out


def _tz(t: pd.Timestamp) -> pd.Timestamp:
    return t.tz_localize(TZ) if t.tzinfo is None else t.tz_convert(TZ)


def read_rows(archive, kind: str, *, start=None, end=None, stations=None, pollutants=None, months=None,
              columns=None) -> pd.DataFrame:
    """Tidy rows of an archive, filtered while reading (partitions and row groups are skipped).

    Parameters
    ----------
    archive : str or Path
        The archive folder.
    kind : {"moenv", "sensor"}
        Which data.
    start, end : time-like, optional
        Keep ``start <= time < end`` (naive times are Taiwan time).
    stations, pollutants : list of str, optional
        Keep these stations (or sensor ids) and pollutants.
    months : list of (year, month), optional
        Read only these partitions.
    columns : list of str, optional
        Columns to read (default all of :data:`SCHEMA`).

    Returns
    -------
    pandas.DataFrame
        Rows sorted by station, time and pollutant (stable: file order decides
        among equal keys), index 0..n-1.
    """
    a = Path(archive)
    files = _parts(a, kind)
    if months is not None:
        want = {(int(y), int(m)) for y, m in months}
        files = [p for p in files if (int(p.parent.parent.name[5:]), int(p.parent.name[6:])) in want]
    cols = list(columns) if columns is not None else list(SCHEMA.names)
    if not files:
        return pd.DataFrame({c: pd.Series(dtype=SCHEMA.field(c).type.to_pandas_dtype()) for c in cols})
    ds = pads.dataset([str(p) for p in files], schema=SCHEMA, format="parquet")
    flt = None

    def _and(e):
        return e if flt is None else flt & e
    if start is not None:
        flt = _and(pads.field("time") >= pa.scalar(_tz(pd.Timestamp(start)), type=SCHEMA.field("time").type))
    if end is not None:
        flt = _and(pads.field("time") < pa.scalar(_tz(pd.Timestamp(end)), type=SCHEMA.field("time").type))
    if stations is not None:
        flt = _and(pads.field("station").isin(list(stations)))
    if pollutants is not None:
        flt = _and(pads.field("pollutant").isin(list(pollutants)))
    need = list(dict.fromkeys(cols + [c for c in ("station", "time", "pollutant") if c in SCHEMA.names]))
    table = ds.to_table(columns=need, filter=flt, use_threads=False)
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    df = df.sort_values(["station", "time", "pollutant"], kind="stable").reset_index(drop=True)
    return df[cols]


class LevelsSink:
    """Writes a station's levels table to ``root/station=<name>/levels.parquet`` (hive-partitioned by station).

    A picklable callable: a back-test runs it where the station's task runs
    (a Dask worker writes its own stations), so full station-hour levels never
    travel to the client. ``root`` must be reachable by every worker.
    """

    def __init__(self, root):
        self.root = str(root)

    def __call__(self, station: str, levels: pd.DataFrame) -> Path:
        d = Path(self.root) / f"station={station}"
        d.mkdir(parents=True, exist_ok=True)
        dest = d / "levels.parquet"
        tmp = d / "levels.parquet.tmp"
        pd.DataFrame(levels).drop(columns=["station"]).to_parquet(tmp, index=False)
        os.replace(tmp, dest)
        return dest
