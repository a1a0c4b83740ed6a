"""geoairplan's map kit: one colour and legend scheme for Folium web maps and static plan maps.

Every map geoairplan makes is built here, so all of them share the warning-level
and AQI colours, the sequential and categorical palettes, HTML escaping of every
text that came from a file, the offline mode, deterministic output and the size
budget. Capability-specific builders live in ``geoairplan/maps/<capability>.py``
and use only the functions below.

Modules
-------
``style``   colours and legend items (no folium, no plotting):
    ``LEVELS`` (``L1 L2 S1 S2 S3``), ``LEVEL_CODES`` (plus ``none``, ``insufficient``),
    ``level_color(code)``, ``level_label(code, lang="zh"|"en")``,
    ``level_legend_items(include=LEVEL_CODES, lang="zh")``, ``AQI_CLASSES``,
    ``aqi_color(aqi)``, ``aqi_legend_items()``,
    ``sequential_colors(values, scheme="emissions"|"concentration", vmin=None, vmax=None)``,
    ``sequential_cmap(scheme)`` (the matplotlib colormap used by web and static maps),
    ``categorical_colors(keys)`` (stable ``{key: colour}`` over sorted keys).
``web``     Folium maps: ``web_map``, ``add_polygons``, ``add_points``, ``add_lines``,
    ``add_legend``, ``add_level_legend``, ``add_aqi_legend``, ``add_colorbar``,
    ``add_raster``, ``add_time_slider``, ``save_map`` (gathered from ``escape``,
    ``basemap``, ``elements`` + ``assets/``, ``layers``, ``render``; ``webfont`` embeds
    each page's font subset).
``static``  matplotlib maps for plan documents (A4, 300 dpi PNG + PDF, CJK font shipped):
    ``static_map``, ``plot_polygons``, ``plot_points``, ``plot_raster``,
    ``add_static_legend``, ``add_level_legend_static``, ``add_colorbar_static``, ``save_static``.
``surfaces`` ``contour_polygons(array, transform_or_extent, levels)`` (filled bands as polygons),
    ``band_colors(levels, scheme)``, ``raster_to_web(array, transform)`` (the grid warped to Web Mercator and its bounds, for ``add_raster``).
``overview`` the township + station overview of the seed counties.
``<capability>`` ``build(result) -> list[MapOutput]`` for coverage, warnings, interpolate,
    hotspots (and ``build_suspects``); :mod:`~geoairplan.maps.build` dispatches on
    ``result.meta.capability``.

Example
-------
>>> from geoairplan import datasets
>>> from geoairplan.maps import web_map, add_polygons, add_points, add_level_legend, save_map
>>> towns = datasets.load_townships("屏東縣")
>>> towns["level"] = "none"                                   # e.g. from geoairplan.warnings
>>> m = web_map("屏東縣 預警區域（情境）", source="資料來源：環境部；2024-01-15", county="屏東縣")
>>> _ = add_polygons(m, towns, name="預警等級 Level", color_col="level",
...                  tooltip_cols=["TOWNNAME", "level"], aliases={"TOWNNAME": "鄉鎮"})
>>> _ = add_level_legend(m)
>>> info = save_map(m, "/tmp/pingtung_levels.html")          # + /tmp/pingtung_levels.embed.html
>>> info["bytes"] < 2_000_000
True

Static version of the same map::

    from geoairplan.maps import static_map, plot_polygons, add_level_legend_static, save_static
    fig, ax = static_map("屏東縣 預警區域（情境）", source="資料來源：環境部", county="屏東縣")
    plot_polygons(ax, towns, color_col="level")
    add_level_legend_static(ax)
    save_static(fig, "/tmp/pingtung_levels")                 # .png (300 dpi) and .pdf

Contracts
---------
* Inputs in any CRS (refused without one); web maps reproject to EPSG:4326,
  static maps draw in EPSG:3826 metres.
* Popups/tooltips/legends/titles are escaped with :func:`html.escape`; never
  pass pre-built HTML as data.
* ``save_map`` output is byte-identical for the same input; ``offline=True``
  inlines Leaflet and plugins from the ``folium-offline`` package and has no
  tile layer, so the page makes no network request.
* ``color_col`` values are level codes, ``#rrggbb`` colours, numbers (sequential)
  or categories (categorical palette), unless ``color_map`` maps them.
"""

from geoairplan.maps import style
from geoairplan.maps.style import (AQI_CLASSES, LEVEL_CODES, LEVELS, aqi_color, categorical_colors,
                                   level_color, level_label, level_legend_items, sequential_cmap,
                                   sequential_colors)
from geoairplan.maps.static import (add_colorbar_static, add_level_legend_static, add_static_legend,
                                    plot_points, plot_polygons, plot_raster, save_static, static_map)
from geoairplan.maps.web import (add_aqi_legend, add_colorbar, add_legend, add_level_legend, add_lines,
                                 add_points, add_polygons, add_raster, add_time_slider, add_value_readout,
                                 save_map,
                                 township_base, web_map)


__all__ = ["style", "LEVELS", "LEVEL_CODES", "AQI_CLASSES", "level_color", "level_label",
           "level_legend_items", "aqi_color", "sequential_colors", "sequential_cmap", "categorical_colors",
           "web_map", "add_polygons", "add_points", "add_lines", "add_legend", "add_level_legend",
           "add_aqi_legend", "add_colorbar", "add_raster", "add_value_readout", "add_time_slider", "save_map", "township_base",
           "static_map", "plot_polygons", "plot_points", "plot_raster", "add_static_legend",
           "add_level_legend_static", "add_colorbar_static", "save_static"]
