"""Maps of any result: :func:`build` dispatches on ``result.meta.capability``.

Each capability's map module has ``build(result) -> list[MapOutput]`` (web
maps and static figures built from the result only; titles, legends and the
provenance line from ``result.meta``). :mod:`geoairplan.publish` writes them.
"""

from __future__ import annotations

import inspect

from geoairplan.errors import InternalError
from geoairplan.maps import backtest, coverage, hotspots, interpolate, siting, warnings
from geoairplan.maps.output import MapOutput

__all__ = ["build", "BUILDERS"]

#: capability -> (module, function name)
BUILDERS = {
    "coverage": (coverage, "build"),
    "warnings": (warnings, "build"),
    "interpolate": (interpolate, "build"),
    "hotspots": (hotspots, "build"),
    "suspects": (hotspots, "build_suspects"),
    "siting": (siting, "build"),
    "backtest": (backtest, "build"),
}


def build(result, *, offline: bool = False, static: bool = True) -> list[MapOutput]:
    """Every map of ``result`` (web and static), in the order they are written.

    ``offline`` is passed to builders that take it (a web map drawn for a page
    without tiles fills the land from the embedded counties); ``static=False``
    leaves out the static figures (none is built: the caller writes none).
    """
    cap = result.meta.capability
    if cap not in BUILDERS:
        raise InternalError(f"no map builder for capability {cap!r}")
    module, name = BUILDERS[cap]
    func = getattr(module, name)
    params = inspect.signature(func).parameters
    kw = {}
    if "offline" in params:
        kw["offline"] = offline
    if "static" in params:
        kw["static"] = static
    out = list(func(result, **kw))
    if not static:
        out = [m for m in out if m.kind != "static"]
    return out
