"""The churnlens dashboard (Streamlit): result tables shown in English and Korean.

`main.py` is the Streamlit entry point; each page is a module in `views/` with a
``render(ctx)`` function; `data.py` holds the read-only cached queries, `charts.py` the Plotly
figures, `i18n.py` every string in both languages. `server.serve` starts it on 127.0.0.1.
"""
