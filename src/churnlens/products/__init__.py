"""Products: performance, repeat behaviour, baskets, and which products lose customers.

Every function takes Ibis tables (and a config section) and returns an Ibis expression, so the
heavy work stays in the engine (DuckDB or Spark). `stage` wires them into the pipeline
(results ``product_stats``, ``product_highlights``, ``product_repeat``, ``cart_positions``,
``cart_conversion``, ``basket_rules`` and ``churn_products``).
"""
