"""A planted yearly season: purchases thinned away from the peak month.

With ``GeneratorConfig.season_amplitude`` = A > 0 each purchase of the latent process is kept
with probability ``(1 + A cos(2 pi (m - peak) / 12)) / (1 + A)``, where ``m`` is the month of
the year as a fraction (1.0 = 1 January, 12.97 = 31 December) and ``peak`` is
``season_peak_month``: the peak month keeps every purchase, the month opposite keeps
``(1 - A) / (1 + A)`` of them, every year alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.sources.synthetic.process import PurchaseHistory, select


def season_factor(us: np.ndarray, amplitude: float, peak_month: float) -> np.ndarray:
    """Share of the purchases kept at the calendar times ``us`` (microseconds since the epoch)."""
    t = pd.to_datetime(np.asarray(us), unit="us")
    month = t.month.to_numpy() + (t.day.to_numpy() - 1) / t.days_in_month.to_numpy()
    return (1 + amplitude * np.cos(2 * np.pi * (month - peak_month) / 12)) / (1 + amplitude)


def thin(rng: np.random.Generator, history: PurchaseHistory, amplitude: float, peak_month: float) -> PurchaseHistory:
    """The purchases a seasonal shop keeps (see module docstring)."""
    keep = rng.random(len(history.us)) < season_factor(history.us, amplitude, peak_month)
    return select(history, keep)
