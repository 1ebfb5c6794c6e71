from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kat_widgets.errors import ConfigurationError
from kat_widgets.settings import BUNDLED_DIRECTORY, Settings, load_settings


def test_defaults_use_bundled_directory_and_sqlite(tmp_path: Path) -> None:
    settings = load_settings({}, data_dir=str(tmp_path))
    assert settings.directory_file == str(BUNDLED_DIRECTORY)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/kat-widgets.db"
    assert settings.mode == "demo"


def test_demo_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    first = load_settings({}, data_dir=str(tmp_path))
    second = load_settings({}, data_dir=str(tmp_path))
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_environment_overrides_file(tmp_path: Path) -> None:
    settings_file = tmp_path / "kat.toml"
    settings_file.write_text('locale = "es-US"\ndatabase_url = "sqlite:///file.db"\n')
    settings = load_settings(
        {
            "KAT_SETTINGS_FILE": str(settings_file),
            "KAT_DATABASE_URL": "postgresql://db/kat",
            "KAT_ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "KAT_SECRET_KEY": "k" * 40,
        }
    )
    assert settings.locale == "es-US"
    assert settings.database_url == "postgresql://db/kat"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.settings_file == str(settings_file)


def test_production_requires_secret_key() -> None:
    with pytest.raises(ConfigurationError, match="KAT_SECRET_KEY"):
        load_settings({"KAT_MODE": "production"})


def test_wildcard_origin_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="allowed_origins"):
        load_settings({"KAT_ALLOWED_ORIGINS": "*", "KAT_SECRET_KEY": "k" * 40})


def test_bad_value_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="locale"):
        load_settings({"KAT_LOCALE": "english please", "KAT_SECRET_KEY": "k" * 40})


def test_unknown_key_in_file_is_refused(tmp_path: Path) -> None:
    settings_file = tmp_path / "kat.toml"
    settings_file.write_text('databse_url = "sqlite:///x.db"\n')
    with pytest.raises(ConfigurationError, match="databse_url"):
        load_settings({"KAT_SETTINGS_FILE": str(settings_file), "KAT_SECRET_KEY": "k" * 40})


def test_settings_struct_validates_on_construction() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        Settings(mode="production")
