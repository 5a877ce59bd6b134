"""Streamlit entry point of the churnlens dashboard.

The warehouse comes from the ``CHURNLENS_DB`` environment variable, set by `churnlens serve`
(never from the page). An optional password comes from ``CHURNLENS_PASSWORD`` or the
Streamlit secret ``password``. The sidebar switches the language; every page is a
``render(ctx)`` function (see `views`), which `run_page` calls directly for tests.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from churnlens import strings
from churnlens.app import data
from churnlens.app.context import Ctx
from churnlens.app.views import ICONS, PAGES

DB_ENV = "CHURNLENS_DB"
LANG_ENV = "CHURNLENS_LANG"
PASSWORD_ENV = "CHURNLENS_PASSWORD"
DEFAULT_PAGE = "overview"
# The browser tab's icon, shipped with the package: served from 127.0.0.1 like everything else
# (Streamlit fetches a Material icon from an outside font host). A comment, not a string: this
# file runs as the Streamlit script, which would print a bare string on every page.
PAGE_ICON = Path(__file__).resolve().parent / "assets" / "icon.png"


def db_path() -> str:
    return os.environ.get(DB_ENV, "churnlens.duckdb")


def expected_password() -> str | None:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        value = st.secrets.get("password")
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        return None
    return str(value) if value else None


def choose_language(default: str | None = None) -> str:
    default = default or os.environ.get(LANG_ENV, "en")
    if "lang" not in st.session_state:
        st.session_state["lang"] = default if default in strings.LANGS else "en"
    options = list(strings.LANGS)
    return st.sidebar.radio(
        strings.tr(st.session_state["lang"], "language"),
        options,
        format_func=strings.LANGS.get,
        horizontal=True,
        key="lang",
    )


def password_ok(lang: str) -> bool:
    expected = expected_password()
    if not expected or st.session_state.get("authenticated"):
        return True
    typed = st.text_input(
        strings.tr(lang, "password"), type="password", help=strings.tr(lang, "password_help")
    )
    if typed and hmac.compare_digest(typed.encode(), expected.encode()):
        st.session_state["authenticated"] = True
        st.rerun()
    if typed:
        st.error(strings.tr(lang, "password_wrong"))
    return False


def open_context(db: str, lang: str) -> Ctx | None:
    name = os.path.basename(db)
    if not data.exists(db):
        st.warning(strings.tr(lang, "no_db", path=name))
        return None
    try:
        return Ctx.open(db, lang)
    except Exception as exc:  # noqa: BLE001 - a locked or broken file is explained, not raised
        st.warning(strings.tr(lang, "db_busy", path=name, error=type(exc).__name__))
        return None


def sidebar(ctx: Ctx) -> None:
    info = ctx.info
    lines = []
    if info.get("source_kind"):
        lines.append(ctx.t("sidebar_source", kind=info["source_kind"]))
    if ctx.currency:
        lines.append(ctx.t("sidebar_currency", currency=ctx.currency))
    elif info:
        lines.append(ctx.t("sidebar_no_prices"))
    if info.get("last_run"):
        lines.append(ctx.t("sidebar_last_run", when=ctx.date(info["last_run"][:10])))
    if lines:
        st.sidebar.caption("  \n".join(lines))
    ctx.stale_banner()


def _page_function(key: str, holder: dict[str, Ctx]) -> Callable[[], None]:
    def page() -> None:
        PAGES[key].render(holder["ctx"])

    page.__name__ = f"page_{key}"
    return page


def main() -> None:
    st.set_page_config(page_title="churnlens", page_icon=str(PAGE_ICON), layout="wide")
    lang = choose_language()
    if not password_ok(lang):
        return
    ctx = open_context(db_path(), lang)
    if ctx is None:
        return
    sidebar(ctx)
    holder = {"ctx": ctx}
    pages = [
        st.Page(
            _page_function(key, holder),
            title=ctx.t(f"page_{key}"),
            icon=ICONS[key],
            url_path=None if key == DEFAULT_PAGE else key,
            default=key == DEFAULT_PAGE,
        )
        for key in PAGES
    ]
    # The default page lives at "/"; its own address works too (links, bookmarks).
    alias = _page_function(DEFAULT_PAGE, holder)
    alias.__name__ = f"page_{DEFAULT_PAGE}_address"
    pages.append(
        st.Page(alias, title=ctx.t(f"page_{DEFAULT_PAGE}"), url_path=DEFAULT_PAGE, visibility="hidden")
    )
    st.navigation(pages).run()


def run_page(key: str, db: str | None = None, lang: str | None = None) -> None:
    """Render one page as the app would (language switch, password, sidebar): for tests."""
    lang = choose_language(lang)
    if not password_ok(lang):
        return
    ctx = open_context(db or db_path(), lang)
    if ctx is None:
        return
    sidebar(ctx)
    PAGES[key].render(ctx)


if __name__ == "__main__":
    main()
