"""The weekly purchase-intensity profile and the "shop clock" built on it.

Purchases of a customer with rate lambda (per day) arrive as a Poisson process with intensity
``lambda * w(t)``, where ``w`` is a weekly profile: 168 hourly values, indexed by the hour of
the week in UTC counted from Monday 00:00, with mean 1 (so lambda is still the mean number of
purchases per day). The process is simulated on the *shop clock*

    tau(t) = integral of w from the epoch to t, in days,

on which it is an ordinary homogeneous Poisson process, then mapped back to calendar time
with the inverse clock. `tau` is piecewise linear, so both directions are exact (up to float64
rounding: a round trip moves a time by at most a few microseconds) and vectorised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

HOURS_PER_WEEK = 168
_US_PER_HOUR = 3_600_000_000
#: 1970-01-01 (the epoch) was a Thursday: 72 hours after Monday 00:00.
_EPOCH_HOUR_OF_WEEK = 72


def weekly_profile(
    weekday_weights: Sequence[float], hour_weights: Sequence[float], utc_offset_hours: int = 0
) -> np.ndarray:
    """The 168-hour profile in UTC from local weekday (Monday first) and hour weights, mean 1."""
    local = np.outer(np.asarray(weekday_weights, float), np.asarray(hour_weights, float)).ravel()
    # UTC hour-of-week j is local hour-of-week j + offset.
    utc = local[(np.arange(HOURS_PER_WEEK) + utc_offset_hours) % HOURS_PER_WEEK]
    return utc / utc.mean()


def sunday_first_to_monday_first(weights: Sequence[float]) -> tuple[float, ...]:
    """Reorder 7 weekday weights given Sunday first (Instacart's order_dow 0) to Monday first."""
    w = tuple(float(x) for x in weights)
    return w[1:] + w[:1]


class ShopClock:
    """Maps calendar time (microseconds since the epoch, UTC) to shop-clock days and back.

    Parameters
    ----------
    profile:
        168 positive hourly intensities, UTC, Monday 00:00 first; normalised to mean 1.
    """

    def __init__(self, profile: Sequence[float]) -> None:
        w = np.asarray(profile, dtype=np.float64)
        if w.shape != (HOURS_PER_WEEK,) or np.any(w <= 0):
            raise ValueError("a weekly profile needs 168 positive values")
        self.profile = w / w.mean()
        self._cum = np.concatenate([[0.0], np.cumsum(self.profile)])
        self._cum[-1] = float(HOURS_PER_WEEK)

    def to_clock(self, us: np.ndarray | int) -> np.ndarray:
        """Shop-clock days (float) of calendar times given in microseconds since the epoch."""
        hours = np.asarray(us, dtype=np.float64) / _US_PER_HOUR + _EPOCH_HOUR_OF_WEEK
        weeks = np.floor(hours / HOURS_PER_WEEK)
        rest = hours - weeks * HOURS_PER_WEEK
        k = np.clip(np.floor(rest).astype(np.int64), 0, HOURS_PER_WEEK - 1)
        clock_hours = weeks * HOURS_PER_WEEK + self._cum[k] + self.profile[k] * (rest - k)
        return clock_hours / 24.0

    def to_calendar(self, days: np.ndarray | float) -> np.ndarray:
        """Calendar microseconds since the epoch (int64) of shop-clock days."""
        clock_hours = np.asarray(days, dtype=np.float64) * 24.0
        weeks = np.floor(clock_hours / HOURS_PER_WEEK)
        rest = clock_hours - weeks * HOURS_PER_WEEK
        k = np.clip(np.searchsorted(self._cum, rest, side="right") - 1, 0, HOURS_PER_WEEK - 1)
        hours = weeks * HOURS_PER_WEEK + k + (rest - self._cum[k]) / self.profile[k]
        return np.rint((hours - _EPOCH_HOUR_OF_WEEK) * _US_PER_HOUR).astype(np.int64)

    def integral(self, start_us: np.ndarray, stop_us: np.ndarray) -> np.ndarray:
        """Integral of the profile over [start, stop] in days (the expected purchases at rate 1)."""
        return self.to_clock(stop_us) - self.to_clock(start_us)
