"""The one fitting mechanism shared by the value models.

- `compress` (in ``_compress``) folds identical input rows into one weighted row first.
- `maximize_likelihood` minimises the penalised mean negative log-likelihood over the
  logarithms of the parameters (so they stay positive without bounds tricks): L-BFGS-B on
  the model's analytic gradient, then Newton steps on a Hessian differenced from that
  gradient, which pins the optimum down to rounding; the same Hessian gives the standard
  errors. Above WARM_START_ROWS rows, a fit on a random subsample supplies the start and a
  Hessian, so the full data need only a handful of evaluations.
- `LogParamModel` is the scikit-learn-style base class: ``fit`` runs the steps above and sets
  ``params_``, ``log_likelihood_``, ``standard_errors_``, ``covariance_``, ``n_customers_``.

A model supplies its parameter names, a start point, an identifiability check and
``_nll(log_params, data) -> (sum of negative log-likelihoods, gradient or None)``; with
``None`` the gradient is differenced centrally from the exact likelihood.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import BaseEstimator

from churnlens.clv._compress import compress
from churnlens.clv._validate import customer_weights
from churnlens.errors import ModelError

#: Log-parameters are kept inside +-LOG_BOUND; an optimum on that bound means the data do
#: not identify the parameter.
LOG_BOUND = 18.0
_HESS_STEP = 1e-5
#: Above this many (compressed) rows a fit starts from the optimum of a random subsample of
#: WARM_SAMPLE_ROWS rows.
WARM_START_ROWS = 200_000
WARM_SAMPLE_ROWS = 50_000


def _single_threaded_blas():
    """One BLAS thread while optimising: scipy's L-BFGS-B calls BLAS on 4x4 problems, and a
    multithreaded BLAS then spends more time waking threads than computing (hundreds of
    milliseconds per fit on a busy machine). The likelihoods use no BLAS."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class ParametersRanOff(ModelError):
    """The optimum lies on the bound of one or more log-parameters: the data cannot identify them.

    The message words each parameter with its own direction ("r ran off to infinity, a ran off
    to 0") and gives the advice for each direction that occurs. ``log_params`` holds the
    optimiser's last (internal, rescaled) log-parameters by name; ``ran_off`` maps each
    parameter on the bound to ``"0"`` or ``"infinity"``.
    """

    #: Advice per direction: a parameter at 0 describes behaviour that does not show in the
    #: data; one at infinity describes heterogeneity the data do not have.
    ADVICE: ClassVar[dict[str, str]] = {
        "0": "Check that recency and T use the same time unit, and use a longer calibration period "
        "so that the behaviour this parameter describes shows in the data.",
        "infinity": "Pass penalizer=0.001 (or larger) to keep the parameters finite, or use a longer "
        "calibration period or more customers with repeat purchases.",
    }

    def __init__(self, model: str, names: tuple[str, ...], log_params: np.ndarray) -> None:
        z = np.asarray(log_params, dtype=float)
        self.log_params = dict(zip(names, z.tolist(), strict=True))
        self.ran_off = {
            n: ("0" if v < 0 else "infinity") for n, v in self.log_params.items() if abs(v) > LOG_BOUND - 1e-2
        }
        words = ", ".join(f"{n} ran off to {d}" for n, d in self.ran_off.items())
        advice = " ".join(self.ADVICE[d] for d in ("0", "infinity") if d in self.ran_off.values())
        super().__init__(f"{model}: {words}; the data cannot identify the model. {advice}")


@dataclass
class Optimum:
    log_params: np.ndarray
    objective: float
    hessian: np.ndarray  # of the mean objective, in log-parameters
    n_evaluations: int


