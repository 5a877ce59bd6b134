"""Start the dashboard: Streamlit in this process, on 127.0.0.1 unless told otherwise.

Usage statistics are off, the server is headless (no browser is opened) and the file
watcher is off; the settings are passed as flags and also kept in the app's own
``.streamlit/config.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path

from churnlens.errors import DataError

APP_DIR = Path(__file__).resolve().parent
MAIN = APP_DIR / "main.py"


def flag_options(port: int, host: str) -> dict[str, object]:
    return {
        "server.port": port,
        "server.address": host,
        "server.headless": True,
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "browser.gatherUsageStats": False,
        "browser.serverAddress": host,
        "global.developmentMode": False,
        "client.toolbarMode": "minimal",
        "client.showErrorDetails": "none",
    }


def url(host: str, port: int) -> str:
    return f"http://{host}:{port}"


def prepare(db: str | Path, lang: str = "en", engine: str = "duckdb") -> Path:
    """Check the warehouse (a DuckDB file, or a Spark warehouse directory) and hand it and its
    engine to the app through the environment."""
    from churnlens.app.data import ENGINE_ENV

    path = Path(db).resolve()
    if not (path.is_file() if engine == "duckdb" else path.is_dir()):
        raise DataError(
            "The warehouse file does not exist."
            if engine == "duckdb"
            else "The Spark warehouse does not exist.",
            file=str(path),
            fix="Ingest a shop and run the pipeline first (`churnlens demo` builds one).",
        )
    os.environ["CHURNLENS_DB"] = str(path)
    os.environ[ENGINE_ENV] = engine
    os.environ["CHURNLENS_LANG"] = lang
    os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return path


def preload() -> None:
    """Import the app's pages and what they draw with (pandas, Ibis, Plotly), and build one
    figure, before the first visitor: the server starts a little later and the first page
    answers without paying for them."""
    import ibis
    import plotly.graph_objects as go

    import churnlens.app.main  # noqa: F401 - the pages, their queries and strings
    from churnlens.presentation import charts

    ibis.duckdb.connect().disconnect()  # Ibis loads a backend (and its SQL compiler) on first use
    charts.style(go.Figure(go.Scatter(x=[0], y=[0]))).to_json()


def serve(
    db: str | Path, port: int = 8501, host: str = "127.0.0.1", lang: str = "en", engine: str = "duckdb"
) -> None:
    """Serve the dashboard for warehouse ``db`` until interrupted."""
    from streamlit import config as st_config
    from streamlit.web import bootstrap

    prepare(db, lang, engine)
    preload()
    st_config._main_script_path = str(MAIN)
    flags = flag_options(port, host)
    bootstrap.load_config_options(flag_options=flags)
    bootstrap.run(str(MAIN), False, [], flags)
