"""What the dashboard and the report both show: value formats and charts (their words come from
the catalogue, `churnlens.strings`).

Neither Streamlit nor any page lives here; `churnlens.app` and the report import from this package.
"""
