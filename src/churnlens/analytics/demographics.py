"""Demographic expressions shared by the analytics stages.

`age_years` and `age_band` are Ibis expressions, so they run in the engine (DuckDB, Spark)
next to the rest of a query. An age band is a text label such as ``"25-34"``; the last band
is open-ended (``"55+"``). Ages below the first edge (a birth date after the reference time)
and unknown birth dates give NULL; callers that need a label for them fill it themselves
(the behaviour tables use ``"unknown"``).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

#: Lower edges (years) of the default age bands: 0-17, 18-24, 25-34, 35-44, 45-54, 55+.
DEFAULT_AGE_EDGES: tuple[int, ...] = (0, 18, 25, 35, 45, 55)


def age_years(birth_date: ir.Value, at: ir.Value) -> ir.IntegerValue:
    """Completed years of age at ``at`` (a date or timestamp) for ``birth_date``."""
    birthday_not_yet = (at.month() * 100 + at.day()) < (birth_date.month() * 100 + birth_date.day())
    return at.year() - birth_date.year() - birthday_not_yet.cast("int64")


def band_labels(edges: Sequence[int] = DEFAULT_AGE_EDGES) -> list[str]:
    """Labels of the bands for ``edges`` (strictly increasing lower edges in years)."""
    edges = list(edges)
    if not edges or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError(f"age band edges must be strictly increasing, got {edges}")
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:], strict=False)]
    return labels + [f"{edges[-1]}+"]


def age_band(birth_date: ir.Value, at: ir.Value, edges: Sequence[int] = DEFAULT_AGE_EDGES) -> ir.StringValue:
    """Age band label of ``birth_date`` at ``at``; NULL when unknown or below the first edge.

    ``edges`` are the lower edges in years: ``(0, 18, 25)`` gives ``"0-17"``, ``"18-24"``
    and ``"25+"``.
    """
    labels = band_labels(edges)
    age = age_years(birth_date, at)
    case = ibis.cases(
        *[(age >= lo, label) for lo, label in reversed(list(zip(edges, labels, strict=True)))],
        else_=ibis.null("string"),
    )
    return ibis.ifelse(birth_date.isnull(), ibis.null("string"), case)
