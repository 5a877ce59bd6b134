"""What customers put in their baskets: category preferences, routine products, picks.

Each customer has Dirichlet preferences over the top categories (favourite = the largest),
an affinity to product gender groups (fashion), a share ``premium`` of picks made among
price-weighted products (spend level), and a few routine products re-bought with probability
``routine_share`` per pick (Zipf weights among them). A pick is: a routine product with
probability routine_share, otherwise a sampling cell from the preferences and a product in
that cell by popularity (or popularity x price for premium picks).
All sampling is vectorised with stacked cumulative tables: for group g with normalised
cumulative weights q in (0, 1], the stacked value g + q lets one `searchsorted` pick within
any group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.sources.synthetic.catalogue import Catalogue
from churnlens.sources.synthetic.process import segment_ranks


class StackedSampler:
    """Pick an item within a group by weight: ``pick(group, u)`` with u in [0, 1)."""

    def __init__(self, group: np.ndarray, weight: np.ndarray, n_groups: int) -> None:
        self.order = np.argsort(group, kind="stable")
        g = group[self.order]
        w = np.asarray(weight, dtype=np.float64)[self.order]
        cum = np.cumsum(w)
        counts = np.bincount(g, minlength=n_groups)
        self.start = np.cumsum(counts) - counts
        self.stop = self.start + counts
        base = np.concatenate([[0.0], cum])[self.start]
        total = np.concatenate([[0.0], cum])[self.stop] - base
        self.stacked = g + (cum - base[g]) / np.where(total > 0, total, 1.0)[g]
        self.stacked[self.stop[counts > 0] - 1] = np.flatnonzero(counts > 0) + 1.0

    def pick(self, group: np.ndarray, u: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.stacked, group + u, side="right")
        pos = np.clip(pos, self.start[group], self.stop[group] - 1)
        return self.order[pos]


@dataclass
class Shoppers:
    """Per-customer basket latents (arrays of length n unless stated)."""

    category_pref: np.ndarray  # (n, n_categories)
    favourite: np.ndarray  # category index
    cell_cum: np.ndarray  # (n, n_cells) cumulative cell probabilities, last column 1
    premium: np.ndarray
    routine_share: np.ndarray
    routine_count: np.ndarray
    routine_products: np.ndarray  # flat product indices, grouped by customer
    routine_sampler: StackedSampler
    spend_mean: np.ndarray | None  # expected items amount per booking (price catalogues)


def draw_shoppers(
    rng: np.random.Generator,
    cat: Catalogue,
    n: int,
    concentration: float,
    routine_min: int,
    routine_max: int,
    routine_a: float,
    routine_b: float,
    gender_affinity: np.ndarray | None = None,
    premium_ab: tuple[float, float] | None = None,
    pref: np.ndarray | None = None,
) -> Shoppers:
    """Draw the basket latents of ``n`` customers.

    ``gender_affinity`` is an (n, 5) array of weights for the fashion product gender groups
    (None for grocery); ``premium_ab`` the Beta parameters of the premium share (None: 0);
    ``pref`` category preferences drawn before (`draw_preferences`), drawn here when None.
    """
    if pref is None:
        pref = draw_preferences(rng, cat, n, concentration)
    base = cat.category_base
    favourite = np.argmax(pref, axis=1)
    stocked = np.bincount(cat.cell, minlength=cat.n_cells) > 0
    within = np.broadcast_to(stocked.astype(np.float64), (n, cat.n_cells)).copy()
    if gender_affinity is not None:
        within *= gender_affinity[:, np.clip(cat.cell_gender, 0, None)]
    # normalise within each category so that the category probabilities stay `pref`
    cat_of_cell = cat.cell_category
    sums = np.zeros((n, len(base)))
    np.add.at(sums.T, cat_of_cell, within.T)
    cell_p = within / np.where(sums > 0, sums, 1.0)[:, cat_of_cell] * pref[:, cat_of_cell]
    cell_cum = np.cumsum(cell_p, axis=1)
    cell_cum /= cell_cum[:, -1:]
    premium = rng.beta(*premium_ab, size=n) if premium_ab is not None else np.zeros(n)
    routine_share = rng.beta(routine_a, routine_b, size=n)
    routine_count = rng.integers(routine_min, routine_max + 1, size=n)
    owner, rank = segment_ranks(routine_count)
    pop = StackedSampler(cat.cell, cat.popularity, cat.n_cells)
    routine_products = pick_fresh(rng, pop, None, cell_cum, owner, np.zeros(n))
    routine_sampler = StackedSampler(owner, 1.0 / (rank + 1.0), n)
    shoppers = Shoppers(
        pref,
        favourite,
        cell_cum,
        premium,
        routine_share,
        routine_count,
        routine_products,
        routine_sampler,
        None,
    )
    if cat.price is not None:
        shoppers.spend_mean = expected_price(cat, shoppers, owner, rank)
    return shoppers


def draw_preferences(rng: np.random.Generator, cat: Catalogue, n: int, concentration: float) -> np.ndarray:
    """Category preferences (n, n_categories) ~ Dirichlet(concentration * category_base)."""
    base = cat.category_base
    present = base > 0
    alpha = np.where(present, concentration * base, 1.0)
    pref = rng.gamma(alpha, size=(n, len(base))) * present
    pref = np.maximum(pref, 1e-300 * present)
    return pref / pref.sum(1, keepdims=True)


def expected_price(cat: Catalogue, s: Shoppers, owner: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Expected unit price of one pick of each customer (exact under the pick rules)."""
    price = cat.price.astype(np.float64)
    pop_w = cat.popularity
    prem_w = cat.popularity * price
    n_cells = cat.n_cells

    def cell_mean(w):
        num = np.bincount(cat.cell, weights=w * price, minlength=n_cells)
        den = np.bincount(cat.cell, weights=w, minlength=n_cells)
        return num / np.where(den > 0, den, 1.0)

    cell_p = np.diff(np.concatenate([np.zeros((len(s.premium), 1)), s.cell_cum], axis=1), axis=1)
    fresh = (1 - s.premium) * (cell_p @ cell_mean(pop_w)) + s.premium * (cell_p @ cell_mean(prem_w))
    rw = 1.0 / (rank + 1.0)
    routine = np.bincount(owner, weights=rw * price[s.routine_products], minlength=len(s.premium))
    routine /= np.bincount(owner, weights=rw, minlength=len(s.premium))
    return s.routine_share * routine + (1 - s.routine_share) * fresh


