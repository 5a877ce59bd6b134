"""Churn classifiers behind one estimator: LightGBM (default), logistic regression, random
forest and XGBoost, with an imbalance strategy and probability calibration.

`ChurnModel(kind, params, imbalance, calibration).fit(X, y, X_val, y_val)` keeps scikit-learn's
conventions: hyper-parameters are the ``__init__`` arguments, kept under their own names;
``fit`` returns the model; what it learns ends with ``_``. It is not a full scikit-learn
estimator: there is no ``get_params``, and ``predict_proba`` returns the churn probability
alone (1-D). ``X`` is a feature frame (`churnlens.churn.features`); `Prep` turns
it into either the *native* frame (numbers with NaN, categories as pandas categories: LightGBM
and XGBoost) or the *dense* matrix (medians for NaN plus missing flags, one-hot categories:
logistic regression, random forest, SMOTE). Imbalance strategies: ``none``, ``class_weight``,
``oversample`` (random), ``smote``, ``undersample`` (random). Calibration (``sigmoid`` or
``isotonic``) is fitted on the validation rows, a later cutoff than the training rows; given
the rows of the cutoff the model will score (``X_target``, features only), the calibrated
scores are then moved by one log-odds offset so that they average what the calibrated model
expects there plus ``drift`` (`churnlens.churn.base_rate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from churnlens.churn.base_rate import logit_shift, shifted
from churnlens.churn.feature_docs import CATEGORICAL
from churnlens.errors import ModelError

KINDS = ("lightgbm", "logistic", "random_forest", "xgboost")
IMBALANCE = ("none", "class_weight", "oversample", "smote", "undersample")
#: Category levels kept per categorical feature (rarer levels become `OTHER`).
MAX_LEVELS = 30
OTHER = "(other)"


class Prep:
    """Feature columns learned from the training frame, applied identically later."""

    def fit(self, X: pd.DataFrame) -> Prep:
        self.categorical_ = [c for c in X.columns if c in CATEGORICAL and X[c].notna().any()]
        num = X[[c for c in X.columns if c not in CATEGORICAL]]
        num = num.apply(pd.to_numeric, errors="coerce") if any(d.kind == "O" for d in num.dtypes) else num
        self.numeric_ = [c for c in num.columns if num[c].notna().any()]
        self.levels_ = {}
        for c in self.categorical_:
            counts = X[c].dropna().astype(str).value_counts()
            self.levels_[c] = sorted(counts.index[:MAX_LEVELS].tolist()) + [OTHER]
        nums = self._numbers(X)
        self.medians_ = nums.median().fillna(0.0).to_dict()
        self.flagged_ = [c for c in self.numeric_ if nums[c].isna().any()]
        return self

    @property
    def features_(self) -> list[str]:
        return self.numeric_ + self.categorical_

    def _numbers(self, X: pd.DataFrame) -> pd.DataFrame:
        out = X.reindex(columns=self.numeric_)
        try:
            return out.astype("float64")
        except (TypeError, ValueError):
            return out.apply(pd.to_numeric, errors="coerce").astype("float64")

    def _category(self, X: pd.DataFrame, c: str) -> pd.Series:
        """The column as a category of the learned levels: a value outside them is `OTHER`,
        a missing value stays missing. Each distinct value is looked up once."""
        levels = self.levels_[c]
        if c not in X:
            codes = np.full(len(X), -1)
        else:
            seen, distinct = pd.factorize(X[c])  # missing values get -1
            index = {level: i for i, level in enumerate(levels)}
            to_level = np.array([index.get(str(v), index[OTHER]) for v in distinct], dtype=int)
            codes = np.where(seen >= 0, to_level[np.maximum(seen, 0)] if len(distinct) else -1, -1)
        return pd.Series(pd.Categorical.from_codes(codes, categories=levels), index=X.index)

    def native(self, X: pd.DataFrame) -> pd.DataFrame:
        out = self._numbers(X)
        for c in self.categorical_:
            out[c] = self._category(X, c)
        return out

    def dense(self, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        nums = self._numbers(X)
        cols = [nums.fillna(self.medians_)]
        names = list(self.numeric_)
        flags = nums[self.flagged_].isna().astype("float64")
        flags.columns = [f"{c}__missing" for c in self.flagged_]
        cols.append(flags)
        names += [f"{c}__missing" for c in self.flagged_]
        for c in self.categorical_:
            cat = self._category(X, c)
            hot = pd.get_dummies(cat, prefix=c, prefix_sep="=", dtype="float64")
            cols.append(hot)
            names += list(hot.columns)
        return pd.concat(cols, axis=1).to_numpy(dtype="float64"), names


def base_feature(column: str) -> str:
    """The feature a dense column comes from (``gender=F`` -> gender)."""
    return column.split("=", 1)[0].removesuffix("__missing")


def resample(X: Any, y: np.ndarray, strategy: str, seed: int) -> tuple[Any, np.ndarray]:
    if strategy in ("none", "class_weight"):
        return X, y
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    sampler = {
        "oversample": RandomOverSampler(random_state=seed),
        "smote": SMOTE(random_state=seed, k_neighbors=max(1, min(5, int(np.bincount(y).min()) - 1))),
        "undersample": RandomUnderSampler(random_state=seed),
    }.get(strategy)
    if sampler is None:
        raise ModelError(f"Unknown imbalance strategy '{strategy}'; use one of {IMBALANCE}.")
    return sampler.fit_resample(X, y)


def make_estimator(kind: str, params: dict[str, Any], weighted: bool, y: np.ndarray, n_jobs: int, seed: int):
    """A fresh estimator of the kind (``params`` are LightGBM's for lightgbm, else sizes)."""
    if kind == "lightgbm":
        import lightgbm as lgb

        return lgb.LGBMClassifier(
            **params,
            class_weight="balanced" if weighted else None,
            n_jobs=n_jobs,
            random_state=seed,
            # the same bits in, the same trees out (LightGBM otherwise times its histogram layout)
            deterministic=True,
            force_col_wise=True,
            verbose=-1,
        )
    if kind == "xgboost":
        import xgboost as xgb

        pos = max(int(y.sum()), 1)
        return xgb.XGBClassifier(
            n_estimators=params.get("n_estimators", 300),
            learning_rate=params.get("learning_rate", 0.05),
            max_depth=4,
            tree_method="hist",
            enable_categorical=True,
            scale_pos_weight=(len(y) - pos) / pos if weighted else 1.0,
            n_jobs=n_jobs,
            random_state=seed,
        )
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(
            StandardScaler(),
            LogisticRegression(max_iter=2000, class_weight="balanced" if weighted else None),
        )
    if kind == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(
            n_estimators=params.get("forest_trees", 100),
            min_samples_leaf=20,
            max_samples=0.5,
            class_weight="balanced" if weighted else None,
            n_jobs=n_jobs,
            random_state=seed,
        )
    raise ModelError(f"Unknown churn model '{kind}'; use one of {KINDS}.")


class ChurnModel:
    """One churn classifier with its preprocessing, imbalance strategy and calibration.

    Attributes after ``fit``: ``prep_`` (`Prep`), ``estimator_``, ``calibrator_`` (or None),
    ``level_shift_`` (log-odds added after calibration), ``columns_`` (model input columns),
    ``n_train_``, ``positive_share_``.
    """

    def __init__(
        self,
        kind: str = "lightgbm",
        params: dict[str, Any] | None = None,
        imbalance: str = "none",
        calibration: str = "sigmoid",
        dense: bool | None = None,
        n_jobs: int = 2,
        random_state: int = 42,
    ) -> None:
        self.kind = kind
        self.params = params or {}
        self.imbalance = imbalance
        self.calibration = calibration
        self.dense = dense
        self.n_jobs = n_jobs
        self.random_state = random_state

    @property
    def uses_dense(self) -> bool:
        if self.dense is not None:
            return self.dense
        return self.kind in ("logistic", "random_forest") or self.imbalance == "smote"

    def _matrix(self, X: pd.DataFrame) -> Any:
        if self.uses_dense:
            return self.prep_.dense(X)[0]
        return self.prep_.native(X)

    def raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.estimator_.predict_proba(self._matrix(X))[:, 1]

    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        X_val: pd.DataFrame | None = None,
        y_val: Any = None,
        refit_on_all: bool = False,
        X_target: pd.DataFrame | None = None,
        drift: float = 0.0,
    ) -> ChurnModel:
        """Fit on (X, y); calibrate on (X_val, y_val) when given. With ``refit_on_all`` the
        final estimator is refitted on training and validation rows together (the calibrator
        keeps what it learned on the validation rows). With ``X_target`` (the rows to be
        scored, calibrated models only) ``level_shift_`` makes the final model's calibrated
        scores there average the calibrated model's own (before the refit) plus ``drift``."""
        y = np.asarray(y, dtype=int)
        if len(np.unique(y)) < 2:
            raise ModelError("Churn training rows hold only one class; use more or other cutoffs.")
        self.prep_ = Prep().fit(X)
        self.columns_ = self.prep_.dense(X.head(1))[1] if self.uses_dense else self.prep_.features_
        self.estimator_ = self._fit_one(X, y)
        self.calibrator_ = None
        if X_val is not None and self.calibration != "none" and len(np.unique(y_val)) == 2:
            self.calibrator_ = fit_calibrator(self.raw_proba(X_val), np.asarray(y_val, int), self.calibration)
        self.level_shift_ = 0.0
        level = None
        if X_target is not None and self.calibrator_ is not None and len(X_target):
            level = float(self.calibrate(self.raw_proba(X_target)).mean()) + drift
        if refit_on_all and X_val is not None:
            both = pd.concat([X, X_val], ignore_index=True)
            self.estimator_ = self._fit_one(both, np.concatenate([y, np.asarray(y_val, int)]))
            self.n_train_ = len(both)
        else:
            self.n_train_ = len(X)
        if level is not None:
            self.level_shift_ = logit_shift(self.calibrate(self.raw_proba(X_target)), level)
        self.positive_share_ = float(y.mean())
        return self

    def _fit_one(self, X: pd.DataFrame, y: np.ndarray):
        from threadpoolctl import threadpool_limits

        M = self._matrix(X)
        M, yr = resample(M, y, self.imbalance, self.random_state)
        est = make_estimator(
            self.kind, self.params, self.imbalance == "class_weight", yr, self.n_jobs, self.random_state
        )
        # BLAS threads spin on a busy machine; the linear model gains nothing from them here
        with threadpool_limits(limits=1, user_api="blas"):
            return est.fit(M, yr)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated churn probability of each row (1-D)."""
        return self.calibrate(self.raw_proba(X))

    def calibrate(self, p: np.ndarray) -> np.ndarray:
        """The calibrated probabilities of raw ones (`raw_proba`), moved by ``level_shift_``."""
        if self.calibrator_ is None:
            return p
        return shifted(apply_calibrator(self.calibrator_, p), getattr(self, "level_shift_", 0.0))

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """LightGBM's own per-feature contributions (log-odds), summed back to feature names."""
        if self.kind != "lightgbm":
            raise ModelError("Per-customer contributions need the LightGBM model.")
        raw = self.estimator_.predict(self._matrix(X), pred_contrib=True)
        cols = pd.DataFrame(np.asarray(raw)[:, :-1], columns=self.columns_, index=X.index)
        return cols.T.groupby([base_feature(c) for c in self.columns_], sort=False).sum().T

    def importance(self) -> pd.DataFrame:
        """``feature, gain, splits`` (LightGBM), summed back to feature names."""
        booster = self.estimator_.booster_
        df = pd.DataFrame(
            {
                "feature": [base_feature(c) for c in self.columns_],
                "gain": booster.feature_importance("gain"),
                "splits": booster.feature_importance("split").astype(float),
            }
        )
        return df.groupby("feature", sort=False, as_index=False).sum()


def fit_calibrator(p: np.ndarray, y: np.ndarray, method: str):
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        return IsotonicRegression(out_of_bounds="clip", y_min=1e-4, y_max=1 - 1e-4).fit(p, y)
    if method == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1e6).fit(_logit(p)[:, None], y)
    raise ModelError(f"Unknown calibration '{method}'; use sigmoid, isotonic or none.")


def apply_calibrator(cal, p: np.ndarray) -> np.ndarray:
    if hasattr(cal, "predict_proba"):
        return cal.predict_proba(_logit(p)[:, None])[:, 1]
    return cal.predict(p)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def lightgbm_params(cfg) -> dict[str, Any]:
    """Starting LightGBM parameters from `ChurnConfig`."""
    return {
        "n_estimators": cfg.n_estimators,
        "learning_rate": cfg.learning_rate,
        "num_leaves": cfg.num_leaves,
        "min_child_samples": cfg.min_child_samples,
        "max_bin": cfg.max_bin,
    }
