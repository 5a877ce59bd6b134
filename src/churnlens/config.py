"""The one configuration object of churnlens.

`ChurnlensConfig` groups every tunable number of the system in sections (one small dataclass
each). Defaults are documented next to each field. It loads from a TOML file whose tables
are the section names, e.g.::

    [churn]
    window_days = 30

    [sessions]
    gap_minutes = 20

and single values can be overridden with dotted keys (``churn.window_days=30``), which is
what the CLI's ``--set`` flag does.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churnlens.errors import DataError


@dataclass
class EngineConfig:
    """Where the warehouse lives and which engine computes."""

    #: Spark master for ``--engine spark``: ``local[2]``, ``spark://host:7077`` or a Spark
    #: Connect address ``sc://host:15002``.
    spark_master: str = "local[2]"
    #: Memory of the local Spark driver.
    spark_driver_memory: str = "4g"
    #: Shuffle partitions; small on a laptop, raise it on a cluster.
    spark_shuffle_partitions: int = 8


@dataclass
class IngestConfig:
    """How native files are read."""

    #: Rows of a column that may fail to parse before the whole column is judged to be in
    #: the wrong format (a DataError instead of rejected rows). A share of the rows read.
    max_bad_share: float = 0.5
    #: Snapshot date that relative-time data sets (Instacart) are aligned on: every user's
    #: last order is placed on this day. ISO date.
    relative_snapshot_date: str = "2017-06-30"
    #: Hour-of-day used when a source gives dates only.
    default_hour: int = 12


@dataclass
class SessionsConfig:
    """Sessionization of click streams."""

    #: Inactivity (minutes) that ends a session.
    gap_minutes: float = 30.0
    #: Also end sessions at midnight UTC.
    split_at_midnight: bool = False


@dataclass
class BehaviourConfig:
    """Funnels, paths, age bands and search trends (stages ``behaviour_*``)."""

    #: Ordered funnel steps (canonical event types).
    funnel_steps: list[str] = field(default_factory=lambda: ["home", "view_item", "add_to_cart", "purchase"])
    #: What a funnel follows: "session" (re-split sessions) or "visitor" (across sessions).
    funnel_unit: str = "session"
    #: Minutes after the first step within which later steps count (0 = no limit).
    funnel_window_minutes: float = 1440.0
    #: Steps of the order funnel (first order -> second -> ...) and its window in days (0 = none).
    order_funnel_orders: int = 3
    order_funnel_window_days: float = 0.0
    #: Lower edges (years) of the age bands; the last band is open-ended (55+).
    age_band_edges: list[int] = field(default_factory=lambda: [0, 18, 25, 35, 45, 55])
    #: Events per path (first N of a session), paths kept per table, merge consecutive repeats.
    path_steps: int = 4
    path_top: int = 100
    path_collapse_repeats: bool = True
    #: Search keyword groups, name -> terms. A [behaviour.search_groups] table replaces this
    #: default; list second_hand there again to keep it.
    search_groups: dict[str, list[str]] = field(
        default_factory=lambda: {"second_hand": ["Bekas", "Barang Bekas", "Second Hand", "Second", "Thrift"]}
    )
    #: How a query matches a group's terms, ignoring case: "exact" or "contains".
    search_match: str = "exact"


@dataclass
class ChurnConfig:
    """Churn labels and models."""

    #: A customer has churned at a cutoff when there is no paid order in the next `window_days`.
    window_days: int = 25
    #: Population at a cutoff: customers with a paid order in this many days before it.
    lookback_days: int = 365
    #: Number of past cutoffs stacked for training.
    training_cutoffs: int = 6
    #: Days between two training cutoffs.
    cutoff_step_days: int = 30
    #: Personal-cycle baseline: churn when days since last order > multiple x mean interval.
    cycle_multiple: float = 2.0
    #: Gap that counts as churn in next-gap mode (relative-time shops); Instacart caps at 30.
    next_gap_days: int = 30
    #: Risk bands: probability thresholds for medium and high risk.
    risk_medium: float = 0.4
    risk_high: float = 0.7
    random_state: int = 42


@dataclass
class RFMConfig:
    """RFM scoring."""

    recency_grades: int = 3
    frequency_grades: int = 2
    monetary_grades: int = 2


@dataclass
class CLVConfig:
    """Customer value models."""

    #: Count at most one purchase per day ("day") or every order ("order").
    purchase_unit: str = "day"
    #: Horizon of the lifetime value, in months.
    horizon_months: int = 12
    #: Yearly discount rate of future revenue.
    annual_discount_rate: float = 0.10


@dataclass
class ChurnlensConfig:
    """Everything tunable in churnlens, grouped by stage."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    sessions: SessionsConfig = field(default_factory=SessionsConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    rfm: RFMConfig = field(default_factory=RFMConfig)
    clv: CLVConfig = field(default_factory=CLVConfig)

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> ChurnlensConfig:
        """Read a TOML file; unknown sections or keys are an error, not silently ignored."""
        p = Path(path)
        if not p.exists():
            raise DataError("Config file not found.", file=str(p), fix="Pass an existing TOML file.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError(
                f"Config file is not valid TOML: {exc}", file=str(p), fix="Fix the TOML syntax."
            ) from exc
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "config") -> ChurnlensConfig:
        cfg = cls()
        for section, values in data.items():
            if not isinstance(values, dict):
                raise DataError(
                    f"Config entry '{section}' must be a table of settings.",
                    file=source,
                    fix=f"Write it as [{section}] followed by key = value lines.",
                )
            for key, value in values.items():
                cfg.set(f"{section}.{key}", value, source=source)
        return cfg

    def set(self, dotted: str, value: Any, source: str = "--set") -> None:
        """Set one value by its dotted name (``churn.window_days``), converting strings."""
        section_name, _, key = dotted.partition(".")
        sections = {f.name: f for f in dataclasses.fields(self)}
        if section_name not in sections or not key:
            raise DataError(
                f"Unknown setting '{dotted}'.",
                file=source,
                values=[dotted],
                fix=f"Use one of the sections {sorted(sections)} as section.key.",
            )
        section = getattr(self, section_name)
        fields = {f.name: f for f in dataclasses.fields(section)}
        if key not in fields:
            raise DataError(
                f"Unknown setting '{dotted}'.",
                file=source,
                values=[dotted],
                fix=f"Known keys of [{section_name}]: {sorted(fields)}.",
            )
        current = getattr(section, key)
        setattr(section, key, _coerce(value, current, dotted, source))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(value: Any, current: Any, name: str, source: str) -> Any:
    if not isinstance(value, str) or isinstance(current, str):
        return value
    try:
        if isinstance(current, bool):
            if value.lower() in {"true", "1", "yes"}:
                return True
            if value.lower() in {"false", "0", "no"}:
                return False
            raise ValueError(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, list | dict):
            return tomllib.loads(f"v = {value}")["v"]
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataError(
            f"Setting '{name}' expects a {type(current).__name__}.",
            file=source,
            values=[value],
            fix=f"Give a value like {current!r}.",
        ) from exc
    return value
