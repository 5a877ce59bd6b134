"""The README's "What the tests guarantee" names only tests that exist."""

from __future__ import annotations

import ast
import re

from conftest import REPO


def guarantees_section() -> str:
    readme = (REPO / "README.md").read_text()
    assert "## What the tests guarantee" in readme
    return readme.split("## What the tests guarantee", 1)[1].split("\n## ", 1)[0]


def test_every_named_test_exists():
    section = guarantees_section()
    named = re.findall(r"`(test_[a-z0-9_]+\.py)::(test_[a-z0-9_]+)`", section)
    files = set(re.findall(r"`(test_[a-z0-9_]+\.py)", section))
    assert len(named) >= 30
    for file in files:
        assert (REPO / "tests" / file).is_file(), file
    defined: dict[str, set[str]] = {}
    for file, name in named:
        if file not in defined:
            tree = ast.parse((REPO / "tests" / file).read_text())
            defined[file] = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in defined[file], f"{file}::{name}"


def test_every_row_names_a_test():
    rows = [line for line in guarantees_section().splitlines() if line.startswith("| ") and "---" not in line]
    rows = rows[1:]  # the header
    assert len(rows) >= 15
    for row in rows:
        assert re.search(r"`test_[a-z0-9_]+\.py", row.rsplit("|", 2)[1]), row
