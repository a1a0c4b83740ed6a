"""Maps of an interpolation result, built from the result only: title, legend and source line from meta."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.interpolate import interpolate_observations
from geoairplan.maps import interpolate as imaps
from geoairplan.maps.build import BUILDERS, build
from geoairplan.maps.web import render_html

HOUR = "2025-01-16 14:00"


@pytest.fixture(scope="module", params=["measured", "scenario"])
def result(request, tmp_path_factory):
    df = pd.read_csv(datasets.data_dir() / "scenario" / "episode_scenario.csv", dtype=str, keep_default_na=False)
    df = df.drop(columns=["data_kind"], errors="ignore")
    if request.param == "scenario":
        df["data_kind"] = "scenario"
    p = tmp_path_factory.mktemp("obs") / "obs.csv"
    df.to_csv(p, index=False)
    return interpolate_observations(p, "pm2.5", "idw", county="屏東縣", cell_size=2000, hours=[HOUR], average="24h")


def test_build_makes_the_web_and_the_a4_map_from_the_result(result):
    maps = build(result, offline=True)
    try:
        assert [(m.name, m.kind) for m in maps] == [("pm25_idw_24h_map", "web"), ("pm25_idw_24h_map", "static")]
        assert maps[1].formats == ("png", "pdf")
        assert all(m.title == result.meta.display_title() for m in maps)
        html = render_html(maps[0].obj, offline=True)
        assert result.meta.display_title() in html and "反距離加權 IDW" in html
        fig_text = " ".join(t.get_text() for t in maps[1].obj.findobj(match=lambda a: hasattr(a, "get_text")))
        if result.meta.scenario:
            assert "（情境 scenario）" in maps[0].title and "資料來源：情境資料 scenario" in html
            assert "預警等級 Warning level（情境 scenario）" in html and "情境" in fig_text
        else:
            assert "情境" not in html and "情境" not in fig_text and "資料來源：環境部空氣品質測站" in html
    finally:
        for m in maps:
            if m.kind == "static":
                plt.close(m.obj)


def test_builder_is_registered():
    assert BUILDERS["interpolate"] == (imaps, "build")


# --------------------------------------------------------------------------- issue 11, item 1: colours mean levels


def _flat_episode(tmp_path, lo, hi, name):
    """The scenario episode with every station's PM2.5 replaced by values in [lo, hi] (deterministic)."""
    import numpy as np

    df = pd.read_csv(datasets.data_dir() / "scenario" / "episode_scenario.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    v = rng.uniform(lo, hi, len(df)).round(0)
    df["pm2.5"] = [f"{x:g}" for x in v]
    df["pm2.5_avg"] = df["pm2.5"]
    p = tmp_path / f"{name}.csv"
    df.to_csv(p, index=False)
    return interpolate_observations(p, "pm2.5", "idw", county="屏東縣", cell_size=2000, hours=[HOUR], average="24h")


def _png_colors(html):
    """The opaque colours (#rrggbb) of the surface overlay PNG embedded in a web map."""
    import base64
    import io
    import re

    import numpy as np
    from PIL import Image

    urls = re.findall(r'L\.imageOverlay\(\s*"data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(urls) == 1
    a = np.asarray(Image.open(io.BytesIO(base64.b64decode(urls[0]))).convert("RGBA"))
    px = a[a[..., 3] > 0][:, :3]
    assert len(px) > 100
    return {"#%02x%02x%02x" % tuple(int(c) for c in p) for p in np.unique(px, axis=0)}


def _figure_colors(fig):
    import numpy as np

    ims = [im for ax in fig.axes for im in ax.get_images() if im.get_array().ndim == 3]
    assert len(ims) == 1
    a = np.asarray(ims[0].get_array())
    px = a[a[..., 3] > 0][:, :3]
    return {"#%02x%02x%02x" % tuple(int(c) for c in p) for p in np.unique(px, axis=0)}


@pytest.mark.parametrize("lo,hi,code", [(26, 32, "none"), (90, 100, "L2")])
def test_surface_colours_are_the_regulation_classes_not_a_min_max_stretch(tmp_path, lo, hi, code):
    """26–32 µg/m³ (below L1) paints no cell in a level colour; 95 µg/m³ (L2) is painted the L2 colour —
    the old min–max ramp painted 潮州 crimson in the first case and L2 in S1 red in the second."""
    from geoairplan.maps import style

    res = _flat_episode(tmp_path, lo, hi, code)
    v = res.mapped.values
    assert lo - 0.5 <= float(v[v == v].min()) and float(v[v == v].max()) <= hi + 0.5
    maps = build(res, offline=True)
    try:
        want = {style.LEVEL_COLORS[code]}
        html = render_html(maps[0].obj, offline=True)
        assert _png_colors(html) == want
        assert _figure_colors(maps[1].obj) == want
        others = {style.LEVEL_COLORS[c] for c in style.LEVELS} - want
        # the legend gives the same classes and colours with their ranges
        assert "L1 初級預警 35.5–54.5 µg/m³" in html and "未達預警 &lt; 35.5 µg/m³" in html
        fig_text = " ".join(t.get_text() for t in maps[1].obj.findobj(match=lambda a: hasattr(a, "get_text")))
        assert "L2 中級預警 54.5–150.5 µg/m³" in fig_text
        # station markers: the class colour of their value, on the web and on paper
        st_cols = {style.class_colors([x], res.thresholds)[0] for x in res.station_table()["value"] if x == x}
        assert st_cols == want
        assert f'"fillColor": "{style.LEVEL_COLORS[code]}"' in html or \
            f'"fillColor":"{style.LEVEL_COLORS[code]}"' in html
        scat = [c for ax in maps[1].obj.axes for c in ax.collections if hasattr(c, "get_facecolors")
                and len(c.get_offsets()) == len(res.station_table())]
        assert scat and {"#%02x%02x%02x" % tuple(int(round(255 * x)) for x in f[:3])
                         for f in scat[-1].get_facecolors()} <= want | {style.NODATA_COLOR}
        for c in others:
            assert c not in _png_colors(html)
    finally:
        for m in maps:
            if m.kind == "static":
                plt.close(m.obj)


def test_class_colours_function():
    from geoairplan.interpolate.levels import level_thresholds
    from geoairplan.maps import style

    t = level_thresholds("pm2.5", averaging="24h")
    assert style.class_colors([26, 32, 35.4, 35.5, 95, 160, 260, 400], t) == [
        style.LEVEL_COLORS[c] for c in ("none", "none", "none", "L1", "L2", "S1", "S2", "S3")]
    # AQI in MOENV's colours
    br, cols = style.aqi_classes()
    assert style.class_rgba([[50, 51, 151, 301]], br, cols)[0, :, :3].tolist() == [
        [int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in ("#009865", "#fffb26", "#ca0034", "#7e0123")]


def test_a_chart_title_wraps_inside_the_figure():
    # the title is centred on the axes (shifted right by the y label), so it must fit on both sides
    from geoairplan.maps import interpolate as mi
    from geoairplan.maps.static import new_figure, register_font

    register_font()  # the map font, as when the CLI draws the chart after its map
    fig = new_figure((5, 5))
    ax = fig.add_subplot()
    ax.plot([5, 100], [5, 100])
    ax.set_xlabel("observed (µg/m³)")
    ax.set_ylabel("predicted (µg/m³)")
    ax.set_aspect("equal")
    title = "交叉驗證 預測 vs 觀測 Cross-validation: kriging(spherical)（2025-01-16 14:00）（情境 scenario）"
    mi._chart(fig, title)
    fig.set_dpi(150)  # as the CLI writes it (text runs a little wider than at the figure's 100 dpi)
    fig.canvas.draw()
    box = ax.title.get_window_extent(fig.canvas.get_renderer())
    assert ax.title.get_text().count("\n") >= 1  # wrapped, not cut
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width
