"""Float features are rounded to a fixed number of significant digits, so that engines that sum
in different orders hand the model the same bits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.churn.dataset import FEATURE_DIGITS, round_significant


def test_last_bit_differences_vanish():
    a = pd.Series([0.1 + 0.2, 1 / 3 * 3, 12345.678901234567, -2.5e-7])
    b = pd.Series([0.3, 1.0, 12345.678901234569, -2.5000000000000004e-7])
    assert (a != b).sum() >= 2  # the sums differ in their last bits
    assert round_significant(a).tolist() == round_significant(b).tolist()


def test_digits_kept_and_special_values_unchanged():
    assert FEATURE_DIGITS == 12
    out = round_significant(pd.Series([1 / 3, -12345.678901234567, 0.0, np.nan, np.inf, 2.0]), 12)
    assert out.iloc[0] == 0.333333333333
    assert out.iloc[1] == -12345.6789012
    assert out.iloc[2] == 0.0 and np.isnan(out.iloc[3]) and out.iloc[4] == np.inf and out.iloc[5] == 2.0
    assert round_significant(pd.Series([123.456]), 4).iloc[0] == 123.5
