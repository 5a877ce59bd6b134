"""The one direction of flow: raw files -> sources -> warehouse -> stages -> results -> readers.

Checked on the import statements of every module under `src/churnlens` (parsed, not run):
stages never import the readers (app, report, CLI) or the source adapters, and what the dashboard
and the report share (`churnlens.presentation`) imports neither Streamlit nor the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "churnlens"
STAGES = ("analytics", "churn", "clv", "diagnosis", "playbook", "products", "segments")
READERS = ("churnlens.app", "churnlens.report", "churnlens.cli", "churnlens.presentation")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved against the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("churnlens", *path.relative_to(PACKAGE).parent.parts))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def offending(paths: list[Path], banned: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in paths
        for name in sorted(imports_of(path))
        if any(name == b or name.startswith(b + ".") for b in banned)
    ]


@pytest.mark.parametrize("stage", STAGES)
def test_stages_import_no_reader_and_no_source_adapter(stage: str) -> None:
    assert offending(modules_under(stage), (*READERS, "churnlens.sources", "churnlens.ingest", "streamlit")) == []


def test_presentation_imports_neither_streamlit_nor_the_app() -> None:
    assert modules_under("presentation"), "churnlens.presentation is missing"
    assert offending(modules_under("presentation"), ("streamlit", "churnlens.app", "churnlens.report", "churnlens.cli")) == []


def test_report_modules_do_not_import_the_app() -> None:
    report_modules = sorted(PACKAGE.glob("report*.py")) + [PACKAGE / "findings_output.py"]
    assert offending(report_modules, ("churnlens.app", "streamlit")) == []


def test_the_checker_sees_a_banned_import(tmp_path: Path) -> None:
    """The checker itself can fail: a planted import is reported."""
    planted = PACKAGE / "presentation" / "_planted_for_test.py"
    planted.write_text("import streamlit as st\nfrom churnlens.app import data\n", encoding="utf-8")
    try:
        found = offending([planted], ("streamlit", "churnlens.app"))
    finally:
        planted.unlink()
    assert found == [
        "presentation/_planted_for_test.py imports churnlens.app",
        "presentation/_planted_for_test.py imports churnlens.app.data",
        "presentation/_planted_for_test.py imports streamlit",
    ]
