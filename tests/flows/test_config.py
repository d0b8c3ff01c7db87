"""Configuration: one file, environment overrides, clear errors, secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from top100.config import load_settings, redact_url
from top100.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_project_file_gives_the_real_hosts_and_duckdb(monkeypatch):
    monkeypatch.chdir(ROOT)
    s = load_settings()
    assert s.year == 2014
    assert s.sources.cninfo == "https://www.cninfo.com.cn"
    assert s.sources.sec_data == "https://data.sec.gov"
    assert s.warehouse == "duckdb:///out/top100.duckdb"
    assert s.crawl.hkex_enabled is False
    assert s.crawl.rate_limits["www.sec.gov"] <= 10
    # the year's facts are not settings: they come from evaluation/<list year>.toml (top100.year)
    assert s.evaluation.dir is None and not hasattr(s.evaluation, "market_value_date")


def test_environment_overrides_nested_keys(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("TOP100_SOURCES__CNINFO", "http://127.0.0.1:9")
    monkeypatch.setenv("TOP100_WAREHOUSE_URL", "postgresql+psycopg://u:s3cret@127.0.0.1/test")
    monkeypatch.setenv("TOP100_YEAR", "2015")
    s = load_settings()
    assert s.sources.cninfo == "http://127.0.0.1:9"
    assert s.year == 2015
    assert "s3cret" not in repr(s)
    assert "s3cret" not in str(s.redacted())
    assert s.warehouse.endswith("@127.0.0.1/test")


def test_invalid_setting_names_the_setting(tmp_path, monkeypatch):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('year = 1850\n[crawl]\nhkex_language = "fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert "year" in str(err.value) and "hkex_language" in str(err.value)


def test_unknown_key_is_refused(tmp_path):
    cfg = tmp_path / "typo.toml"
    cfg.write_text('yaer = 2014\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="yaer"):
        load_settings(cfg)


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize("url,expected", [
    ("postgresql+psycopg://alice:pw@db:5432/top", "postgresql+psycopg://alice:***@db:5432/top"),
    ("duckdb:///out/top100.duckdb", "duckdb:///out/top100.duckdb"),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected
