"""Every web page embeds a font subset holding its own characters (Chinese without system fonts)."""

import base64
import io
import re

from fontTools.ttLib import TTFont

from geoairplan import datasets
from geoairplan.maps import webfont
from geoairplan.maps.web import add_polygons, render_html, web_map


def _embedded_font(html_text: str) -> TTFont:
    m = re.search(r'@font-face\{font-family:"GeoAirPlan Sans TC";src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)',
                  html_text)
    assert m, "the page embeds no font"
    return TTFont(io.BytesIO(base64.b64decode(m.group(1))))


def test_the_embedded_subset_holds_every_character_of_the_page_and_no_more_than_needed():
    towns = datasets.load_townships("澎湖縣")
    m = web_map("澎湖縣 鄉鎮 <測試> & 七美", source="資料來源：內政部", county="澎湖縣", offline=True)
    add_polygons(m, towns, name="鄉鎮", tooltip_cols=["TOWNNAME"])
    text = render_html(m)
    font = _embedded_font(text)
    cmap = font.getBestCmap()
    have = set(TTFont(webfont.FONT_PATH).getBestCmap())
    wanted = {ord(c) for c in webfont.page_characters(text)} & have
    assert wanted and wanted <= set(cmap)                       # every character the page shows
    assert {ord(c) for c in "七美鄉望安"} <= set(cmap)          # township names from the JSON
    assert len(cmap) < len(wanted) + 200                        # the page's characters (+ ASCII), not the font
    assert "GeoAirPlan Sans TC" in text.split("</head>")[0] and "var(--gap-font)" in text


def test_json_escapes_count_as_page_characters():
    assert webfont.page_characters('{"n": "\\u5c4f\\u6771"} 潮州') == {"屏", "東", "潮", "州"}


def test_the_subset_is_deterministic_and_small():
    chars = frozenset("屏東縣潮州恆春預警等級")
    a = webfont.woff_subset.__wrapped__(chars)
    b = webfont.woff_subset.__wrapped__(chars)
    assert a == b and len(a) < 30_000
