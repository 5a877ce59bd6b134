"""The Fashion Campus click stream: one session per booking plus anonymous drop-off sessions.

A booking session starts with HOMEPAGE and ends with BOOKING at the booking's created_at; in
between come HOMEPAGE, SEARCH, ITEM_DETAIL, CLICK, SCROLL, ADD_TO_CART (one per item line, in
product_metadata order, carrying its product_id/quantity/item_price, plus some items added and
dropped), PROMO_PAGE and ADD_PROMO (the booking's promo code and amount). Anonymous sessions
browse and may add to the cart but never book. Gaps between events are mostly short, but a
share are idle gaps of more than 30 minutes, as in the real file whose session ids span long
idle periods. Written in chunks of sessions (`click_chunk_sessions`) to bound memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from churnlens.sources.synthetic import textio
from churnlens.sources.synthetic.fashion_shop import FashionShop
from churnlens.sources.synthetic.process import segment_ranks

HEADER = ("session_id", "event_name", "event_time", "event_id", "traffic_source", "event_metadata")
EVENT_NAMES = (
    "HOMEPAGE", "SEARCH", "ITEM_DETAIL", "CLICK", "SCROLL", "ADD_TO_CART", "PROMO_PAGE", "ADD_PROMO", "BOOKING",
)  # fmt: skip
HOME, SEARCH, DETAIL, CLICK, SCROLL, CART, PROMO_PAGE, ADD_PROMO, BOOKING = range(9)
SECONDHAND_KEYWORDS = ("Bekas", "Barang Bekas", "Second Hand", "Second", "Thrift")
OTHER_KEYWORDS = ("Dress Kondangan", "Tas Wanita", "T-Shirt", "Baju", "Kaos", "Dress Pesta", "Sepatu Nike",
                  "Tas Kerja", "Celana Panjang", "Sepatu", "Sepatu Adidas", "Sendal", "Celana", "T-shirt",
                  "Jam", "Topi", "Baju Tidur", "Daster")  # fmt: skip
_OTHER_KEYWORD_WEIGHTS = (4, 6, 8, 9, 8, 4, 3, 3, 5, 7, 3, 4, 6, 3, 3, 3, 3, 4)
_US_MIN = 60 * textio.US_PER_SECOND
# (low, high) of the ordering keys within a session, per event type
_KEY_RANGE = {SEARCH: (0.02, 0.9), DETAIL: (0.02, 0.9), CLICK: (0.02, 0.9), SCROLL: (0.02, 0.9), HOME: (0.02, 0.9),
              CART: (0.25, 0.93), PROMO_PAGE: (0.5, 0.95)}  # fmt: skip


def _literal_parts(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _anonymous_anchors(rng: np.random.Generator, shop: FashionShop, n_anon: int) -> np.ndarray:
    base = (
        shop.b_us[rng.integers(0, len(shop.b_us), n_anon)]
        if len(shop.b_us)
        else np.full(n_anon, shop.start_us)
    )
    offset = rng.uniform(-1.0, 1.0, n_anon) * textio.US_PER_DAY
    return np.clip(base + offset.astype(np.int64), shop.start_us, shop.end_us - 1)


def write_click_stream(
    fh: IO[bytes],
    shop: FashionShop,
    session_ids: pa.Array,
    rng: np.random.Generator,
    progress: Callable[[str, float], None] | None = None,
) -> dict:
    """Write click_stream.csv rows (header included) and return its facts."""
    cfg = shop.cfg
    n_book = len(shop.b_us)
    share = cfg.anonymous_session_share
    n_anon = int(round(n_book * share / (1.0 - share)))
    anchors = np.concatenate([shop.b_us, _anonymous_anchors(rng, shop, n_anon)])
    booking = np.concatenate([np.arange(n_book), np.full(n_anon, -1)])
    ids = pa.concat_arrays([session_ids.cast(pa.string()), textio.uuid4(rng, n_anon)])
    order = np.argsort(anchors, kind="stable")
    pop = shop.cat.popularity / shop.cat.popularity.sum()
    span = max(shop.end_us - shop.start_us, 1)
    textio.write_header(fh, HEADER)
    counts = np.zeros(len(EVENT_NAMES), dtype=np.int64)
    split_sessions, dwell = 0, []
    step = max(int(cfg.click_chunk_sessions), 1)
    for lo in range(0, len(order), step):
        sel = order[lo : lo + step]
        ev = _events(rng, shop, anchors[sel], booking[sel], pop, span)
        counts += np.bincount(ev["type"], minlength=len(EVENT_NAMES))
        n_split, chunk_dwell = _split_stats(ev, cfg.facts_session_gap_minutes)
        split_sessions += n_split
        dwell.append(chunk_dwell)
        source = np.where(rng.random(len(sel)) < cfg.mobile_share, 0, 1)[ev["session"]]
        textio.write_rows(
            fh,
            [
                pc.take(ids, pa.array(sel[ev["session"]])),
                textio.take_text(EVENT_NAMES, ev["type"]),
                textio.iso_utc(ev["us"]),
                textio.uuid4(rng, len(ev["us"])),
                textio.take_text(("MOBILE", "WEB"), source),
                textio.quote_needed(ev["metadata"]),
            ],
        )
        if progress is not None:
            progress("click_stream", min(1.0, (lo + len(sel)) / len(order)))
    all_dwell = np.concatenate(dwell) if dwell else np.zeros(0)
    return {
        "click_events": int(counts.sum()),
        "click_events_by_name": {name: int(c) for name, c in zip(EVENT_NAMES, counts, strict=True)},
        "sessions": int(len(order)),
        "sessions_without_booking": int(n_anon),
        "sessions_after_gap_split": int(split_sessions),
        "session_split_gap_minutes": float(cfg.facts_session_gap_minutes),
        "median_split_session_dwell_seconds": float(np.median(all_dwell)) if len(all_dwell) else 0.0,
        "median_split_session_dwell_seconds_multi_event": (
            float(np.median(all_dwell[all_dwell > 0])) if (all_dwell > 0).any() else 0.0
        ),
    }


def _events(
    rng, shop: FashionShop, anchor: np.ndarray, booking: np.ndarray, pop: np.ndarray, span: int
) -> dict:
    """Events of a chunk of sessions, sorted by session and time, with their metadata."""
    cfg = shop.cfg
    n = len(anchor)
    is_b = booking >= 0
    b = np.where(is_b, booking, 0)
    promo = is_b & (shop.b_promo_code[b] >= 0)
    g = rng.gamma(cfg.engagement_shape, 1.0 / cfg.engagement_shape, n)
    items = np.where(is_b, shop.b_line_count[b], 0)
    extra_cart = rng.poisson(np.where(is_b, cfg.extra_cart_adds_mean, cfg.anonymous_cart_adds_mean) * g)
    promo_mean = np.where(promo, cfg.promo_page_mean_with_promo, cfg.promo_page_mean_without_promo)
    plan = [
        (HOME, np.ones(n, np.int64), "first"),
        (HOME, rng.poisson(cfg.extra_homepage_mean * g), "range"),
        (SEARCH, rng.poisson(cfg.search_mean * g), "range"),
        (DETAIL, rng.poisson(cfg.item_detail_mean * g), "range"),
        (CLICK, rng.poisson(cfg.click_mean * g), "range"),
        (SCROLL, rng.poisson(cfg.scroll_mean * g), "range"),
        (CART, items, "items"),
        (CART, extra_cart, "range"),
        (PROMO_PAGE, rng.poisson(promo_mean * g), "range"),
        (ADD_PROMO, promo.astype(np.int64), "fixed"),
        (BOOKING, is_b.astype(np.int64), "last"),
    ]
    sessions, types, keys, item_rank, is_item = [], [], [], [], []
    for etype, count, how in plan:
        s, rank = segment_ranks(count)
        if how == "first":
            key = np.zeros(len(s))
        elif how == "items":
            key = 0.25 + 0.68 * (rank + rng.random(len(s))) / np.maximum(count[s], 1)
        elif how == "fixed":
            key = np.full(len(s), 0.97)
        elif how == "last":
            key = np.ones(len(s))
        else:
            low, high = _KEY_RANGE[etype]
            key = rng.uniform(low, high, len(s))
        sessions.append(s)
        types.append(np.full(len(s), etype, dtype=np.int64))
        keys.append(key)
        item_rank.append(rank if how == "items" else np.full(len(s), -1))
        is_item.append(np.full(len(s), how == "items"))
    s, t, k = np.concatenate(sessions), np.concatenate(types), np.concatenate(keys)
    ir, it = np.concatenate(item_rank), np.concatenate(is_item)
    o = np.lexsort((k, s))
    s, t, ir, it = s[o], t[o], ir[o], it[o]
    # gaps to the next event; the last event of a session sits at its anchor
    m = len(s)
    long = rng.random(m) < cfg.long_gap_share
    floor_us = cfg.long_gap_floor_minutes * _US_MIN
    long_gap = floor_us + cfg.long_gap_median_minutes * _US_MIN * np.exp(rng.normal(0, cfg.long_gap_sigma, m))
    short_gap = np.minimum(
        cfg.short_gap_median_seconds * textio.US_PER_SECOND * np.exp(rng.normal(0, cfg.short_gap_sigma, m)),
        floor_us - textio.US_PER_SECOND,
    )
    gap = np.maximum(np.where(long, long_gap, short_gap), 1000).astype(np.int64)
    last = np.ones(m, dtype=bool)
    last[:-1] = s[1:] != s[:-1]
    gap[last] = 0
    c = np.cumsum(gap)
    end_of_session = np.flatnonzero(last)
    suffix = c[end_of_session][s] - c + gap
    us = anchor[s] - suffix
    return {"session": s, "type": t, "us": us, "gap": gap, "last": last,
            "metadata": _metadata(rng, shop, s, t, ir, it, b, us, pop, span)}  # fmt: skip


def _metadata(rng, shop, s, t, item_rank, is_item, b, us, pop, span) -> pa.Array:
    cfg = shop.cfg
    parts, index = [], np.full(len(s), -1, dtype=np.int64)
    offset = 0

    def add(mask: np.ndarray, text: pa.Array) -> None:
        nonlocal offset
        idx = np.flatnonzero(mask)
        index[idx] = offset + np.arange(len(idx))
        parts.append(text)
        offset += len(idx)

    # ADD_TO_CART of booked items
    line = shop.b_line_start[b[s[is_item]]] + item_rank[is_item]
    pid, qty, price = shop.cat.product_id[shop.l_product[line]], shop.l_quantity[line], shop.l_price[line]
    add(is_item, _cart(pid, qty, price))
    extra = (t == CART) & ~is_item
    prod = rng.choice(len(pop), size=int(extra.sum()), p=pop)
    qw = np.asarray(cfg.quantity_weights, float)
    q = rng.choice(len(qw), size=len(prod), p=qw / qw.sum()) + 1
    add(extra, _cart(shop.cat.product_id[prod], q, shop.cat.price[prod]))
    search = t == SEARCH
    frac = (us[search] - shop.start_us) / span
    p2 = cfg.secondhand_share_start + (cfg.secondhand_share_end - cfg.secondhand_share_start) * np.clip(
        frac, 0, 1
    )
    second = rng.random(len(frac)) < p2
    ow = np.asarray(_OTHER_KEYWORD_WEIGHTS, float)
    kw_other = textio.take_text(OTHER_KEYWORDS, rng.choice(len(ow), size=len(frac), p=ow / ow.sum()))
    kw_second = textio.take_text(SECONDHAND_KEYWORDS, rng.integers(0, len(SECONDHAND_KEYWORDS), len(frac)))
    kw = pc.if_else(pa.array(second), kw_second, kw_other)
    add(search, _literal_parts("{'search_keywords': '", kw, "'}"))
    ap = t == ADD_PROMO
    bp = b[s[ap]]
    code = textio.take_text(cfg.promo_codes, np.maximum(shop.b_promo_code[bp], 0))
    amount = textio.ints(shop.b_promo_amount[bp])
    add(ap, _literal_parts("{'promo_code': '", code, "', 'promo_amount': ", amount, "}"))
    bk = t == BOOKING
    status = textio.take_text(("Failed", "Success"), shop.b_paid[b[s[bk]]].astype(np.int64))
    add(bk, _literal_parts("{'payment_status': '", status, "'}"))
    parts.append(pa.array([None], pa.string()))
    index[index < 0] = offset
    return pc.take(pa.concat_arrays(parts), pa.array(index))


def _cart(pid: np.ndarray, qty: np.ndarray, price: np.ndarray) -> pa.Array:
    return _literal_parts(
        "{'product_id': ", textio.ints(pid), ", 'quantity': ", textio.ints(qty), ", 'item_price': ",
        textio.ints(price), "}",
    )  # fmt: skip


def _split_stats(ev: dict, gap_minutes: float) -> tuple[int, np.ndarray]:
    """Sessions after splitting at ``gap_minutes`` of inactivity, and their dwell in seconds."""
    us, last = ev["us"], ev["last"]
    new = np.ones(len(us), dtype=bool)  # an event opens a new split session
    new[1:] = last[:-1] | (us[1:] - us[:-1] > gap_minutes * _US_MIN)
    ends = np.append(new[1:], True)  # the event before an opening one closes a split session
    return int(new.sum()), (us[ends] - us[new]) / textio.US_PER_SECOND
