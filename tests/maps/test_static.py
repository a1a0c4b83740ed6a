"""Static plan maps: the shipped CJK font really draws Chinese (PNG and PDF), output is reproducible."""

import re

import matplotlib
import numpy as np
import pytest

from geoairplan import datasets
from geoairplan.maps import static, style

TITLE = "屏東縣 預警區域"


def test_font_is_shipped_small_and_licensed():
    assert static.FONT_PATH.exists()
    assert static.FONT_PATH.stat().st_size <= 4_000_000
    assert (static.FONT_PATH.parent / "LICENSE-OFL-1.1.txt").exists()
    from matplotlib import font_manager

    static.register_font()
    found = font_manager.findfont(font_manager.FontProperties(family=static.FONT_NAME), fallback_to_default=False)
    assert found == str(static.FONT_PATH)


def test_font_has_real_glyphs_for_the_names_we_draw():
    from fontTools.ttLib import TTFont

    font = TTFont(str(static.FONT_PATH))
    cmap = font.getBestCmap()
    glyf = font["glyf"]
    notdef = glyf[".notdef"]
    notdef_coords = list(notdef.getCoordinates(glyf)[0]) if notdef.numberOfContours else []
    names = set("".join(datasets.load_townships()["TOWNNAME"]) + "".join(datasets.load_townships()["COUNTYNAME"]))
    names |= set("".join(style.LEVEL_LABELS["zh"].values()) + TITLE.replace(" ", "") + "屏潮恆春臺")
    for ch in sorted(names):
        assert ord(ch) in cmap, f"{ch} missing from the shipped font"
        g = glyf[cmap[ord(ch)]]
        assert g.numberOfContours > 0 or g.isComposite(), ch
        assert list(g.getCoordinates(glyf)[0]) != notdef_coords, ch
    # Big5 level-1 is covered in full
    big5 = [bytes([h, l]).decode("cp950") for h in range(0xA4, 0xC7) for l in (*range(0x40, 0x7F), *range(0xA1, 0xFF))
            if 0xA440 <= (h << 8 | l) <= 0xC67E]
    assert len(big5) == 5401
    assert all(ord(c) in cmap for c in big5)


def _render_text(text, family):
    fig = matplotlib.figure.Figure(figsize=(3, 0.6), dpi=100)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, ha="center", va="center", family=family, size=20)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


def test_chinese_is_drawn_not_tofu():
    import warnings

    static.register_font()
    ours = _render_text(TITLE, [static.FONT_NAME])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph missing" is the point of this reference
        tofu = _render_text(TITLE, ["DejaVu Sans"])
    assert (ours < 128).sum() > 200  # something is drawn
    assert np.abs(ours.astype(int) - tofu.astype(int)).sum() > 50_000
    # different characters give different ink (tofu boxes would all be alike)
    a, b = _render_text("屏", [static.FONT_NAME]), _render_text("雲", [static.FONT_NAME])
    assert (a != b).sum() > 100


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    out = tmp_path_factory.mktemp("static")
    towns = datasets.load_townships("澎湖縣")
    towns["level"] = [style.LEVEL_CODES[i % 7] for i in range(len(towns))]
    paths = []
    for name in ("a", "b"):
        fig, ax = static.static_map(TITLE, source="資料來源：測試", county="澎湖縣", layout="A4-portrait",
                                    township_labels=True)
        static.plot_polygons(ax, towns, color_col="level")
        static.add_level_legend_static(ax)
        paths.append(static.save_static(fig, out / name))
    return paths


def test_static_png_pdf_written_reproducibly(saved):
    (a_png, a_pdf), (b_png, b_pdf) = saved
    from PIL import Image

    im = Image.open(a_png)
    assert im.size == (2481, 3507)  # A4 at 300 dpi
    assert round(im.info["dpi"][0]) == 300
    assert a_png.read_bytes() == b_png.read_bytes()
    assert a_pdf.read_bytes() == b_pdf.read_bytes()
    pdf = a_pdf.read_bytes()
    assert b"/CreationDate" not in pdf
    assert b"/FontFile2" in pdf  # TrueType embedded (Type 42), not Type 3 bitmaps
    assert re.search(rb"/BaseFont /[A-Z]{6}\+GeoAirPlanSansTC|/BaseFont /GeoAirPlanSansTC", pdf)


