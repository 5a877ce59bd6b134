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
