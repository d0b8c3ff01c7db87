"""Progress of long stages, reported through the standard logging system.

Stages report with ``report(stage, done, total, **counts)`` on the ``top100.progress`` logger;
the command line decides how to show it: a rich progress line per stage on a terminal, plain
lines when output is not a terminal, JSON lines for schedulers (``--json-logs``), or nothing
(``--quiet``). Using logging keeps the stages free of any display code and works the same inside
Prefect tasks, worker processes aside.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER = logging.getLogger("top100.progress")


def report(stage: str, done: int, total: int | None = None, **counts: Any) -> None:
    LOGGER.info("%s %s/%s", stage, done, total if total is not None else "?",
                extra={"stage": stage, "done": done, "total": total, "counts": counts})


def stage_done(stage: str, **counts: Any) -> None:
    LOGGER.info("%s done", stage, extra={"stage": stage, "finished": True, "counts": counts})


class _Pace:
    """Items a second and seconds left per stage, from the first event of the stage."""

    def __init__(self) -> None:
        self._start: dict[str, tuple[float, int]] = {}

    def of(self, record: logging.LogRecord) -> tuple[float | None, float | None]:
        stage, done, total = getattr(record, "stage", "?"), getattr(record, "done", None), getattr(record, "total", None)
        if done is None:
            return None, None
        t0, d0 = self._start.setdefault(stage, (record.created, done))
        elapsed = record.created - t0
        if elapsed <= 0 or done <= d0:
            return None, None
        rate = (done - d0) / elapsed
        left = (total - done) / rate if total is not None and total >= done else None
        return rate, left

    def elapsed(self, record: logging.LogRecord) -> float | None:
        start = self._start.get(getattr(record, "stage", "?"))
        return None if start is None else record.created - start[0]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _printable(text: str, limit: int = 80) -> str:
    """A value for a terminal: no control characters (a name could carry escape sequences)."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


class JsonLinesHandler(logging.Handler):
    """One JSON object per progress event, on stderr: what a scheduler's log collector wants."""

    def __init__(self) -> None:
        super().__init__()
        self.pace = _Pace()

    def emit(self, record: logging.LogRecord) -> None:
        rate, left = self.pace.of(record)
        event = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "stage": getattr(record, "stage", None),
            "done": getattr(record, "done", None),
            "total": getattr(record, "total", None),
            "finished": getattr(record, "finished", False),
            "counts": getattr(record, "counts", {}),
            "rate_per_s": None if rate is None else round(rate, 3),
            "eta_s": None if left is None else round(left, 1),
            "message": record.getMessage(),
        }
        sys.stderr.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")


class PlainHandler(logging.Handler):
    """Plain lines, at most one per stage every few seconds (logs of non-interactive runs)."""

    def __init__(self, every_s: float = 5.0) -> None:
        super().__init__()
        self.every_s = every_s
        self._last: dict[str, float] = {}
        self.pace = _Pace()

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "?")
        finished = getattr(record, "finished", False)
        rate, left = self.pace.of(record)  # every event counts towards the pace, shown or not
        now = time.monotonic()
        if not finished and now - self._last.get(stage, 0) < self.every_s:
            return
        self._last[stage] = now
        counts = getattr(record, "counts", {})
        extra = " ".join(f"{k}={_printable(v)}" for k, v in counts.items())
        if finished:
            pace = f" in {_clock(self.pace.elapsed(record))}"
        else:
            pace = f" {rate:.1f}/s left {_clock(left)}" if rate is not None else " -/s left -:--:--"
        sys.stderr.write(f"[{stage}] {record.getMessage()}{pace} {extra}\n".rstrip() + "\n")


def _rate_column():
    """Items a second (documents, companies): rich's own speed column counts bytes."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f}/s" if speed else "", style="progress.data.speed")

    return RateColumn()


class RichHandler(logging.Handler):
    """A rich progress line per stage: done of total, rate, time left, and the stage's counts."""

    def __init__(self, console=None) -> None:
        super().__init__()
        from rich.progress import (
            BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
            TimeElapsedColumn, TimeRemainingColumn,
        )
        from rich.table import Column

        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.fields[stage]:<8}"), BarColumn(bar_width=24),
            MofNCompleteColumn(), _rate_column(), TimeElapsedColumn(), TimeRemainingColumn(),
            # the counts take what is left of the line, cut with an ellipsis: the figures before
            # them (done of total, rate, times) are never squeezed out
            TextColumn("{task.fields[counts]}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)),
            console=console, transient=False, expand=True,
        )
        self.tasks: dict[str, Any] = {}
        self.progress.start()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.progress.live.is_started:
            # Prefect's logging set-up (logging.config.dictConfig, when prefect is first imported)
            # closes every existing handler, this one included: the display starts again here
            self.progress.start()
        stage = getattr(record, "stage", "?")
        counts = dict(getattr(record, "counts", {}))
        current = counts.pop("current", None)
        text = " ".join(f"{k}={_printable(v)}" for k, v in counts.items())
        if current:
            text = f"{_printable(current, 40)}  {text}"
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, stage=stage, counts=text, total=None)
        task = self.tasks[stage]
        if getattr(record, "finished", False):
            t = self.progress.tasks[self.progress.task_ids.index(task)]
            total = t.total if t.total is not None else max(t.completed, 1)
            self.progress.update(task, total=total, completed=total, counts=text)
        else:
            self.progress.update(task, completed=getattr(record, "done", 0),
                                 total=getattr(record, "total", None), counts=text)

    def close(self) -> None:
        self.progress.stop()
        super().close()


def install(mode: str) -> logging.Handler | None:
    """mode: rich | plain | json | quiet."""
    LOGGER.handlers.clear()
    LOGGER.propagate = False
    LOGGER.setLevel(logging.INFO)
    if mode == "quiet":
        LOGGER.addHandler(logging.NullHandler())
        return None
    handler: logging.Handler
    if mode == "json":
        handler = JsonLinesHandler()
    elif mode == "rich":
        handler = RichHandler()
    else:
        handler = PlainHandler()
    LOGGER.addHandler(handler)
    return handler
