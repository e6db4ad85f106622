"""Settings from TOML: good values used, bad ones reported with the defaults kept."""

from __future__ import annotations

from taskboard.config import Settings, default_config_path, load_settings


def test_no_file_means_defaults_and_no_warning(tmp_path):
    settings, warnings = load_settings(tmp_path / "missing.toml")
    assert settings == Settings()
    assert warnings == []


def test_a_named_file_that_is_missing_is_reported(tmp_path):
    _, warnings = load_settings(tmp_path / "missing.toml", required=True)
    assert len(warnings) == 1 and "not found" in warnings[0]


def test_values_and_keymap_are_read(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('read_only = true\nconfirm = "destructive"\nsender = "ops-human"\n'
                    'notify_on_assign = false\nstall_minutes = 3\n'
                    '[keymap]\n"console.pause" = "ctrl+s"\n')
    settings, warnings = load_settings(path)
    assert warnings == []
    assert settings.read_only is True
    assert settings.confirm == "destructive"
    assert settings.sender == "ops-human"
    assert settings.notify_on_assign is False
    assert settings.stall_minutes == 3
    assert settings.keymap == {"console.pause": "ctrl+s"}


def test_invalid_toml_is_reported_with_its_line_and_defaults_used(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "x"\nread_only = \n')
    settings, warnings = load_settings(path)
    assert settings == Settings()
    assert len(warnings) == 1 and "line 2" in warnings[0]


def test_wrong_types_and_unknown_keys_are_reported_one_by_one(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('read_only = "yes"\nconfirm = "sometimes"\ncolour = 1\nsender = "me"\n'
                    'keymap = 3\n')
    settings, warnings = load_settings(path)
    assert settings.read_only is False and settings.confirm == "always"
    assert settings.sender == "me", "the good values are still used"
    assert len(warnings) == 4
    assert any("'read_only'" in w for w in warnings)
    assert any("'colour'" in w for w in warnings)


def test_default_path_follows_xdg_config_home(tmp_path):
    path = default_config_path({"XDG_CONFIG_HOME": str(tmp_path)})
    assert path == tmp_path / "taskboard" / "config.toml"


def test_a_lead_name_as_sender_is_refused_with_a_warning(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('sender = "team-lead"\n')
    settings, warnings = load_settings(path)
    assert settings.sender == "taskboard"
    [warning] = warnings
    assert "'sender'" in warning and "lead name" in warning and "'taskboard' used" in warning


def test_the_default_sender_is_taskboards_own_name() -> None:
    assert Settings().sender == "taskboard"
