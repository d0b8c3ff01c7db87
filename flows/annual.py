"""The annual evaluation as one Prefect flow: collect, extract, verify, load, score, report.

`annual(settings, year)` runs every stage as a subflow. ``year`` is the year's one carrier, a
``top100.year.YearContext`` placed in the out folder (``year_for``; a bare fiscal year, as a
deployment gives it, is turned into one first): the stages take the fiscal year and its files
(``year.paths``) from it.

The run is recorded in the warehouse's `run` table; a stage that fails fails the flow with the
stage and its cause, and the marts (ranking, report figures) are only written when every stage
before them finished, so a partial year is never published. A run killed part way is resumed by the same command (flows.resume);
the extract stage maps over documents and the verify stage over companies on the task runner of
`settings.runner` (flows.runners).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from flows import stages
from top100 import __version__
from top100.config import Settings
from top100.jsonl import read_jsonl
from top100.paths import YearPaths
from top100.year import YearContext, year_for

STAGES = ("collect", "extract", "verify", "load", "score", "report")


@dataclass
class RunSummary:
    year: int
    run_id: str | None = None
    outcome: str = "running"
    failed_stage: str | None = None
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def code_version() -> str:
    """The git commit of the code that ran, or the package version outside a checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=5, cwd=Path(__file__).resolve().parent)
        if out.returncode == 0:
            return f"{__version__}+g{out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return __version__


class StageFailed(Exception):
    def __init__(self, stage: str, cause: BaseException) -> None:
        self.stage = stage
        self.cause = cause
        super().__init__(f"stage {stage} failed: {type(cause).__name__}: {cause}")


@flow(name="annual", validate_parameters=False, log_prints=True)
def annual(settings: Settings | None = None, year: YearContext | int | None = None,
           stages_to_run: tuple[str, ...] = STAGES, publish_incomplete: bool = False) -> dict[str, Any]:
    """The yearly evaluation of one fiscal year: ``year`` is its context (top100.year.year_for),
    or a bare fiscal year (default: the configured one), read into its context here. Deployments
    call it with `year` alone: the settings are then read from top100.toml and TOP100_* variables.

    One run at a time per out folder (flows.runlock: a second one refuses, naming the holder).
    A run whose companies are incomplete because a source failed does not replace the published
    marts and report unless `publish_incomplete` (flows.publication)."""
    from flows.runlock import out_folder_lock
    from top100.config import load_settings

    settings = settings or load_settings()
    if not isinstance(year, YearContext):  # before anything runs: a year without its file stops here
        year = year_for(settings, year or None)
    with out_folder_lock(settings.out_dir):
        return _annual(settings, year.at(settings.out_dir), tuple(stages_to_run), publish_incomplete)


def run_params(settings: Settings, year: int, stages_to_run: tuple[str, ...]) -> dict[str, Any]:
    """What meta.run keeps of a run: no secret; the out folder, host and pid, so that the next
    run on that folder knows a run left `running` is dead (flows.publication.mark_dead_runs)."""
    import os
    import socket

    return {"year": year, "stages": list(stages_to_run), "out_dir": str(settings.out_dir.resolve()),
            "host": socket.gethostname(), "pid": os.getpid()}


