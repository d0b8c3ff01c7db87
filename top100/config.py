"""Configuration: ``top100.toml`` at the project root, overridable by ``TOP100_*`` variables.

Read once (``load_settings``) and passed down; no module reads it on its own. Nested keys are
overridden with ``__``: ``TOP100_SOURCES__CNINFO=http://127.0.0.1:8000``.

The sections ``verify`` and ``scoring`` are validated by their own packages
(``expectations.rules``, ``scoring.config``): this module only carries them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from top100.errors import ConfigError

DEFAULT_CONFIG = Path("top100.toml")
OUT_DIR_MARK = "{out_dir}"  # in warehouse_url and demo.world_dir: the configured out_dir
YEAR_MARK = "{year}"  # in demo.world_dir: the fiscal year (else the year's folder is <world_dir>/<year>)


class Sources(BaseModel):
    """Base URL of each public source. Defaults are the real hosts; demo mode points all of
    them at the local mirror."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not a silent default

    cninfo: str = "https://www.cninfo.com.cn"  # announcement search, stock list
    cninfo_static: str = "https://static.cninfo.com.cn"  # PDFs
    hkex: str = "https://www1.hkexnews.hk"
    sec_www: str = "https://www.sec.gov"  # company_tickers.json, Archives
    sec_data: str = "https://data.sec.gov"  # submissions, companyfacts
    quotes: str = "https://push2his.eastmoney.com"  # EastMoney kline (history: push2his)
    quotes_snapshot: str = "https://push2.eastmoney.com"  # EastMoney stock/get (the snapshot: push2)
    fx: str = "https://www.chinamoney.com.cn"  # CFETS central parity

    def all(self) -> dict[str, str]:
        return self.model_dump()


