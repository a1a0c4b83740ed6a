import numpy as np
import pytest

from geoairplan.errors import InputError
from geoairplan.maps import style


def test_levels_have_distinct_colours_and_both_labels():
    assert style.LEVELS == ("L1", "L2", "S1", "S2", "S3")
    cols = [style.level_color(c) for c in style.LEVEL_CODES]
    assert len(set(cols)) == len(cols) == 7
    assert style.level_label("S3") == "重度嚴重惡化"
    assert style.level_label("L1", "en").startswith("Level-1")
    assert style.level_label("none") == "未達預警" and style.level_label("insufficient") == "資料不足"
    # Chinese labels and case variants are accepted as codes
    assert style.level_color("中級預警") == style.level_color("l2") == style.level_color("L2")
    with pytest.raises(InputError):
        style.level_color("L9")


def test_level_ramp_gets_darker():
    def lum(c):
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lums = [lum(style.level_color(c)) for c in style.LEVELS]
    assert lums == sorted(lums, reverse=True)


def test_level_legend_items_order_and_subset():
    items = style.level_legend_items()
    assert [c for _, c in items] == [style.LEVEL_COLORS[k] for k in style.LEVEL_CODES]
    assert items[1][0] == "L1 初級預警"
    sub = style.level_legend_items(include=("S1", "none"))
    assert [lab for lab, _ in sub] == ["未達預警", "S1 輕度嚴重惡化"]


@pytest.mark.parametrize("aqi,idx", [(0, 0), (50, 0), (50.4, 0), (51, 1), (100, 1), (101, 2), (150, 2),
                                     (151, 3), (200, 3), (201, 4), (300, 4), (301, 5), (480, 5)])
def test_aqi_class_boundaries(aqi, idx):
    assert style.aqi_class(aqi) == idx
    assert style.aqi_color(aqi) == style.AQI_CLASSES[idx][2]


def test_aqi_missing_is_grey():
    assert style.aqi_color(float("nan")) == style.NODATA_COLOR
    assert style.aqi_color(None) == style.NODATA_COLOR


def test_sequential_colours_follow_the_shared_cmap():
    from matplotlib.colors import to_hex

    vals = [0, 5, 10, np.nan]
    cols = style.sequential_colors(vals, "emissions", 0, 10)
    cmap = style.sequential_cmap("emissions")
    assert cols[0] == to_hex(cmap(0.0)) and cols[2] == to_hex(cmap(1.0))
    assert cols[1] == to_hex(cmap(0.5))
    assert cols[3] == style.NODATA_COLOR
    # clipped outside [vmin, vmax]
    assert style.sequential_colors([-5, 50], "concentration", 0, 10) == style.sequential_colors([0, 10], "concentration", 0, 10)
    with pytest.raises(ValueError):
        style.sequential_cmap("rainbow")


def test_categorical_colours_are_stable_over_sorted_keys():
    a = style.categorical_colors(["潮州", "屏東", "恆春", "屏東"])
    b = style.categorical_colors(["恆春", "潮州", "屏東"])
    assert a == b and len(a) == 3 and len(set(a.values())) == 3
    assert list(a) == sorted(a)
    many = style.categorical_colors(range(25))
    assert many[0] == many[20]


def test_text_colour_contrast():
    assert style.level_text_color("S3") == "#ffffff"
    assert style.level_text_color("L1") == "#000000"


def test_level_colours_follow_the_aqi_order_and_darken_level_by_level():
    """S2 is purple and S3 maroon, as AQI 201-300 and 301+ are; lightness falls with every level."""
    from matplotlib.colors import to_rgb

    from geoairplan.maps import style

    def hue_family(hex_):
        r, g, b = to_rgb(hex_)
        return "purple" if b > 0.4 and r > 0.3 and g < 0.3 else ("maroon" if r > 0.3 and g < 0.1 and b < 0.2 else "")

    assert hue_family(style.LEVEL_COLORS["S2"]) == "purple" == hue_family(style.AQI_CLASSES[4][2])
    assert hue_family(style.LEVEL_COLORS["S3"]) == "maroon" == hue_family(style.AQI_CLASSES[5][2])

    def lum(hex_):
        r, g, b = to_rgb(hex_)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    steps = [lum(style.LEVEL_COLORS[c]) for c in style.LEVELS]
    assert all(a > b for a, b in zip(steps, steps[1:])), steps