def test_static_title_band_is_chinese_ink(saved, monkeypatch, tmp_path):
    """The title band of the saved PNG differs from the same map drawn with a font lacking CJK."""
    from PIL import Image
    import warnings

    ours = np.asarray(Image.open(saved[0][0]).convert("L"))[:300]
    monkeypatch.setattr(static, "font_properties",
                        lambda size=10, weight="normal": matplotlib.font_manager.FontProperties(
                            family="DejaVu Sans", size=size))
    fig, ax = static.static_map(TITLE, source="資料來源：測試", county="澎湖縣", layout="A4-portrait")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = static.save_static(fig, tmp_path / "tofu", formats=("png",))[0]
    tofu = np.asarray(Image.open(p).convert("L"))[:300]
    assert (ours < 128).sum() > 2000
    assert (ours != tofu).sum() > 2000


def test_layouts_and_raster(tmp_path):
    for layout, size in (("A4-landscape", (11.69, 8.27)), ("A4-portrait", (8.27, 11.69))):
        fig, ax = static.static_map("t", source="s", county="雲林縣", layout=layout)
        assert tuple(fig.get_size_inches()) == pytest.approx(size)
        x0, x1 = ax.get_xlim()
        assert 100_000 < x0 < x1 < 300_000  # TM2 metres
    fig, ax = static.static_map("t", source="s", county="雲林縣")
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    a = np.arange(12.0).reshape(3, 4)
    a[0, 0] = np.nan
    im = static.plot_raster(ax, a, (x0, x1, y0, y1), scheme="emissions", vmin=0, vmax=11)
    assert im.get_cmap().name == "geoairplan_emissions"
    static.add_colorbar_static(ax, im, caption="排放量")
    out = static.save_static(fig, tmp_path / "r", formats=("png",))
    assert out[0].exists()
    with pytest.raises(Exception):
        static.static_map("t", source="s", county="雲林縣", layout="A3")


