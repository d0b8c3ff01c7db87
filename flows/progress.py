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


class JsonLinesHandler(logging.Handler):
    """One JSON object per progress event, on stderr: what a scheduler's log collector wants."""

    def emit(self, record: logging.LogRecord) -> None:
        event = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "stage": getattr(record, "stage", None),
            "done": getattr(record, "done", None),
            "total": getattr(record, "total", None),
            "finished": getattr(record, "finished", False),
            "counts": getattr(record, "counts", {}),
            "message": record.getMessage(),
        }
        sys.stderr.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")


class PlainHandler(logging.Handler):
    """Plain lines, at most one per stage every few seconds (logs of non-interactive runs)."""

    def __init__(self, every_s: float = 5.0) -> None:
        super().__init__()
        self.every_s = every_s
        self._last: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "?")
        finished = getattr(record, "finished", False)
        now = time.monotonic()
        if not finished and now - self._last.get(stage, 0) < self.every_s:
            return
        self._last[stage] = now
        counts = getattr(record, "counts", {})
        extra = " ".join(f"{k}={v}" for k, v in counts.items())
        sys.stderr.write(f"[{stage}] {record.getMessage()} {extra}\n".rstrip() + "\n")


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

        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.fields[stage]:<8}"), BarColumn(),
            MofNCompleteColumn(), _rate_column(), TimeElapsedColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"), console=console, transient=False,
        )
        self.tasks: dict[str, Any] = {}
        self.progress.start()

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "?")
        counts = getattr(record, "counts", {})
        text = " ".join(f"{k}={v}" for k, v in counts.items())
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
