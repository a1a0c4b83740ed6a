"""What a demo step returns: one entry per file a person would open."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MapEntry"]


@dataclass(frozen=True)
class MapEntry:
    """One output of the demo: a path relative to the output folder, a title, one line."""

    path: str
    title: str
    description: str
    kind: str = "web"  # web | static | data
    scenario: bool = False  # built from scenario (made-up) data