def _annual(settings: Settings, ctx: YearContext, stages_to_run: tuple[str, ...], publish_incomplete: bool
            ) -> dict[str, Any]:
    from flows import publication
    from flows.runlock import name_run

    year, paths = ctx.fiscal_year, ctx.paths
    summary = RunSummary(year=year)
    from warehouse.engine import opened
    from warehouse.runs import finish_run, start_run

    with opened(settings.warehouse) as engine:
        killed = publication.mark_dead_runs(engine, settings)
        stages_to_run = publication.repair_stages(engine, year, stages_to_run, killed)
        summary.run_id = start_run(engine, "annual", run_params(settings, year, stages_to_run), code_version())
    name_run(settings.out_dir, summary.run_id)
    if killed:
        get_run_logger().warning("runs found dead and marked killed: %s", ", ".join(killed))
    summary.counts["killed_runs"] = killed

    from flows.resume import RunState, fingerprint

    # the year's facts decide the run as much as the settings do: a changed year file is a new run
    state = RunState(paths, fingerprint(settings, f"{code_version()} {ctx.model_dump_json()}"))
    skipped = state.begin(tuple(stages_to_run))
    if skipped:
        get_run_logger().warning("resuming an interrupted run of %s: %s finished unchanged, not run again",
                                 year, ", ".join(skipped))
    summary.counts["resumed"] = skipped
    try:
        for name in stages_to_run:
            if name in skipped:
                continue
            if name in ("score", "report") and not publish_incomplete:
                held = publication.held_back(paths)
                if held:
                    summary.counts["held_back"] = held
                    get_run_logger().warning("%s", held)
                    continue
            t0 = time.monotonic()
            try:
                summary.counts[name] = run_stage(name, settings, ctx, summary.run_id)
            except Exception as exc:
                summary.failed_stage = name
                raise StageFailed(name, exc) from exc
            finally:
                summary.seconds[name] = round(time.monotonic() - t0, 2)
            state.finished(name)
        summary.outcome = "held" if summary.counts.get("held_back") else "done"
        state.complete()
    except StageFailed as exc:
        summary.outcome = "failed"
        summary.error = str(exc)
        raise
    finally:
        summary.outputs = outputs_of(settings, paths)
        with opened(settings.warehouse) as engine:
            finish_run(engine, summary.run_id, summary.outcome, summary.error)
    return summary.to_dict()


def run_stage(name: str, settings: Settings, ctx: YearContext, run_id: str | None) -> dict[str, Any]:
    """One stage as its subflow; extract and verify map over the task runner of settings.runner.
    ``ctx`` is the year (top100.year): its facts and its files (``ctx.paths``), given to every stage."""
    if name == "collect":
        from flows.runners import crawl_runner_for

        return stages.collect.with_options(task_runner=crawl_runner_for(settings))(settings, ctx)
    if name == "extract":
        from flows.runners import task_runner_for

        return stages.extract.with_options(task_runner=task_runner_for(settings))(settings, ctx)
    if name == "verify":
        from flows.runners import task_runner_for

        return stages.verify.with_options(task_runner=task_runner_for(settings))(settings, ctx)
    if name == "load":
        return stages.load(settings, ctx, run_id)
    if name == "score":
        return stages.score(settings, ctx, run_id)
    if name == "report":
        return stages.report_stage(settings, ctx, run_id)
    raise ValueError(f"unknown stage {name!r}; stages are {', '.join(STAGES)}")


def outputs_of(settings: Settings, paths: YearPaths) -> dict[str, str]:
    out = {
        "warehouse": settings.warehouse if settings.warehouse.startswith("duckdb") else "(postgresql)",
        "ranking": str(paths.ranking_csv),
        "report": str(paths.report / "index.html"),
        "audit": str(paths.audit / "index.html"),
        "data_docs": str(paths.data_docs),
    }
    return {k: v for k, v in out.items()}


def totals(paths: YearPaths) -> dict[str, int | None]:
    """The figures of the closing summary, read back from the stage files. A file that cannot
    be read (the run failed because of it) gives None for its figure: the summary of a failed
    run must still be printed, with the error that names the cause."""
    def lines(path: Path) -> int:
        if not path.exists():
            return 0
        with path.open(encoding="utf-8", errors="replace") as fh:
            return sum(1 for line in fh if line.strip())

    def safely(fn):
        try:
            return fn()
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def blocking() -> int:
        return sum(1 for f in read_jsonl(paths.findings) if f.get("severity") == "ERROR")

    return {
        "candidates": safely(lambda: lines(paths.candidates) if paths.candidates.suffix == ".jsonl" else _json_len(paths.candidates)),
        "documents": lines(paths.documents),
        "facts": lines(paths.facts),
        "declared": lines(paths.declared),
        "findings": lines(paths.findings),
        "errors_blocking": safely(blocking),
        "input_errors": sum(lines(p) for p in (paths.collect_errors, paths.extract_errors, paths.verify_errors)),
        "ranked": max(0, _csv_rows(paths.ranking_csv)),
    }


