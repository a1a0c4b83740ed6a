"""What a map builder returns: a named web map or static figure, not yet written anywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MapOutput"]


@dataclass
class MapOutput:
    """One map built from a result.

    Attributes
    ----------
    name : str
        File stem the publisher writes it under (``coverage_map`` -> ``coverage_map.html``).
    kind : str
        ``web`` (a :class:`folium.Map`), ``static`` (a matplotlib figure from
        :func:`geoairplan.maps.static.static_map`) or ``page`` (a finished,
        self-contained HTML page as text, written as ``name.html``).
    obj : object
        The map or figure.
    title : str
        What the map shows (with the scenario tag where the data are scenario).
    formats : tuple of str
        For static maps: the formats to write (``png``, ``pdf``).
    """

    name: str
    kind: str
    obj: Any
    title: str = ""
    formats: tuple[str, ...] = field(default=("png", "pdf"))
