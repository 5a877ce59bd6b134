"""Analytics stages: pure functions from Ibis tables (and a config) to Ibis tables."""
