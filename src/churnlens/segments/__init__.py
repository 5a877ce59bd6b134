"""Customer segments: RFM scores and named segments, demographic segments.

Every function takes Ibis tables (and a config section) and returns an Ibis expression; the
`stage` module wires them into the pipeline (results ``rfm``, ``segment_summary`` and
``demographic_segments``).
"""
