"""Interactive web maps (Folium + Leaflet) with geoairplan's colours, escaping and size budget.

Start with :func:`web_map`, add layers, save with :func:`save_map`::

    m = web_map("屏東縣 測站", source="MOENV 測站清單 2024", county="屏東縣")
    add_points(m, stations, name="測站 Stations", tooltip_col="name_zh", popup_cols=["name_zh", "county"])
    add_level_legend(m)
    save_map(m, "out/pingtung.html")          # + out/pingtung.embed.html (iframe snippet)

Rules every function here keeps:

* Inputs may be in any CRS; they are reprojected to EPSG:4326 here.
* Every text that can come from a file (names, addresses, column values,
  titles, layer names) is HTML-escaped before it reaches the page; popups and
  tooltips are built in Python from escaped strings, never by folium's
  unescaped templates.
* Geometry is written with 5 decimals (≈1 m); township base layers are
  simplified as a coverage (``shapely.coverage_simplify``) so they still tile.
* :func:`save_map` makes element ids deterministic (two saves are byte
  identical) and, with ``offline=True``, inlines Leaflet and its plugins from
  the installed ``folium-offline`` package so the page makes no request at all.

The web kit is split by concern: :mod:`~geoairplan.maps.escape` (escaping, JSON,
geometry), :mod:`~geoairplan.maps.basemap` (township base layer),
:mod:`~geoairplan.maps.elements` (Leaflet elements; CSS/JS in ``maps/assets/``),
:mod:`~geoairplan.maps.layers` (the page and its layers) and
:mod:`~geoairplan.maps.render` (deterministic HTML, offline, saving). This module
gathers their public names (and the helpers the static maps share).
"""

from __future__ import annotations

from geoairplan.maps.escape import (  # noqa: F401
    PRECISION,
    _esc,
    _json,
    _round_geoms,
    _geom_json,
    _fc,
    _to_lists,
    _rows_html,
    _tip_html,
)
from geoairplan.maps.basemap import (  # noqa: F401
    TOWNSHIP_SIMPLIFY_M,
    _county_key,
    _simplified_townships,
    simplify_coverage,
    township_base,
    _context_counties,
)
from geoairplan.maps.elements import (  # noqa: F401
    _CLUSTER_JS,
    _CLUSTER_CSS,
    _CSS,
    _JS,
    _Chrome,
    _GeoLayer,
    _Control,
    _ImageLayer,
    _Slider,
    _state,
)
from geoairplan.maps.layers import (  # noqa: F401
    LEAFLET_JS,
    LEAFLET_CSS,
    _TILES,
    _display,
    _check_cols,
    _resolve_colors,
    _StyleTable,
    web_map,
    _add_context_layer,
    _add_township_layer,
    _props_for,
    add_polygons,
    add_lines,
    add_points,
    _legend_html,
    add_legend,
    add_level_legend,
    add_aqi_legend,
    add_colorbar,
    raster_png,
    add_raster,
    add_value_readout,
    add_time_slider,
)
from geoairplan.maps.render import (  # noqa: F401
    _walk,
    _deterministic_ids,
    _fix_ids,
    _offline_assets,
    offline_asset,
    _SCRIPT_RE,
    _CSS_RE,
    _inline,
    render_html,
    embed_snippet,
    save_map,
)

__all__ = [
    "web_map",
    "add_value_readout",
    "add_polygons",
    "add_points",
    "add_lines",
    "add_legend",
    "add_level_legend",
    "add_aqi_legend",
    "add_colorbar",
    "add_raster",
    "add_time_slider",
    "save_map",
    "render_html",
    "embed_snippet",
    "offline_asset",
    "raster_png",
    "simplify_coverage",
    "township_base",
    "PRECISION",
    "LEAFLET_JS",
    "LEAFLET_CSS",
]
