"""Which failures are retried, and how long to wait.

Retried (the cause is outside the input and may be gone a moment later):
- a crawl subprocess that exits non-zero or writes no summary (network down, a host refusing
  for a while, the process killed by the OOM killer): 2 retries after 10 s and 60 s. A retry is
  cheap: the HTTP cache and the raw store keep what the failed attempt fetched.
- the warehouse that cannot be opened or is locked (DuckDB's single-writer lock held by another
  process, PostgreSQL restarting, too many connections): 3 retries after 2, 10 and 30 s.
- reading a raw document that is briefly unavailable (OSError on a network file system), or a
  worker process that died under a task (the OOM killer; BrokenProcessPool): 2 retries after 1
  and 5 s.
Not retried: everything else, above all a document that does not parse (the extractors turn
that into an error row, not an exception) and a failed check: running them again gives the
same answer, so a retry would only delay the failure.
"""

from __future__ import annotations

from concurrent.futures import BrokenExecutor
from typing import Any

CRAWL_DELAYS = [10, 60]
WAREHOUSE_DELAYS = [2, 10, 30]
DOCUMENT_DELAYS = [1, 5]

# message fragments of a held lock or a connection that may come back
_WAREHOUSE_TRANSIENT = ("could not set lock", "conflicting lock", "database is locked", "connection refused",
                        "could not connect", "too many connections", "the database system is starting up",
                        "server closed the connection", "connection timed out", "resource temporarily unavailable")


class CrawlFailed(RuntimeError):
    """A crawl subprocess failed (retried: the cause is usually the network or the host)."""


def _exception(state: Any) -> BaseException | None:
    try:
        exc = state.result(raise_on_failure=False)
    except BaseException as read_error:  # the result itself could not be read
        return read_error
    return exc if isinstance(exc, BaseException) else None


def is_transient(exc: BaseException | None) -> bool:
    """True for the failures listed in the module docstring."""
    seen = 0
    while exc is not None and seen < 5:  # look through wrappers (SQLAlchemy's, ours)
        if isinstance(exc, (CrawlFailed, BrokenExecutor)):
            return True
        if isinstance(exc, (TimeoutError, ConnectionError, InterruptedError, BlockingIOError)):
            return True
        text = str(exc).lower()
        if any(fragment in text for fragment in _WAREHOUSE_TRANSIENT):
            return True
        if isinstance(exc, OSError) and not isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
            return True
        exc = exc.__cause__ or getattr(exc, "orig", None)
        seen += 1
    return False


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry_condition_fn: retry only transient failures."""
    return is_transient(_exception(state))
