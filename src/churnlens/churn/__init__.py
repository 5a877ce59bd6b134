"""Churn prediction: point-in-time labels and features, models, backtests and reasons.

Modules: `labels` (window and next-gap labels), `features` / `trend_features` (engine-side
point-in-time features; names in `feature_docs`), `bgnbd_features` and `gap_features` /
`gap_model` (BG/NBD and each customer's own gap rhythm at each cutoff), `next_order` (timing of
the next order), `significance` / `verdict` (is the model measurably better?), `dataset` (cohorts of cutoffs into pandas frames),
`models` / `tuning` (LightGBM and the compared classifiers, imbalance strategies, Optuna,
calibration), `baselines`, `metrics`, `backtest`, `reasons`, `persistence`, `scoring` and
`stage` (the pipeline stage and the train / score / backtest commands).

Result tables (written by `churnlens.churn.stage`):

- ``customer_scores``: customer_id, cutoff, churn_probability, risk_band (low/medium/high),
  reasons (English sentences, "; "-separated), reasons_ko (Korean), top_factors (feature
  names), model_version, scored_by (the model whose probability it is, `significance`), and,
  when table ``customer_value`` exists, p_alive, expected_purchases_90d, expected_spend,
  clv_12m joined in; then expected_days_to_next_order and p_order_7d / 14d / 30d
  (`next_order`).
- ``churn_model_metrics``: model, kind (model/baseline), split (backtest/validation), cohort,
  cutoff, metric, value. Metrics: n, churn_rate, roc_auc, pr_auc, log_loss, brier,
  calibration_error, lift_topN, capture_topN.
- ``churn_curves``: model, kind, cohort, cutoff, curve (roc/pr/gains/calibration), point, x, y.
- ``churn_backtest``: one row per (model, held-out cohort) with train_cohorts, every metric and
  the paired bootstrap interval of (model - baseline) (`significance`).
- ``churn_model_comparison``: the last full comparison (``churn.compare = "full"`` or the
  ``backtest`` command), the rows of ``churn_backtest`` with computed_at.
- ``churn_model_report``: model, kind, cohort, cutoff, rule (best_f1 / top_Npct / p_0.5 /
  rule), threshold, tp, fp, tn, fn, precision, recall, f1, contacted_share.
- ``churn_feature_importance``: model_version, feature, group, description, gain, splits,
  mean_abs_contribution.
- ``churn_imbalance_comparison``: strategy, cohort, cutoff, roc_auc, pr_auc, log_loss, brier,
  calibration_error, precision/recall/f1 at 0.5, train_rows, train_churn_share, roc_auc_vs_none,
  computed_at (full comparison only).
- ``churn_monthly_labels``: customer_id, month, cutoff, churned (the monthly flag).
- ``churn_status``: status, reason, model_version of the last churn run (a shop too short to
  label is reported by the pipeline as a skipped stage, with the reason).
"""

from __future__ import annotations

import os

# LightGBM's OpenMP threads spin while waiting by default, which on a busy machine makes a
# two-thread fit many times slower than one thread. Passive waiting avoids that.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
