"""Write any result: tables, layers, rasters, summary, problems and maps, and say what was written.

:func:`write` is the only place geoairplan writes an analysis's outputs. It
asks the result for its parts (the protocol of :mod:`geoairplan.results`),
the map kit for its maps (:func:`geoairplan.maps.build.build`), writes each
in the format users open (CSV, GeoPackage in EPSG:3826, GeoTIFF, HTML, PNG,
PDF) and returns every file it wrote, so the closing report counts what is
on disk.

Provenance goes with every file: CSV tables of scenario runs carry a
``data_kind`` column, GeoTIFFs carry :meth:`RunMeta.tags`, maps the
scenario tag and source line of ``result.meta``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geoairplan.errors import InputError
from geoairplan.io.output import write_csv, write_gpkg
from geoairplan.io.paths import inside
from geoairplan.maps.build import build as build_maps
from geoairplan.maps.static import check_static_options, release, save_static
from geoairplan.maps.web import save_map

__all__ = ["write", "write_table", "prepare_outdir"]


def prepare_outdir(outdir) -> Path:
    """The output folder, created; an existing file or a path under a file is an :class:`InputError`."""
    out = Path(outdir)
    if "\x00" in str(out):
        raise InputError("the output folder name holds a NUL character", where="out", file=repr(str(out)),
                         fix="give a folder name without control characters")
    long = [p for p in out.parts if len(p.encode("utf-8")) > 255]
    if long:
        raise InputError(f"a folder name in the output path is {len(long[0].encode('utf-8'))} bytes long; file "
                         "systems allow 255", where="out", file=str(out)[:80] + "...",
                         fix="give a shorter folder name")
    if out.exists() and not out.is_dir():
        raise InputError("the output folder is an existing file", where="out",
                         file=out, fix="give a folder name (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError("the output folder cannot be created: a part of its path is a file", where="out",
                         file=out, fix="give a folder that is not inside a file") from None
    except OSError as exc:
        raise InputError(f"the output folder cannot be created ({exc.strerror})", where="out", file=out,
                         fix="give a shorter folder name or one you may write to") from None
    return out


def write_table(df: pd.DataFrame, path, meta=None) -> Path:
    """One CSV (or ``.parquet``) table; scenario runs get a ``data_kind`` column.

    A table may ask for its own float format in ``df.attrs["float_format"]``
    (e.g. ``"%.4f"``); the default is 6 significant digits, coordinates in full (see :func:`write_csv`).
    """
    path = Path(path)
    float_format = getattr(df, "attrs", {}).get("float_format")
    if meta is not None and meta.scenario:
        df = pd.DataFrame(df).copy()
        df["data_kind"] = "scenario"
    if path.suffix == ".parquet":
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").to_parquet(path, index=False)
        return path
    return write_csv(df, path, float_format=float_format)


def write(result, outdir, *, maps: bool = True, offline: bool = False, static=None,
          dpi: int = 300) -> dict[str, Path]:
    """Write every output of ``result`` into ``outdir``; returns ``{file name: path}`` of all files written.

    Parameters
    ----------
    result : geoairplan.results.Result
        Any analysis result.
    outdir : str or Path
        Output folder (created).
    maps : bool
        Also build and write the maps (web HTML + embed snippet, static maps).
    offline : bool
        Web maps self-contained (no CDN, no tiles).
    static : sequence of str or None
        Formats of the static maps: ``None`` (default) each map's own (plan maps PNG + PDF,
        charts PNG); a sequence of ``"png"``, ``"pdf"``, ``"svg"`` writes those for every
        static map; ``()`` writes none (and builds no figure). The CLI passes ``("png",)``
        unless ``--static`` asks otherwise.
    dpi : int
        Resolution of the PNGs (and of raster layers in PDFs), 72 to 600; the CLI's default is 150.

    Returns
    -------
    dict of str to Path
        Every file written, keyed by its path relative to ``outdir`` (sorted).
    """
    formats, dpi = check_static_options(() if static is None else static, dpi)  # refused before writing anything
    static = None if static is None else formats
    out = prepare_outdir(outdir)
    meta = result.meta
    files: dict[str, Path] = {}

    def add(p: Path) -> None:
        files[p.relative_to(out).as_posix()] = p

    def at(name: str) -> Path:
        """``out / name``, refused unless it is a plain name inside ``out`` of a length file systems take."""
        if "\x00" in name or len(Path(name).name.encode("utf-8")) > 255:
            raise InputError(f"the output name {name[:60]!r}... cannot be a file name (control character or "
                             f"over 255 bytes)", where="out", fix="give a shorter --label or name")
        inside(out, name)  # refused unless it stays in ``out``
        return out / name

    layers = {k: v for k, v in result.layers().items() if v is not None}
    if meta.scenario:  # the layers say so too, like the CSV tables
        layers = {k: v.assign(data_kind="scenario") for k, v in layers.items()}
    if layers:
        gpkg = write_gpkg(at(result.gpkg_name), layers, skip_empty=True)
        if gpkg.exists():  # every layer empty: no file (a stale one is removed)
            add(gpkg)
    for name, df in result.tables().items():
        if df is None:
            continue
        fname = name if name.endswith((".csv", ".parquet")) else f"{name}.csv"
        add(write_table(df, at(fname), meta))
    for name, raster in result.rasters().items():
        add(raster.to_geotiff(at(f"{name}.tif"), tags=meta.tags()))
    if result.problems:
        add(write_csv(result.problems.to_frame(), at(getattr(result, "problems_name", "problems.csv"))))
    summary = at("summary.txt")
    summary.write_text(result.summary_text() + "\n", encoding="utf-8")
    add(summary)
    if maps:
        for m in build_maps(result, offline=offline, static=static is None or bool(static)):
            if m.kind == "web":
                info = save_map(m.obj, at(f"{m.name}.html"), offline=offline)
                add(info["path"])
                add(info["embed"])
            elif m.kind == "page":  # a finished self-contained HTML page (text)
                page = out / f"{m.name}.html"
                page.write_bytes(m.obj.encode("utf-8"))
                add(page)
            else:
                for p in save_static(m.obj, at(m.name), formats=m.formats if static is None else static, dpi=dpi):
                    add(p)
                release(m.obj)
    return dict(sorted(files.items()))
