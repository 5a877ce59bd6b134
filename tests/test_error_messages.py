"""Every DataError churnlens raises says what to do, and its message shows each part given."""

from __future__ import annotations

import ast

from conftest import REPO

from churnlens.errors import DataError

SRC = REPO / "src" / "churnlens"


def data_error_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DataError":
                calls.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return calls


def test_every_data_error_says_what_to_do():
    calls = data_error_calls()
    assert len(calls) > 50  # the scan finds them
    missing = []
    for where, call in calls:
        fix = next((k.value for k in call.keywords if k.arg == "fix"), None)
        passes_all = any(k.arg is None for k in call.keywords)  # DataError(**parts)
        if passes_all:
            continue
        if fix is None or (isinstance(fix, ast.Constant) and not str(fix.value).strip()):
            missing.append(where)
    assert missing == []


def test_message_shows_problem_file_column_five_values_and_fix():
    err = DataError(
        "Order times are not dates.",
        file="orders.csv",
        column="created",
        values=["x", "y", 3, None, "z", "sixth"],
        fix="Pass --map order_ts=created_at",
    )
    assert str(err).splitlines() == [
        "Order times are not dates.",
        "  file:   orders.csv",
        "  column: created",
        "  values: 'x', 'y', 3, None, 'z'",
        "  fix:    Pass --map order_ts=created_at",
    ]
    assert (err.file, err.column, err.fix, len(err.values)) == ("orders.csv", "created", err.fix, 5)
    assert str(DataError("Nothing to read.", fix="Ingest a shop.")).splitlines() == [
        "Nothing to read.",
        "  fix:    Ingest a shop.",
    ]
