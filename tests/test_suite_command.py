"""The suite's own command: three pytest-xdist processes, each test file whole in one of them, every
Spark test but the whole-pipeline file in the same one, that file in its own, the heaviest groups first (README Quickstart, `.ci/run`)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

from conftest import REPO

#: Records each collected test's pytest-xdist group and markers, in the order pytest will run them.
RECORDER = """
import json, os

def pytest_collection_finish(session):
    rows = []
    for item in session.items:
        group = item.get_closest_marker("xdist_group")
        rows.append({
            "file": item.path.name,
            "group": None if group is None else group.args[0],
            "spark": item.get_closest_marker("spark") is not None,
            "slow": item.get_closest_marker("slow") is not None,
        })
    with open(os.environ["GROUPS_OUT"], "w") as f:
        json.dump(rows, f)
"""

#: Files of each kind: plain, Spark (two of them, and the whole-pipeline one), slow, and two
#: sharing the dashboard's warehouse.
FILES = (
    "test_config.py",
    "test_pipeline_spark.py",
    "test_clv_spark.py",
    "test_korean_particles.py",
    "test_churn_spark.py",
    "test_run_publishing.py",
    "test_report.py",
    "test_stage_declarations.py",
)


def pytest_command() -> list[str]:
    """The pytest line of `.ci/run`, split as the shell splits it."""
    lines = [
        line
        for line in (REPO / ".ci" / "run").read_text().splitlines()
        if line.startswith("python -m pytest")
    ]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])


def test_ci_runs_the_suite_in_three_processes_grouped_as_the_readme_says():
    command = pytest_command()
    assert command[command.index("-n") + 1] == "3"
    assert command[command.index("--dist") + 1] == "loadgroup"
    assert "--no-loadscope-reorder" in command  # the order tests/conftest.py gives is the order run
    readme = (REPO / "README.md").read_text()
    quickstart = re.sub(r"\s+", " ", readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0])
    assert (
        "in three processes (pytest-xdist: each test file runs whole in one of them, the Spark tests in one, "
        "the whole-pipeline Spark file in another)"
        in quickstart
    )


def test_each_file_is_one_group_spark_tests_share_one_and_heavy_groups_come_first(tmp_path):
    (tmp_path / "group_recorder.py").write_text(RECORDER)
    out = tmp_path / "groups.json"
    env = {
        **os.environ,
        "GROUPS_OUT": str(out),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
    }
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "group_recorder",
            *(f"tests/{f}" for f in FILES),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    rows = json.loads(out.read_text())
    assert {row["file"] for row in rows} == set(FILES)
    by_file: dict[str, set] = {}
    for row in rows:
        by_file.setdefault(row["file"], set()).add(row["group"])
        spark_group = "spark_pipeline" if row["file"] == "test_pipeline_spark.py" else "spark"
        assert row["group"] == spark_group if row["spark"] else row["group"] not in (None, "spark", "spark_pipeline")
    assert all(len(groups) == 1 for groups in by_file.values()), by_file
    group = {f: next(iter(g)) for f, g in by_file.items()}
    assert group["test_clv_spark.py"] == group["test_churn_spark.py"] == "spark"
    assert (
        group["test_config.py"] == "test_config.py"
        and group["test_run_publishing.py"] == "test_run_publishing.py"
    )
    # the files that share demo_warehouse() share a group, so one process builds it once
    assert group["test_report.py"] == group["test_stage_declarations.py"] == "app_warehouses"
    # the order: Spark tests, then every group holding a slow test, then the rest
    slow_groups = {row["group"] for row in rows if row["slow"]}
    spark = ("spark", "spark_pipeline")
    rank = [0 if row["group"] in spark else 1 if row["group"] in slow_groups else 2 for row in rows]
    assert rank == sorted(rank) and rank[0] == 0 and rank[-1] == 2
    assert "test_run_publishing.py" in slow_groups and "test_config.py" not in slow_groups
