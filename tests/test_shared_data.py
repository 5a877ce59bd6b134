"""Real data sets we may not ship: a missing one skips a test on a developer's machine and fails
it under CI, naming the data set; the shipped Online Retail is always there."""

from __future__ import annotations

import fnmatch
import tomllib

import conftest
import pyarrow.parquet as pq
import pytest

from churnlens.demo import ONLINE_RETAIL, ONLINE_RETAIL_FILES, online_retail_files


def test_missing_data_set_skips_outside_ci(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="'olist_first1000' is missing"):
        conftest.shared_data("olist_first1000")


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_missing_data_set_fails_under_ci(tmp_path, monkeypatch, value):
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path)
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="'instacart_head' is missing.*under CI"):
        conftest.shared_data("instacart_head", "orders.csv")


def test_present_data_set_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "SHARED_DATA", tmp_path)
    monkeypatch.setenv("CI", "true")
    (tmp_path / "diginetica_sample").mkdir()
    assert conftest.shared_data("diginetica_sample") == tmp_path / "diginetica_sample"


def test_online_retail_ships_with_the_package():
    paths = online_retail_files()
    assert [p.name for p in paths] == list(ONLINE_RETAIL_FILES)
    readme = (paths[0].parent / "README.md").read_text()
    assert "CC BY 4.0" in readme and "Chen, Sai Liang Sain and Kun Guo" in readme
    # the files are whole, as the data folder's README describes them
    for p in paths:
        assert f"`{p.name}`: {pq.ParquetFile(p).metadata.num_rows:,} lines" in readme


def test_package_data_ships_the_online_retail_files():
    """Every file of the shipped data set matches a package-data pattern of pyproject.toml."""
    patterns = tomllib.loads((conftest.REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["churnlens"]
    package = ONLINE_RETAIL.parents[1]
    for f in ONLINE_RETAIL.iterdir():
        rel = f.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), rel
