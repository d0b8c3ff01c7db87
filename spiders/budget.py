"""One request budget per source, shared by every crawl process of a run.

The caps of ``crawl.rate_limits`` are hard caps per source, but a source can be asked by more
than one crawl at a time: the quotes crawl reads SEC's companyfacts for the share count on the
valuation date while the edgar crawl reads filings from the same hosts, each in its own process
(Scrapy's reactor cannot restart, so every crawl is a subprocess). Scrapy's download slots and
AutoThrottle space requests within one process only, so two processes together sent SEC 7
requests in one second under a cap of 6 (measured at the mirror).

Scrapy has no cross-process throttle; this middleware is the small piece it lacks. Each request of
a capped slot claims the next send time from a file in the system's temporary folder named for
the slot's hosts (``TOP100_BUDGET_KEYS``: every crawl, of any run on this machine, asking the
same hosts shares it; a mirror on another port has its own), held under an OS file lock for the
few microseconds of the claim: the claims of all processes are spaced by the slot's interval
(``spiders.config``: ``CAP_MARGIN / rate``), and the request waits for its time. It runs after
the HTTP cache (a cached answer costs nothing) and after the retry pauses (a paused source
claims nothing while it waits), right before the download.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler

BUDGET_DIR = "TOP100_BUDGET_DIR"  # where the budget files live (default: the system's temporary folder)
BUDGET_KEYS = "TOP100_BUDGET_KEYS"  # slot -> the hosts it caps, which name its budget file
# a JSON-lines file where every claim is written (slot, time): the send times as the crawl kept them,
# for a test that holds the caps against them exactly (times measured at a server also carry the
# scheduling jitter of the machine); unset in production
BUDGET_LOG = "TOP100_BUDGET_LOG"


def budget_name(slot: str, hosts: str) -> str:
    return f"top100-budget-{slot}-{hashlib.sha1(hosts.encode()).hexdigest()[:16]}"


def claim(folder: Path, slot: str, interval: float, now: float | None = None) -> float:
    """The wall-clock time at which one more request of ``slot`` may leave, reserved: every
    process claiming from ``folder`` gets times at least ``interval`` apart."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / slot, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        raw = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        try:
            last = float(raw)
        except ValueError:  # a new budget (or one torn by a crash): no request was sent yet
            last = float("-inf")
        now = time.time() if now is None else now
        at = max(now, last + interval)
        data = f"{at!r}".encode("ascii").ljust(64)
        os.pwrite(fd, data, 0)
        return at
    finally:
        os.close(fd)  # closing releases the lock


class SharedBudgetMiddleware:
    def __init__(self, folder: Path, intervals: dict[str, float], keys: dict[str, str] | None = None,
                 log: str | None = None):
        self.folder = folder
        self.intervals = intervals
        self.keys = keys or {}
        self.log = log

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedBudgetMiddleware":
        slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
        intervals = {slot: float(options.get("delay", 0)) for slot, options in slots.items()
                     if float(options.get("delay", 0)) > 0}
        folder = crawler.settings.get(BUDGET_DIR) or tempfile.gettempdir()
        return cls(Path(folder), intervals, crawler.settings.getdict(BUDGET_KEYS), crawler.settings.get(BUDGET_LOG))

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        slot = request.meta.get("download_slot")
        interval = self.intervals.get(slot or "")
        if not interval:
            return None
        at = claim(self.folder, budget_name(slot, self.keys.get(slot, slot)), interval)
        if self.log:
            with open(self.log, "a", encoding="utf-8") as fh:  # one short line, appended whole
                fh.write(json.dumps({"slot": slot, "at": at, "url": request.url}) + "\n")
        wait = at - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        return None