def _json_len(path: Path) -> int:
    import json

    return len(json.loads(path.read_text("utf-8"))) if path.exists() else 0


def _csv_rows(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh) - 1


@flow(name="annual-scheduled", validate_parameters=True)
def scheduled(list_year: int | None = None) -> dict[str, Any]:
    """Entry point of the `annual` deployment (1 July, after the valuation date): the evaluation of
    one list year (the 2015 list ranks fiscal 2014), by default this year's list (in
    Asia/Shanghai). Refused before the year file's ``calendar.evaluate_after`` (the market values
    of the valuation date do not exist yet). The settings come from top100.toml and TOP100_*."""
    from top100.config import load_settings

    settings = load_settings()
    ctx = year_for(settings, (list_year or current_list_year()) - 1)
    today = _today()
    if today < ctx.calendar.evaluate_after:
        raise ValueError(f"the {ctx.list_year} list is evaluated after {ctx.calendar.evaluate_after} "
                         f"(valuation date {ctx.valuation_date}, {ctx.file}); today is {today}")
    return annual(settings, ctx)


COLLECT_STAGES = ("collect", "extract")


@flow(name="collect-scheduled", validate_parameters=True)
def collect_scheduled(list_year: int | None = None) -> dict[str, Any]:
    """Entry point of the `collect` deployment (every Monday, February to June): the forms and
    filings of one list year as they arrive (declarations are reviewed February to May, annual
    reports and 20-Fs appear by the end of April). Run as often as wanted: the raw store keeps
    every document once and each run replaces the year's collect and extract files; the
    evaluation (scheduled) collects once more after the valuation date."""
    from top100.config import load_settings

    settings = load_settings()
    return annual(settings, year_for(settings, (list_year or current_list_year()) - 1), COLLECT_STAGES)


@flow(name="backfill", validate_parameters=False)
def backfill(start_year: int, end_year: int, demo: bool = False, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Re-run a range of fiscal years, oldest first, in one out folder and one warehouse; each
    year replaces its partition whole. ``demo``: each year against the local mirror of its own
    generated world (flows.demo), valued on its own date: the demo backfill of 2013..2014 fills one
    warehouse with both demo years, and the later year's report compares with the earlier.

    Every year is checked before any runs: a year without its file, or (``demo``) a year the
    generator does not cover, is refused naming it, and nothing is written. The settings are read
    from top100.toml and TOP100_* (deployments) unless given (the command line)."""
    from flows.runlock import out_folder_lock
    from top100.config import load_settings

    start_year, end_year = int(start_year), int(end_year)
    if end_year < start_year:
        raise ValueError(f"backfill: end_year {end_year} is before start_year {start_year}")
    settings = settings or load_settings()
    contexts = []
    for y in range(start_year, end_year + 1):  # refused before anything runs
        contexts.append(year_for(settings, y))
        if demo:
            from flows.demo import covered

            covered(y)
    out = []
    with out_folder_lock(settings.out_dir):  # one backfill holds its out folder from first to last year
        for ctx in contexts:
            # the configured year follows the year run (the settings a crawl process is given)
            year_settings = settings.model_copy(update={"year": ctx.fiscal_year})
            if demo:
                from flows.demo import mirrored

                with mirrored(year_settings, ctx) as run_settings:
                    out.append(annual(run_settings, ctx))
            else:
                out.append(annual(year_settings, ctx))
    return out


def _today():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def current_list_year(today=None) -> int:
    """The list prepared this calendar year (Asia/Shanghai): its fiscal year is last year."""
    return (today or _today()).year


def last_fiscal_year(today=None) -> int:
    return current_list_year(today) - 1
