"""Source adapters: native files of real shops -> canonical tables.

Each adapter module has a ``load(stage, paths, options) -> dict`` that reads its native files
into the `Stage` and returns facts about the data set (currency, time mode, ...). `ingest`
runs one adapter and publishes its tables to the warehouse.
"""

from __future__ import annotations

KINDS: tuple[str, ...] = ("fashion-campus", "instacart", "online-retail", "generic", "diginetica")
