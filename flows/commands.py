"""What the command line does, apart from parsing it."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

from flows.usage import EXIT_FAILED, EXIT_INPUTS, EXIT_OK, EXIT_USAGE, usage_error
from top100.config import Settings
from top100.year import YearContext


def run_flow(settings: Settings, ctx: YearContext, stages: tuple[str, ...], *, demo: bool, mode: str,
             faults: str | None = None, publish_incomplete: bool = False) -> int:
    """Run the annual flow (or some of its stages) on the year ``ctx`` (the command line's
    top100.year.year_for: a year without its file stopped there, before anything was written);
    print the summary; return the exit code."""
    from flows.runlock import OutFolderBusy, out_folder_lock
    from top100.errors import ConfigError

    if "collect" in stages and not demo:  # the demo's inbox is the world's, generated below
        try:
            check_inbox(settings)
        except ConfigError as exc:
            return _usage(str(exc))
    # the out folder is this run's from before the demo world is generated (flows.runlock)
    try:
        with out_folder_lock(settings.out_dir):
            return _run_flow(settings, ctx, stages, demo=demo, mode=mode, faults=faults,
                             publish_incomplete=publish_incomplete)
    except OutFolderBusy as exc:
        return _usage(str(exc), EXIT_FAILED)


def check_inbox(settings: Settings) -> None:
    """A real run's collect stage reads the inbox folder: one that is not there is a mistake in the
    configuration, said before anything starts (an empty folder is the collect stage's to report)."""
    from top100.errors import ConfigError

    inbox = settings.inbox_dir
    if not inbox.is_dir():
        raise ConfigError(f"the inbox folder {inbox} {'is not a folder' if inbox.exists() else 'does not exist'}: "
                          "create it with declarations/*.xlsx and the delivered files (see the README), or "
                          "set inbox_dir in the configuration or $TOP100_INBOX_DIR")


def _run_flow(settings: Settings, ctx: YearContext, stages: tuple[str, ...], *, demo: bool, mode: str,
              faults: str | None, publish_incomplete: bool) -> int:
    from flows import progress
    from flows.annual import StageFailed, annual
    from top100.errors import ConfigError
    from top100.year import YearNotAvailable

    refused = year_refusal(settings, ctx, stages)  # under the out-folder lock: another run may be writing the year
    if refused is not None:  # nothing to work on: say so and write nothing (no run, no empty year)
        return _usage(refused, EXIT_INPUTS)
    handler = progress.install(mode)
    sources = contextlib.nullcontext(settings)
    if demo:
        from flows.demo import mirrored

        sources = mirrored(settings, ctx, faults=faults)
    result = None
    failure: BaseException | None = None
    try:
        with sources as run_settings:
            result = annual(run_settings, ctx, stages, publish_incomplete)
    except StageFailed as exc:
        failure = exc
    except Exception as exc:  # a failure outside any stage (configuration, warehouse)
        failure = exc
    finally:
        if handler is not None:
            handler.close()
    if isinstance(failure, ConfigError) and result is None:
        # refused before any stage (e.g. --demo for a year the demo world does not cover): one
        # line, like every other mistake, and no summary of files this run never wrote
        return _usage(str(failure))
    summary = year_summary(settings, ctx, result, failure)
    _print_summary(summary, mode)
    refused = failure.cause if isinstance(failure, StageFailed) else failure
    if isinstance(refused, YearNotAvailable):  # the stage wrote nothing: inputs, not a crash
        return EXIT_INPUTS
    if isinstance(failure, ConfigError):  # before any stage (e.g. --demo for a year it does not cover)
        return EXIT_USAGE
    if failure:
        return EXIT_FAILED
    if summary["held_back"] and mode != "json":
        print(summary["held_back"], file=sys.stderr)
    return EXIT_INPUTS if summary["input_errors"] or summary["held_back"] else EXIT_OK


def year_summary(settings: Settings, ctx: YearContext, result: dict | None, failure: BaseException | None) -> dict:
    """The closing summary of one year's run: its outcome and the figures read back from its files."""
    from flows.annual import totals

    paths = ctx.paths
    return {
        "year": ctx.fiscal_year,
        "outcome": "failed" if failure else (result or {}).get("outcome") or "done",
        "error": str(failure) if failure else None,
        "run_id": (result or {}).get("run_id"),
        "held_back": ((result or {}).get("counts") or {}).get("held_back"),
        "killed_runs": ((result or {}).get("counts") or {}).get("killed_runs") or [],
        "seconds": (result or {}).get("seconds"),
        **totals(paths),
        "outputs": {
            "warehouse": _safe_url(settings),
            "ranking": str(paths.ranking_csv),
            "report": str(paths.report / "index.html"),
            "audit": str(paths.audit / "index.html"),
            "data_docs": str(paths.data_docs),
        },
    }


def backfill_command(settings: Settings, start: int, end: int, *, demo: bool, mode: str) -> int:
    """``top100 backfill START END [--demo]``: the backfill flow, fiscal years START..END oldest
    first into one out folder and warehouse (``--demo``: each against its own demo world); one
    summary per year. Every year is checked first: a year without its file, or one the demo
    world does not cover, is a usage error (exit 2) and nothing runs."""
    from flows import progress
    from flows.annual import backfill
    from flows.runlock import OutFolderBusy
    from top100.errors import ConfigError
    from top100.year import year_for

    contexts = []
    try:
        if end < start:
            raise ConfigError(f"backfill: the last year {end} is before the first {start}")
        for y in range(start, end + 1):
            contexts.append(year_for(settings, y))
            if demo:
                from flows.demo import covered

                covered(y)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    handler = progress.install(mode)
    try:
        results = backfill(start, end, demo=demo, settings=settings)
    except OutFolderBusy as exc:
        print(f"top100: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a stage failed: the years before it are in the warehouse
        print(f"top100: backfill {start}..{end} failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if handler is not None:
            handler.close()
    code = EXIT_OK
    for ctx, result in zip(contexts, results):
        summary = year_summary(settings, ctx, result, None)
        _print_summary(summary, mode)
        if summary["input_errors"] or summary["held_back"]:
            code = EXIT_INPUTS
    return code


def year_refusal(settings: Settings, ctx: YearContext, stages: tuple[str, ...]) -> str | None:
    """Why the first of ``stages`` has nothing to work on, or None. ``load`` needs the year's
    verified companies; ``score`` and ``report`` need the year in the warehouse. Checked before
    the flow starts, so that a refused command writes nothing; the stages refuse too
    (top100.year.YearNotAvailable) when they are reached inside a longer run."""
    first = stages[0] if stages else None
    if first == "load":
        from warehouse.load import read_rows

        paths = ctx.paths
        try:
            companies = read_rows(paths.companies)
        except Exception:  # a damaged file is the load stage's to report, with its line
            return None
        if not companies:
            return (f"fiscal year {ctx.fiscal_year}: nothing to load: {paths.companies} has no companies "
                    "(collect, extract and verify the year first); the warehouse is unchanged")
    if first in ("score", "report"):
        from warehouse import reads
        from warehouse.engine import opened

        try:
            with opened(settings.warehouse, read_only=True) as engine:
                loaded = reads.years(engine)
        except Exception:  # no warehouse yet (or it cannot be opened): nothing is loaded
            loaded = []
        if ctx.fiscal_year not in loaded:
            return (f"fiscal year {ctx.fiscal_year} is not in the warehouse (years loaded: "
                    f"{', '.join(map(str, loaded)) or 'none'}); run `top100 run --year {ctx.fiscal_year}` "
                    "(or its load stage) first; nothing written")
    return None


def _safe_url(settings: Settings) -> str:
    from top100.config import redact_url

    return redact_url(settings.warehouse)


def _print_summary(summary: dict, mode: str) -> None:
    if mode == "json":
        sys.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False, default=str) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    # a log file or a pipe gets the whole paths, not a table cut to 80 columns
    console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"top100 {summary['year']}: {summary['outcome']}", show_header=False)
    rows = [
        ("candidates", summary["candidates"]),
        ("documents fetched", summary["documents"]),
        ("facts extracted", summary["facts"]),
        ("form cells declared", summary["declared"]),
        ("checks failed (findings)", f"{summary['findings']} ({summary['errors_blocking']} blocking)"),
        ("inputs not usable", summary["input_errors"]),
        ("companies ranked", summary["ranked"]),
    ]
    for k, v in rows:
        table.add_row(k, str(v))
    for k, v in summary["outputs"].items():
        table.add_row(k, v)
    if summary.get("run_id"):
        table.add_row("run id", summary["run_id"])
    if summary.get("killed_runs"):
        table.add_row("runs found dead (marked killed)", ", ".join(summary["killed_runs"]))
    console.print(table)
    if summary["error"]:
        console.print(f"[red]error:[/red] {summary['error']}", markup=True)


def explain_command(settings: Settings, company: str, metric: str, png: Path | None) -> int:
    from top100.vocab import Metric

    if metric not in Metric.__members__:
        return _usage(f"unknown metric {metric!r}{_nearest(metric, list(Metric.__members__))}: "
                      f"metrics are {', '.join(Metric.__members__)}")
    from top100.errors import WarehouseError

    try:
        return _explain(settings, company, metric, png)
    except WarehouseError as exc:  # no warehouse yet: the user must load first
        return _usage(str(exc))


def _explain(settings: Settings, company: str, metric: str, png: Path | None) -> int:
    from top100.vocab import check_company_id
    from warehouse import reads
    from warehouse.engine import opened

    with opened(settings.warehouse, read_only=True) as engine:
        known = reads.companies(engine, settings.year)
        resolved = _resolve_company(company, known)
        if resolved is None:
            labels = [f"{r.company_id} {r.legal_name}" for r in known.itertuples()]
            near = _nearest(company, [str(r.company_id) for r in known.itertuples()] +
                            [str(r.legal_name) for r in known.itertuples()], labels=labels)
            return _usage(f"unknown company {company!r} in {settings.year}{near}: give a company id "
                          f"(top100 sql \"select company_id, legal_name from clean.company\" lists them)")
        company = resolved
        check_company_id(company)
        used = reads.metrics_long(engine, settings.year)
        used = used[(used.company_id == company) & (used.metric == metric)]
        facts = reads.facts(engine, settings.year, company_id=company, metric=metric)
    if used.empty and facts.empty:
        print(f"no {metric} for company {company} in {settings.year}", file=sys.stderr)
        return EXIT_INPUTS
    from expectations.audit import _missing, figure

    def shown(v, cur: str = "CNY") -> str:  # 490.52 亿元 (49,052,318,000); "-" when there is none
        if _missing(v):
            return "-"
        text = figure(v, metric, cur)
        return f"{text} ({v:,.0f})" if ("元" in text and "亿" in text or "万" in text) else text

    for _, row in used.iterrows():
        print(f"{company} {metric} {settings.year}: value used {shown(row['value'])} from {row['source']} "
              f"(rule {row['rule']}, status {row['status']}; declared {shown(row['declared'])}, "
              f"public {shown(row['public'])})")
    for _, f in facts.iterrows():
        page = "" if _missing(f["page"]) else f" page {int(f['page'])}"
        print(f"  fact {shown(f['value'], str(f['currency']))} FY{f['fiscal_year']} doc {str(f['document_sha256'])[:12]}"
              f"{page} label {f['label']!r} raw {f['raw']!r} unit {f['unit']} "
              f"by {f['extractor']} {f['extractor_version']}")
        _explain_readings(f)
    if png is not None:
        with_box = facts[facts["bbox"].notna() & facts["page"].notna()] if not facts.empty else facts
        if with_box.empty:
            print("no fact with a page box to draw", file=sys.stderr)
            return EXIT_INPUTS
        f = with_box[with_box.fiscal_year == settings.year].head(1)
        f = (f if not f.empty else with_box.head(1)).iloc[0]
        from extractors.provenance import render_box
        from top100.paths import raw_path

        bbox = json.loads(f["bbox"]) if isinstance(f["bbox"], str) else list(f["bbox"])
        render_box(raw_path(settings.out_dir / "raw", f["document_sha256"]), int(f["page"]), bbox, png)
        print(f"page image written to {png}")
    return EXIT_OK


def _explain_readings(f) -> None:
    """The other places of the document printing the fact (or that it was read once), and a
    conflict: the values a reader compared. Company text goes through repr (no terminal codes)."""
    corr = f.get("corroborations") if hasattr(f, "get") else None
    corr = corr if isinstance(corr, list) else []
    if f.get("conflict", False) is True:
        print("    CONFLICT: another reading of the document (or an accounting identity) disagrees; not confirmed")
    if not corr:
        print("    read in one place of the document only (single source)")
    for c in corr:
        state = "agrees" if c.get("agrees") else "DISAGREES"
        restated = f", column {c['restated']}" if c.get("restated") else ""
        print(f"    also page {c.get('page')} ({c.get('source')}{restated}) label {str(c.get('label'))!r} "
              f"raw {str(c.get('raw'))!r} unit {c.get('unit')}: {state}")


def _usage(message: str, code: int = EXIT_USAGE) -> int:
    return usage_error(message, code)


def _resolve_company(given: str, known) -> str | None:
    """A company id, or a legal name / brand given exactly; None when it is not in the year."""
    if known.empty:
        return None
    if given in set(known["company_id"].astype(str)):
        return given
    for col in ("legal_name", "brands"):
        if col in known.columns:
            hit = known[known[col].astype(str).map(lambda v: given in [x.strip() for x in v.replace("，", ",").split(",")] or v == given)]
            if len(hit) == 1:
                return str(hit.iloc[0]["company_id"])
    return None


def _nearest(given: str, choices: list[str], labels: list[str] | None = None, n: int = 5) -> str:
    """'; nearest: C0001 百度公司, ...' (difflib ratio; names by shared characters too)."""
    import difflib

    label_of = dict(zip(choices, (labels or choices) * (1 if labels is None else 2)))
    close = difflib.get_close_matches(given, choices, n=n, cutoff=0.4)
    if not close:  # Chinese names: rank by characters in common
        scored = sorted(choices, key=lambda c: -len(set(c) & set(given)))
        close = [c for c in scored[:n] if set(c) & set(given)]
    shown = list(dict.fromkeys(label_of.get(c, c) for c in close))
    return f"; nearest: {', '.join(shown)}" if shown else ""


def sql_command(settings: Settings, query: str, as_json: bool = False, fmt: str = "text") -> int:
    """Run the auditor's query (read-only by construction: warehouse.sql); print the rows.

    Nothing from the data is interpreted on the way to the terminal: no rich markup, control
    characters and escape sequences shown escaped (\\x1b), CSV cells neutralised against
    formulas; all rows and whole cells, never cut to the terminal's width."""
    from flows import sqlout
    from warehouse.readonly import Refused
    from warehouse.sql import query_readonly

    fmt = "json" if as_json else fmt
    if fmt not in sqlout.FORMATS:
        return _usage(f"unknown --format {sqlout.one_line(fmt)!r}; one of {', '.join(sqlout.FORMATS)}")
    try:
        columns, rows = query_readonly(settings.warehouse, query)
    except Refused as exc:
        return _usage(f"query refused: {sqlout.one_line(str(exc))}")
    except Exception as exc:  # the auditor's query failed in the engine: a usage error (exit 2)
        return _usage(f"query failed: {sqlout.one_line(str(exc))}")
    sqlout.write(sys.stdout, columns, rows, fmt)
    return EXIT_OK


def sensitivity_command(settings: Settings, n: int, seed: int) -> int:
    from scoring.run import sensitivity_year
    from warehouse.engine import opened

    with opened(settings.warehouse, read_only=True) as engine:
        result = sensitivity_year(settings, engine, settings.year, n=n, seed=seed)
    print(result if isinstance(result, str) else getattr(result, "text", str(result)))
    return EXIT_OK


def print_side_by_side(settings: Settings, ctx: YearContext) -> None:
    from scoring.report import side_by_side_text
    from warehouse import reads
    from warehouse.engine import opened

    if year_refusal(settings, ctx, ("report",)) is not None:  # refused: there is nothing to show
        return
    with opened(settings.warehouse, read_only=True) as engine:
        figures = reads.report_figures(engine, ctx.fiscal_year)
    if len(figures):
        print(side_by_side_text(figures))
