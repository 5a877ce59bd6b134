"""Product catalogues: a built-in fashion catalogue, a built-in grocery catalogue, and the real
Instacart catalogue when its files are at hand.

A `Catalogue` carries what the generator needs to pick products (top category, sampling cell,
popularity, price) plus the text columns of the native product file. The tables below are data
(the shape of a fashion or grocery assortment), not tuning knobs; the tuning knobs are in
`GeneratorConfig`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from churnlens.errors import DataError
from churnlens.sources.synthetic.settings import GeneratorConfig

#: Product gender groups of the fashion catalogue, in cell order.
FASHION_GENDERS: tuple[str, ...] = ("Men", "Women", "Boys", "Girls", "Unisex")
_GENDER_CODES = {"M": 0, "W": 1, "B": 2, "G": 3, "U": 4}
#: Relative frequency of the gender groups in a real fashion catalogue.
_GENDER_WEIGHTS = np.array([22.1, 18.6, 0.83, 0.66, 2.16])

# masterCategory, subCategory, articleType, noun in names, relative count, median price (IDR), genders
_FASHION_TYPES: tuple[tuple[str, str, str, str, float, int, str], ...] = (
    ("Apparel", "Topwear", "Tshirts", "T-shirt", 7067, 150_000, "MWBGU"),
    ("Apparel", "Topwear", "Shirts", "Shirt", 3217, 250_000, "MWB"),
    ("Apparel", "Topwear", "Kurtas", "Kurta", 1844, 250_000, "MW"),
    ("Apparel", "Topwear", "Tops", "Top", 1762, 180_000, "WG"),
    ("Apparel", "Topwear", "Sweatshirts", "Sweatshirt", 285, 280_000, "MWU"),
    ("Apparel", "Topwear", "Sweaters", "Sweater", 277, 300_000, "MW"),
    ("Apparel", "Topwear", "Jackets", "Jacket", 258, 450_000, "MWU"),
    ("Apparel", "Topwear", "Tunics", "Tunic", 229, 200_000, "W"),
    ("Apparel", "Bottomwear", "Jeans", "Jeans", 609, 300_000, "MW"),
    ("Apparel", "Bottomwear", "Shorts", "Shorts", 547, 150_000, "MWB"),
    ("Apparel", "Bottomwear", "Trousers", "Trousers", 530, 250_000, "MW"),
    ("Apparel", "Bottomwear", "Track Pants", "Track Pants", 304, 200_000, "MWU"),
    ("Apparel", "Bottomwear", "Leggings", "Leggings", 177, 100_000, "WG"),
    ("Apparel", "Bottomwear", "Capris", "Capris", 175, 150_000, "WG"),
    ("Apparel", "Bottomwear", "Skirts", "Skirt", 128, 180_000, "WG"),
    ("Apparel", "Innerwear", "Briefs", "Briefs", 849, 60_000, "MW"),
    ("Apparel", "Innerwear", "Bra", "Bra", 477, 120_000, "W"),
    ("Apparel", "Innerwear", "Innerwear Vests", "Vest", 242, 60_000, "MB"),
    ("Apparel", "Innerwear", "Trunk", "Trunk", 140, 70_000, "M"),
    ("Apparel", "Dress", "Dresses", "Dress", 464, 300_000, "WG"),
    ("Apparel", "Saree", "Sarees", "Saree", 427, 400_000, "W"),
    ("Apparel", "Loungewear and Nightwear", "Nightdress", "Nightdress", 189, 150_000, "W"),
    ("Apparel", "Loungewear and Nightwear", "Night suits", "Night Suit", 141, 200_000, "MWG"),
    ("Apparel", "Socks", "Socks", "Socks", 686, 40_000, "MWU"),
    ("Accessories", "Watches", "Watches", "Watch", 2542, 700_000, "MWU"),
    ("Accessories", "Bags", "Handbags", "Handbag", 1759, 400_000, "W"),
    ("Accessories", "Bags", "Backpacks", "Backpack", 724, 300_000, "MWU"),
    ("Accessories", "Bags", "Clutches", "Clutch", 290, 250_000, "W"),
    ("Accessories", "Eyewear", "Sunglasses", "Sunglasses", 1073, 300_000, "MWU"),
    ("Accessories", "Wallets", "Wallets", "Wallet", 936, 200_000, "MW"),
    ("Accessories", "Belts", "Belts", "Belt", 813, 120_000, "MW"),
    ("Accessories", "Jewellery", "Earrings", "Earrings", 416, 100_000, "W"),
    ("Accessories", "Jewellery", "Pendant", "Pendant", 176, 150_000, "W"),
    ("Accessories", "Jewellery", "Necklace and Chains", "Necklace", 160, 150_000, "W"),
    ("Accessories", "Jewellery", "Ring", "Ring", 118, 120_000, "MW"),
    ("Accessories", "Headwear", "Caps", "Cap", 283, 90_000, "MU"),
    ("Accessories", "Ties", "Ties", "Tie", 258, 100_000, "M"),
    ("Accessories", "Scarves", "Scarves", "Scarf", 118, 90_000, "W"),
    ("Footwear", "Shoes", "Casual Shoes", "Casual Shoes", 2846, 450_000, "MWB"),
    ("Footwear", "Shoes", "Sports Shoes", "Sports Shoes", 2036, 600_000, "MWU"),
    ("Footwear", "Shoes", "Heels", "Heels", 1323, 350_000, "W"),
    ("Footwear", "Shoes", "Formal Shoes", "Formal Shoes", 637, 500_000, "M"),
    ("Footwear", "Shoes", "Flats", "Flats", 500, 200_000, "WG"),
    ("Footwear", "Flip Flops", "Flip Flops", "Flip Flops", 916, 90_000, "MWU"),
    ("Footwear", "Sandal", "Sandals", "Sandals", 897, 200_000, "MWB"),
    ("Personal Care", "Fragrance", "Perfume and Body Mist", "Perfume", 614, 250_000, "MWU"),
    ("Personal Care", "Fragrance", "Deodorant", "Deodorant", 347, 60_000, "MW"),
    ("Personal Care", "Nails", "Nail Polish", "Nail Polish", 329, 40_000, "W"),
    ("Personal Care", "Lips", "Lipstick", "Lipstick", 315, 90_000, "W"),
    ("Personal Care", "Lips", "Lip Gloss", "Lip Gloss", 144, 80_000, "W"),
    ("Personal Care", "Makeup", "Kajal and Eyeliner", "Eyeliner", 97, 60_000, "W"),
    ("Personal Care", "Skin Care", "Face Moisturisers", "Moisturiser", 90, 120_000, "MWU"),
    ("Free Items", "Free Gifts", "Free Gifts", "Gift Pouch", 89, 20_000, "MWU"),
    ("Sporting Goods", "Sports Equipment", "Footballs", "Football", 25, 200_000, "U"),
    ("Home", "Home Furnishing", "Cushion Covers", "Cushion Cover", 3, 120_000, "U"),
)  # fmt: skip

_BRANDS = (
    "Arunika", "Batik Sekar", "Kalea", "Nusa Denim", "Sora", "Langit", "Rimba", "Teduh", "Jala",
    "Mentari", "Kirana", "Anggrek", "Bumi Kita", "Pelangi", "Sagara", "Kopi Pagi", "Senja",
    "Urbano", "Lumio", "Vantage", "Northline", "Cobalt Street", "Mira", "Tanah Air", "Wastra",
    "Indigo Lane", "Pandan", "Kenari", "Ombak", "Halim", "Rasi", "Cendana", "Nirwana", "Tulip Co",
)  # fmt: skip
_COLOURS = (
    "Black", "White", "Blue", "Navy Blue", "Grey", "Red", "Green", "Pink", "Brown", "Purple",
    "Yellow", "Beige", "Maroon", "Olive", "Silver", "Gold", "Orange", "Cream", "Charcoal", "Teal",
)  # fmt: skip
_ADJECTIVES = ("", "", "", "Printed", "Solid", "Striped", "Slim Fit", "Casual", "Classic", "Woven")
_SEASONS = (("Summer", 0.48), ("Fall", 0.26), ("Winter", 0.19), ("Spring", 0.07))
_USAGES = (
    ("Casual", 0.78), ("Sports", 0.09), ("Ethnic", 0.07), ("Formal", 0.05),
    ("Smart Casual", 0.006), ("Party", 0.003), ("Travel", 0.001),
)  # fmt: skip
_YEARS = ((2007, 0.01), (2008, 0.02), (2009, 0.02), (2010, 0.03), (2011, 0.3), (2012, 0.37),
          (2013, 0.03), (2014, 0.02), (2015, 0.07), (2016, 0.1), (2017, 0.03))  # fmt: skip

#: Instacart departments (id order of the real departments.csv).
INSTACART_DEPARTMENTS: tuple[str, ...] = (
    "frozen", "other", "bakery", "produce", "alcohol", "international", "beverages", "pets",
    "dry goods pasta", "bulk", "personal care", "meat seafood", "pantry", "breakfast",
    "canned goods", "dairy eggs", "household", "babies", "snacks", "deli", "missing",
)  # fmt: skip
#: Share of order lines per department in the real Instacart data (sets the base of the
#: customers' department preferences, whichever catalogue is used).
DEPARTMENT_LINE_SHARE: dict[str, float] = {
    "produce": 0.292, "dairy eggs": 0.167, "snacks": 0.089, "beverages": 0.083, "frozen": 0.069,
    "pantry": 0.058, "bakery": 0.036, "canned goods": 0.033, "deli": 0.032, "dry goods pasta": 0.027,
    "household": 0.023, "breakfast": 0.022, "meat seafood": 0.022, "personal care": 0.014,
    "babies": 0.013, "international": 0.008, "alcohol": 0.005, "pets": 0.003, "missing": 0.002,
    "other": 0.001, "bulk": 0.001,
}  # fmt: skip
# department -> aisle names and product nouns of the built-in grocery catalogue
_GROCERY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "frozen": (("frozen meals", "ice cream ice", "frozen produce"), ("Pizza", "Ice Cream", "Peas", "Burritos", "Waffles")),
    "other": (("other",), ("Gift Card", "Reusable Bag")),
    "bakery": (("bread", "breakfast bakery"), ("Sourdough Bread", "Bagels", "Muffins", "Tortillas")),
    "produce": (("fresh fruits", "fresh vegetables", "packaged vegetables fruits", "fresh herbs"),
                ("Bananas", "Strawberries", "Baby Spinach", "Avocado", "Lemons", "Cilantro", "Apples", "Carrots")),
    "alcohol": (("beers coolers", "red wines"), ("Lager", "Pale Ale", "Cabernet Sauvignon")),
    "international": (("asian foods", "latino foods"), ("Ramen Noodles", "Salsa", "Curry Paste")),
    "beverages": (("water seltzer sparkling water", "juice nectars", "coffee", "tea"),
                  ("Sparkling Water", "Orange Juice", "Ground Coffee", "Green Tea", "Cola")),
    "pets": (("cat food care", "dog food care"), ("Cat Food", "Dog Treats")),
    "dry goods pasta": (("dry pasta", "grains rice dried goods"), ("Spaghetti", "Brown Rice", "Penne", "Quinoa")),
    "bulk": (("bulk grains rice dried goods",), ("Rolled Oats", "Lentils")),
    "personal care": (("oral hygiene", "body lotions soap", "hair care"), ("Toothpaste", "Hand Soap", "Shampoo", "Body Lotion")),
    "meat seafood": (("poultry counter", "packaged seafood"), ("Chicken Breast", "Ground Beef", "Salmon Fillet")),
    "pantry": (("baking ingredients", "spices seasonings", "oils vinegars", "condiments"),
               ("Olive Oil", "Flour", "Sea Salt", "Ketchup", "Honey", "Peanut Butter")),
    "breakfast": (("cereal", "granola"), ("Granola", "Corn Flakes", "Oatmeal")),
    "canned goods": (("soup broth bouillon", "canned meals beans"), ("Chicken Broth", "Black Beans", "Tomato Soup")),
    "dairy eggs": (("yogurt", "milk", "eggs", "packaged cheese", "butter"),
                   ("Whole Milk", "Greek Yogurt", "Large Eggs", "Cheddar Cheese", "Butter", "Almond Milk")),
    "household": (("paper goods", "cleaning products", "laundry"), ("Paper Towels", "Dish Soap", "Laundry Detergent")),
    "babies": (("baby food formula", "diapers wipes"), ("Baby Food Pouch", "Diapers", "Baby Wipes")),
    "snacks": (("chips pretzels", "crackers", "cookies cakes", "candy chocolate", "nuts seeds dried fruit"),
               ("Tortilla Chips", "Crackers", "Chocolate Chip Cookies", "Dark Chocolate", "Almonds", "Popcorn")),
    "deli": (("lunch meat", "prepared meals", "fresh dips tapenades"), ("Sliced Turkey", "Hummus", "Pasta Salad")),
    "missing": (("missing",), ("Assorted Item",)),
}  # fmt: skip
_GROCERY_ADJECTIVES = ("Organic", "Original", "Classic", "Unsweetened", "Family Size", "Low Fat",
                       "Lightly Salted", "Whole", "Natural", "Extra Virgin", "Mini", "Spicy")  # fmt: skip
_GROCERY_COMMA_SUFFIXES = (", Original", ", Family Pack", ", Unsalted", ", 12 oz")


@dataclass
class Catalogue:
    """Products the generator can sell.

    ``cell`` groups products the customers choose between (fashion: masterCategory x product
    gender; grocery: department); ``cell_category`` gives each cell's top category.
    """

    product_id: np.ndarray  # int64
    category: np.ndarray  # index into categories, the top category of each product
    categories: tuple[str, ...]
    cell: np.ndarray
    cell_category: np.ndarray
    cell_gender: np.ndarray  # product gender group of each cell, -1 when not used
    popularity: np.ndarray  # positive weights
    price: np.ndarray | None  # int64 IDR, None for grocery
    category_base: np.ndarray  # base of the Dirichlet category preferences, sums to 1
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # text columns for the file
    unquoted_comma_rows: np.ndarray | None = None  # bool per product

    @property
    def n_cells(self) -> int:
        return len(self.cell_category)


def _zipf_popularity(rng: np.random.Generator, cell: np.ndarray, exponent: float) -> np.ndarray:
    """Zipf-like popularity within each cell, with random ranks."""
    order = np.lexsort((rng.random(len(cell)), cell))
    rank = np.empty(len(cell), dtype=np.int64)
    starts = np.searchsorted(cell[order], cell[order], side="left")
    rank[order] = np.arange(len(cell)) - starts + 1
    return rank.astype(np.float64) ** -exponent


def fashion_catalogue(rng: np.random.Generator, n: int, cfg: GeneratorConfig) -> Catalogue:
    """A built-in fashion catalogue of ``n`` products in the Fashion Campus product.csv shape."""
    types = _FASHION_TYPES
    weights = np.array([t[4] for t in types], dtype=np.float64)
    art = rng.choice(len(types), size=n, p=weights / weights.sum())
    masters = tuple(dict.fromkeys(t[0] for t in types))
    master_of_type = np.array([masters.index(t[0]) for t in types])
    # product gender: among the genders allowed for the article type, by catalogue frequency
    allowed = np.zeros((len(types), 5))
    for i, t in enumerate(types):
        for code in t[6]:
            allowed[i, _GENDER_CODES[code]] = _GENDER_WEIGHTS[_GENDER_CODES[code]]
    cum = np.cumsum(allowed / allowed.sum(1, keepdims=True), axis=1)
    gender = np.minimum((rng.random(n)[:, None] > cum[art]).sum(1), 4)
    category = master_of_type[art]
    cell = category * 5 + gender
    median = np.array([t[5] for t in types], dtype=np.float64)[art]
    price = np.maximum(np.rint(median * np.exp(rng.normal(0.0, 0.45, n))), 1000).astype(np.int64)
    # ids: unique integers spread like the real ones (1 .. ~60,000 for 44k products)
    product_id = rng.choice(np.arange(1, int(n * 1.35) + 2), size=n, replace=False)

    def pick(pairs):
        names, p = zip(*pairs, strict=True)
        idx = rng.choice(len(names), size=n, p=np.array(p) / sum(p))
        return np.array(names, dtype=object)[idx]

    def missing() -> np.ndarray:
        return rng.random(n) < cfg.product_missing_share

    season = np.where(missing(), None, pick(_SEASONS))
    usage = np.where(missing(), None, pick(_USAGES))
    year_val = pick(_YEARS).astype(np.int64)
    year_missing = missing()
    brand = np.array(_BRANDS, dtype=object)[rng.integers(0, len(_BRANDS), n)]
    colour = np.array(_COLOURS, dtype=object)[rng.integers(0, len(_COLOURS), n)]
    adjective = np.array(_ADJECTIVES, dtype=object)[rng.integers(0, len(_ADJECTIVES), n)]
    noun = np.array([t[3] for t in types], dtype=object)[art]
    gender_word = np.array(FASHION_GENDERS, dtype=object)[gender]
    adj_sp = np.where(adjective == "", "", adjective + " ")
    name = brand + " " + gender_word + " " + adj_sp + colour + " " + noun
    # the trap: a few names carry a comma and are written without quotes
    n_trap = min(n, max(cfg.min_unquoted_comma_rows, int(round(n * cfg.unquoted_comma_share))))
    trap = np.zeros(n, dtype=bool)
    trap[rng.choice(n, size=n_trap, replace=False)] = True
    name = np.where(trap, brand + " " + gender_word + " " + noun + ", " + colour, name)
    counts = np.bincount(category, minlength=len(masters)).astype(np.float64)
    return Catalogue(
        product_id=product_id,
        category=category,
        categories=masters,
        cell=cell,
        cell_category=np.repeat(np.arange(len(masters)), 5),
        cell_gender=np.tile(np.arange(5), len(masters)),
        popularity=_zipf_popularity(rng, cell, cfg.popularity_exponent),
        price=price,
        category_base=counts / counts.sum(),
        columns={
            "gender": gender_word,
            "masterCategory": np.array(masters, dtype=object)[category],
            "subCategory": np.array([t[1] for t in types], dtype=object)[art],
            "articleType": np.array([t[2] for t in types], dtype=object)[art],
            "baseColour": colour,
            "season": season,
            "year": year_val,
            "year_missing": year_missing,
            "usage": usage,
            "productDisplayName": name,
        },
        unquoted_comma_rows=trap,
    )


def _grocery(product_id, department_idx, departments, rng, cfg: GeneratorConfig, columns) -> Catalogue:
    base = np.array([DEPARTMENT_LINE_SHARE.get(d, 0.001) for d in departments], dtype=np.float64)
    present = np.bincount(department_idx, minlength=len(departments)) > 0
    base = np.where(present, base, 0.0)
    return Catalogue(
        product_id=product_id,
        category=department_idx,
        categories=tuple(departments),
        cell=department_idx,
        cell_category=np.arange(len(departments)),
        cell_gender=np.full(len(departments), -1),
        popularity=_zipf_popularity(rng, department_idx, cfg.instacart_popularity_exponent),
        price=None,
        category_base=base / base.sum(),
        columns=columns,
    )


def builtin_grocery_catalogue(rng: np.random.Generator, n: int, cfg: GeneratorConfig) -> Catalogue:
    """A small built-in grocery catalogue in the Instacart products/aisles/departments shape."""
    departments = INSTACART_DEPARTMENTS
    aisles: list[tuple[str, int]] = []  # (aisle name, department index)
    for d_idx, dep in enumerate(departments):
        aisles.extend((a, d_idx) for a in _GROCERY[dep][0])
    aisle_dep = np.array([d for _, d in aisles])
    share = np.array([max(DEPARTMENT_LINE_SHARE[d], 0.01) for d in departments])
    dep_of_product = rng.choice(len(departments), size=n, p=share / share.sum())
    dep_of_product[: len(departments)] = np.arange(len(departments))  # every department stocked
    aisle_of_product = np.empty(n, dtype=np.int64)
    for d_idx in range(len(departments)):  # one pass per department (21), not per product
        rows = np.flatnonzero(dep_of_product == d_idx)
        choices = np.flatnonzero(aisle_dep == d_idx)
        aisle_of_product[rows] = rng.choice(choices, size=len(rows))
    noun_lists = [np.array(_GROCERY[dep][1], dtype=object) for dep in departments]
    noun = np.empty(n, dtype=object)
    for d_idx, choices in enumerate(noun_lists):
        rows = np.flatnonzero(dep_of_product == d_idx)
        noun[rows] = choices[rng.integers(0, len(choices), len(rows))]
    adjective = np.array(_GROCERY_ADJECTIVES, dtype=object)[rng.integers(0, len(_GROCERY_ADJECTIVES), n)]
    brand = np.array(_BRANDS, dtype=object)[rng.integers(0, len(_BRANDS), n)]
    name = brand + " " + adjective + " " + noun
    comma = rng.random(n) < 0.03
    suffix = np.array(_GROCERY_COMMA_SUFFIXES, dtype=object)[rng.integers(0, len(_GROCERY_COMMA_SUFFIXES), n)]
    name = np.where(comma, name + suffix, name)
    columns = {
        "product_name": name,
        "aisle_id": aisle_of_product + 1,
        "department_id": dep_of_product + 1,
        "aisle_names": np.array([a for a, _ in aisles], dtype=object),
        "department_names": np.array(departments, dtype=object),
    }
    return _grocery(np.arange(1, n + 1), dep_of_product, departments, rng, cfg, columns)


INSTACART_CATALOGUE_FILES = ("products.csv", "aisles.csv", "departments.csv")


def load_instacart_catalogue(directory: Path, rng: np.random.Generator, cfg: GeneratorConfig) -> Catalogue:
    """The real Instacart products/aisles/departments from ``directory``."""
    paths = [directory / f for f in INSTACART_CATALOGUE_FILES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise DataError(
            "The Instacart catalogue directory lacks files.",
            file=str(directory),
            values=missing,
            fix="Pass a directory with products.csv, aisles.csv and departments.csv, or none.",
        )
    products = pd.read_csv(
        paths[0], dtype={"product_id": "int64", "aisle_id": "int64", "department_id": "int64"}
    )
    deps = pd.read_csv(paths[2], dtype={"department_id": "int64"})
    expected = {"product_id", "product_name", "aisle_id", "department_id"}
    if not expected <= set(products.columns) or not {"department_id", "department"} <= set(deps.columns):
        raise DataError(
            "The Instacart catalogue files do not have the native columns.",
            file=str(paths[0]),
            values=list(products.columns),
            fix="Use the original products.csv and departments.csv.",
        )
    dep_index = pd.Series(np.arange(len(deps)), index=deps["department_id"].to_numpy())
    dep_idx = dep_index.reindex(products["department_id"].to_numpy()).to_numpy()
    if np.isnan(dep_idx.astype(np.float64)).any():
        raise DataError(
            "products.csv refers to unknown departments.",
            file=str(paths[0]),
            column="department_id",
            fix="Use the departments.csv that came with products.csv, or add the missing departments to it.",
        )
    columns = {"source_dir": np.array([str(directory)], dtype=object)}
    return _grocery(
        products["product_id"].to_numpy(np.int64),
        dep_idx.astype(np.int64),
        tuple(deps["department"].astype(str)),
        rng,
        cfg,
        columns,
    )


def copy_instacart_catalogue(directory: Path, out_dir: Path) -> None:
    """Copy the real catalogue files byte for byte."""
    for name in INSTACART_CATALOGUE_FILES:
        shutil.copyfile(directory / name, out_dir / name)