class _Objective:
    """Penalised mean negative log-likelihood on log-parameters, with its gradient."""

    def __init__(self, nll, data: Any, total_weight: float, penalizer: float) -> None:
        self.nll, self.data, self.total_weight, self.penalizer = nll, data, total_weight, penalizer
        self.evaluations = 0
        self.analytic = True
        self.forward = False  # one-sided differences while far from the optimum

    def value(self, z: np.ndarray) -> float:
        if np.max(np.abs(z)) > LOG_BOUND:
            return np.inf
        self.evaluations += 1
        with np.errstate(all="ignore"):
            v, _ = self.nll(z, self.data, need_grad=False)
        theta = np.exp(z)
        return float(v) / self.total_weight + self.penalizer * float(theta @ theta)

    def __call__(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.asarray(z, dtype=float)
        if np.max(np.abs(z)) > LOG_BOUND:
            return np.inf, np.zeros_like(z)
        self.evaluations += 1
        with np.errstate(all="ignore"):
            v, g = self.nll(z, self.data, need_grad=True)
            if g is None:
                self.analytic = False
                g = self._differenced_gradient(z, v)
        theta = np.exp(z)
        f = float(v) / self.total_weight + self.penalizer * float(theta @ theta)
        grad = np.asarray(g, dtype=float) / self.total_weight + 2.0 * self.penalizer * theta**2
        if not np.isfinite(f) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(z)
        return f, grad

    def _differenced_gradient(self, z: np.ndarray, v: float) -> np.ndarray:
        g = np.empty_like(z)
        step = 1e-7 if self.forward else 2e-5
        for j in range(len(z)):
            e = np.zeros_like(z)
            e[j] = step
            hi, _ = self.nll(z + e, self.data, need_grad=False)
            if self.forward:
                self.evaluations += 1
                g[j] = (hi - v) / step
                continue
            lo, _ = self.nll(z - e, self.data, need_grad=False)
            self.evaluations += 2
            g[j] = (hi - lo) / (2 * step)
        return g

    def hessian(self, z: np.ndarray, g: np.ndarray | None = None) -> np.ndarray:
        """Differences of the analytic gradient (one-sided from ``g`` at z when given: error
        about 1e-5 relative, plenty for Newton steps and standard errors), or second
        differences of the value when the gradient is itself differenced."""
        k = len(z)
        if not self.analytic:
            return self._value_hessian(z)
        h = np.empty((k, k))
        for j in range(k):
            e = np.zeros(k)
            e[j] = _HESS_STEP
            if g is None:
                h[:, j] = (self(z + e)[1] - self(z - e)[1]) / (2 * _HESS_STEP)
            else:
                h[:, j] = (self(z + e)[1] - g) / _HESS_STEP
        return 0.5 * (h + h.T)

    def _value_hessian(self, z: np.ndarray, step: float = 1e-3) -> np.ndarray:
        k = len(z)
        eye = np.eye(k) * step
        f0 = self.value(z)
        h = np.empty((k, k))
        for i in range(k):
            h[i, i] = (self.value(z + eye[i]) - 2 * f0 + self.value(z - eye[i])) / step**2
            for j in range(i):
                h[i, j] = h[j, i] = (
                    self.value(z + eye[i] + eye[j])
                    - self.value(z + eye[i] - eye[j])
                    - self.value(z - eye[i] + eye[j])
                    + self.value(z - eye[i] - eye[j])
                ) / (4 * step**2)
        return h


def _newton(obj: _Objective, z, f, g, hess, *, refresh: bool, max_steps: int, stop: float = 1e-10):
    """Newton steps with backtracking; with ``refresh`` the Hessian is re-differenced after
    large moves, else it is kept (a warm start's Hessian). Returns z, f, g, hess, converged."""
    for _ in range(max_steps):
        if np.max(np.abs(z)) > LOG_BOUND - 1e-3:
            return z, f, g, hess, False
        try:
            step = -np.linalg.solve(hess, g)
        except np.linalg.LinAlgError:
            return z, f, g, hess, False
        if not np.all(np.isfinite(step)) or g @ step >= 0:
            return z, f, g, hess, np.max(np.abs(g)) < 1e-12
        for shrink in (1.0, 0.5, 0.25, 0.125):
            z_new = np.clip(z + shrink * step, -LOG_BOUND, LOG_BOUND)
            f_new, g_new = obj(z_new)
            if f_new <= f + 1e-15 * abs(f):
                break
        else:
            return z, f, g, hess, False
        moved = np.max(np.abs(z_new - z))
        z, f, g = z_new, f_new, g_new
        if refresh and moved > 1e-3:
            hess = obj.hessian(z, g)
        if moved < stop or np.max(np.abs(g)) < 1e-14:
            return z, f, g, hess, True
    return z, f, g, hess, False


def maximize_likelihood(
    nll,
    data: Any,
    start: np.ndarray,
    names: tuple[str, ...],
    *,
    total_weight: float,
    penalizer: float,
    tol: float,
    max_iter: int,
    model: str,
    warm_hessian: np.ndarray | None = None,
) -> Optimum:
    """Minimise the penalised mean negative log-likelihood over log-parameters.

    With ``warm_hessian`` (from a fit on a subsample, ``start`` being its optimum) Newton steps
    on that Hessian replace the quasi-Newton stage: a few evaluations on the full data instead
    of a few dozen. Raises ModelError when the optimiser does not converge, a parameter runs
    to its bound or the Hessian at the optimum is not positive definite (the data cannot
    identify the model).
    """
    obj = _Objective(nll, data, total_weight, penalizer)
    f, g = obj(start)
    if not np.isfinite(f):
        raise ModelError(f"{model}: the log-likelihood is not finite at the start point; check the inputs.")
    z, converged, message = np.asarray(start, dtype=float), False, "warm start"
    if warm_hessian is not None:
        # near enough for the polish below, which uses the full data's own Hessian
        z, f, g, _, converged = _newton(obj, z, f, g, warm_hessian, refresh=False, max_steps=30, stop=1e-5)
    if not converged:
        # Without an analytic gradient: one-sided differences and a looser stop for the
        # quasi-Newton stage; the Newton stage below uses central differences.
        obj.forward = not obj.analytic
        res = minimize(
            obj,
            z,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-LOG_BOUND, LOG_BOUND)] * len(z),
            options={
                "maxiter": max_iter,
                "ftol": 1e-15 if obj.analytic else 1e-12,
                "gtol": tol if obj.analytic else max(tol, 1e-6),
                "maxcor": 20,
            },
        )
        obj.forward = False
        z, message = np.asarray(res.x, dtype=float), res.message
        f, g = obj(z)
    # Newton polish: L-BFGS-B stops on a flat valley floor; a Newton step or two on the
    # differenced Hessian reach the optimum to rounding (what "exact" asks of a fit).
    hess = obj.hessian(z, g)
    z, f, g, hess, _ = _newton(obj, z, f, g, hess, refresh=True, max_steps=8)
    if (np.abs(z) > LOG_BOUND - 1e-2).any():
        raise ParametersRanOff(model, names, z)
    scale = max(1.0, abs(f))
    if not np.isfinite(f) or np.max(np.abs(g)) > max(1e3 * tol, 1e-6) * scale:
        raise ModelError(
            f"{model}: the optimiser did not converge (gradient {np.max(np.abs(g)):.2e} after "
            f"{obj.evaluations} evaluations: {message}). Raise max_iter, or pass penalizer=0.001 "
            "(or larger) if the data are few or extreme."
        )
    eig = np.linalg.eigvalsh(hess)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-12 * max(1.0, eig.max()):
        raise ModelError(
            f"{model}: the likelihood is flat at the optimum (Hessian eigenvalues {np.round(eig, 8)}); "
            "the data cannot identify all of the parameters "
            f"{list(names)}. Use more customers or a longer calibration period, or pass penalizer=0.001."
        )
    return Optimum(z, f, hess, obj.evaluations)


