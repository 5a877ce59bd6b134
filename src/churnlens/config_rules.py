"""What every setting may hold, declared next to the field, and the one check that enforces it.

A field of a config section declares its kind with its type: ``int``, ``float``, ``bool``,
``str``, ``Literal[...]`` for a closed set of names, ``list[...]`` / ``dict[str, ...]`` of those,
and ``Annotated[..., Range(lo, hi)]`` or ``Annotated[str, Pattern(...)]`` for the allowed values
(aliases below: `Whole`, `Count`, `Share`, `Positive`, `NonNegative`, `IsoDate`, ...).
`check_field` checks one value against its declaration and returns it (an int given for a
float becomes a float); a value that does not fit is a DataError naming the setting, the value
and what is allowed. Rules across fields (an order between two thresholds, increasing edges)
are `cross_field_rules`.
"""

from __future__ import annotations

import math
import re
import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from churnlens.errors import DataError


@dataclass(frozen=True)
class Range:
    """Allowed numbers: from ``lo`` to ``hi`` (either may be None: unbounded); ``lo_open``
    excludes ``lo`` itself."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False

    def holds(self, x: float) -> bool:
        if self.lo is not None and (x <= self.lo if self.lo_open else x < self.lo):
            return False
        return self.hi is None or x <= self.hi

    def text(self) -> str:
        if self.lo is not None and self.hi is not None:
            return f"from {self.lo:g} to {self.hi:g}" if not self.lo_open else f"above {self.lo:g} and at most {self.hi:g}"
        if self.lo is not None:
            return f"above {self.lo:g}" if self.lo_open else f"of at least {self.lo:g}"
        return f"of at most {self.hi:g}"


@dataclass(frozen=True)
class Pattern:
    """Allowed text: matches ``regex`` (whole string); ``example`` is shown in the error."""

    regex: str
    example: str
    empty_ok: bool = False
    is_date: bool = False

    def holds(self, s: str) -> bool:
        if s == "" and self.empty_ok:
            return True
        if not re.fullmatch(self.regex, s):
            return False
        if self.is_date:
            try:
                date.fromisoformat(s[:10] if len(s) > 10 else s)
            except ValueError:
                return False
        return True

    def text(self) -> str:
        return f"text like {self.example!r}" + (" or empty" if self.empty_ok else "")


Whole = Annotated[int, Range(1)]
Count = Annotated[int, Range(0)]
Share = Annotated[float, Range(0, 1)]
Positive = Annotated[float, Range(0, lo_open=True)]
NonNegative = Annotated[float, Range(0)]
IsoDate = Annotated[str, Pattern(r"\d{4}-\d{2}-\d{2}", "2017-06-30", is_date=True)]
IsoDateOrEmpty = Annotated[str, Pattern(r"\d{4}-\d{2}-\d{2}", "2011-12-01", empty_ok=True, is_date=True)]
MonthOrEmpty = Annotated[str, Pattern(r"\d{4}-(0[1-9]|1[0-2])", "2011-11", empty_ok=True)]
Hour = Annotated[int, Range(0, 23)]


def _expect(hint: Any) -> str:
    """What a declaration allows, in words."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        base, *meta = args
        limits = [m.text() for m in meta if isinstance(m, Range | Pattern)]
        return " ".join([_expect(base), *limits]) if not any(isinstance(m, Pattern) for m in meta) else limits[0]
    if origin is Literal:
        return f"one of {list(args)}"
    if origin is list:
        return _collection("a list", args[0] if args else None)
    if origin is dict:
        return _collection("a table of name = value", args[1] if args else None)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_expect(a) for a in args)
    return {int: "a whole number", float: "a number", bool: "true or false", str: "text"}.get(hint, str(hint))


def _collection(what: str, item: Any) -> str:
    if item is None:
        return what
    if typing.get_origin(item) is Literal:
        return f"{what} of names among {list(typing.get_args(item))}"
    return f"{what} whose items are each {_expect(item)}"


