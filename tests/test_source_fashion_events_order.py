"""Click-stream events keep their file order and each its own session's customer, also when
repeated ids and failing rows are taken out (the customers are set beside them by position)."""

from __future__ import annotations

import duckdb

from churnlens.config import ChurnlensConfig
from churnlens.sources import fashion_campus as fc
from churnlens.sources.staging import Stage

TX_HEADER = ("created_at,customer_id,booking_id,session_id,product_metadata,payment_method,payment_status,"
             "promo_amount,promo_code,shipment_fee,total_amount\n")  # fmt: skip


def test_events_in_file_order_with_their_sessions_customers(tmp_path):
    n_sessions = 400
    with open(tmp_path / "transactions.csv", "w") as fh:
        fh.write(TX_HEADER)
        for s in range(0, n_sessions, 2):  # every other session has a booking, by customer 1000 + s
            meta = "\"[{'product_id': 5, 'quantity': 1, 'item_price': 100}]\""
            fh.write(f"2020-01-01T10:00:00Z,{1000 + s},b{s},s{s},{meta},Card,Success,0,,10,110\n")
    expected = []  # (event_id, session, customer) in file order, as churnlens must keep them
    with open(tmp_path / "click_stream.csv", "w") as fh:
        fh.write("session_id,event_name,event_time,event_id,traffic_source,event_metadata\n")
        k, kept = 0, set()
        for rep in range(30):
            for s in range(n_sessions):
                k += 1
                eid = f"e{k}"
                if k % 89 == 0:  # an unknown event name: rejected
                    fh.write(f"s{s},NOPE,2020-01-01T10:00:00Z,{eid},WEB,\n")
                    continue
                if k % 97 == 0:  # an id of an earlier line: rejected if that line was kept
                    eid = f"e{k - 50}"
                if eid not in kept:
                    kept.add(eid)
                    expected.append((eid, f"s{s}", str(1000 + s) if s % 2 == 0 else None))
                fh.write(f"s{s},CLICK,2020-01-01T10:{rep:02d}:00Z,{eid},WEB,\n")
    stage = Stage(duckdb.connect(), ChurnlensConfig(), "fashion-campus")
    fc._transactions(stage, tmp_path / "transactions.csv")
    fc._events(stage, tmp_path / "click_stream.csv")
    got = stage.con.execute(
        f'SELECT event_id, session_id, customer_id FROM "{stage.staged["events"]}" ORDER BY rowid'
    ).fetchall()
    assert got == expected
    c = stage.count("events")
    assert (c.read, c.stored, c.rejected) == (30 * n_sessions, len(expected), 30 * n_sessions - len(expected))