def pick_fresh(
    rng: np.random.Generator,
    pop: StackedSampler,
    prem: StackedSampler | None,
    cell_cum: np.ndarray,
    customer: np.ndarray,
    premium: np.ndarray,
    chunk: int = 250_000,
) -> np.ndarray:
    """Products picked from the customers' cell preferences (premium picks weighted by price)."""
    out = np.empty(len(customer), dtype=np.int64)
    for lo in range(0, len(customer), chunk):
        c = customer[lo : lo + chunk]
        u = 1.0 - rng.random(len(c))
        cells = np.minimum((cell_cum[c] < u[:, None]).sum(1), cell_cum.shape[1] - 1)
        v = rng.random(len(c))
        products = pop.pick(cells, v)
        if prem is not None:
            use_prem = rng.random(len(c)) < premium[c]
            products = np.where(use_prem, prem.pick(cells, v), products)
        out[lo : lo + chunk] = products
    return out


def pick_products(
    rng: np.random.Generator,
    s: Shoppers,
    customer: np.ndarray,
    samplers: tuple[StackedSampler, StackedSampler | None],
) -> np.ndarray:
    """One product (catalogue index) per pick; ``customer`` indexes the shoppers' arrays."""
    routine = rng.random(len(customer)) < s.routine_share[customer]
    out = np.empty(len(customer), dtype=np.int64)
    r_idx = np.flatnonzero(routine)
    if len(r_idx):
        pos = s.routine_sampler.pick(customer[r_idx], rng.random(len(r_idx)))
        out[r_idx] = s.routine_products[pos]
    f_idx = np.flatnonzero(~routine)
    if len(f_idx):
        out[f_idx] = pick_fresh(rng, samplers[0], samplers[1], s.cell_cum, customer[f_idx], s.premium)
    return out


def samplers_for(cat: Catalogue, with_premium: bool) -> tuple[StackedSampler, StackedSampler | None]:
    pop = StackedSampler(cat.cell, cat.popularity, cat.n_cells)
    prem = None
    if with_premium and cat.price is not None:
        prem = StackedSampler(cat.cell, cat.popularity * cat.price, cat.n_cells)
    return pop, prem


def negative_binomial(rng: np.random.Generator, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """Counts with the given means and Gamma(dispersion) overdispersion (Poisson-Gamma)."""
    return rng.poisson(mean * rng.gamma(dispersion, 1.0 / dispersion, size=len(mean)))
