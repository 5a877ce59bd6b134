"""The catalogue: every word churnlens shows a person, in English and Korean, in one shape.

The dashboard, the report, the CLI and the stages that write sentences into result tables (the
findings, the churn reasons, the action sentences) all take their words from here. Each domain
module holds up to three tables, all of the shape ``{key: (english, korean)}``:

- ``STRINGS``: labels and sentences, with ``{placeholders}``, looked up by `tr`;
- ``COLUMNS``: headers of result-table columns, looked up by `column_label`;
- ``VALUES``: category values that tables store as codes (segment, state, action and event names),
  looked up by `value_label`. A segment or a state is named in one place, `churnlens.strings.values`.

A key is defined in one module only (`merged` refuses a second definition). In Korean, `tr` resolves
the both-form particles of a template (``{period}을(를)``) from the word filled in before them
(`churnlens.strings.korean`).

This package imports nothing else of churnlens, so the stages and the readers may both use it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, NamedTuple

from churnlens.strings import app, churn, columns, findings, pages, playbook, report, values
from churnlens.strings.korean import particles

LANGS: dict[str, str] = {"en": "English", "ko": "한국어"}

#: The domain modules, in the order their tables are merged.
DOMAINS: tuple[ModuleType, ...] = (app, pages, report, columns, values, findings, churn, playbook)

Table = dict[str, tuple[str, str]]


def merged(name: str, domains: tuple[ModuleType, ...] = DOMAINS) -> Table:
    """Table ``name`` (``STRINGS``, ``COLUMNS`` or ``VALUES``) of every domain module, as one mapping;
    a key defined in two modules raises ValueError."""
    out: Table = {}
    where: dict[str, str] = {}
    for module in domains:
        for key, pair in getattr(module, name, {}).items():
            if key in out:
                raise ValueError(f"{name} key {key!r} is defined in {where[key]} and in {module.__name__}")
            out[key], where[key] = pair, module.__name__
    return out


STRINGS: Table = merged("STRINGS")
COLUMNS: Table = merged("COLUMNS")
VALUES: Table = merged("VALUES")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1 if lang == "ko" else 0]


def tr(lang: str, key: str, **values: Any) -> str:
    """The string ``key`` in ``lang`` with its placeholders filled (and, in Korean, its particles
    chosen); the key itself if unknown."""
    pair = STRINGS.get(key)
    text = key if pair is None else _pick(pair, lang)
    text = text.format(**values) if values else text
    return particles(text) if lang == "ko" else text


class Pair(NamedTuple):
    """One text in both languages."""

    en: str
    ko: str

    def __call__(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


def both(key: str, **values: Any) -> Pair:
    """`tr` in English and in Korean, for tables that store a sentence in both languages; a value
    given as a `Pair` is filled in each language with its own text."""
    return Pair(
        *(
            tr(lang, key, **{k: v(lang) if isinstance(v, Pair) else v for k, v in values.items()})
            for lang in ("en", "ko")
        )
    )


def pair(en: Any, ko: Any) -> Pair:
    """A value that differs by language (a formatted period or amount), for `both`."""
    return Pair(str(en), str(ko))


def column_label(lang: str, column: str) -> str:
    """Header of a result-table column in ``lang``; an unlisted column by its name made readable
    (``days_since_last`` -> ``Days since last``), so a new result table never breaks a page."""
    if column in COLUMNS:
        return _pick(COLUMNS[column], lang)
    if column.startswith("text_") or column.endswith(("_en", "_ko")):
        return _pick(COLUMNS["text"], lang)
    return column.replace("_", " ").capitalize()


def value_label(lang: str, value: object) -> str:
    """A category value stored as a code (``cant_lose``) in ``lang``; other values unchanged."""
    key = str(value)
    pair = VALUES.get(key)
    return key if pair is None else _pick(pair, lang)


def with_currency(body: str, lang: str, currency: str | None) -> str:
    """A formatted amount labelled with the currency code (``IDR 1,234``, ``1,234 IDR``, ``1,234원``);
    without prices (currency None) the amount counts items."""
    if currency is None:
        return f"{body} {tr(lang, 'unit_items')}"
    if lang == "ko":
        return f"{body}원" if currency == "KRW" else f"{body} {currency}"
    return f"{currency} {body}"
