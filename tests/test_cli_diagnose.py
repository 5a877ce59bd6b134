"""`churnlens diagnose` reads the stored findings (never recomputes or writes), prints them as
text that wraps without cutting a number, or as JSON / CSV equal to the table; and the option
help of every command is plain (no ``<bool>`` type tags, no reStructuredText markup)."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
import typer.main
from rich.cells import cell_len
from typer.testing import CliRunner

from churnlens.cli import app
from churnlens.warehouse import Warehouse

#: Hand-written findings: long Korean sentences full of numbers (the text a terminal once cut
#: to "1… %"), a value that a spreadsheet would run, and numbers as JSON.
FINDINGS = pd.DataFrame(
    {
        "rank": [1, 2, 3],
        "finding_id": ["revenue_decline", "segment_drivers", "promo_roi_negative"],
        "severity": ["high", "medium", "medium"],
        "text_en": [
            "Revenue fell 18 % over May–June 2022 compared with March–April 2022 (IDR 103,848,589 to "
            "IDR 85,156,843); lost customers explain 62.5 % of it.",
            "Segments whose revenue fell most: Loyal IDR 11,059,256 (27 %, mainly fewer orders); "
            "Champions IDR 9,402,117 (23 %, mainly lost).",
            "=Promotions cost IDR 37,972,366 and bring back IDR 5,554,627.",
        ],
        "text_ko": [
            "2022년 5–6월 매출이 2022년 3–4월 대비 18 % 감소했습니다 (103,848,589 IDR → 85,156,843 IDR). "
            "이탈 고객이 그 중 62.5 %를 설명합니다.",
            "매출이 가장 많이 줄어든 세그먼트: 충성 고객 11,059,256 IDR (27 %, 주로 주문 감소); "
            "챔피언 9,402,117 IDR (23 %, 주로 이탈).",
            "프로모션 할인 비용은 37,972,366 IDR이지만 추가 재구매로 인한 예상 매출은 5,554,627 IDR에 그칩니다.",
        ],
        "numbers": [
            json.dumps({"change_share": -0.18, "base_revenue": 103848589.0}),
            json.dumps({"segments": ["loyal", "champions"]}),
            json.dumps({"net": -32417739.0}),
        ],
    }
)


@pytest.fixture
def db(tmp_path):
    """A warehouse holding only table findings: no orders to recompute anything from."""
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.write("findings", FINDINGS)
    return path


def run(*args, columns: int = 100):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})


def test_diagnose_reads_the_stored_findings_and_writes_nothing(db):
    before = db.read_bytes()
    r = run("diagnose", "--db", db)
    assert r.exit_code == 0, (r.output, r.exception)
    words = r.output.split()
    for text in FINDINGS["text_en"]:
        for word in text.split():
            assert word in words, word
    assert db.read_bytes() == before
    with Warehouse(db, read_only=True) as wh:
        assert wh.tables() == ["findings"]


def test_diagnose_without_findings_says_to_run_the_pipeline(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.write("orders", pd.DataFrame({"order_id": ["1"]}))
    r = run("diagnose", "--db", path)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "no findings" in r.output and f"churnlens run --db {path}" in r.output.replace("\n", "")


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_korean_findings_wrap_at_word_boundaries_and_are_never_cut(db, columns):
    r = run("diagnose", "--db", db, "--lang", "ko", columns=columns)
    assert r.exit_code == 0, (r.output, r.exception)
    assert "…" not in r.output
    assert max(cell_len(line.rstrip()) for line in r.output.splitlines()) <= columns
    # every word of every sentence is printed whole, in order: numbers are never split
    printed = r.output.split()
    for text in FINDINGS["text_ko"]:
        words = text.split()
        runs = [printed[i : i + len(words)] for i in range(len(printed))]
        assert words in runs, (words, printed)
    assert "높음" in printed and "중간" in printed  # severities in Korean


def test_json_output_parses_and_equals_the_table(db):
    r = run("diagnose", "--db", db, "--format", "json")
    assert r.exit_code == 0, (r.output, r.exception)
    got = json.loads(r.output)
    expected = FINDINGS.to_dict(orient="records")
    for row in expected:
        row["numbers"] = json.loads(row["numbers"])
    assert got == expected


def test_csv_output_equals_the_table_with_formulas_escaped(db):
    r = run("diagnose", "--db", db, "--format", "csv")
    assert r.exit_code == 0, (r.output, r.exception)
    got = pd.read_csv(io.StringIO(r.output.lstrip("\ufeff")))
    assert list(got.columns) == list(FINDINGS.columns)
    assert got["rank"].tolist() == [1, 2, 3]
    assert got["text_ko"].tolist() == FINDINGS["text_ko"].tolist()
    assert got["text_en"].tolist()[:2] == FINDINGS["text_en"].tolist()[:2]
    assert got["text_en"].iloc[2] == "'" + FINDINGS["text_en"].iloc[2]  # no formula runs
    assert [json.loads(n) for n in got["numbers"]] == [json.loads(n) for n in FINDINGS["numbers"]]


def test_an_unknown_format_is_a_clear_error(db):
    r = run("diagnose", "--db", db, "--format", "xml")
    assert r.exit_code == 2 and "--format text, json or csv" in r.output


def _commands() -> list[list[str]]:
    out: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:
        out.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return out


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "churnlens")
def test_help_is_plain_text(path):
    r = run(*path, "--help", columns=120)
    assert r.exit_code == 0, r.output
    assert not re.search(r"<[a-z\[\]]+>", r.output), r.output  # no <bool>, <str>, <list[str]>
    assert "``" not in r.output
    flags = [m for m in re.finditer(r"^│\s+(--force|--no-serve|--help)(\s+)(\S+)", r.output, re.M)]
    assert any(m.group(1) == "--help" for m in flags), r.output
    for m in flags:
        # a flag takes no value: its help follows its name, no type between them
        assert m.group(3)[0].isupper(), m.group(0)
