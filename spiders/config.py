"""From the top100 Settings to Scrapy settings: User-Agent, per-source hard caps, retries, cache.

The runner hands the Settings to the crawl process as JSON in a file only its user can read
(0600), named by the environment variable ``TOP100_CRAWL_SETTINGS_FILE``: never on the command
line, where ``ps`` would show the SEC contact to everyone; a standalone ``scrapy crawl`` reads the configuration once
with ``top100.config.load_settings()``.

Throttling is keyed by source, not by host: in demo mode every source is the same
``127.0.0.1:<port>``, and SEC's two hosts share one budget (at most 10 requests per second to
SEC, all hosts together). The budget of a source is shared by every crawl process on the machine
that asks its hosts (spiders.budget): the edgar and quotes crawls both ask SEC, side by side.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from top100.config import Settings, Sources, load_settings

SETTINGS_KEY = "TOP100_SETTINGS_JSON"
SEC_MAX_RPS = 10.0  # SEC's fair-access policy: never more than 10 requests a second, all hosts together
# the most we send to SEC whatever the configuration asks: requests leave at most 8 a second,
# spaced evenly, so that even when the network bunches them up on the way (a new connection
# delays one, the next goes out on a kept-alive one) SEC never sees 11 in any one second
SEC_SAFE_RPS = 8.0
CAP_MARGIN = 1.25  # intervals a quarter longer than 1/rate: a quarter of a second of network or scheduling jitter never breaks the cap

# download slot -> the settings.sources fields whose hosts it throttles together
SLOTS: dict[str, tuple[str, ...]] = {
    "cninfo": ("cninfo",),
    "cninfo_static": ("cninfo_static",),
    "hkex": ("hkex",),
    "sec": ("sec_www", "sec_data"),
    "quotes": ("quotes",),
    "quotes_snapshot": ("quotes_snapshot",),
    "fx": ("fx",),
}


SETTINGS_FILE_ENV = "TOP100_CRAWL_SETTINGS_FILE"  # the runner's 0600 file (spiders.runner)


def load(scrapy_settings: Any) -> Settings:
    """The top100 Settings of this crawl process: the runner's settings file (named in the
    environment, never on the command line), else a TOP100_SETTINGS_JSON Scrapy setting, else
    the configuration read once (a standalone ``scrapy crawl``)."""
    settings_file = os.environ.get(SETTINGS_FILE_ENV)
    if settings_file:
        return Settings.model_validate_json(Path(settings_file).read_text("utf-8"))
    raw = scrapy_settings.get(SETTINGS_KEY) if scrapy_settings is not None else None
    if raw:
        return Settings.model_validate_json(raw)
    return load_settings()


def dump(settings: Settings) -> str:
    """The settings for a crawl process: secrets stay masked, except the SEC contact, which the
    crawl must send in its User-Agent. Without the year: the crawl receives the year once, as its
    spider argument (``-a year=``, spiders.runner.crawl_command)."""
    data = json.loads(settings.model_dump_json(exclude={"year"}))
    data["crawl"]["contact"] = settings.crawl.contact.get_secret_value()
    return json.dumps(data)


def source_rate(settings: Settings, source: str) -> float:
    """Requests per second for one source: rate_limits by source name, else by the configured
    host, else by the source's real host, else 'default'."""
    limits = settings.crawl.rate_limits
    host = urlparse(getattr(settings.sources, source)).hostname or ""
    real_host = urlparse(getattr(Sources(), source)).hostname or ""
    for key in (source, host, real_host, "default"):
        if key in limits:
            return float(limits[key])
    return 1.0


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def slot_rate(settings: Settings, slot: str) -> float:
    rate = min(source_rate(settings, source) for source in SLOTS[slot])
    return min(rate, SEC_SAFE_RPS) if slot == "sec" else rate


def slot_of(source: str) -> str:
    return next(slot for slot, sources in SLOTS.items() if source in sources)


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    slots = {
        slot: {"concurrency": 2, "delay": CAP_MARGIN / slot_rate(settings, slot), "jitter": 0}
        for slot in SLOTS
    }
    return {
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": settings.crawl.obey_robots,
        "DOWNLOAD_SLOTS": slots,
        "DOWNLOAD_TIMEOUT": settings.crawl.download_timeout,
        "RETRY_TIMES": settings.crawl.retry_times,
        "TOP100_RATE_LIMIT_PAUSE": settings.crawl.rate_limit_pause_s,
        "HTTPCACHE_DIR": str((settings.crawl.http_cache_dir or settings.out_dir / "httpcache").resolve()),
        # the caps are shared by every crawl process asking the same hosts (spiders.budget)
        "TOP100_BUDGET_KEYS": {slot: "|".join(sorted({_origin(getattr(settings.sources, source)) for source in sources}))
                               for slot, sources in SLOTS.items()},
    }