class Crawl(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_agent: str = "top100/0.1 (+https://github.com/top100; contact: set TOP100_CRAWL__CONTACT)"
    # an e-mail; SEC's fair-access policy requires one in the User-Agent. A SecretStr, so that it
    # is masked wherever the settings are shown or stored (logs, Prefect's parameters)
    contact: SecretStr = SecretStr("")
    hkex_enabled: bool = False  # HKEX's terms of use restrict scripted access: off by default
    hkex_language: str = "en"  # en | zh: which PDF to prefer
    # requests per second per host (hard cap); SEC allows at most 10
    rate_limits: dict[str, float] = Field(
        default_factory=lambda: {
            "www.cninfo.com.cn": 2.0,
            "static.cninfo.com.cn": 4.0,
            "www1.hkexnews.hk": 1.0,
            "www.sec.gov": 8.0,
            "data.sec.gov": 8.0,
            "push2his.eastmoney.com": 4.0,
            "www.chinamoney.com.cn": 1.0,
            "default": 4.0,
        }
    )
    download_timeout: float = Field(default=60.0, gt=0, le=3600)
    retry_times: int = Field(default=5, ge=0, le=50)
    rate_limit_pause_s: float = Field(default=600.0, ge=0)  # SEC's 403 rate-limit page pauses the source this long
    obey_robots: bool = True
    parallel_crawls: int = Field(default=3, ge=1)  # sources crawled at once (each its own hosts)
    # the crawls' HTTP cache (stock lists, searches, quotes); None: <out_dir>/httpcache. Demo mode
    # gives each generated world its own (flows.demo): two worlds never answer for each other
    http_cache_dir: Path | None = None

    @field_validator("hkex_language")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("en", "zh"):
            raise ValueError("crawl.hkex_language must be 'en' or 'zh'")
        return v

    @field_validator("rate_limits")
    @classmethod
    def _rates(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [f"{h} = {r}" for h, r in v.items() if not 0 < r <= 1000]  # (the local mirror may go fast)
        if bad:
            raise ValueError(f"requests per second must be more than 0 (and at most 1000): {', '.join(bad)}")
        return v


class Evaluation(BaseModel):
    """Where the list years are described. The facts of a year (valuation date, method,
    calendar, published and reference figures) are not settings: they live in
    ``<dir>/<list year>.toml`` and are read into a ``top100.year.YearContext``."""

    dir: Path | None = None  # None: the project's evaluation/ folder (top100.year.DEFAULT_DIR)


class Demo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = 2015
    candidates: int = Field(default=300, ge=300)
    # the demo worlds, one folder per fiscal year: <world_dir>/<year> ("{out_dir}" is the configured
    # out_dir; a "{year}" in it names the year's folder instead)
    world_dir: Path = Path("{out_dir}/demo-world")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOP100_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=DEFAULT_CONFIG,  # ./top100.toml when it exists; load_settings() names another
    )

    year: int = 2014
    out_dir: Path = Path("out")
    inbox_dir: Path = Path("inbox")
    # "{out_dir}" stands for out_dir, so that moving out_dir moves the default warehouse too
    warehouse_url: SecretStr = SecretStr("duckdb:///{out_dir}/top100.duckdb")
    runner: str = "process"  # process | thread | dask://host:port
    workers: int = Field(default_factory=lambda: max(1, min(os.cpu_count() or 1, 4)), ge=1, le=256)
    extract_timeout_s: float = Field(default=120.0, gt=0)  # per document, in a worker process
    sources: Sources = Field(default_factory=Sources)
    crawl: Crawl = Field(default_factory=Crawl)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    demo: Demo = Field(default_factory=Demo)
    verify: dict[str, Any] = Field(default_factory=dict)  # see expectations.rules
    scoring: dict[str, Any] = Field(default_factory=dict)  # see scoring.config

    @field_validator("year")
    @classmethod
    def _year(cls, v: int) -> int:
        if not 2000 <= v <= 2100:
            raise ValueError(f"year {v} is not a plausible fiscal year (2000 to 2100)")
        return v

    @field_validator("runner")
    @classmethod
    def _runner(cls, v: str) -> str:
        # the same grammar as flows.runners.parse_runner (which this bottom module may not import)
        if v in ("process", "thread"):
            return v
        if v.startswith("dask://"):
            host, _, port = v[len("dask://"):].rpartition(":")
            if host and port.isdigit():
                return v
        raise ValueError(f"runner {v!r} is not one of process, thread, dask://host:port")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    # --- derived -----------------------------------------------------------------------
    @property
    def warehouse(self) -> str:
        return self.warehouse_url.get_secret_value().replace(OUT_DIR_MARK, self.out_dir.as_posix())

    @property
    def world_dir(self) -> Path:
        """The demo world of the configured fiscal year ``year`` (``world_dir_of``)."""
        return self.world_dir_of(self.year)

    def world_dir_of(self, fiscal_year: int) -> Path:
        """The demo world of ``fiscal_year``: ``demo.world_dir/<year>`` (under out_dir by default),
        or demo.world_dir with its ``{year}`` replaced. Each year has its own world, so that the
        years of one out folder never share or replace each other's."""
        raw = str(self.demo.world_dir).replace(OUT_DIR_MARK, self.out_dir.as_posix())
        if YEAR_MARK in raw:
            return Path(raw.replace(YEAR_MARK, str(fiscal_year)))
        return Path(raw) / str(fiscal_year)

    @property
    def user_agent(self) -> str:
        ua, contact = self.crawl.user_agent, self.crawl.contact.get_secret_value()
        return f"{ua} {contact}".strip() if contact else ua

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict with secrets masked: for logs and run records."""
        d = self.model_dump(mode="json")
        d["warehouse_url"] = redact_url(self.warehouse)
        return d


_SECRET_KEYS = ("password", "passwd", "pwd", "pass", "sslpassword", "secret", "token", "api_key", "apikey",
                "access_key", "secret_key", "auth")


def redact_url(url: str) -> str:
    """A URL (or libpq key=value string) fit to print: every password masked.

    postgresql+psycopg://user:secret@host/db           -> postgresql+psycopg://user:***@host/db
    postgresql://user@host/db?password=secret&sslmode=x -> postgresql://user@host/db?password=***&sslmode=x
    host=db user=u password=secret                     -> host=db user=u password=***
    """
    import re
    from urllib.parse import parse_qsl, quote, urlencode

    text = str(url)
    if "://" not in text:  # a libpq connection string: key=value pairs
        return re.sub(r"(?i)\b(" + "|".join(_SECRET_KEYS) + r")\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", r"\1=***", text)
    scheme, rest = text.split("://", 1)
    rest, hash_, fragment = rest.partition("#")
    rest, qmark, query = rest.partition("?")
    if "@" in rest:  # the last @ ends the credentials (a password may hold / : or @)
        cred, host = rest.rsplit("@", 1)
        user, colon, _password = cred.partition(":")
        rest = f"{user}:***@{host}" if colon else f"{user}@{host}"
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        masked = [(k, "***" if k.lower() in _SECRET_KEYS else v) for k, v in pairs]
        query = urlencode(masked, safe="*:/", quote_via=quote)
    return f"{scheme}://{rest}{qmark}{query}{hash_}{fragment}"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the configuration once: `config_file`, else $TOP100_CONFIG, else ./top100.toml (a
    missing default file means the built-in defaults). Errors name the setting at fault."""
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"configuration file {config_file} does not exist: give an existing file to "
                          f"--config (or $TOP100_CONFIG), or leave it out for ./top100.toml")
    if config_file is None:  # a missing default file means the built-in defaults
        config_file = Path(os.environ.get("TOP100_CONFIG", str(DEFAULT_CONFIG)))
    # A subclass that reads this one file; its values are then carried by a plain Settings (so
    # that the settings pickle and compare like any other), without reading anything again.
    reader = type("SettingsFromFile", (Settings,), {
        "model_config": SettingsConfigDict(**{**Settings.model_config, "toml_file": config_file}),
    })
    try:
        read = reader(**overrides)
    except ValidationError as exc:  # names the field; one line, with the fix
        raise ConfigError(explain_validation(exc, config_file)) from None
    except Exception as exc:  # the file is not TOML (tomllib.TOMLDecodeError names line and column)
        raise ConfigError(f"{config_file} is not valid TOML ({_one_line(exc)}): correct that line") from None
    return Settings.model_construct(**{name: getattr(read, name) for name in Settings.model_fields})


