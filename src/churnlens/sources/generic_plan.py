"""The generic adapter's column mapping: which file plays which role, which column is which
field, the option checks that turn a user's ``--map`` into a `Plan` (see `generic`), and the
SQL the plan's options give for times and statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from churnlens.errors import DataError
from churnlens.schema import ORDER_STATUSES
from churnlens.sources.sql import literal

LINE_FIELDS = ("product_id", "quantity", "unit_price", "line_no", "product_name", "category")
#: The fields each role's columns can be mapped to.
FIELDS: dict[str, tuple[str, ...]] = {
    "orders": (
        *"order_id customer_id order_ts status total_amount items_amount discount_amount shipping_amount "
        "promo_code payment_method session_id".split(),
        *LINE_FIELDS,
    ),
    "items": ("order_id", "shipping", *LINE_FIELDS),
    "payments": ("order_id", "amount", "method"),
    "customers": tuple(
        "customer_id person_id gender birth_date signup_ts region country device_type".split()
    ),
    "products": ("product_id", "name", "category_l1", "category_l2", "category_l3", "brand"),
}
#: Other names accepted for some fields (--map amount=... is --map orders.total_amount=...).
ALIASES: dict[str, dict[str, str]] = {
    "orders": {
        "amount": "total_amount",
        "discount": "discount_amount",
        "shipping": "shipping_amount",
        "price": "unit_price",
    },
    "items": {"price": "unit_price", "name": "product_name"},
    "payments": {"payment_method": "method", "value": "amount"},
    "customers": {},
    "products": {"product_name": "name", "category": "category_l1"},
}
ROLES = tuple(FIELDS)
#: Where a role's rows are counted (payments feed orders' amounts; counted on their own).
TARGET = {
    r: t for r, t in zip(ROLES, ("orders", "order_items", "payments", "customers", "products"), strict=True)
}
#: The key of each role's rows; items and payments join orders on order_id, customers on customer_id.
KEYS = {"orders": "order_id", "items": "order_id", "payments": "order_id", "customers": "customer_id"}
KEYS["products"] = "product_id"
IDS = {"order_id", "customer_id", "product_id", "person_id"}
TIMES = {"order_ts", "signup_ts", "birth_date"}
NUMBERS = set(
    "total_amount items_amount discount_amount shipping_amount quantity unit_price shipping amount".split()
)
#: Source status values (lower case, spaces and hyphens as "_") -> canonical status.
STATUSES: dict[str, str] = {
    **dict.fromkeys(
        "paid complete completed delivered shipped invoiced approved processing fulfilled "
        "succeeded success captured settled".split(),
        "paid",
    ),
    **dict.fromkeys("canceled cancelled unavailable refunded voided".split(), "cancelled"),
    **dict.fromkeys("failed declined payment_failed".split(), "failed"),
}


@dataclass
class Plan:
    files: dict[str, Path]
    maps: dict[str, dict[str, str]]
    options: dict[str, Any]
    default_hour: int
    statuses: dict[str, str] = field(default_factory=dict)

    @property
    def line_level(self) -> bool:
        return any(f in self.maps["orders"] for f in LINE_FIELDS)


def make_plan(paths: list[Path], options: dict[str, Any], default_hour: int) -> Plan:
    files: dict[str, Path] = {}
    given = [(str(r), Path(p)) for r, p in (options.get("files") or {}).items()]
    for p in paths:
        m = re.fullmatch(r"([a-z_]+)=(.+)", str(p), flags=re.S)
        if m and not Path(p).exists():
            given.append((m.group(1), Path(m.group(2))))
        else:
            given.append(("orders", Path(p)))
    for role, path in given:
        if role not in ROLES:
            raise DataError(f"Unknown file role '{role}'.", values=[role], fix=f"Use one of {list(ROLES)}.")
        if role in files:
            raise DataError(
                f"Two files for the role '{role}'.",
                file=f"{files[role]}, {path}",
                fix="Give one file per role; a bare path is the orders file, others are role=file.",
            )
        if path.is_dir():
            raise DataError(
                "The generic adapter reads files, not directories.",
                file=str(path),
                fix="Name each file: orders.csv items=items.csv payments=payments.csv ...",
            )
        files[role] = path
    if "orders" not in files:
        raise DataError("No orders file given.", fix="Pass the orders (or order lines) file first.")
    maps: dict[str, dict[str, str]] = {r: {} for r in ROLES}
    for key, column in (options.get("map") or {}).items():
        role, _, name = str(key).rpartition(".")
        role = role or "orders"
        if role not in ROLES:
            raise DataError(f"Unknown role in --map {key}.", values=[key], fix=f"Roles: {', '.join(ROLES)}.")
        name = ALIASES[role].get(name, name)
        if name not in FIELDS[role]:
            raise DataError(
                f"Unknown field in --map {key}={column}.",
                values=[key],
                fix=f"Fields of {role}: {', '.join(FIELDS[role])}.",
            )
        if not isinstance(column, str) or not column:
            raise DataError(f"--map {key} needs a column name.", values=[column], fix=f"--map {key}=<column>")
        maps[role][name] = column
    for role, fields in maps.items():
        if fields and role not in files:
            raise DataError(
                f"Columns are mapped for {role} but no {role} file is given.",
                values=[f"{role}.{f}" for f in fields],
                fix=f"Pass the file as {role}=<file>.",
            )
    need = [f for f in ("customer_id", "order_ts") if f not in maps["orders"]]
    if need:
        raise DataError(
            f"The orders map lacks {', '.join(need)}.",
            file=str(files["orders"]),
            fix="Map them, e.g. --map customer_id=<column> --map order_ts=<column>.",
        )
    for role in ROLES[1:]:
        if role not in files:
            continue
        key, other = KEYS[role], ("items", "orders") if role == "products" else ("orders",)
        if key not in maps[role]:
            column = next((maps[o][key] for o in other if key in maps[o]), None)
            if column is None:
                raise DataError(
                    f"The {role} file cannot be joined: {' or '.join(f'{o}.{key}' for o in other)} "
                    "is not mapped.",
                    file=str(files[role]),
                    fix=f"Map {role}.{key} and {other[0]}.{key}.",
                )
            maps[role][key] = column
        if len(maps[role]) == 1 and role != "customers":
            raise DataError(
                f"Nothing is mapped for the {role} file.",
                file=str(files[role]),
                fix=f"Map its columns with --map {role}.<field>=<column>; fields: {', '.join(FIELDS[role])}.",
            )
    if "payments" in files and "amount" not in maps["payments"]:
        raise DataError(
            "payments.amount is not mapped.",
            file=str(files["payments"]),
            fix="--map payments.amount=<column>",
        )
    if maps["orders"].keys() & set(LINE_FIELDS) and "items" in files:
        raise DataError(
            "Line fields are mapped on the orders file and an items file is given.",
            fix="Map product_id/quantity/unit_price either on the orders file (one row per line) or on items.",
        )
    statuses = dict(STATUSES)
    for value, status in (options.get("status_map") or {}).items():
        if status not in ORDER_STATUSES:
            raise DataError(
                f"status_map sends '{value}' to '{status}'.", values=[status], fix=f"Use {ORDER_STATUSES}."
            )
        statuses[norm_status(str(value))] = status
    unknown = options.get("unknown_status", "reject")
    if unknown != "reject" and unknown not in ORDER_STATUSES:
        raise DataError(
            "unknown_status must be reject, paid, cancelled or failed.",
            values=[unknown],
            fix="Set options['unknown_status'] to one of reject, paid, cancelled or failed.",
        )
    return Plan(files, maps, options, default_hour, statuses)


# ---- reading and typing one file -------------------------------------------------------------------
def require_columns(path: Path, role: str, fields: dict[str, str], found: list[str]) -> None:
    missing = [(f, c) for f, c in fields.items() if c not in found]
    if not found or not missing:
        return  # an empty or unreadable file: the stage says so
    keys = ", ".join(f"{role}.{f}={c}" for f, c in missing)
    raise DataError(
        f"Mapped column{'s' if len(missing) > 1 else ''} not in the {role} file: {keys}.",
        file=str(path),
        column=", ".join(c for _f, c in missing),
        values=found,
        fix=f"The file's columns are: {', '.join(found[:40])}. Map {role}.{missing[0][0]} to one of them "
        f"(--map {role}.{missing[0][0]}=<column>) or pass the right file.",
    )


def sniff_delimiter(path: Path) -> str:
    """The separator of a CSV file: the most frequent of , ; tab | on its header line."""
    if not path.is_file():
        return ","
    with open(path, encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    return max((",", ";", "\t", "|"), key=lambda d: (first.count(d), d == ","))


def ts_sql(plan: Plan, v: str) -> str:
    """SQL turning the text ``v`` into a UTC timestamp (NULL when it is no known format)."""
    hour = f"to_hours({literal(int(plan.default_hour))})"
    parts = []
    fmt = plan.options.get("timestamp_format")
    if fmt:
        parts.append(
            f"try_strptime({v}, {literal(str(fmt))})" + ("" if "%H" in fmt or "%I" in fmt else f" + {hour}")
        )
    offset = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
    parts += [
        f"CASE WHEN regexp_matches({v}, '{offset}') THEN TRY_CAST({v} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' END",
        f"CASE WHEN regexp_full_match({v}, '[0-9]{{4}}[-/][0-9]{{1,2}}[-/][0-9]{{1,2}}') "
        f"THEN TRY_CAST({v} AS TIMESTAMP) + {hour} ELSE TRY_CAST({v} AS TIMESTAMP) END",
        f"try_strptime({v}, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M'])",
        f"try_strptime({v}, '%d.%m.%Y') + {hour}",
    ]
    return f"CAST(coalesce({', '.join(parts)}) AS TIMESTAMP)"


def status_sql(plan: Plan, v: str) -> str:
    norm = f"lower(regexp_replace({v}, '[\\s-]+', '_', 'g'))"
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(s)}" for k, s in sorted(plan.statuses.items()))
    unknown = plan.options.get("unknown_status", "reject")
    other = "NULL" if unknown == "reject" else literal(unknown)
    return f"CASE {norm} {whens} ELSE {other} END"


def norm_status(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip()).lower()


# ---- orders, lines, payments ----------------------------------------------------------------------
