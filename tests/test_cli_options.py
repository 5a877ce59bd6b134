"""The options each command takes, read from the Typer app itself, and --set/--config wired
through to the configuration wherever they are offered (as the README says)."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from churnlens.cli import app

#: The README's sentence, command by command.
WAREHOUSE_COMMANDS = {
    "ingest", "run", "diagnose", "train", "score", "backtest", "info", "serve", "report", "demo",
    "export actions",
}  # fmt: skip
ENGINE_COMMANDS = {
    "ingest", "run", "diagnose", "train", "score", "backtest", "info", "serve", "report", "demo",
    "export actions",
}  # fmt: skip
CONFIG_COMMANDS = {
    "ingest", "run", "diagnose", "train", "score", "backtest", "info", "report", "demo", "export actions",
}  # fmt: skip


def commands() -> dict[str, dict[str, object]]:
    """Every leaf command (``export actions`` for sub-commands) -> {option: default}."""
    out: dict[str, dict[str, object]] = {}

    def walk(cmd, path: tuple[str, ...]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, (*path, name))
            return
        out[" ".join(path)] = {o: p.default for p in cmd.params for o in getattr(p, "opts", [])}

    walk(typer.main.get_command(app), ())
    return out


def test_every_command_is_covered_by_the_readme_sentence():
    names = set(commands())
    assert "generate" in names and "export actions" in names and len(names) == 12
    # every command except `generate` (which writes native files, not a warehouse) opens one
    assert names - {"generate"} == WAREHOUSE_COMMANDS


@pytest.mark.parametrize(
    ("option", "expected"),
    [("--db", WAREHOUSE_COMMANDS), ("--engine", ENGINE_COMMANDS), ("--config", CONFIG_COMMANDS),
     ("--set", CONFIG_COMMANDS)],
)  # fmt: skip
def test_which_commands_take_each_warehouse_option(option, expected):
    taking = {name for name, opts in commands().items() if option in opts}
    assert taking == expected


def test_engine_defaults_to_duckdb_and_db_to_the_default_file():
    for name in ENGINE_COMMANDS:
        assert commands()[name]["--engine"] == "duckdb", name
    # None means churnlens.duckdb (Warehouse's default_db) on the DuckDB engine
    from churnlens.warehouse import default_db

    assert default_db("duckdb") == "churnlens.duckdb"
    assert {commands()[name]["--db"] for name in WAREHOUSE_COMMANDS - {"demo"}} == {None}


@pytest.mark.parametrize("command", sorted(CONFIG_COMMANDS))
def test_set_and_config_reach_the_configuration(command, tmp_path):
    """An unknown key given through --set, or through --config, is refused by name before
    anything is read: the option is really wired to the configuration, not just declared."""
    extra = {
        "ingest": ["fashion-campus", str(tmp_path)],
        "export actions": ["--action", "all", "--out", str(tmp_path / "a.csv")],
    }.get(command, [])
    command = command.split()
    db = ["--db", str(tmp_path / "w.duckdb")]
    runner = CliRunner()
    r = runner.invoke(app, [*command, *extra, *db, "--set", "churn.no_such_key=3"])
    assert r.exit_code != 0
    assert "no_such_key" in r.output + str(r.exception)
    toml = tmp_path / "bad.toml"
    toml.write_text("[churn]\nanother_unknown_key = 3\n")
    r = runner.invoke(app, [*command, *extra, *db, "--config", str(toml)])
    assert r.exit_code != 0
    assert "another_unknown_key" in r.output + str(r.exception)
    assert not (tmp_path / "w.duckdb").exists()
