"""Outputs never destroy inputs: `report` and `export` never replace the warehouse, a directory
or a file of another kind without --force; files are written under a temporary name and renamed;
`generate` never writes into a directory of other files; --db must be a DuckDB file or a Spark
warehouse directory."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from typer.testing import CliRunner

from churnlens.cli import app
from churnlens.errors import DataError
from churnlens.safe_paths import check_output_dir, check_warehouse, write_atomically
from churnlens.warehouse import Warehouse

OLD_EXPORT = "\ufeffcustomer_id,action,reason,routine_products,expected_value\r\nc9,x,old,,1\r\n"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.write("data_profile", pd.DataFrame({"table_name": ["orders"], "rows": [0]}))
        wh.write(
            "actions",
            pd.DataFrame(
                {
                    "customer_id": ["c1"],
                    "state": ["lapsed"],
                    "action": ["reactivation"],
                    "reason": ["quiet for 90 days"],
                    "routine_products": ["p1"],
                    "routine_product_names": ["Blue shirt"],
                    "expected_value": [4.0],
                }
            ),
        )
    return path


def report(db, out, *extra):
    return invoke("report", "--db", db, "--out", out, *extra)


def export(db, out, *extra):
    return invoke("export", "actions", "--action", "all", "--db", db, "--out", out, *extra)


@pytest.mark.parametrize("command", [report, export])
@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "forced"])
def test_the_output_never_replaces_the_warehouse_it_reads(db, command, force):
    before = db.read_bytes()
    r = command(db, db, *force)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "the warehouse this command reads" in r.output and "Pick another --out" in r.output
    assert db.read_bytes() == before
    with Warehouse(db, read_only=True) as wh:
        assert wh.has("actions")


@pytest.mark.parametrize("command", [report, export])
def test_another_warehouse_or_a_shop_file_needs_force(db, tmp_path, command):
    other = tmp_path / "other.duckdb"
    Warehouse(other).close()
    shop_file = tmp_path / "orders.csv"
    shop_file.write_text("order_id,customer_id\n1,2\n", encoding="utf-8")
    for target, what in ((other, "a DuckDB warehouse"), (shop_file, "an existing file that is not an")):
        before = target.read_bytes()
        r = command(db, target)
        assert r.exit_code == 2 and what in r.output and "--force" in r.output, r.output
        assert target.read_bytes() == before
    r = command(db, shop_file, "--force")
    assert r.exit_code == 0, r.output
    assert shop_file.read_bytes() != b"order_id,customer_id\n1,2\n"


@pytest.mark.parametrize("command", [report, export])
def test_a_directory_or_a_missing_folder_as_out(db, tmp_path, command):
    (tmp_path / "d").mkdir()
    r = command(db, tmp_path / "d", "--force")
    assert r.exit_code == 2 and "--out names a directory" in r.output
    r = command(db, tmp_path / "nodir" / "x.out")
    assert r.exit_code == 2 and "folder of the output does not exist" in r.output and "mkdir -p" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "w.duckdb", "w.duckdb.published"]


def test_an_older_report_and_an_older_export_are_replaced(db, tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<!DOCTYPE html><html><body>last month</body></html>", encoding="utf-8")
    csv = tmp_path / "a.csv"
    csv.write_text(OLD_EXPORT, encoding="utf-8")
    assert report(db, html).exit_code == 0
    assert export(db, csv).exit_code == 0
    assert "last month" not in html.read_text(encoding="utf-8")
    assert csv.read_bytes().decode("utf-8-sig").splitlines()[1] == "c1,lapsed,reactivation,quiet for 90 days,Blue shirt,4.0"
    # written under a temporary name and renamed: nothing else is left in the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "r.html", "w.duckdb", "w.duckdb.published"]


def test_an_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    old = tmp_path / "old.html"
    old.write_text("x")
    old.chmod(0o640)
    write_atomically(old, b"new")
    assert old.read_bytes() == b"new" and old.stat().st_mode & 0o777 == 0o640
    mask = os.umask(0o022)
    try:
        new = write_atomically(tmp_path / "new.html", b"n")
    finally:
        os.umask(mask)
    assert new.stat().st_mode & 0o777 == 0o644


def test_generate_never_writes_into_a_directory_of_other_files(tmp_path, db):
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "orders.csv").write_text("order_id\n1\n")
    r = invoke("generate", "fashion-campus", "--out", shop, "--customers", "5")
    assert r.exit_code == 2 and "other files" in r.output and "orders.csv" in r.output
    assert (shop / "orders.csv").read_text() == "order_id\n1\n"
    r = invoke("generate", "fashion-campus", "--out", db, "--customers", "5")
    assert r.exit_code == 2 and "--out names a file" in r.output
    # an earlier synthetic shop (it holds facts.json) is written again; a new directory is created
    (shop / "facts.json").write_text("{}")
    assert check_output_dir(shop, "facts.json") == shop
    with pytest.raises(DataError, match="other files"):
        check_output_dir(shop, "truth.json")
    assert check_output_dir(shop, "truth.json", force=True) == shop
    assert check_output_dir(tmp_path / "a" / "b", "facts.json").is_dir()


def test_spark_warehouse_paths(tmp_path):
    (tmp_path / "wh" / "orders").mkdir(parents=True)
    assert check_warehouse(tmp_path / "wh", "spark") == tmp_path / "wh"
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "orders.csv").write_text("a\n")
    with pytest.raises(DataError, match="not a Spark warehouse") as e:
        check_warehouse(tmp_path / "shop", "spark", create=True)
    assert "orders.csv" in str(e.value)
    with pytest.raises(DataError, match="a Spark warehouse is a directory"):
        check_warehouse(tmp_path / "shop" / "orders.csv", "spark", create=True)
    with pytest.raises(DataError, match="does not exist"):
        check_warehouse(tmp_path / "nothing", "spark")
    assert check_warehouse(tmp_path / "new", "spark", create=True) == tmp_path / "new"
