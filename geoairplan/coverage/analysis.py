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
from geoairplan.coverage.voronoi import compute_cells
from geoairplan.errors import Problems
from geoairplan.io.crs import TM2
from geoairplan.reference.pollutants import check_pollutant
from geoairplan.results import RunMeta, scenario_of

__all__ = ["coverage_analysis", "township_station_map", "coverage_title", "coverage_source"]

#: What the computed coverage is made of (the maps' provenance line starts with it).
BASE_SOURCE = "內政部鄉鎮市區界；涵蓋區域 = 最近測站 (Voronoi, EPSG:3826)"


def coverage_title(county: str, pollutant: str | None) -> str:
    """The title of a coverage run, without the scenario tag (``RunMeta.display_title`` adds it).

    Parameters
    ----------
    county : str
        Official county name.
    pollutant : str or None
        Pollutant code the stations were chosen by.

    Returns
    -------
    str
        ``屏東縣 空氣品質測站涵蓋區域（pm2.5） Station coverage areas``.
    """
    p = f"（{pollutant}）" if pollutant else ""
    return f"{county} 空氣品質測站涵蓋區域{p} Station coverage areas"


def coverage_source(stations_source: str | None, official_source: str | None) -> str:
    """The source description of a run (``RunMeta.source``): where the stations and the official table come from.

    Parameters
    ----------
    stations_source : str or None
        ``attrs["source"]`` of the prepared stations (embedded, or a file / frame).
    official_source : str or None
        The official table's description (:func:`~geoairplan.coverage.describe_source`).

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
    return s


def coverage_analysis(county: str, *, stations=None, pollutant: str | None = None,
                      include_neighbours: bool | float = False, official=None,
                      scenario: bool = False) -> CoverageResult:
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

    Returns
    -------
    CoverageResult
    """
    county = datasets.check_county(county)
    p = check_pollutant(pollutant)
    probs = Problems()
    off = official_coverage(county, official)
    only = None
    if stations is None and off is not None:
        emb = datasets.load_stations(county)
        named = [s for s in dict.fromkeys(off["station"]) if s in set(emb["name_zh"])]
        if named:
            only = named
            rest = [s for s in emb["name_zh"] if s not in named]
            if rest:
                probs.add("stations", ", ".join(rest), "not used: the official table names only "
                          + ", ".join(named) + " (pass stations='all' / --stations all to use them)", "warning")
    c = compute_cells(county, stations, pollutant, include_neighbours, only)
    probs.extend(c.problems)
    assignment, shares = assign_townships(c.cells, c.towns)
    params = {"include_neighbours": include_neighbours, "stations_source": c.stations.attrs.get("source")}
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
                   source=coverage_source(params["stations_source"], params.get("official_source")),
                   scenario=scenario_of(c.stations, off, user=scenario), title=coverage_title(county, p))
    return CoverageResult(meta=meta, stations=c.stations, cells=c.cells, assignment=assignment, shares=shares,
                          land_km2=float(shapely.area(c.land)) / 1e6, official=official_geo, report=report,
                          problems=probs, params=params)


def township_station_map(county: str, *, stations=None, pollutant: str | None = None,
                         official=None) -> pd.DataFrame:
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
    stations, pollutant, official
        As for :func:`coverage_analysis`.

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
    c = compute_cells(county, stations, pollutant, False)
    a, _ = assign_townships(c.cells, c.towns)
    df = pd.DataFrame({"county": a["county"], "township": a["township"], "station": a["station"],
                       "source": "computed"})
    df.attrs.update({"source": "computed",
                     "detail": "Voronoi cells (EPSG:3826) of " + ", ".join(c.cells["station"])
                     + (f" ({check_pollutant(pollutant)})" if pollutant else ""),
                     "problems": c.problems, "no_majority": a.loc[~a["majority"], "township"].tolist()})
    return df