def _one_line(value: Any, limit: int = 200) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fields_at(loc: tuple[Any, ...], model: Any = None) -> list[str]:
    """The known keys of the table that holds ``loc`` (for 'did you mean')."""
    import typing

    model = Settings if model is None else model
    parts = list(loc[:-1])
    while parts:
        info = getattr(model, "model_fields", {}).get(str(parts.pop(0)))
        annotation = getattr(info, "annotation", None)
        args = typing.get_args(annotation)
        if typing.get_origin(annotation) is dict and args and isinstance(args[-1], type) \
                and issubclass(args[-1], BaseModel) and parts:
            parts.pop(0)  # a table of tables (verify.kinds.<name>): the name is free
            annotation = args[-1]
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(getattr(model, "model_fields", {}))


def explain_validation(exc: ValidationError, config_file: Path | None = None, *, model: Any = None,
                       prefix: tuple[str, ...] = ()) -> str:
    """One line per configuration mistake, joined: the key, what is wrong, how to fix it.

    'crawl.retry_tims: unknown key (did you mean retry_times?) in top100.toml or $TOP100_CRAWL__RETRY_TIMS'
    """
    import difflib

    where = f"{config_file}" if config_file is not None else "the configuration"
    parts = []
    for err in exc.errors():
        inner = tuple(err.get("loc") or ())
        loc = prefix + inner
        key = ".".join(str(p) for p in loc) or "(top level)"
        env = "TOP100_" + "__".join(str(p).upper() for p in loc)
        if err.get("type") == "extra_forbidden":
            known = _fields_at(inner, model)
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6) if loc else []
            elsewhere = [f"{t}.{loc[-1]}" for t, info in Settings.model_fields.items() if len(loc) == 1
                         and isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
                         and str(loc[-1]) in info.annotation.model_fields]
            if elsewhere:
                close = [f"{elsewhere[0]} (in its [{elsewhere[0].split('.')[0]}] table)"]
            hint = f"did you mean {close[0]}?" if close else f"known keys here: {', '.join(known)}"
            parts.append(f"{key}: unknown key ({hint}) in {where} or ${env}")
            continue
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        got = err.get("input")
        shown = f" (got {_one_line(repr(got), 60)})" if not isinstance(got, (dict, list)) else ""
        parts.append(f"{key}: {msg}{shown}: set it in {where}, ${env} or the matching option")
    return "invalid configuration: " + "; ".join(_one_line(p) for p in parts)
