"""Names beside ids: what every product table shows a reader.

At the ``product`` level an item is a product id and its name comes from the ``products``
table (the id itself when the product has no name); at a category level the item is already
the category's name.
"""

from __future__ import annotations

import ibis
import pandas as pd


def item_names(products: ibis.Table | None, level: str) -> pd.DataFrame | None:
    """``item, name`` of the products at the product level; None at a category level or when
    the shop has no product names."""
    if level != "product" or products is None or "name" not in products.columns:
        return None
    p = products.select(item=products.product_id.cast("string"), name=products["name"].cast("string"))
    return p.to_pandas().drop_duplicates("item")


def add_names(df: pd.DataFrame, names: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """Add a name column for each id column (``{"antecedent": "antecedent_name"}``): the
    product's name, else the item itself."""
    out = df.copy()
    lookup = dict(zip(names.item, names.name, strict=True)) if names is not None else {}
    for col, name_col in columns.items():
        item = out[col].astype(object)
        named = [lookup.get(i) if lookup.get(i) is not None else i for i in item]
        out[name_col] = pd.Series(named, index=out.index, dtype="string")
    return out
