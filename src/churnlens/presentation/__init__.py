"""What the dashboard and the report both show: strings in English and Korean, value formats and charts.

Neither Streamlit nor any page lives here; `churnlens.app` and the report import from this package.
"""
