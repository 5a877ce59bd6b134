"""Sales-decline diagnosis: sales over time, revenue bridge, promotions, acquisition, findings.

Each module holds plain functions from Ibis tables (and a config section) to Ibis expressions;
`stage` runs them for the pipeline and `findings` turns the computed tables into a ranked
list of plain-language findings in English and Korean.
"""
