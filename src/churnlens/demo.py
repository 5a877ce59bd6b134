"""The shops `churnlens demo` can show: a generated one, or a real one shipped with churnlens.

- ``fashion-campus``: a small Fashion-Campus-format shop written by the generator, with a planted
  sales decline (written to the demo's output folder).
- ``online-retail``: UCI Online Retail II (CC BY 4.0, attribution in ``data/online_retail/README.md``),
  two years of a real UK retailer's invoices, read offline from the package itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from churnlens.errors import DataError

#: The shipped copy of UCI Online Retail II (both files, unchanged).
ONLINE_RETAIL = Path(__file__).resolve().parent / "data" / "online_retail"
ONLINE_RETAIL_FILES = ("online_retail_ii_2009_2010.parquet", "online_retail_2010_2011.parquet")

#: Demo shop -> the source kind its files are ingested as.
SHOPS = {"fashion-campus": "fashion-campus", "online-retail": "online-retail"}


def online_retail_files() -> list[Path]:
    """The two shipped Online Retail files; a DataError when the installation lacks them."""
    paths = [ONLINE_RETAIL / name for name in ONLINE_RETAIL_FILES]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise DataError(
            "The shipped Online Retail data is missing from this installation.",
            file=str(missing[0]),
            fix="Reinstall churnlens (pip install churnlens) so its package data is included.",
        )
    return paths


def demo_shop(
    shop: str,
    out: Path,
    customers: int,
    seed: int,
    progress: Callable[..., None] | None = None,
) -> tuple[str, list[Path]]:
    """Make the demo shop's native files available; returns (source kind, paths to ingest).

    The generated shop is written to ``out``; the shipped real shop is read where it is installed
    (never written to, so the demo cannot change it)."""
    if shop not in SHOPS:
        raise DataError(
            f"Unknown demo shop {shop!r}.",
            values=[shop],
            fix=f"Choose one of: {', '.join(SHOPS)}.",
        )
    if shop == "online-retail":
        return SHOPS[shop], online_retail_files()
    from churnlens.sources.synthetic import GeneratorConfig, generate

    generate(
        "fashion-campus",
        out,
        GeneratorConfig(customers=customers, seed=seed, scenario="decline"),
        progress=progress,
    )
    return SHOPS[shop], [out]
