"""The latent purchase and dropout process (BG/NBD-style), simulated exactly and vectorised.

For customer i with purchase rate lambda_i (per day) and dropout probability p_i:

1. The first purchase happens at the customer's start time s_i (the sign-up).
2. While alive, purchases arrive as a Poisson process with intensity ``lambda_i * w(t)`` (the
   weekly profile of `timeline.ShopClock`, mean 1): on the shop clock a homogeneous process.
3. Right after *each* purchase (the first one included) the customer drops out for good with
   probability p_i, so the number of purchases before dropping out is Geometric(p_i).
4. Optionally (planted lapse), from a start time D on the customer also drops out at a constant
   hazard h_i per shop-clock day, whether or not they buy.

The simulation draws, per customer, K ~ Geometric(p) and the number M ~ Poisson(lambda * T) of
arrivals in the observation span T after the first purchase; only the first ``min(K-1, M)``
arrival times are materialised, from the Renyi representation of uniform order statistics (the
k-th of M sorted uniforms is S_k / (S_j + G) with S the partial sums of j unit exponentials and
G ~ Gamma(M + 1 - j)). Memory is proportional to the purchases kept, not to K or M.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.sources.synthetic.timeline import ShopClock

#: dropout_cause codes
ALIVE, DROPOUT_AFTER_PURCHASE, PLANTED_LAPSE = 0, 1, 2
DROPOUT_CAUSES = {ALIVE: None, DROPOUT_AFTER_PURCHASE: "after_purchase", PLANTED_LAPSE: "planted_lapse"}


@dataclass
class PurchaseHistory:
    """Purchases of all customers, sorted by customer and then time.

    ``customer`` indexes the customer arrays; ``clock`` is in shop-clock days and ``us`` in
    calendar microseconds since the epoch. Per customer: ``count`` purchases, ``dropout_clock``
    (NaN when still alive at the end of the span) and ``dropout_cause`` (see DROPOUT_CAUSES).
    """

    customer: np.ndarray
    clock: np.ndarray
    us: np.ndarray
    count: np.ndarray
    first_index: np.ndarray
    dropout_clock: np.ndarray
    dropout_cause: np.ndarray


def signup_times(rng: np.random.Generator, n: int, start_us: int, stop_us: int, growth: float) -> np.ndarray:
    """Sign-up times on [start, stop) with density proportional to exp(growth * x), x in [0, 1)."""
    u = rng.random(n)
    x = u if abs(growth) < 1e-12 else np.log1p(u * np.expm1(growth)) / growth
    return (start_us + x * (stop_us - start_us)).astype(np.int64)


def segment_ranks(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes laid end to end: the group of each slot and its rank in it."""
    counts = np.asarray(counts, dtype=np.int64)
    group = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return group, np.arange(counts.sum()) - starts[group]


def simulate(
    rng: np.random.Generator,
    clock: ShopClock,
    start_us: np.ndarray,
    end_us: int,
    rate: np.ndarray,
    dropout: np.ndarray,
    lapse_start_us: int | None = None,
    lapse_hazard: np.ndarray | None = None,
) -> PurchaseHistory:
    """Simulate every customer's purchases from their start up to ``end_us`` (exclusive).

    ``lapse_hazard`` (per shop-clock day, 0 for customers without a planted lapse) acts from
    ``lapse_start_us`` on; a customer with a positive hazard must start before that time.
    """
    n = len(start_us)
    tau_start = clock.to_clock(start_us)
    tau_end = float(clock.to_clock(np.int64(end_us)))
    span = np.maximum(tau_end - tau_start, 0.0)
    k = rng.geometric(np.clip(dropout, 1e-12, 1.0))
    m = rng.poisson(rate * span)
    j = np.minimum(k - 1, m)
    group, rank = segment_ranks(j)
    partial = np.cumsum(rng.exponential(size=int(j.sum())))
    ends = np.cumsum(j)
    before = np.concatenate([[0.0], partial])[ends - j]  # partial sum before each group
    within = partial - before[group]
    total_j = np.concatenate([[0.0], partial])[ends] - before
    denom = total_j + rng.gamma(m + 1 - j)
    arrivals = tau_start[group] + span[group] * within / denom[group]
    # lay out: the first purchase at the start, then the arrivals
    count = 1 + j
    first_index = np.cumsum(count) - count
    times = np.empty(int(count.sum()))
    times[first_index] = tau_start
    times[first_index[group] + 1 + rank] = arrivals
    customer = np.repeat(np.arange(n), count)
    dropped_by_coin = k - 1 <= m
    coin_time = np.where(dropped_by_coin, times[first_index + count - 1], np.inf)

    exp_draw = rng.exponential(size=n)
    lapse_time = np.full(n, np.inf)
    if lapse_hazard is not None and lapse_start_us is not None:
        h = np.asarray(lapse_hazard, dtype=np.float64)
        tau_lapse = float(clock.to_clock(np.int64(lapse_start_us)))
        lapse_time = np.where(h > 0, tau_lapse + exp_draw / np.where(h > 0, h, 1.0), np.inf)
        keep = times <= lapse_time[customer]
        times, customer = times[keep], customer[keep]
        count = np.bincount(customer, minlength=n)
        first_index = np.cumsum(count) - count
    cause = np.full(n, ALIVE, dtype=np.int8)
    dropout_clock = np.full(n, np.nan)
    by_coin = dropped_by_coin & (coin_time <= lapse_time)
    cause[by_coin] = DROPOUT_AFTER_PURCHASE
    dropout_clock[by_coin] = coin_time[by_coin]
    by_lapse = ~by_coin & (lapse_time < tau_end)
    cause[by_lapse] = PLANTED_LAPSE
    dropout_clock[by_lapse] = lapse_time[by_lapse]
    return PurchaseHistory(
        customer=customer,
        clock=times,
        us=clock.to_calendar(times),
        count=count,
        first_index=first_index,
        dropout_clock=dropout_clock,
        dropout_cause=cause,
    )


def keep_last(history: PurchaseHistory, max_count: int) -> PurchaseHistory:
    """Keep at most the last ``max_count`` purchases of every customer."""
    _, rank = segment_ranks(history.count)
    return select(history, rank >= (history.count - max_count)[history.customer])


def select(history: PurchaseHistory, keep: np.ndarray) -> PurchaseHistory:
    """The purchases where ``keep`` holds (the customers' latents unchanged)."""
    count = np.bincount(history.customer[keep], minlength=len(history.count)).astype(history.count.dtype)
    return PurchaseHistory(
        customer=history.customer[keep],
        clock=history.clock[keep],
        us=history.us[keep],
        count=count,
        first_index=np.cumsum(count) - count,
        dropout_clock=history.dropout_clock,
        dropout_cause=history.dropout_cause,
    )


def value_rank_targets(score: np.ndarray, eligible: np.ndarray, share: float) -> np.ndarray:
    """Boolean mask of the top ``share`` of the eligible customers by ``score``."""
    target = np.zeros(len(score), dtype=bool)
    idx = np.flatnonzero(eligible)
    n_target = int(round(share * len(idx)))
    if n_target > 0:
        top = idx[np.argsort(-score[idx], kind="stable")[:n_target]]
        target[top] = True
    return target