def _fits(hint: Any, value: Any) -> tuple[bool, Any]:
    """(value fits the declaration, value converted: an int given for a float becomes a float)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        ok, value = _fits(args[0], value)
        for m in args[1:]:
            if ok and isinstance(m, Range | Pattern):
                ok = m.holds(value)
        return ok, value
    if origin is Literal:
        return value in args and isinstance(value, str | int | bool), value
    if origin in (typing.Union, types.UnionType):
        for arm in args:
            ok, converted = _fits(arm, value)
            if ok:
                return True, converted
        return False, value
    if origin is list or hint is list:
        if not isinstance(value, list | tuple):
            return False, value
        if not args:
            return True, list(value)
        items = [_fits(args[0], v) for v in value]
        return all(ok for ok, _ in items), [v for _, v in items]
    if origin is dict or hint is dict:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return False, value
        if not args:
            return True, value
        items = {k: _fits(args[1], v) for k, v in value.items()}
        return all(ok for ok, _ in items.values()), {k: v for k, (_, v) in items.items()}
    if hint is bool:
        return isinstance(value, bool), value
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return ok, float(value) if ok else value
    if hint is str:
        return isinstance(value, str), value
    if hint is type(None):
        return value is None, value
    return True, value  # a kind this checker does not know: accepted as it is


def hints(section: type) -> dict[str, Any]:
    """The declared type of every field of a config section class."""
    return typing.get_type_hints(section, include_extras=True)


def check_field(name: str, hint: Any, value: Any, default: Any, source: str) -> Any:
    """``value`` for setting ``name`` if it fits its declaration ``hint``; else DataError."""
    ok, converted = _fits(hint, value)
    if ok:
        return converted
    expect = _expect(hint)
    raise DataError(
        f"Setting '{name}' = {value!r} is not allowed: it must be {expect}.",
        file=source,
        values=[value],
        fix=f"Give {name} {expect} (the default is {default!r}).",
    )


def _rule(ok: bool, name: str, value: Any, must: str, source: str) -> None:
    if not ok:
        raise DataError(
            f"Setting '{name}' = {value!r} is not allowed: {must}.", file=source, values=[value], fix=must[0].upper() + must[1:] + "."
        )


def _increasing(xs: list) -> bool:
    return bool(xs) and all(b > a for a, b in zip(xs, xs[1:], strict=False))


def cross_field_rules(cfg: Any, source: str) -> None:
    """Rules that involve several values of one setting or several settings."""
    c, b = cfg.churn, cfg.behaviour
    _rule(c.risk_medium < c.risk_high, "churn.risk_medium", c.risk_medium, f"it must be below churn.risk_high ({c.risk_high:g})", source)
    _rule("lightgbm" in c.models, "churn.models", c.models, "the list must hold 'lightgbm', the model that scores customers", source)
    _rule(_increasing(b.age_band_edges), "behaviour.age_band_edges", b.age_band_edges, "give strictly increasing lower edges in years, e.g. [0, 18, 25, 35]", source)
    _rule(bool(b.funnel_steps), "behaviour.funnel_steps", b.funnel_steps, "list at least one step", source)
    _rule(
        bool(b.search_groups) and all(b.search_groups.values()),
        "behaviour.search_groups",
        b.search_groups,
        "give at least one group, each with a non-empty list of terms",
        source,
    )
    for rule in cfg.rfm.segment_rules:
        ok = (
            isinstance(rule, list)
            and len(rule) == 7
            and isinstance(rule[0], str)
            and all(isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= 1 for x in rule[1:])
            and all(rule[i] <= rule[i + 1] for i in (1, 3, 5))
        )
        _rule(ok, "rfm.segment_rules", rule, "write each rule as [name, r_min, r_max, f_min, f_max, m_min, m_max] with bounds from 0 to 1, min <= max", source)
