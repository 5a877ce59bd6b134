"""DIGINETICA (CIKM Cup 2016) item-view click streams.

One ``;``-separated file ``session_id;user_id;item_id;timeframe;eventdate``: ``timeframe`` is
milliseconds since the session's start and ``eventdate`` its day, so an event happens at
``eventdate + timeframe ms``. ``user_id`` ``NA`` marks an anonymous session. Every row is an
item view (canonical ``view_item``); the event id is ``<session>-<line>`` since the source has
none. The data set has no orders: only click-stream analyses run on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from churnlens.errors import DataError
from churnlens.sources.files import expand
from churnlens.sources.sql import ident, whole
from churnlens.sources.staging import Check, Stage

COLUMNS = ["session_id", "user_id", "item_id", "timeframe", "eventdate"]


def load(stage: Stage, paths: list[Path], options: dict[str, Any], progress) -> dict[str, Any]:
    files = expand(paths, (".csv",))
    if len(files) != 1:
        raise DataError(
            f"Expected one item-views file, found {len(files)}.",
            file=", ".join(map(str, paths)),
            fix="Pass the train-item-views CSV file itself.",
        )
    raw = stage.read_csv(files[0], target="events", required=COLUMNS, name="views", delim=";")
    session, timeframe = whole(ident("session_id")), whole(ident("timeframe"), signed=False)
    good = stage.validate(
        raw,
        target="events",
        checks=[
            Check("session_id", f"{session} IS NULL", "not a whole number", "session_id must be an integer."),
            Check("item_id", "item_id IS NULL OR item_id = ''", "missing", "Every view needs its item_id.",
                  show_value=False),
            Check("timeframe", f"{timeframe} IS NULL", "not a non-negative whole number of milliseconds",
                  "timeframe is ms since the session start."),
            Check("eventdate", "TRY_CAST(eventdate AS DATE) IS NULL", "not a date", "Write eventdate as YYYY-MM-DD."),
            stage.time_check("eventdate", "CAST(TRY_CAST(eventdate AS DATE) AS TIMESTAMP)", "Check eventdate."),
        ],
    )  # fmt: skip
    stage.stage(
        "events",
        f"""SELECT CAST({session} AS VARCHAR) || '-' || _line AS event_id, CAST({session} AS VARCHAR) AS session_id,
            CASE WHEN user_id IS NULL OR user_id IN ('', 'NA') THEN NULL ELSE user_id END AS customer_id,
            CAST(TRY_CAST(eventdate AS DATE) AS TIMESTAMP)
              + to_milliseconds({timeframe}) AS event_ts,
            'view_item' AS event_type, 'item_view' AS raw_event_name, item_id AS product_id
            FROM {ident(good)} ORDER BY _line""",
    )
    stage.drop(raw, good)
    return {"currency": None, "time_mode": "calendar", "prices": False}