class LogParamModel(BaseEstimator):
    """Base of the value models: the scikit-learn estimator contract around one fit routine.

    Hyper-parameters are the ``__init__`` arguments, stored unchanged (so ``get_params``,
    ``set_params`` and ``sklearn.base.clone`` work); ``fit`` returns the model; what it learns
    ends with ``_`` and does not exist before ``fit``.

    Parameters
    ----------
    penalizer:
        L2 penalty ``penalizer * sum(theta**2)`` added to the mean negative log-likelihood, on
        the parameters with times scaled so that the oldest customer has T = 10 (lifetimes'
        convention). 0 gives the maximum-likelihood estimate.
    tol:
        Gradient tolerance of the quasi-Newton stage (on the mean log-likelihood).
    max_iter:
        Iteration limit of the quasi-Newton stage.
    compress:
        Fold identical rows into weighted rows: True, False or "auto" (when times repeat).
    """

    _param_names: ClassVar[tuple[str, ...]] = ()
    _model_name: ClassVar[str] = "model"

    def __init__(
        self, penalizer: float = 0.0, tol: float = 1e-9, max_iter: int = 1000, compress: Any = "auto"
    ) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.max_iter = max_iter
        self.compress = compress

    # ---- to implement --------------------------------------------------------------------
    def _prepare(self, columns: tuple[np.ndarray, ...], weights: np.ndarray) -> tuple[Any, np.ndarray, float]:
        """Data object for ``_nll``, the factors turning internal (rescaled) parameters into
        natural ones, and what to add to the rescaled log-likelihood to get the natural one."""
        raise NotImplementedError

    @staticmethod
    def _nll(z: np.ndarray, data: Any, need_grad: bool = True) -> tuple[float, np.ndarray | None]:
        raise NotImplementedError

    def _start(self, data: Any) -> np.ndarray:
        return np.zeros(len(self._param_names))

    # ---- shared --------------------------------------------------------------------------
    def _fit_arrays(self, columns: tuple[np.ndarray, ...], weights: np.ndarray | None = None):
        if self.penalizer < 0:
            raise ModelError(f"{self._model_name}: penalizer must be >= 0, got {self.penalizer}.")
        if weights is not None:
            weights = customer_weights(weights, len(columns[0]))
        cols, w = compress(columns, weights, self.compress)
        data, factors, ll_offset = self._prepare(cols, w)
        start, warm_hessian = self._start(data), None
        if len(w) > WARM_START_ROWS:
            # Fit a random subsample first: its optimum and Hessian are within sampling error
            # of the full data's, so Newton finishes on the full data in a few evaluations.
            # customers drawn in proportion to the weights, so folded rows count as often as
            # the customers they stand for
            draws = np.random.default_rng(0).choice(len(w), WARM_SAMPLE_ROWS, p=w / w.sum())
            pick, counts = np.unique(draws, return_counts=True)
            sub_cols, sub_w = tuple(c[pick] for c in cols), counts.astype(float)
            try:
                sub_data, sub_factors, _ = self._prepare(sub_cols, sub_w)
                sub = self._optimize(sub_data, self._start(sub_data), float(sub_w.sum()), None)
                start = sub.log_params + np.log(sub_factors / factors)  # same natural parameters
                warm_hessian = sub.hessian
            except ModelError:
                pass
        opt = self._optimize(data, start, float(w.sum()), warm_hessian)
        theta = np.exp(opt.log_params) * factors
        cov_log = np.linalg.inv(opt.hessian * float(w.sum()))
        cov = cov_log * np.outer(theta, theta)
        self.params_ = dict(zip(self._param_names, theta.tolist(), strict=True))
        self.covariance_ = pd.DataFrame(cov, index=self._param_names, columns=self._param_names)
        self.standard_errors_ = dict(zip(self._param_names, np.sqrt(np.diag(cov)).tolist(), strict=True))
        self.n_customers_ = int(round(float(w.sum())))
        self.n_rows_fitted_ = len(w)
        self.n_evaluations_ = opt.n_evaluations
        with np.errstate(all="ignore"):
            self.log_likelihood_ = ll_offset - float(self._nll(opt.log_params, data, need_grad=False)[0])
        return self

    def _optimize(self, data: Any, start: np.ndarray, total_weight: float, warm_hessian) -> Optimum:
        with _single_threaded_blas():
            return maximize_likelihood(
                self._nll,
                data,
                start,
                self._param_names,
                total_weight=total_weight,
                penalizer=self.penalizer,
                tol=self.tol,
                max_iter=self.max_iter,
                model=self._model_name,
                warm_hessian=warm_hessian,
            )

    def _theta(self) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise ModelError(
                f"{self._model_name} is not fitted yet: call fit(...) or from_params(...) first."
            )
        return np.array([self.params_[k] for k in self._param_names], dtype=float)

    @classmethod
    def from_params(cls, **params: float):
        """A model with given parameters (no fit), e.g. for simulation or what-if scoring."""
        missing = set(cls._param_names) - set(params)
        extra = set(params) - set(cls._param_names)
        if missing or extra:
            raise ModelError(f"{cls._model_name}.from_params needs exactly {list(cls._param_names)}.")
        if any(not np.isfinite(v) or v <= 0 for v in params.values()):
            raise ModelError(f"{cls._model_name}: parameters must be finite and > 0, got {params}.")
        model = cls()
        model.params_ = {k: float(params[k]) for k in cls._param_names}
        return model

    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% intervals."""
        theta = self._theta()
        se = (
            np.array([self.standard_errors_[k] for k in self._param_names])
            if hasattr(self, "standard_errors_")
            else np.full(len(theta), np.nan)
        )
        return pd.DataFrame(
            {
                "estimate": theta,
                "standard_error": se,
                "lower_95": theta - 1.96 * se,
                "upper_95": theta + 1.96 * se,
            },
            index=list(self._param_names),
        )

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{type(self).__name__}({inner})"
        return f"{type(self).__name__}(penalizer={self.penalizer})"


class CountingModel(LogParamModel):
    """What BG/NBD and Pareto/NBD share: their inputs, and the checks that the data can
    identify a purchase and drop-out process at all. ``_process`` names the drop-out part
    in messages."""

    _process: ClassVar[str] = "drop-out"

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None):
        """Fit by maximum likelihood. Arrays or Series of one value per customer (or per
        distinct row, with ``weights`` counting the customers it stands for)."""
        from churnlens.clv._validate import counting_inputs

        x, t, big_t = counting_inputs(frequency, recency, T)
        w = None if weights is None else np.asarray(weights, dtype=float)
        return self._fit_arrays((x, t, big_t), w)

    def _scale(self, x: np.ndarray, big_t: np.ndarray) -> float:
        """The time scale that puts the oldest customer at T = 10, after the identifiability checks."""
        if not (x > 0).any():
            raise ModelError(
                f"{self._model_name}: no customer made a repeat purchase, so nothing identifies the purchase "
                f"or {self._process} process. Use a longer calibration period (earlier first purchases or a "
                "later cutoff), or count every order rather than one per day (purchase_unit='order')."
            )
        if big_t.max() <= 0:
            raise ModelError(
                f"{self._model_name}: every customer has T = 0; put the cutoff after the first purchases."
            )
        return 10.0 / big_t.max()
