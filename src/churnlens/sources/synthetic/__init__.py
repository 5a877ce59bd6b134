"""Synthetic shops with a known truth, written in the native file formats.

`generate` draws customers from a documented latent process (BG/NBD-style purchase and dropout,
per-customer spend level, category preferences, routine products, promo sensitivity, a weekly
intensity profile, growing sign-ups; see `process.py`) and writes them in the exact native format
of a real data set, so that the real source adapters read them like any export:

- ``"fashion-campus"``: customer.csv, product.csv, transactions.csv, click_stream.csv;
- ``"instacart"``: orders.csv, order_products__prior.csv, order_products__train.csv,
  products.csv, aisles.csv, departments.csv.

Beside the files it writes ``ground_truth.parquet`` (one row per customer with the latents;
`truth.py` turns them into the exact probabilities alive / churned at any cutoff) and
``facts.json`` (counts and money totals exactly as written). Example::

    from churnlens.sources.synthetic import GeneratorConfig, generate
    facts = generate("fashion-campus", Path("shop"), GeneratorConfig(customers=20_000, scenario="decline"))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from churnlens.sources.synthetic.settings import SCENARIOS, GeneratorConfig
from churnlens.sources.synthetic.truth import load_truth, true_churn_probability, true_p_alive

KINDS: tuple[str, ...] = ("fashion-campus", "instacart")

__all__ = [
    "KINDS",
    "SCENARIOS",
    "GeneratorConfig",
    "generate",
    "load_truth",
    "true_churn_probability",
    "true_p_alive",
]


def generate(
    kind: str,
    out_dir: Path,
    config: GeneratorConfig | None = None,
    catalogue_dir: Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict:
    """Write a synthetic shop of the given kind into ``out_dir`` and return its facts.

    Parameters
    ----------
    kind:
        ``"fashion-campus"`` or ``"instacart"``.
    out_dir:
        Directory to write into (created when missing); existing files of the same names are
        overwritten.
    config:
        The shop's parameters; defaults to ``GeneratorConfig()``.
    catalogue_dir:
        Instacart only: a directory holding the real ``products.csv``, ``aisles.csv`` and
        ``departments.csv``; they are copied byte for byte and the orders use their products.
        Without it a small built-in grocery catalogue is written in the same format.
    progress:
        Called as ``progress(stage, fraction)`` while writing (fraction in [0, 1]).

    Returns
    -------
    dict
        The facts also written to ``facts.json``.
    """
    cfg = config if config is not None else GeneratorConfig()
    cfg.validate()
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "fashion-campus":
        if catalogue_dir is not None:
            raise ValueError(
                "catalogue_dir is only used for instacart; fashion-campus has a built-in catalogue"
            )
        from churnlens.sources.synthetic import fashion_campus

        return fashion_campus.write(out, cfg, progress)
    if cfg.scenario != "steady":
        raise ValueError(
            "Instacart exports have no calendar (every user's last order is the snapshot), so the "
            "calendar 'decline' scenario cannot be planted; use scenario='steady'."
        )
    from churnlens.sources.synthetic import instacart

    return instacart.write(out, cfg, None if catalogue_dir is None else Path(catalogue_dir), progress)