def test_hotspot_static_shows_what_its_title_says_without_blending():
    """Issue 11, item 3: the declared-NOx A4 map titled 申報排放量 … 與 Gi* 熱點 drew only the Gi* bins.
    Now the emissions fill the townships (麥寮 the darkest) and the Gi* bins outline them."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    from geoairplan.hotspots.report import township_hotspots
    from geoairplan.maps.hotspots import GI_BIN_COLORS, hotspot_static
    from geoairplan.maps.style import SEQUENTIAL_SCHEMES

    res = township_hotspots("yunlin-declared", county="雲林縣", pollutant="nox", permutations=99)
    assert "排放量" in res.meta.title and "Gi*" in res.meta.title
    fig = hotspot_static(res)
    try:
        ax = fig.axes[0]
        faces, edges = set(), set()
        for c in ax.collections:
            fc, ec = c.get_facecolors(), c.get_edgecolors()
            if len(fc):
                faces |= {to_hex(f) for f in fc if f[3] > 0}
            if len(ec) and not (len(fc) and all(f[3] > 0 for f in fc)):
                edges |= {to_hex(e) for e in ec}
        assert SEQUENTIAL_SCHEMES["emissions"][-1] in faces  # 麥寮鄉, 92.5 % of the county, darkest
        hot = {GI_BIN_COLORS[b] for b in set(res.townships["gi_bin"]) if b != 0}
        assert hot and hot <= edges  # the significant townships outlined in their bin colour
        assert not any(to_hex(f) in set(GI_BIN_COLORS.values()) for c in ax.collections
                       for f in c.get_facecolors() if f[3] > 0 and len(c.get_facecolors()) == len(res.townships))
    finally:
        plt.close(fig)


NO_PYPLOT = """
import sys
import geoairplan.maps.static, geoairplan.maps.build, geoairplan.publish, geoairplan.maps.backtest
assert "matplotlib.pyplot" not in sys.modules, "imported"
from geoairplan.cli import main
assert main(["coverage", "--county", "澎湖縣", "--offline", "--static", "png+pdf", "--out", sys.argv[1]]) == 0
import numpy as np
from geoairplan.interpolate import fit_variogram
from geoairplan.maps.charts import plot_variogram
rng = np.random.default_rng(0)
x, y = rng.uniform(0, 5e4, 30), rng.uniform(0, 5e4, 30)
fig = plot_variogram(fit_variogram(x, y, np.sin(x / 1e4) + rng.normal(0, 0.1, 30)))
fig.canvas.draw()
assert "matplotlib.pyplot" not in sys.modules, "used"
print("no pyplot")
"""


def test_the_map_kit_neither_imports_nor_uses_pyplot(tmp_path):
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-c", NO_PYPLOT, str(tmp_path / "o")], capture_output=True, text=True,
                         cwd=str(static.FONT_DIR.parents[2]))
    assert res.returncode == 0 and res.stdout.strip().endswith("no pyplot"), res.stderr[-2000:]
    assert (tmp_path / "o" / "coverage_map.png").exists() and (tmp_path / "o" / "coverage_map.pdf").exists()


def test_figures_are_outside_pyplots_registry_and_release_closes_pyplot_ones():
    import matplotlib.pyplot as plt

    fig, _ = static.static_map("t", source="s", county="澎湖縣")
    assert fig.canvas.manager is None and fig.canvas.get_renderer() is not None  # Agg, no figure manager
    assert fig not in [plt.figure(n) for n in plt.get_fignums()]
    static.release(fig)  # nothing to do, no error
    theirs = plt.figure()
    num = theirs.number
    static.release(theirs)
    assert num not in plt.get_fignums()


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def test_plot_geometries_keeps_holes_styles_each_geometry_and_takes_collections_apart():
    from shapely.geometry import GeometryCollection, LineString, Polygon

    ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])  # both anticlockwise
    other = Polygon([(12, 0), (14, 0), (14, 2), (12, 2)])
    fig = static.new_figure((2, 2))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 20)
    ax.set_ylim(0, 20)
    ax.set_axis_off()
    polys = static.plot_geometries(ax, [ring, other], facecolor=["#ff0000", "#0000ff"], edgecolor="none")
    lines = static.plot_geometries(ax, [GeometryCollection([LineString([(0, 15), (20, 15)]), other.buffer(0)])],
                                   color=["#00ff00"], linewidth=4)
    img = _pixels(fig)

    def at(x, y):  # data -> pixel (origin top left)
        px, py = ax.transData.transform((x, y))
        return tuple(img[img.shape[0] - 1 - int(py), int(px)])

    assert at(1.5, 1.5) == (255, 0, 0)          # the ring is filled red
    assert at(5, 5) == (255, 255, 255)          # its hole is not
    assert at(13, 1) == (0, 255, 0)             # the collection's polygon, in its row's colour (drawn last)
    assert at(10, 15) == (0, 255, 0)            # the collection's line
    assert len(polys) == 1 and len(lines) == 2  # one PatchCollection; the collection: polygons + lines
    with pytest.raises(Exception, match="3 styles for 2 geometries"):
        static.plot_geometries(ax, [ring, other], facecolor=["#ff0000"] * 3)


@pytest.mark.parametrize("kw,match", [({"dpi": 5}, "not a whole number from 10 to 1200"),
                                      ({"dpi": 150.5}, "not a whole number"),
                                      ({"formats": ("png", "tiff")}, "unknown static format 'tiff'")])
def test_save_static_refuses_a_bad_dpi_or_format_before_writing(tmp_path, kw, match):
    fig, _ = static.static_map("t", source="s", county="澎湖縣")
    with pytest.raises(Exception, match=match):
        static.save_static(fig, tmp_path / "m", **kw)
    assert not list(tmp_path.iterdir())


def test_a_long_source_line_wraps_inside_the_page():
    src = "資料來源：" + "；".join(f"第{i}項 source number {i} (EPSG:3826)" for i in range(12))
    fig, _ = static.static_map("t", source=src, county="澎湖縣")
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    (t,) = [t for t in fig.texts if t.get_text().replace("\n", "") == src]
    box = t.get_window_extent(r)
    assert t.get_text().count("\n") >= 1  # wrapped, nothing dropped (the joined lines are the source)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width * 0.97 and box.y0 >= 0
