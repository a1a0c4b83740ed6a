"""Errors and row-level problem reports shared by every geoairplan module.

geoairplan follows two rules for bad input:

* A file that cannot be used at all raises :class:`InputError`. Its message
  names the file, the row or feature, what is wrong and how to fix it, so that
  the command line can print it as it is, without a traceback.
* Rows that cannot be used while the rest of the file can are *reported*, never
  dropped silently: readers collect them in a :class:`Problems` list that is
  returned with the result (``result.attrs["problems"]`` on data frames) and
  can be written out as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # only for the annotation of Problems.to_frame
    import pandas as pd

__all__ = ["GeoAirPlanError", "InputError", "InternalError", "Problem", "Problems"]


class GeoAirPlanError(Exception):
    """Base class of every error geoairplan raises on purpose."""


class InputError(GeoAirPlanError, ValueError):
    """An input file or argument cannot be used.

    Parameters
    ----------
    problem:
        What is wrong, in one sentence.
    file:
        The file (or argument) concerned, if any.
    where:
        The row, feature, column or field concerned (e.g. ``"row 12"``,
        ``"feature 3 (TOWNNAME=霧臺鄉)"``).
    fix:
        What the user can do about it.
    """

    def __init__(self, problem: str, *, file: str | PathLike | None = None,
                 where: str | None = None, fix: str | None = None):
        self.problem = problem
        self.file = None if file is None else str(file)
        self.where = where
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        head = ""
        if self.file:
            head = f"{self.file}"
            if self.where:
                head += f", {self.where}"
            head += ": "
        elif self.where:
            head = f"{self.where}: "
        msg = head + self.problem
        if self.fix:
            msg += f"\n  How to fix: {self.fix}"
        return msg


class InternalError(GeoAirPlanError, RuntimeError):
    """Something geoairplan itself got wrong (not the user's input): reported as a bug.

    The command line prints it with a request to report it (exit status 3),
    like any unexpected exception, but without a traceback.
    """


@dataclass(frozen=True)
class Problem:
    """One row or feature that could not be used, and why."""

    source: str
    where: str
    reason: str
    severity: str = "error"  # "error": row not used; "warning": used, but look at it


@dataclass
class Problems:
    """An ordered list of :class:`Problem` reports, returned next to a result."""

    items: list[Problem] = field(default_factory=list)

    def add(self, source, where, reason, severity="error") -> None:
        self.items.append(Problem(str(source), str(where), str(reason), severity))

    def extend(self, other: "Problems | Iterable[Problem]") -> None:
        self.items.extend(other.items if isinstance(other, Problems) else other)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def to_frame(self) -> "pd.DataFrame":
        # The one function-local import allowed outside geoairplan/commands/: errors is the first
        # layer and `geoairplan --help` must not pay pandas' import (issue #17); only this method needs it.
        import pandas as pd

        return pd.DataFrame([p.__dict__ for p in self.items],
                            columns=["source", "where", "reason", "severity"])

    def summary(self, limit: int = 10) -> str:
        lines = [f"{p.severity}: {p.source}, {p.where}: {p.reason}" for p in self.items[:limit]]
        if len(self.items) > limit:
            lines.append(f"... and {len(self.items) - limit} more")
        return "\n".join(lines)
