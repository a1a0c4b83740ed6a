"""A4 static maps hold their layout (issue 11): furniture off the county's land, no overprinted labels,
legend symbols as drawn, hatched swatches hatched, long titles wrapped. Checked by geometry: matplotlib
artist extents against the county's land polygons, all in display coordinates."""

from __future__ import annotations

import pytest
import shapely

from geoairplan.maps import overview, static


def _fig(obj):
    return obj[0] if isinstance(obj, tuple) else obj


def furniture_cover(fig) -> dict[str, float]:
    """Share of each legend, colour bar, scale bar and north arrow box that lies on the county's land."""
    ax = fig.axes[0]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    land = shapely.transform(fig._gap_land, ax.transData.transform)
    boxes = [(f"legend{i}", leg.get_window_extent(r)) for i, leg in enumerate(ax._gap_legends)]
    boxes += [(p.get_gid(), p.get_window_extent(r)) for p in ax.patches if p.get_gid() in ("gap-scalebar", "gap-north")]
    boxes += [(f"cbar{i}", c.get_tightbbox(r)) for i, c in enumerate(getattr(ax, "_gap_cbars", []))]
    assert {"gap-scalebar", "gap-north"} <= {k for k, _ in boxes}
    return {k: land.intersection(shapely.box(b.x0, b.y0, b.x1, b.y1)).area / (b.width * b.height) for k, b in boxes}


def label_overlaps(fig) -> list[tuple[str, str]]:
    ax = fig.axes[0]
    r = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if getattr(t, "_gap_label", 0) and t.get_visible()]
    ex = [t.get_window_extent(r) for t in texts]
    return [(texts[i].get_text(), texts[j].get_text()) for i in range(len(ex)) for j in range(i + 1, len(ex))
            if ex[i].overlaps(ex[j])]


@pytest.mark.parametrize("county", ["澎湖縣", "雲林縣", "屏東縣"])
def test_county_maps_keep_furniture_off_the_land_and_labels_apart(county, tmp_path):
    fig = _fig(overview.county_static(county))
    static.save_static(fig, tmp_path / "m", formats=("png",), dpi=60)
    cover = furniture_cover(fig)
    assert max(cover.values()) == 0.0, cover
    assert label_overlaps(fig) == []
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.texts if getattr(t, "_gap_label", 0) and t.get_visible()]
    if county == "屏東縣":
        assert "潮州" in shown and "恆春" in shown  # station labels win over their township's name
    if county == "澎湖縣":
        assert "七美鄉" in shown or "七美鄉" not in [t.get_text() for t in ax.texts]


def test_a_big_legend_makes_the_map_zoom_out_instead_of_covering_land(tmp_path):
    fig, ax = static.static_map("澎湖縣 大圖例", source="測試", county="澎湖縣", layout="A4-landscape")
    items = [(f"項目 {i} item {i} with a long English name", "#336699") for i in range(14)]
    static.add_static_legend(ax, items, "很長的圖例 A long legend")
    x0 = ax.get_xlim()
    static.save_static(fig, tmp_path / "big", formats=("png",), dpi=60)
    assert max(furniture_cover(fig).values()) == 0.0
    assert ax.get_xlim()[1] - ax.get_xlim()[0] >= x0[1] - x0[0]


def test_legend_symbols_match_the_map_and_hatched_swatches_are_hatched():
    fig, ax = static.static_map("雲林縣 圖例", source="測試", county="雲林縣")
    leg = static.add_static_legend(ax, [("官方 ≠ 最近測站", "#ffffff", {"hatch": "///", "edgecolor": "#111111"}),
                                        ("測站", "#1f77b4", {"kind": "point", "marker": "^"}),
                                        ("範圍", "#6a51a3")], "圖例")
    h = leg.legend_handles
    assert h[0].get_hatch() == "///"
    assert h[1].get_marker() == "^" and h[1].get_linestyle() == "None"
    assert type(h[2]).__name__ == "Rectangle"  # polygons as patches


def test_coverage_legend_is_hatched_and_stations_are_triangles():
    from geoairplan.coverage import coverage_analysis
    from geoairplan.maps import coverage as cov_maps

    res = coverage_analysis("雲林縣")
    fig = cov_maps.build(res)[1].obj
    leg = fig.axes[0]._gap_legends[0]
    hatched = [hd for hd in leg.legend_handles if hasattr(hd, "get_hatch") and hd.get_hatch()]
    assert (len(hatched) == 1) == bool(res.disagreements is not None and len(res.disagreements))
    assert any(getattr(hd, "get_marker", lambda: None)() == "^" for hd in leg.legend_handles)


def test_a_long_title_wraps_inside_the_page(tmp_path):
    title = "雲林縣 固定污染源排放 NOx：鄉鎮、1 km 網格、Gi* 熱點與核密度（情境 scenario）" * 2
    fig, ax = static.static_map(title, source="測試", county="雲林縣", layout="A4-portrait")
    static.save_static(fig, tmp_path / "t", formats=("png",), dpi=60)
    r = fig.canvas.get_renderer()
    t = next(t for t in fig.texts if "雲林縣 固定" in t.get_text())
    assert "\n" in t.get_text()
    bb = t.get_window_extent(r)
    assert bb.x0 >= 0 and bb.x1 <= fig.bbox.width
    assert bb.y0 >= ax.get_window_extent(r).y1  # above the map frame, not over it
