"""Errors a user can cause and can fix.

`DataError` is raised for bad input: a missing file or column, a wrong type, an empty file.
Its message says what is wrong, which file and column when the problem lies in one, shows a
few offending values and always says what to do. The CLI prints it without a traceback and
exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable


class ChurnlensError(Exception):
    """Base class of the errors churnlens raises on purpose."""


class DataError(ChurnlensError):
    """Input data that churnlens cannot use as it is.

    Parameters
    ----------
    problem:
        One sentence saying what is wrong.
    file:
        The file (or table) the problem was found in.
    column:
        The column concerned, when there is one.
    values:
        A few offending values; at most five are shown.
    fix:
        What the user can do about it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        column: str | None = None,
        values: Iterable[object] | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.column = column
        self.values = [] if values is None else list(values)[:5]
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        parts = [self.problem]
        if self.file:
            parts.append(f"  file:   {self.file}")
        if self.column:
            parts.append(f"  column: {self.column}")
        if self.values:
            shown = ", ".join(repr(v) for v in self.values)
            parts.append(f"  values: {shown}")
        if self.fix:
            parts.append(f"  fix:    {self.fix}")
        return "\n".join(parts)


class ModelError(ChurnlensError):
    """A model that cannot be fitted or used on the data given (e.g. nothing to identify it)."""


class StageSkipped(ChurnlensError):
    """A pipeline stage that cannot run on this shop's data; the message says why."""
