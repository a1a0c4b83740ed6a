"""The whole coverage analysis of one county, and the township → station map the warnings use."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geoairplan import datasets
from geoairplan.coverage.agreement import agreement_report
from geoairplan.coverage.assign import assign_townships
from geoairplan.coverage.official import describe_source, official_coverage
from geoairplan.coverage.result import CoverageResult
from geoairplan.coverage.stations import types_text
from geoairplan.coverage.voronoi import compute_cells
from geoairplan.errors import Problems
from geoairplan.io.crs import TM2
from geoairplan.reference.pollutants import check_pollutant
from geoairplan.reference.stations import COVERAGE_TYPES, SITE_TYPES, check_types
from geoairplan.results import RunMeta, scenario_of

__all__ = ["coverage_analysis", "township_station_map", "coverage_title", "coverage_source"]

#: What the computed coverage is made of (the maps' provenance line starts with it).
BASE_SOURCE = "內政部鄉鎮市區界；涵蓋區域 = 最近測站 (Voronoi, EPSG:3826)"
#: What every output of a county without an official coverage table says (title, source line, CSV).
COMPUTED_ONLY = "無官方涵蓋表：Voronoi 計算 no official table: computed (Voronoi)"


def coverage_title(county: str, pollutant: str | None, computed_only: bool = False) -> str:
    """The title of a coverage run, without the scenario tag (``RunMeta.display_title`` adds it).

    Parameters
    ----------
    county : str
        Official county name.
    pollutant : str or None
        Pollutant code the stations were chosen by.
    computed_only : bool
        No official coverage table was compared: the title says the coverage
        is computed (:data:`COMPUTED_ONLY`).

    Returns
    -------
    str
        ``屏東縣 空氣品質測站涵蓋區域（pm2.5） Station coverage areas``, or
        ``臺中市 空氣品質測站涵蓋區域 Station coverage areas（無官方涵蓋表：Voronoi 計算 ...）``.
    """
    p = f"（{pollutant}）" if pollutant else ""
    t = f"{county} 空氣品質測站涵蓋區域{p} Station coverage areas"
    return t + f"（{COMPUTED_ONLY}）" if computed_only else t


def coverage_source(stations_source: str | None, official_source: str | None, types=None) -> str:
    """The source description of a run (``RunMeta.source``): where the stations and the official table come from.

    Parameters
    ----------
    stations_source : str or None
        ``attrs["source"]`` of the prepared stations (embedded, or a file / frame).
    official_source : str or None
        The official table's description (:func:`~geoairplan.coverage.describe_source`);
        None: the source says there is none (:data:`COMPUTED_ONLY`).
    types : tuple of str, optional
        The MOENV station types the embedded stations were chosen from
        (stated as ``測站類型 station types 一般站、工業站``).

    Returns
    -------
    str
        ``環境部測站位置；內政部鄉鎮市區界；涵蓋區域 = 最近測站 (Voronoi, EPSG:3826)；官方涵蓋表 seed 003 表 2 (L95-97)``
        for the embedded data; a user's stations file is named by its file name.
    """
    src = str(stations_source or "")
    if not src or src.startswith("embedded stations"):
        st = "環境部測站位置"
    else:
        st = "測站位置 " + (Path(src).name if ("/" in src or "\\" in src) else src)
    s = f"{st}；{BASE_SOURCE}"
    if official_source:
        s += "；官方涵蓋表 " + str(official_source)
    else:
        s += "；" + COMPUTED_ONLY
    if types is not None:
        s += "；測站類型 station types " + types_text(types)
    return s


def coverage_analysis(county: str, *, stations=None, pollutant: str | None = None,
                      include_neighbours: bool | float = False, official=None,
                      scenario: bool = False, types=COVERAGE_TYPES) -> CoverageResult:
    """Computed coverage, township assignment, official table and their agreement, for one county.

    Parameters
    ----------
    county : str
        County or city (台 = 臺).
    stations : optional
        ``None`` uses the embedded stations of the county; when an official
        table is compared, only the stations it names (like for like:
        Pingtung's table uses 屏東, 潮州, 恆春, not the 琉球 and 枋山 stations).
        ``"all"`` uses every embedded station of the county; otherwise see
        :func:`~geoairplan.coverage.prepare_stations`.
    pollutant : str, optional
        Only stations that measure it.
    include_neighbours : bool or float
        Let stations of other counties take part: all (``True``) or within
        that many metres of the county's land.
    official : None, False, str, PathLike or DataFrame
        ``None`` (embedded seed table if any), ``False`` (none), or a user's
        CSV / DataFrame (see :func:`~geoairplan.coverage.read_official_coverage`).
    scenario : bool
        The user says the input is made-up scenario data (tables that say so
        in a ``data_kind`` column are recognised without it).
    types : str or iterable of str, optional
        MOENV station types the embedded stations (the county's and, with
        ``include_neighbours``, the neighbours') are chosen from; default
        :data:`~geoairplan.reference.stations.COVERAGE_TYPES` (一般站, 工業站:
        the types of the regulation's coverage tables); ``"all"`` or None:
        every station. Stored in ``params["types"]`` and stated in the source
        line; stations of the county left out by type are reported.

    Returns
    -------
    CoverageResult
        Without an official table, the title, the source line, the summary
        and the ``coverage_basis`` column of the CSV tables say the coverage
        is computed (Voronoi) only.
    """
    county = datasets.check_county(county)
    p = check_pollutant(pollutant)
    probs = Problems()
    off = official_coverage(county, official)
    only = None
    if isinstance(types, str) and types.strip().lower() == "all":
        types = None
    types = check_types(types) if types is not None else None
    if types is not None and len(types) == len(SITE_TYPES):
        types = None
    if stations is None and off is not None:
        emb = datasets.load_stations(county, types=types)
        named = [s for s in dict.fromkeys(off["station"]) if s in set(emb["name_zh"])]
        if named:
            only = named
            rest = [s for s in emb["name_zh"] if s not in named]
            if rest:
                probs.add("stations", ", ".join(rest), "not used: the official table names only "
                          + ", ".join(named) + " (pass stations='all' / --stations all to use them)", "warning")
    c = compute_cells(county, stations, pollutant, include_neighbours, only, types=types)
    probs.extend(c.problems)
    assignment, shares = assign_townships(c.cells, c.towns)
    used_types = c.stations.attrs.get("types")
    params = {"include_neighbours": include_neighbours, "stations_source": c.stations.attrs.get("source"),
              "types": used_types, "types_text": types_text(used_types)
              if c.stations.attrs.get("explicit") is False else "as given (--stations)"}
    official_geo = report = None
    if off is not None:
        names = c.cells["station"].tolist()
        for s in sorted(set(off["station"]) - set(names)):
            probs.add(off.attrs["source"], f"station {s}", "named in the official table but not computed "
                      "(not among the stations, or no cell in the county): its townships count as differing",
                      "warning")
        probs.extend(off.attrs["problems"])
        geo = c.towns.set_index("TOWNNAME").geometry
        official_geo = gpd.GeoDataFrame(off.reset_index(drop=True), geometry=geo.loc[off["township"]].to_numpy(),
                                        crs=TM2)
        report = agreement_report(assignment, shares, off)
        params["official_source"] = describe_source(off)
    meta = RunMeta(capability="coverage", counties=(county,), pollutant=p,
                   source=coverage_source(params["stations_source"], params.get("official_source"), used_types),
                   scenario=scenario_of(c.stations, off, user=scenario),
                   title=coverage_title(county, p, computed_only=off is None))
    return CoverageResult(meta=meta, stations=c.stations, cells=c.cells, assignment=assignment, shares=shares,
                          land_km2=float(shapely.area(c.land)) / 1e6, official=official_geo, report=report,
                          problems=probs, params=params)


def township_station_map(county: str, *, stations=None, pollutant: str | None = None,
                         official=None, types=COVERAGE_TYPES) -> pd.DataFrame:
    """Which station's level applies to each township of ``county``.

    From the official coverage table where one exists for the county (the
    embedded seed table, or ``official``: a CSV path / DataFrame;
    ``official=False`` forces the computed map), otherwise from the Voronoi
    cells of ``stations`` (default: the county's embedded stations, those
    measuring ``pollutant`` if given): the station with the largest share of
    the township's area.

    Parameters
    ----------
    county : str
        County or city.
    stations, pollutant, official, types
        As for :func:`coverage_analysis` (default types:
        :data:`~geoairplan.reference.stations.COVERAGE_TYPES`).

    Returns
    -------
    DataFrame
        Columns ``county, township, station, source`` (``official`` |
        ``computed``), one row per township in MOI order.
        ``attrs["source"]`` is ``"official"`` or ``"computed"``;
        ``attrs["detail"]`` says which table or stations; ``attrs["problems"]``;
        ``attrs["no_majority"]`` lists computed townships without a majority station.
    """
    county = datasets.check_county(county)
    off = official_coverage(county, official)
    if off is not None:
        df = off[["county", "township", "station"]].assign(source="official").reset_index(drop=True)
        df.attrs.update({"source": "official", "detail": describe_source(off),
                         "problems": off.attrs["problems"], "no_majority": []})
        return df
    c = compute_cells(county, stations, pollutant, False, types=types)
    a, _ = assign_townships(c.cells, c.towns)
    df = pd.DataFrame({"county": a["county"], "township": a["township"], "station": a["station"],
                       "source": "computed"})
    df.attrs.update({"source": "computed",
                     "detail": "Voronoi cells (EPSG:3826) of " + ", ".join(c.cells["station"])
                     + (f" ({check_pollutant(pollutant)})" if pollutant else "")
                     + "; " + COMPUTED_ONLY + "; station types " + types_text(c.stations.attrs.get("types")),
                     "problems": c.problems, "no_majority": a.loc[~a["majority"], "township"].tolist()})
    return df
