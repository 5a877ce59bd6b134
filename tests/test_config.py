from pathlib import Path

import pytest

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError


def test_defaults_are_the_documented_ones():
    cfg = ChurnlensConfig()
    assert cfg.churn.window_days == 25
    assert cfg.sessions.gap_minutes == 30.0
    assert (cfg.rfm.recency_grades, cfg.rfm.frequency_grades, cfg.rfm.monetary_grades) == (3, 2, 2)


def test_toml_and_set_override(tmp_path: Path):
    f = tmp_path / "c.toml"
    f.write_text("[churn]\nwindow_days = 30\n[sessions]\nsplit_at_midnight = true\n")
    cfg = ChurnlensConfig.from_toml(f)
    assert cfg.churn.window_days == 30 and cfg.sessions.split_at_midnight is True
    cfg.set("sessions.gap_minutes", "20")
    assert cfg.sessions.gap_minutes == 20.0
    cfg.set("sessions.split_at_midnight", "no")
    assert cfg.sessions.split_at_midnight is False


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[churn]\nwindow_dayz = 3\n", "window_dayz"),
        ("[nope]\nx = 1\n", "nope.x"),
        ("[churn\n", "not valid TOML"),
        ("churn = 3\n", "must be a table"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, needle: str):
    f = tmp_path / "c.toml"
    f.write_text(text)
    with pytest.raises(DataError) as exc:
        ChurnlensConfig.from_toml(f)
    assert needle in str(exc.value)
    assert str(f) in str(exc.value)


def test_wrong_type_on_set():
    with pytest.raises(DataError, match="expects a int"):
        ChurnlensConfig().set("churn.window_days", "soon")


# ---- every value checked when loaded --------------------------------------------------------------
def _declared():
    """(section.key, declaration, default) of every setting."""
    import dataclasses

    from churnlens.config_rules import hints

    cfg = ChurnlensConfig()
    for section in dataclasses.fields(cfg):
        obj = getattr(cfg, section.name)
        declared = hints(type(obj))
        for f in dataclasses.fields(obj):
            yield f"{section.name}.{f.name}", declared[f.name], getattr(obj, f.name)


@pytest.mark.parametrize("value", ["-5", "0"])
def test_churn_window_must_be_positive_when_loaded(tmp_path: Path, value: str):
    f = tmp_path / "c.toml"
    f.write_text(f"[churn]\nwindow_days = {value}\n")
    for load in (lambda: ChurnlensConfig.from_toml(f), lambda: ChurnlensConfig().set("churn.window_days", value)):
        with pytest.raises(DataError) as exc:
            load()
        text = str(exc.value)
        assert "churn.window_days" in text and f"= {value}" in text and "at least 1" in text


def test_defaults_pass_their_own_checks():
    ChurnlensConfig().validate()


def test_every_setting_rejects_a_value_of_the_wrong_kind():
    """A table where a number, a list or a name belongs (and a number where a table belongs)."""
    for name, _hint, default in _declared():
        wrong = [1, 2] if isinstance(default, dict) else {"x": 1}
        with pytest.raises(DataError) as exc:
            ChurnlensConfig.from_dict({name.split(".")[0]: {name.split(".")[1]: wrong}})
        assert name in str(exc.value) and "must be" in str(exc.value)


def test_every_range_is_enforced_at_its_edge():
    import typing

    from churnlens.config_rules import Range

    checked = 0
    for name, hint, _default in _declared():
        if typing.get_origin(hint) is not typing.Annotated:
            continue
        base, *meta = typing.get_args(hint)
        for r in (m for m in meta if isinstance(m, Range)):
            section, key = name.split(".")
            if r.lo is not None:
                below = r.lo if r.lo_open else r.lo - (1 if base is int else 0.001)
                with pytest.raises(DataError, match=f"'{name}' = {below!r}"):
                    ChurnlensConfig.from_dict({section: {key: base(below)}})
            if r.hi is not None:
                with pytest.raises(DataError, match=f"'{name}'"):
                    ChurnlensConfig.from_dict({section: {key: base(r.hi + 1)}})
            checked += 1
    assert checked > 60


def test_unknown_keys_list_the_known_ones():
    with pytest.raises(DataError) as exc:
        ChurnlensConfig.from_dict({"churn": {"windw_days": 3}})
    assert "Known keys of section churn" in str(exc.value) and "window_days" in str(exc.value)
    with pytest.raises(DataError) as exc:
        ChurnlensConfig.from_dict({"chrn": {"window_days": 3}})
    assert "'churn'" in str(exc.value) and "'rfm'" in str(exc.value)


def test_names_are_the_ones_the_stages_accept():
    import typing

    from churnlens.analytics.search import MATCHES
    from churnlens.churn.models import IMBALANCE, KINDS
    from churnlens.config import BehaviourConfig, Imbalance, ModelKind
    from churnlens.config_rules import hints

    assert typing.get_args(ModelKind) == KINDS and typing.get_args(Imbalance) == IMBALANCE
    assert typing.get_args(hints(BehaviourConfig)["search_match"]) == MATCHES


@pytest.mark.parametrize(
    "sets, needle",
    [
        ({"churn.risk_medium": 0.8}, "below churn.risk_high"),
        ({"behaviour.age_band_edges": [18, 0]}, "strictly increasing"),
        ({"churn.models": ["logistic"]}, "lightgbm"),
        ({"rfm.segment_rules": [["x", 1, 0, 0, 1, 0, 1]]}, "min <= max"),
        ({"run.cutoff": "2020-02-30"}, "run.cutoff"),
    ],
)
def test_rules_across_values(sets, needle):
    data: dict = {}
    for k, v in sets.items():
        s, key = k.split(".")
        data.setdefault(s, {})[key] = v
    with pytest.raises(DataError, match=needle):
        ChurnlensConfig.from_dict(data)


def test_several_sets_are_checked_together():
    """Raising both risk thresholds with two --set flags: only the end result must hold."""
    from churnlens.cli import load_config

    cfg = load_config(None, ["churn.risk_medium=0.8", "churn.risk_high=0.9"])
    assert (cfg.churn.risk_medium, cfg.churn.risk_high) == (0.8, 0.9)


def test_bad_value_stops_the_command_before_anything_runs(tmp_path: Path):
    import subprocess
    import sys

    db = tmp_path / "w.duckdb"
    r = subprocess.run(
        [sys.executable, "-c", "from churnlens.cli import main; main()", "run", "--db", str(db), "--set", "churn.window_days=0"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "churn.window_days" in r.stderr and "= 0" in r.stderr and "at least 1" in r.stderr
    assert not db.exists()
