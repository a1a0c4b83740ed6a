"""Demo step: overview maps of the seed counties (townships, stations, designated facilities)."""

from __future__ import annotations

from pathlib import Path

from geoairplan.datasets import SEED_COUNTIES
from geoairplan.demo.entry import MapEntry
from geoairplan.maps.overview import (SLUG, county_map, county_static, county_title, facility_note, load_station_points,
                                      overview_map, overview_static)
from geoairplan.maps.static import save_static
from geoairplan.maps.web import save_map

__all__ = ["demo_maps"]


def demo_maps(outdir: Path, *, offline: bool = False) -> list[MapEntry]:
    """Write the overview web maps and static maps under ``outdir/overview/``."""
    outdir = Path(outdir)
    sub = outdir / "overview"
    sub.mkdir(parents=True, exist_ok=True)
    st = load_station_points()
    entries: list[MapEntry] = []
    tag = "（離線版 offline）" if offline else ""

    save_map(overview_map(offline=offline, stations=st), sub / "overview.html", offline=offline)
    entries.append(MapEntry("overview/overview.html", f"種子縣市概覽 Overview of the seed counties{tag}",
                            "Townships of 屏東縣, 雲林縣 and 澎湖縣 with name tooltips, and the region's MOENV "
                            "stations (popups with township and pollutants).", "web"))
    for county in SEED_COUNTIES:
        slug = SLUG[county]
        save_map(county_map(county, offline=offline, stations=st), sub / f"{slug}.html", offline=offline)
        entries.append(MapEntry(f"overview/{slug}.html", f"{county_title(county)}{tag}",
                                f"{county}'s townships, stations and the plan's designated facilities "
                                f"(clustered; placed at their township, the seeds give no coordinates). "
                                f"{facility_note(county)}", "web"))
    fig, _ = overview_static(stations=st)
    save_static(fig, sub / "overview_a4")
    entries.append(MapEntry("overview/overview_a4.png", "種子縣市概覽（A4 靜態圖）",
                            "A4 portrait, 300 dpi; the PDF version is overview/overview_a4.pdf.", "static"))
    entries.append(MapEntry("overview/overview_a4.pdf", "種子縣市概覽（A4 PDF）",
                            "The same map as PDF with embedded fonts, for plan documents.", "static"))
    for county in SEED_COUNTIES:
        slug = SLUG[county]
        fig, _ = county_static(county, stations=st)
        save_static(fig, sub / f"{slug}_a4")
        entries.append(MapEntry(f"overview/{slug}_a4.png", f"{county}：鄉鎮與測站（A4 靜態圖）",
                                f"A4 portrait with township labels; PDF: overview/{slug}_a4.pdf.", "static"))
    return entries
