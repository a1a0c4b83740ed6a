"""What a coverage analysis returns: :class:`CoverageResult`, a :class:`geoairplan.results.Result`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import geopandas as gpd
import pandas as pd

from geoairplan.errors import Problems
from geoairplan.results import Result, RunMeta

__all__ = ["CoverageResult"]


@dataclass
class CoverageResult(Result):
    """What :func:`~geoairplan.coverage.coverage_analysis` computed (layers in EPSG:3826).

    Attributes
    ----------
    meta : RunMeta
        Provenance: ``capability="coverage"``, the county, the pollutant, the
        source (stations and official table), ``scenario`` and the title.
    stations : GeoDataFrame
        Every station considered, with ``used``, ``in_county``, ``cell_km2``.
    cells : GeoDataFrame
        Voronoi cells clipped to the county's land.
    assignment : GeoDataFrame
        One row per township (:func:`~geoairplan.coverage.assign_townships`).
    shares : DataFrame
        Long table of township × station shares.
    land_km2 : float
        The county's land area.
    official : GeoDataFrame or None
        The official table joined to township polygons (None when there is none).
    report : GeoDataFrame or None
        The agreement report (None without an official table).
    problems : Problems
        What was reported.
    params : dict
        ``include_neighbours``, ``stations_source``, ``official_source``.
    """

    meta: RunMeta
    stations: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    assignment: gpd.GeoDataFrame
    shares: pd.DataFrame
    land_km2: float
    official: gpd.GeoDataFrame | None = None
    report: gpd.GeoDataFrame | None = None
    problems: Problems = field(default_factory=Problems)
    params: dict = field(default_factory=dict)

    gpkg_name: ClassVar[str] = "coverage.gpkg"

    @property
    def county(self) -> str:
        """The county (``meta.counties[0]``)."""
        return self.meta.counties[0]

    @property
    def pollutant(self) -> str | None:
        """The pollutant the stations were chosen by, or None for all stations."""
        return self.meta.pollutant

    @property
    def disagreements(self) -> gpd.GeoDataFrame | None:
        """Rows of :attr:`report` where the official and the nearest station differ."""
        if self.report is None:
            return None
        return self.report[~self.report["agree"]].reset_index(drop=True)

    @property
    def no_majority(self) -> list[str]:
        """Townships in which no station holds a majority of the area."""
        return self.assignment.loc[~self.assignment["majority"], "township"].tolist()

    @property
    def basis(self) -> str:
        """What the township → station map rests on: ``official table ...`` or the computed-only note.

        Written in the ``coverage_basis`` column of the CSV tables and in the summary, so a
        county without an official table says so in every output.
        """
        if self.report is not None:
            return "官方涵蓋表 official table " + str(self.params.get("official_source") or "") + \
                "; Voronoi 計算比對 computed for comparison"
        return "無官方涵蓋表：Voronoi 計算 no official table: computed (Voronoi)"

    def summary(self) -> dict:
        """Counts and lists a person reads first (JSON-friendly)."""
        out = {"county": self.county, "pollutant": self.pollutant or "all",
               "stations": self.cells["station"].tolist(), "townships": len(self.assignment),
               "no_majority": self.no_majority, "basis": self.basis,
               "station_types": self.params.get("types_text", "")}
        if self.report is not None:
            d = self.disagreements
            out.update({"official_source": self.params.get("official_source"),
                        "agree": int(self.report["agree"].sum()), "differ": d["township"].tolist(),
                        "differences": [
                            {"township": r.township, "official": r.official_station,
                             "official_share": round(r.official_share, 4), "computed": r.computed_station,
                             "computed_share": round(r.computed_share, 4)} for r in d.itertuples()]})
        return out

    def summary_text(self) -> str:
        """The summary as lines of text (what the CLI prints and ``summary.txt`` holds)."""
        s = self.summary()
        lines = [f"{self.county}: coverage of {len(s['stations'])} station(s) "
                 f"({', '.join(s['stations'])})" + (f" for {self.pollutant}" if self.pollutant else "")
                 + f", {s['townships']} townships, {self.land_km2:,.1f} km² of land"]
        if s["station_types"]:
            lines.append(f"station types: {s['station_types']}")
        for r in self.cells.itertuples():
            n = int((self.assignment["station"] == r.station).sum())
            lines.append(f"  {r.station:<8} cell {r.area_km2:9,.1f} km² ({r.share_of_county:6.1%}), "
                         f"largest share in {n} township(s)")
        if s["no_majority"]:
            lines.append("no station holds a majority (> 50 %) of: " + "、".join(
                f"{r.township} ({r.shares})" for r in
                self.assignment[~self.assignment["majority"]].itertuples()))
        if self.report is not None:
            lines.append(f"official table ({s['official_source']}): {s['agree']} of {s['townships']} "
                         f"townships agree with the nearest station")
            if s["differ"]:
                lines.append(f"{len(s['differ'])} differ:")
                for d in s["differences"]:
                    lines.append(f"  {d['township']:<5} official {d['official']} ({d['official_share']:.1%} of "
                                 f"its area nearest it), nearest {d['computed']} ({d['computed_share']:.1%})")
            else:
                lines.append("none differ")
        else:
            lines.append("no official coverage table for this county: computed coverage only "
                         "(無官方涵蓋表：Voronoi 計算)")
        return "\n".join(lines)

    def _assignment_layer(self) -> gpd.GeoDataFrame:
        assign = self.assignment.copy()
        if self.report is not None:
            assign["official_station"] = self.report["official_station"].to_numpy()
            assign["agree"] = self.report["agree"].to_numpy()
        return assign

    def layers(self) -> dict[str, gpd.GeoDataFrame | None]:
        """The GeoPackage layers (``coverage.gpkg``, EPSG:3826).

        Returns
        -------
        dict of str to GeoDataFrame or None
            ``cells``, ``township_assignment`` (with ``official_station`` and
            ``agree`` when there is an official table), ``official_coverage``
            and ``disagreements`` (None without an official table), ``stations``.
        """
        st = self.stations.copy()
        st["used"] = st["used"].astype(bool)
        st["in_county"] = st["in_county"].astype(bool)
        return {"cells": self.cells, "township_assignment": self._assignment_layer(),
                "official_coverage": self.official, "disagreements": self.disagreements, "stations": st}

    def tables(self) -> dict[str, pd.DataFrame | None]:
        """The CSV tables.

        Returns
        -------
        dict of str to DataFrame or None
            ``cells``, ``township_assignment``, ``township_shares`` and
            ``agreement`` (None without an official table); geometry is dropped
            when written. The first three carry ``coverage_basis`` (:attr:`basis`).
        """
        basis = self.basis
        return {"cells": self.cells.assign(coverage_basis=basis),
                "township_assignment": self._assignment_layer().assign(coverage_basis=basis),
                "township_shares": self.shares.assign(coverage_basis=basis), "agreement": self.report}
