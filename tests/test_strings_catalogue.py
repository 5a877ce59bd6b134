"""One catalogue of one shape holds every word churnlens shows: `churnlens.strings`.

Every key has an English and a Korean text with the same placeholders; a key is defined in one
domain module only; a segment or state is named in one place; and the modules that once held
their own words (the findings, the reasons, the action sentences, the pages, the report) hold no
Korean and no English sentence of their own (checked on their parsed source).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from churnlens import strings
from churnlens.config import RFMConfig
from churnlens.playbook.states import STATES
from churnlens.segments.rfm import SEGMENTS

PACKAGE = Path(strings.__file__).resolve().parents[1]
TABLES = ("STRINGS", "COLUMNS", "VALUES")
HANGUL = re.compile("[\uac00-\ud7a3]")
#: Three or more words of letters: an English phrase, not a code or a single unit.
PHRASE = re.compile(r"[A-Za-z][a-z']*(?: [A-Za-z][a-z',]*){2,}")

#: Modules whose Korean is a number or date format (년 월 일, 만 억 조, 원), not a word.
FORMAT_MODULES = {
    "presentation/i18n.py",
    "presentation/charts.py",
    "diagnosis/formats.py",
    "app/compare.py",
}
#: The feature declarations of the churn model: each feature's meaning and Korean label.
FEATURE_DECLARATIONS = {"churn/feature_docs.py"}
#: Modules that wrote their own sentences or labels before the catalogue, and must not again.
SENTENCE_MODULES = (
    "diagnosis/revenue_rules.py",
    "diagnosis/promo_rules.py",
    "diagnosis/seasonal.py",
    "diagnosis/finding.py",
    "diagnosis/formats.py",
    "churn/reasons.py",
    "churn/verdict.py",
    "churn/window.py",
    "playbook/sentences.py",
    "playbook/states.py",
    "presentation/i18n.py",
    "presentation/words.py",
    "report.py",
    "report_churn.py",
    "report_decisions.py",
    "report_parts.py",
    "report_sections.py",
    "findings_output.py",
)
#: Literals of those modules that are codes or settings, not words shown as such.
NOT_WORDS = {
    "second to fourth order",  # uplift segment codes (their words: report_uplift_<code>)
    "fifth order or later",
}


def domain_tables():
    for module in strings.DOMAINS:
        for name in TABLES:
            if hasattr(module, name):
                yield module.__name__.rsplit(".", 1)[1], name, getattr(module, name)


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize(
    ("domain", "name", "table"), list(domain_tables()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_key_has_both_languages_with_the_same_placeholders(domain, name, table):
    assert table, f"{domain}.{name} is empty"
    for key, pair in table.items():
        assert isinstance(key, str) and isinstance(pair, tuple) and len(pair) == 2, (domain, key)
        en, ko = pair
        assert isinstance(en, str) and isinstance(ko, str) and en.strip() and ko.strip(), (domain, key)
        assert placeholders(en) == placeholders(ko), (domain, key, placeholders(en), placeholders(ko))
        values = {field: "X" for field in placeholders(en)}
        en.format(**values), ko.format(**values)  # no stray braces


def test_the_merged_tables_are_the_domain_tables_and_refuse_a_second_definition():
    for name in TABLES:
        total = sum(len(getattr(m, name, {})) for m in strings.DOMAINS)
        assert len(getattr(strings, name)) == total, name  # no key was dropped or merged away

    class Planted:
        __name__ = "churnlens.strings.planted"
        STRINGS = {"page_overview": ("Overview", "개요")}

    with pytest.raises(ValueError, match="page_overview"):
        strings.merged("STRINGS", (*strings.DOMAINS, Planted))


def test_lookup_fills_placeholders_and_korean_particles():
    en, ko = strings.both("kpi_help", period=strings.pair("Jul 2022", "2022년 7월"), previous="2022년 6월")
    assert en == "Jul 2022 compared with 2022년 6월."
    assert ko == "2022년 7월을 2022년 6월과 비교했습니다."
    assert strings.tr("ko", "no_such_key") == "no_such_key"
    assert strings.column_label("en", "days_since_last") == "Days since last"


def segment_and_state_codes() -> set[str]:
    rfm = {rule[0] for rule in RFMConfig().segment_rules} | set(SEGMENTS)
    return rfm | {"new_customer", "guests", "unscored"} | set(STATES)


def test_segment_and_state_names_are_defined_once():
    codes = segment_and_state_codes()
    missing = sorted(codes - set(strings.values.VALUES))
    assert not missing, f"no name in churnlens.strings.values for {missing}"
    # A Korean name may also be another word ("이탈 위험" is the churn page's title): the English
    # names are looked for as they are, the Korean ones as the second half of an (English, Korean) pair.
    english = {strings.values.VALUES[code][0] for code in codes}
    pairs = {strings.values.VALUES[code] for code in codes}
    elsewhere = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == Path(strings.values.__file__):
            continue
        elsewhere += [
            f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
            for line, text in literals(path)
            if text in english
        ]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple) and all(isinstance(v, ast.Constant) for v in node.elts):
                if tuple(v.value for v in node.elts) in pairs:
                    elsewhere.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(node)}")
    assert elsewhere == []


def literals(path: Path):
    """String constants of a module with their lines, without docstrings and exception messages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))  # docstrings and attribute docs
        if isinstance(node, ast.Raise):
            skipped.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            yield node.lineno, node.value


def test_no_korean_word_outside_the_catalogue():
    found = [
        f"{rel}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "strings" not in path.relative_to(PACKAGE).parts
        and (rel := path.relative_to(PACKAGE).as_posix()) not in FORMAT_MODULES | FEATURE_DECLARATIONS
        for line, text in literals(path)
        if HANGUL.search(text)
    ]
    assert found == []


@pytest.mark.parametrize("module", SENTENCE_MODULES)
def test_no_english_phrase_left_in_the_modules_that_held_words(module):
    found = [
        f"{line}: {text!r}"
        for line, text in literals(PACKAGE / module)
        if PHRASE.search(text) and text not in NOT_WORDS
    ]
    assert found == []


def test_the_scans_see_a_planted_sentence(tmp_path):
    """The scans can fail: a sentence written in a module is found, its docstring is not."""
    planted = tmp_path / "planted.py"
    planted.write_text(
        '"""Docs in English words."""\nTEXT = ("Revenue fell a lot", "매출 감소")\n', encoding="utf-8"
    )
    texts = [text for _, text in literals(planted)]
    assert texts == ["Revenue fell a lot", "매출 감소"]
    assert PHRASE.search(texts[0]) and HANGUL.search(texts[1])
