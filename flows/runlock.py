"""One run at a time per out folder.

Two runs writing one out folder mix their stage files, their crawl logs and the demo world; so a
run holds ``<out_dir>/.top100.lock`` (an OS file lock, filelock's fcntl.flock on Linux: released
by the kernel when the process dies, kill -9 included) from before the demo world is generated
until its summary is written. Beside it, ``<out_dir>/.top100.run.json`` names the holder (run id,
pid, host, start): a second run refuses at once with one line naming them, or, given
``wait_s``, waits that long first.

The lock is re-entrant within a process (the command line takes it before the demo world, the
annual flow again when it starts), counted per folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from top100.errors import Top100Error

LOCK_NAME = ".top100.lock"
HOLDER_NAME = ".top100.run.json"


class OutFolderBusy(Top100Error):
    """Another run holds the out folder; the message names it (one line)."""


_held: dict[Path, list[Any]] = {}  # folder -> [FileLock, count]
_guard = threading.Lock()


def holder(out_dir: Path) -> dict[str, Any]:
    """What the holder wrote about itself ({} when nothing readable is there)."""
    try:
        return json.loads((Path(out_dir) / HOLDER_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_holder(out_dir: Path, run_id: str | None) -> None:
    from top100.jsonl import write_json

    write_json(out_dir / HOLDER_NAME, {
        "pid": os.getpid(), "host": socket.gethostname(), "run_id": run_id,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    })


def holds(out_dir: Path) -> bool:
    """True when this process holds the lock of out_dir."""
    return Path(out_dir).resolve() in _held


@contextlib.contextmanager
def out_folder_lock(out_dir: Path, *, wait_s: float = 0.0) -> Iterator[Path]:
    """Hold the out folder for the duration; raise OutFolderBusy if another run holds it."""
    folder = Path(out_dir).resolve()
    with _guard:
        entry = _held.get(folder)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            yield folder
        finally:
            with _guard:
                entry[1] -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=wait_s)
    try:
        lock.acquire()
    except Timeout:
        who = holder(folder)
        waited = f" (waited {wait_s:g} s)" if wait_s else ""
        raise OutFolderBusy(
            f"the out folder {folder} is in use by run {who.get('run_id') or '(starting)'} "
            f"(pid {who.get('pid', '?')} on {who.get('host', '?')}, since {who.get('since', '?')}){waited}: "
            "wait for it to end, or give this run another out_dir"
        ) from None
    with _guard:
        _held[folder] = entry = [lock, 1]
    try:
        _write_holder(folder, None)
        yield folder
    finally:
        with _guard:
            entry[1] -= 1
            last = entry[1] == 0
            if last:
                del _held[folder]
        if last:
            with contextlib.suppress(OSError):
                (folder / HOLDER_NAME).unlink()
            lock.release()


def name_run(out_dir: Path, run_id: str) -> None:
    """Record the run id of the run holding out_dir (once the warehouse gave it one)."""
    folder = Path(out_dir).resolve()
    if folder in _held:
        _write_holder(folder, run_id)
