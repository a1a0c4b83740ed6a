"""The Leaflet elements geoairplan adds to Folium maps (title and source chrome, layers, controls, slider).

Their CSS and JavaScript live in ``geoairplan/maps/assets/`` (``chrome.css``, ``chrome.js``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from geoairplan.errors import InputError
from geoairplan.maps.escape import _json

#: Folder of the CSS and JavaScript the pages carry.
ASSETS = Path(__file__).resolve().parent / "assets"


_CLUSTER_JS = [("markerclusterjs",
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js")]


_CLUSTER_CSS = [("markerclustercss",
                 "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"),
                ("markerclusterdefaultcss",
                 "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css")]


_CSS = (ASSETS / "chrome.css").read_text(encoding="utf-8")


_JS = (ASSETS / "chrome.js").read_text(encoding="utf-8")


class _Chrome(MacroElement):
    """Page CSS, the GAP helper, the title, the source note and the metric scale."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        <script>{{ this.js }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        GAP.chrome({{ this._parent.get_name() }}, {{ this.title_json }}, {{ this.note_json }});
        {% endmacro %}
    """)

    def __init__(self, title: str, note: str):
        super().__init__()
        self._name = "Chrome"
        self.css = re.sub(r"\s*\n\s*", "", _CSS)
        self.js = _JS
        self.title_json = _json(title)
        self.note_json = _json(note)


class _GeoLayer(Layer):
    """A GeoJSON layer drawn by ``GAP.layer`` with per-feature style indices and escaped popups."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = GAP.layer({{ this.data }}, {{ this.opts }});
        {% endmacro %}
    """)

    def __init__(self, data: dict, opts: dict, *, name: str, show: bool = True, control: bool = True,
                 cluster: bool = False):
        super().__init__(name=html.escape(name), overlay=True, control=control, show=show)
        self._name = "GeoLayer"
        if control:
            opts = {**opts, "name": html.escape(name)}  # escaped HTML, like the layer control
        self.data = _json(data)
        self.opts = _json(opts)
        self.n_features = len(data["features"])
        self.cluster = cluster

    def render(self, **kwargs):
        if self.cluster:
            figure = self.get_root()
            for n, url in _CLUSTER_JS:
                figure.header.add_child(Element(f'<script src="{url}"></script>'), name=n)
            for n, url in _CLUSTER_CSS:
                figure.header.add_child(Element(f'<link rel="stylesheet" href="{url}"/>'), name=n)
        super().render(**kwargs)


class _Control(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = GAP.control({{ this._parent.get_name() }}, {{ this.pos|tojson }}, {{ this.cls|tojson }},
                    {{ this.inner }}, {{ this.collapse|tojson }});
        {% endmacro %}
    """)

    def __init__(self, inner_html: str, *, position="bottomright", cls="gap-legend", collapse=True):
        super().__init__()
        self._name = "Control"
        self.inner = _json(inner_html)
        self.pos = position
        self.cls = cls
        self.collapse = collapse


class _ImageLayer(Layer):
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.imageOverlay({{ this.url|tojson }}, {{ this.bounds|tojson }},
            {opacity: {{ this.opacity }}, interactive: false, className: 'gap-raster'});
        {% endmacro %}
    """)

    def __init__(self, url: str, bounds, *, name: str, opacity: float, show: bool = True):
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "ImageLayer"
        self.url = url
        self.bounds = bounds
        self.opacity = float(opacity)


class _Slider(MacroElement):
    """The time slider of a layer; with ``follow`` (a leading layer) no control, the layer follows its slider."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% if this.follow %}
        GAP.follow({{ this.follow.get_name() }}, {{ this.layer.get_name() }}, {{ this.opts }});
        {% else %}
        GAP.slider({{ this._parent.get_name() }}, {{ this.layer.get_name() }}, {{ this.opts }});
        {% endif %}
        {% endmacro %}
    """)

    def __init__(self, layer: _GeoLayer, opts: dict, follow: _GeoLayer | None = None):
        super().__init__()
        self._name = "Slider"
        self.layer = layer
        self.follow = follow
        self.opts = _json(opts)


class _Exclusive(MacroElement):
    """Thematic layers shown one at a time (a radio group), each with the legends that go with it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        GAP.exclusive({{ this._parent.get_name() }}, [
        {% for lays, ctrls, label in this.items %}
          [[{% for l in lays %}{{ l.get_name() }}{% if not loop.last %}, {% endif %}{% endfor %}],
           [{% for c in ctrls %}{{ c.get_name() }}{% if not loop.last %}, {% endif %}{% endfor %}],
           {{ label }}]{% if not loop.last %},{% endif %}
        {% endfor %}
        ], {{ this.opts }});
        {% endmacro %}
    """)

    def __init__(self, items, opts: dict):
        super().__init__()
        self._name = "Exclusive"
        self.items = [(list(lays), list(ctrls), _json(label)) for lays, ctrls, label in items]
        self.opts = _json(opts)


class _Readout(MacroElement):
    """Click → value(s) at the point, sampled from grids embedded in the page (see ``add_value_readout``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        GAP.readout({{ this._parent.get_name() }}, {{ this.data }});
        {% endmacro %}
    """)

    def __init__(self, data: dict):
        super().__init__()
        self._name = "Readout"
        self.data = _json(data)


def _state(m) -> dict:
    st = getattr(m, "_geoairplan", None)
    if st is None:
        raise InputError("this map was not made by geoairplan.maps.web_map",
                         fix="start the map with geoairplan.maps.web_map(title, source=...)")
    return st
