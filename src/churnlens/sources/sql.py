"""Building SQL text safely: every name and value from outside is quoted by sqlglot.

Shop files are data, never code. The adapters compose their queries from their own fixed
fragments; any name (a header, a mapped column, a staging table) enters the text only through
`ident` and any value (a path, a reason, a configured string) only through `literal`, or as
a bound parameter (``con.execute(sql, [value])``). Hand-made quoting is never used.

Also here: the SQL predicates the adapters share for typed text columns (whole numbers,
finite numbers, plausible timestamps), so each rule is written once.
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

from churnlens.errors import DataError


@lru_cache(maxsize=4096)
def ident(name: str) -> str:
    """``name`` as a quoted DuckDB identifier (``a"b`` -> ``"a""b"``)."""
    _no_nul(name, "name")
    return exp.to_identifier(str(name), quoted=True).sql("duckdb")


def literal(value: str | int | float | bool | None) -> str:
    """``value`` as a DuckDB literal: strings quoted, numbers and booleans as such, None as NULL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return exp.Boolean(this=value).sql("duckdb")
    if isinstance(value, int | float):
        return exp.Literal.number(value).sql("duckdb")
    _no_nul(str(value), "value")
    return exp.Literal.string(str(value)).sql("duckdb")


def idents(names: list[str] | tuple[str, ...]) -> str:
    """Comma-separated quoted identifiers."""
    return ", ".join(ident(n) for n in names)


def _no_nul(text: str, what: str) -> None:
    if "\x00" in str(text):
        raise DataError(
            f"A {what} contains a NUL character, which no SQL engine accepts.",
            values=[str(text)[:80]],
            fix="Remove the NUL (\\0) characters from the file or the setting.",
        )


# ---- shared value rules ------------------------------------------------------------------------
def whole(value_sql: str, *, signed: bool = True) -> str:
    """SQL: the text ``value_sql`` as a BIGINT when it is a whole number, else NULL.

    ``2``, `` 2 ``, ``2.0`` and ``2.`` are the whole number 2 (pandas writes integers as
    ``2.0`` after a missing value); ``2.5``, ``2e3`` and words are not whole numbers.
    """
    sign = "-?" if signed else ""
    text = f"trim(CAST({value_sql} AS VARCHAR))"
    return (
        f"CASE WHEN regexp_full_match({text}, '{sign}[0-9]+([.]0*)?') "
        f"THEN TRY_CAST(regexp_replace({text}, '[.]0*$', '') AS BIGINT) END"
    )


def finite(value_sql: str) -> str:
    """SQL: the text ``value_sql`` as a DOUBLE when it is a finite number, else NULL (NaN, inf)."""
    number = f"TRY_CAST({value_sql} AS DOUBLE)"
    return f"CASE WHEN isfinite({number}) THEN {number} END"


def outside(ts_sql: str, earliest: str, latest: str) -> str:
    """SQL: true when the timestamp ``ts_sql`` lies outside [earliest, latest] (ISO texts)."""
    return (
        f"({ts_sql} < CAST({literal(earliest)} AS TIMESTAMP) "
        f"OR {ts_sql} > CAST({literal(latest)} AS TIMESTAMP))"
    )
