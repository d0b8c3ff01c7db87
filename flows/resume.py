"""Resume after a crash: the stages an interrupted run finished are not run again.

`out/<year>/run-state.json` records, for the run in progress, a fingerprint of what decides
the results (the settings other than runner, workers and the sources' base URLs; the code
version) and, for each
file-producing stage that finished, the sha256 of its output files. A run that starts while
the state says the last run did not complete, with the same fingerprint, skips the leading
stages whose outputs are still exactly as that run left them; everything from the first stage
not finished on is run again. A killed stage leaves no record, so it runs again, and its own
caches (the HTTP cache and raw store of the crawls, the extraction cache) keep what it had done.
The warehouse stages always run: the load is one transaction, so a killed load left nothing.
Only the same command resumes (the same stages asked for: `top100 extract` after a killed
`top100 run` extracts). A run that completes marks the state complete; the next starts afresh.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from top100.jsonl import write_json
from top100.paths import YearPaths

RESUMABLE = ("collect", "extract", "verify")


def outputs(paths: YearPaths, stage: str) -> list[Path]:
    return {
        "collect": [paths.candidates, paths.documents, paths.quotes, paths.fx, paths.collect_errors],
        "extract": [paths.facts, paths.declared, paths.licences, paths.traffic, paths.integrity,
                    paths.extract_errors, paths.root / "accounting.jsonl"],
        "verify": [paths.companies, paths.metrics, paths.findings, paths.verify_errors,
                   paths.audit / "index.html"],
    }[stage]


def _sha(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(settings: Any, code_version: str) -> str:
    shown = settings.redacted()
    # how the run is spread is not what it computes; the sources' base URLs are where to fetch
    # (demo mode serves the mirror on a new port each run), and what was fetched is checked by
    # the output hashes
    for key in ("runner", "workers", "sources"):
        shown.pop(key, None)
    blob = json.dumps({"settings": shown, "code": code_version}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class RunState:
    def __init__(self, paths: YearPaths, fingerprint: str) -> None:
        self.paths = paths
        self.file = paths.root / "run-state.json"
        self.fingerprint = fingerprint
        self.state: dict[str, Any] = {}

    def begin(self, stages: tuple[str, ...]) -> list[str]:
        """Start (or resume) a run; return the stages to skip, in order."""
        previous = self._read()
        skip: list[str] = []
        if (previous and not previous.get("complete") and previous.get("fingerprint") == self.fingerprint
                and previous.get("requested") == list(stages)):  # `top100 extract` asks for extract
            done = previous.get("stages", {})
            for stage in stages:
                if stage not in RESUMABLE or stage not in done or not self._unchanged(stage, done[stage]):
                    break
                skip.append(stage)
            self.state = {**previous, "stages": {s: done[s] for s in skip}, "resumed": _now()}
        else:
            self.state = {"fingerprint": self.fingerprint, "requested": list(stages), "started": _now(),
                          "complete": False, "stages": {}}
        self._write()
        return skip

    def finished(self, stage: str) -> None:
        if stage in RESUMABLE:
            self.state["stages"][stage] = {"at": _now(), "outputs": {
                str(p.relative_to(self.paths.root)): _sha(p) for p in outputs(self.paths, stage)}}
            self._write()

    def complete(self) -> None:
        self.state["complete"] = True
        self.state["completed"] = _now()
        self._write()

    def _unchanged(self, stage: str, record: dict[str, Any]) -> bool:
        recorded = record.get("outputs", {})
        return any(recorded.values()) and all(_sha(self.paths.root / rel) == sha for rel, sha in recorded.items())

    def _read(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.file.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self) -> None:
        write_json(self.file, self.state)  # atomic: a kill leaves the old state or the new


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
