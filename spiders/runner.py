"""Run the crawls: one subprocess per crawl (Scrapy's reactor cannot restart in one process),
then merge their outputs into the contract files of ``<year>/collect/``."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from spiders import config
from spiders.output import merge, part_dir, read_summary
from top100.config import Settings
from top100.paths import YearPaths
from top100.records import ErrorRow

SPIDERS = ("cninfo", "hkex", "edgar", "quotes", "fx")


def enabled(settings: Settings) -> list[str]:
    """The crawls of a run; HKEX only when the configuration turns it on (terms of use)."""
    return [name for name in SPIDERS if name != "hkex" or settings.crawl.hkex_enabled]


def _absolute(settings: Settings, paths: YearPaths) -> Settings:
    """The settings the crawl process gets: absolute folders (it may run elsewhere). Not the year:
    the crawl receives it once, as its spider argument (``-a year=``, crawl_command)."""
    return settings.model_copy(update={
        "out_dir": paths.out_dir.resolve(), "inbox_dir": settings.inbox_dir.resolve(),
    })


SETTINGS_FILE_ENV = config.SETTINGS_FILE_ENV  # the 0600 file of the crawl's settings


def crawl_command(settings: Settings, paths: YearPaths, name: str, companies_file: Path | None = None, *,
                  settings_file: Path, scrapy_overrides: dict[str, Any] | None = None) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of one crawl process. No secret is on the command line (``ps``
    shows it to every user of the machine): the settings, the SEC contact among them, are in
    `settings_file` (mode 0600, written by write_settings_file), named by an environment variable.
    The year is on the command line once, as the spider argument ``year`` (the settings file has none)."""
    companies = Path(companies_file) if companies_file else paths.candidates
    log = part_dir(paths, name) / "crawl.log"
    options = {"LOG_FILE": str(log), "LOG_FILE_APPEND": False, "TELNETCONSOLE_ENABLED": False,
               "REMOTE_CONTROL_ENABLED": False, **(scrapy_overrides or {})}
    cmd = [sys.executable, "-m", "scrapy", "crawl", name, "-a", f"year={paths.year}",
           "-a", f"companies={companies.resolve()}"]
    for key, value in options.items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings", SETTINGS_FILE_ENV: str(settings_file)}
    return cmd, env


def write_settings_file(settings: Settings, paths: YearPaths, name: str) -> Path:
    """The crawl's settings as JSON in a file only this user can read (0600, created so: never
    readable for a moment); the caller removes it when the crawl ends."""
    fd, tmp = tempfile.mkstemp(dir=part_dir(paths, name), prefix=".settings-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config.dump(_absolute(settings, paths)))
    return Path(tmp)


def crawl(settings: Settings, paths: YearPaths, name: str, companies_file: Path | None = None, *,
          scrapy_overrides: dict[str, Any] | None = None, timeout: float | None = None,
          valuation_date: Any = None) -> dict[str, Any]:
    """Run one crawl in a subprocess; return its summary (counts, returncode, log file).
    ``valuation_date`` is the year's (top100.year); without it the spider reads the year file."""
    if name not in SPIDERS:
        raise ValueError(f"unknown crawl {name!r}; one of {', '.join(SPIDERS)}")
    part = part_dir(paths, name)
    part.mkdir(parents=True, exist_ok=True)
    (part / "summary.json").unlink(missing_ok=True)
    log = part / "crawl.log"
    settings_file = write_settings_file(settings, paths, name)
    try:
        cmd, env = crawl_command(settings, paths, name, companies_file, settings_file=settings_file,
                                 scrapy_overrides=scrapy_overrides)
        if valuation_date is not None:  # the year's valuation date (top100.year), a spider argument
            cmd[cmd.index("crawl") + 2:cmd.index("crawl") + 2] = ["-a", f"valuation_date={valuation_date.isoformat()}"]
        started = time.monotonic()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    finally:
        settings_file.unlink(missing_ok=True)
    summary = read_summary(paths, name)
    result = {"spider": name, "returncode": proc.returncode, "seconds": round(time.monotonic() - started, 2),
              "log": str(log), **summary}
    if proc.returncode != 0 or not summary:
        tail = (proc.stderr or "").strip().splitlines()[-5:]
        result["failure"] = f"crawl {name} exited with {proc.returncode}; see {log}: " + " | ".join(tail)
    return result


def collect_all(settings: Settings, paths: YearPaths, companies_file: Path | None = None, *,
                progress: Callable[[str, dict[str, Any]], None] | None = None,
                scrapy_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run every enabled crawl, then merge into documents/quotes/fx/errors.jsonl."""
    results: dict[str, dict[str, Any]] = {}
    failures: list[ErrorRow] = []
    names = enabled(settings)
    # Each source is its own host (or hosts) with its own cap, so crawls of different sources
    # run side by side; each is a subprocess, so threads only wait for them.
    with ThreadPoolExecutor(max_workers=max(1, settings.crawl.parallel_crawls)) as pool:
        futures = {pool.submit(crawl, settings, paths, name, companies_file,
                               scrapy_overrides=scrapy_overrides): name for name in names}
        for fut in as_completed(futures):
            name = futures[fut]
            result = fut.result()
            results[name] = result
            if "failure" in result:
                failures.append(ErrorRow(stage="collect", kind="CrawlFailed", reason=result["failure"]))
            if progress is not None:
                progress(name, result)
    results = {name: results[name] for name in names}
    counts = merge(paths, enabled(settings), failures)
    return {"crawls": results, "counts": counts,
            "downloaded": sum(result.get("downloaded", 0) for result in results.values()),
            "already_stored": sum(result.get("already_stored", 0) for result in results.values())}
