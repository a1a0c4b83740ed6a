"""The result of one interpolation run: surfaces, level polygons, township statistics, errors, stations.

:class:`InterpolationResult` keeps the protocol of :mod:`geoairplan.results`
(``meta``, ``problems``, ``summary()``, ``summary_text()``, ``layers()``,
``tables()``, ``rasters()``), so :func:`geoairplan.publish.write` writes it and
:func:`geoairplan.maps.interpolate.build` maps it. File names follow the run's
*stem* ``<pollutant>_<method>[_<average>][_<label>]``:

================================ ===================================================
``<stem>_<YYYYmmdd_HHMM>.tif``    one GeoTIFF per hour (band 2: kriging variance)
``<stem>_levels.gpkg``            layers ``levels`` (all hours) and ``stations``
``<stem>_townships.csv``          mean, max and highest level per township and hour
``<stem>_cv.csv``                 leave-one-out errors of the mapped hour
``<stem>_problems.csv``           rows, stations and hours not used
================================ ===================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geoairplan.errors import Problems
from geoairplan.interpolate.probability import MODEL_BASIS
from geoairplan.interpolate.surface import Surface
from geoairplan.interpolate.validation import CVResult
from geoairplan.reference.geography import load_townships
from geoairplan.io.paths import safe_name
from geoairplan.reference.pollutants import LABELS, unit_label
from geoairplan.results import Result, RunMeta

__all__ = ["InterpolationResult", "short_name", "run_title", "hour_label", "AVERAGING_ZH"]

#: How an averaging period is written in titles.
AVERAGING_ZH = {"24h_moving": " 24小時移動平均", "8h_moving": " 8小時移動平均"}

#: Floats in the CSV tables: four decimals (coordinates in metres stay exact).
_FLOAT_FORMAT = "%.4f"


def hour_label(t) -> str:
    """An hour as the outputs write it: ``2025-01-16 14:00``."""
    return pd.Timestamp(t).strftime("%Y-%m-%d %H:%M")


def short_name(code: str | None) -> str:
    """A pollutant code as titles write it (``pm2.5`` -> ``PM2.5``), from :mod:`geoairplan.reference.pollutants`."""
    if not code:
        return ""
    return LABELS[code].split(" ")[0] if code in LABELS else code.upper()


def run_title(surface: Surface, label: str | None = None) -> str:
    """The title of a run's maps (without the scenario tag, which :class:`RunMeta` adds).

    ``屏東縣 PM2.5 24小時移動平均 內插濃度 2025-01-16 14:00`` plus ``（label）`` for
    a free-text label other than ``scenario``.
    """
    where = surface.grid.name if surface.grid.name not in ("", "region", "stations") else ""
    avg = AVERAGING_ZH.get(surface.averaging or "", "")
    extra = f"（{label}）" if label and label.strip().lower() != "scenario" else ""
    return f"{where} {short_name(surface.pollutant)}{avg} 內插濃度 {surface.time or ''}".strip() + extra


@dataclass
class InterpolationResult(Result):
    """Everything ``geoairplan interpolate`` computes: surfaces, levels, township statistics, errors.

    Attributes
    ----------
    meta : geoairplan.results.RunMeta
        Provenance (capability ``interpolate``, counties, pollutant, averaging,
        the hours shown, source, scenario, title).
    problems : geoairplan.errors.Problems
        Stations, hours and rows not used.
    surfaces : list of Surface
        One surface per hour interpolated, in time order.
    data : StationValues
        The station points and their ``time x station`` values.
    thresholds : pandas.DataFrame
        The regulation's thresholds the levels use (``attrs["note"]`` says which).
    levels : geopandas.GeoDataFrame
        Level polygons of every hour (EPSG:3826).
    townships : pandas.DataFrame
        Per township and hour: mean, min, max, highest level.
    mapped : Surface
        The hour the maps show.
    cv : CVResult or None
        Leave-one-out errors of the mapped hour.
    method : str
        ``idw``, ``kriging`` or ``rbf``.
    label : str or None
        Free-text label in file names and titles.
    selection : SelectionResult or None
        ``--method auto``: the cross-validation of every candidate and the choice
        (:func:`~geoairplan.interpolate.selection.select_method`).
    exceedance : dict of str to Raster or None
        ``--confidence``: P(Z >= threshold) per cell of the mapped hour, one raster per level
        (:func:`~geoairplan.interpolate.probability.exceedance_rasters`).
    township_p : pandas.DataFrame or None
        Per township and level, the probability that the area-weighted mean reaches it
        (:func:`~geoairplan.interpolate.probability.township_exceedance`).
    zones : pandas.DataFrame or None
        The model-based zone list at ``confidence``
        (:func:`~geoairplan.interpolate.probability.probabilistic_zones`): beside, never
        instead of, the regulation's station rule.
    confidence : float or None
        The confidence of ``zones``.
    """

    meta: RunMeta
    surfaces: list[Surface]
    data: object  # StationValues
    thresholds: pd.DataFrame
    levels: gpd.GeoDataFrame
    townships: pd.DataFrame
    mapped: Surface
    cv: CVResult | None
    method: str
    label: str | None = None
    problems: Problems = field(default_factory=Problems)
    selection: object = None
    exceedance: dict | None = None
    township_p: pd.DataFrame | None = None
    zones: pd.DataFrame | None = None
    confidence: float | None = None

    # file names ---------------------------------------------------------------
    @property
    def stem(self) -> str:
        """``<pollutant>_<method>[_<average>][_<label>]``, e.g. ``pm25_kriging_24h``.

        The label is user text: it is made a safe file-name part
        (:func:`geoairplan.io.paths.safe_name`, at most 120 bytes) so that every
        name stays a plain name inside the output folder, suffixes included.
        """
        s = f"{self.data.pollutant.replace('.', '')}_{self.method}"
        if self.data.averaging != "1h":
            s += "_" + self.data.averaging.split("_")[0]
        return s + (f"_{safe_name(self.label, default='label', max_bytes=120)}" if self.label else "")

    @property
    def gpkg_name(self) -> str:  # type: ignore[override]
        """The GeoPackage of the level polygons and stations."""
        return f"{self.stem}_levels.gpkg"

    @property
    def problems_name(self) -> str:
        """The CSV :func:`geoairplan.publish.write` writes the problems to."""
        return f"{self.stem}_problems.csv"

    @staticmethod
    def raster_tag(surface: Surface) -> str:
        """``YYYYmmdd_HHMM`` of a surface's hour (``surface`` without one)."""
        return pd.Timestamp(surface.time).strftime("%Y%m%d_%H%M") if surface.time else "surface"

    # parts ----------------------------------------------------------------------
    def levels_at(self, time) -> gpd.GeoDataFrame:
        """The level polygons of one hour."""
        return self.levels[self.levels["time"] == time] if len(self.levels) else self.levels

    def station_table(self) -> gpd.GeoDataFrame:
        """Stations with the mapped hour's value (GeoDataFrame, EPSG:3826): ``station, time, value``."""
        pts = self.data.points[["station", "geometry"]].copy()
        t = self.mapped.time
        row = self.data.values.loc[[i for i in self.data.values.index if hour_label(i) == t]]
        pts.insert(1, "time", t)
        pts.insert(2, "value", row.iloc[0].to_numpy() if len(row) else np.nan)
        return pts

    @property
    def confidence_tag(self) -> str:
        """``p80`` for confidence 0.8 (file names of the zone list)."""
        return f"p{round(100 * float(self.confidence)):d}" if self.confidence is not None else ""

    def zone_layer(self) -> gpd.GeoDataFrame | None:
        """The model-based zones as township polygons (EPSG:3826), or None without ``--confidence``."""
        if self.zones is None:
            return None
        from_ = self.township_p
        towns = None
        if from_ is not None and len(self.zones):
            t = pd.concat([load_townships(c) for c in sorted(set(self.zones["county"]))], ignore_index=True)
            t = gpd.GeoDataFrame(t, geometry="geometry", crs=t.crs).to_crs(3826)
            geo = dict(zip(zip(t["COUNTYNAME"], t["TOWNNAME"]), t.geometry))
            towns = [geo.get((c, w)) for c, w in zip(self.zones["county"], self.zones["township"])]
        return gpd.GeoDataFrame(self.zones.copy(), geometry=towns if towns is not None else [None] * len(self.zones),
                                crs=3826)

    def layers(self) -> dict:
        """``levels`` (all hours), ``stations`` (the mapped hour's values) and, with ``--confidence``,
        ``probability_zones`` (model-based), EPSG:3826."""
        out = {"levels": self.levels, "stations": self.station_table()}
        if self.zones is not None:
            out["probability_zones"] = self.zone_layer()
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """``<stem>_townships`` and ``<stem>_cv`` (None when cross-validation was not possible);
        ``<stem>_method_selection`` (method auto); ``<stem>_township_exceedance`` and
        ``<stem>_zones_p<NN>`` (with a confidence; ``basis`` says model-based)."""
        towns = self.townships.copy()
        towns.attrs["float_format"] = _FLOAT_FORMAT
        cv = None
        if self.cv is not None:
            cv = self.cv.table.copy()
            cv.attrs["float_format"] = _FLOAT_FORMAT
        out = {f"{self.stem}_townships": towns, f"{self.stem}_cv": cv}
        if self.selection is not None:
            sel = self.selection.table.copy()
            sel.insert(1, "chosen", sel["label"] == self.selection.choice)
            sel["reason"] = np.where(sel["chosen"], self.selection.reason, "")
            sel.attrs["float_format"] = _FLOAT_FORMAT
            out[f"{self.stem}_method_selection"] = sel
        if self.township_p is not None:
            tp = self.township_p.assign(time=self.mapped.time, basis=MODEL_BASIS)
            tp.attrs["float_format"] = _FLOAT_FORMAT
            out[f"{self.stem}_township_exceedance"] = tp
        if self.zones is not None:
            z = self.zones.assign(time=self.mapped.time)
            z.attrs["float_format"] = _FLOAT_FORMAT
            out[f"{self.stem}_zones_{self.confidence_tag}"] = z
        return out

    def rasters(self) -> dict[str, Surface]:
        """One surface per hour, named ``<stem>_<YYYYmmdd_HHMM>``; with a confidence, one exceedance
        probability raster per level of the mapped hour, ``<stem>_<YYYYmmdd_HHMM>_p_<level>``."""
        out = {f"{self.stem}_{self.raster_tag(s)}": s for s in self.surfaces}
        for k, r in (self.exceedance or {}).items():
            out[f"{self.stem}_{self.raster_tag(self.mapped)}_{k}"] = r
        return out

    # summary ----------------------------------------------------------------------
    def summary(self) -> dict:
        """What a person reads first (JSON-friendly).

        Returns
        -------
        dict
            method, pollutant, averaging, hours, area, grid size, the mapped
            hour and its statistics, the variogram (kriging), the thresholds
            note, the five townships with the highest maximum, the
            leave-one-out errors, scenario.
        """
        s = self.mapped
        top = self.townships[self.townships["time"] == s.time].sort_values("max", ascending=False).head(5)
        out = {
            "method": self.method, "pollutant": self.data.pollutant, "averaging": self.data.averaging,
            "unit": s.unit, "hours": len(self.surfaces), "area": s.grid.name, "nx": s.grid.nx, "ny": s.grid.ny,
            "cell_size": s.grid.cell_size, "mapped_hour": s.time, "mapped": s.summary(),
            "variogram": dict(s.params["variogram"]) if "variogram" in s.params else None,
            "thresholds": self.thresholds.attrs.get("note", ""),
            "top_townships": [{"county": r.county, "township": r.township, "mean": float(r.mean),
                               "max": float(r.max), "level": r.level, "level_zh": r.level_zh}
                              for r in top.itertuples()],
            "cv": self.cv.summary() if self.cv is not None else None,
            "scenario": self.meta.scenario, "problems": len(self.problems),
        }
        if self.selection is not None:
            out["selection"] = self.selection.summary()
        if self.zones is not None:
            out["confidence"] = self.confidence
            out["model_zones"] = [{"county": r.county, "township": r.township, "level": r.level,
                                   "probability": float(r.probability)} for r in self.zones.itertuples()]
        return out

    def summary_text(self) -> str:
        """The summary as the command line prints it (and ``summary.txt`` holds)."""
        s = self.mapped
        summ = s.summary()
        lines = []
        if self.meta.scenario:
            lines.append(self.meta.display_title())
        lines.append(f"{self.method}: {len(self.surfaces)} hour(s) of {self.data.pollutant}"
                     f"{'' if self.data.averaging == '1h' else ' (' + self.data.averaging + ')'} over {s.grid.name}, "
                     f"{s.grid.nx} x {s.grid.ny} cells of {s.grid.cell_size:g} m")
        lines.append(f"mapped hour {s.time}: {summ['filled']:,} cells filled, min {summ['min']:.4g}, "
                     f"mean {summ['mean']:.4g}, max {summ['max']:.4g} {s.unit or ''}")
        if "variogram" in s.params:
            v = s.params["variogram"]
            lines.append("variogram: " + ", ".join(f"{k}={v[k]:.6g}" for k in v
                                                   if k not in ("model", "fitted", "pooled_hours"))
                         + f" ({v['model']})")
        lines.append(self.thresholds.attrs.get("note", ""))
        top = self.townships[self.townships["time"] == s.time].sort_values("max", ascending=False).head(5)
        for r in top.itertuples():
            lines.append(f"  {r.county}{r.township}: mean {r.mean:.4g}, max {r.max:.4g}"
                         + (f", {r.level} {r.level_zh}" if r.level else ""))
        if self.cv is not None:
            lines.append(str(self.cv))
        if self.selection is not None:
            lines.append(f"method chosen by cross-validation: {self.selection.choice}: {self.selection.reason}")
        if self.zones is not None:
            z = self.zones
            head = (f"model-based zones (kriging probability >= {self.confidence:g}, area-weighted township "
                    f"mean; not the regulation's station rule): ")
            lines.append(head + (f"{len(z)} township(s)" if len(z) else "none"))
            for r in z.itertuples():
                lines.append(f"  {r.county}{r.township}: {r.level} {r.level_zh}, P = {r.probability:.2f}")
        if self.meta.scenario:
            lines.append(self.meta.source_line())
        return "\n".join(lines)

    def unit_text(self) -> str:
        """The unit as people read it (``µg/m³``)."""
        return unit_label(self.mapped.unit)


#: The name this class had before it became a :class:`~geoairplan.results.Result`.
InterpolationRun = InterpolationResult
