"""The `top100` commands as a typer app: one function per command, their shared options, and the
checks made before anything runs (a bad setting, stage or fault profile is a usage error).

Imported by flows.cli only when a command is parsed (``top100 extract <file>`` and
``top100 --version`` never load typer). What each command does is in flows.commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.usage import EXIT_FAILED, EXIT_OK, CommandExit, telemetry_off, usage_error, version

# rich_markup_mode=None: click's plain help, which shows a flag as a flag (typer's rich help
# prints `<bool>` beside every flag) and keeps help readable in a pipe
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None, help="The `top100` command line.")
mirror_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The offline stand-in for the public sources.")
app.add_typer(mirror_app, name="mirror")

# the options most commands share
ConfigOption = Annotated[Optional[Path], typer.Option("--config", "-c", help="Configuration file (default: ./top100.toml).")]
YearOption = Annotated[Optional[int], typer.Option("--year", "-y", help="Fiscal year (default: from the configuration).")]
DemoOption = Annotated[bool, typer.Option("--demo", help="Run against the local mirror and the generated demo world.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display; only errors and the summary.")]
JsonLogsOption = Annotated[bool, typer.Option("--json-logs", help="Progress and summary as JSON lines (for schedulers).")]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"top100 {version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(show_version: Annotated[bool, typer.Option("--version", "-V", is_eager=True, callback=_print_version,
                                                     help="Print the version and exit.")] = False) -> None:
    """The `top100` command line."""


@app.command("run")
def run_command(config: ConfigOption = None, year: YearOption = None, demo: DemoOption = False, quiet: QuietOption = False,
                json_logs: JsonLogsOption = False,
                stages: Annotated[Optional[str], typer.Option(help="Comma-separated subset of collect,extract,verify,load,score,report.")] = None,
                runner: Annotated[Optional[str], typer.Option(help="Task runner: process, thread, or dask://host:port.")] = None,
                faults: Annotated[Optional[str], typer.Option(help="With --demo: the mirror's fault profile (name[:seed] or .toml).")] = None,
                publish_incomplete: Annotated[bool, typer.Option("--publish-incomplete", help="Publish the ranking, marts and report even when a source failed and companies are incomplete.")] = False):
    """Run the annual evaluation: collect, extract, verify, load, score, report."""
    settings = settings_for(config, year, runner=runner)  # first: no Prefect import for a bad setting
    from flows.annual import STAGES

    chosen = tuple(s.strip() for s in stages.split(",")) if stages is not None else STAGES
    bad = [s or "(empty)" for s in chosen if s not in STAGES]
    if bad:
        raise typer.BadParameter(f"unknown stage(s) {', '.join(bad)}; stages are {', '.join(STAGES)}")
    if faults is not None and not demo:
        raise typer.BadParameter("--faults needs --demo (faults are injected by the local mirror)")
    if faults is not None:
        check_faults(faults)
    raise CommandExit(run_stages(settings, year_of(settings), chosen, demo=demo, mode=output_mode(quiet, json_logs),
                                 faults=faults, publish_incomplete=publish_incomplete))


@app.command("backfill")
def backfill_command(start_year: Annotated[int, typer.Argument(help="First fiscal year, e.g. 2013.")],
                     end_year: Annotated[int, typer.Argument(help="Last fiscal year, e.g. 2014.")],
                     config: ConfigOption = None, demo: DemoOption = False, quiet: QuietOption = False,
                     json_logs: JsonLogsOption = False):
    """Run fiscal years START..END, oldest first, into one warehouse (the backfill flow)."""
    settings = settings_for(config, None)
    from flows.commands import backfill_command as backfill_years

    raise CommandExit(backfill_years(settings, start_year, end_year, demo=demo, mode=output_mode(quiet, json_logs)))


@app.command("crawl")
def crawl_command(config: ConfigOption = None, year: YearOption = None, demo: DemoOption = False, quiet: QuietOption = False,
                  json_logs: JsonLogsOption = False):
    """Collect only: the inbox, then one Scrapy crawl per source."""
    settings = settings_for(config, year)
    raise CommandExit(run_stages(settings, year_of(settings), ("collect",), demo=demo, mode=output_mode(quiet, json_logs)))


@app.command("extract")
def extract_command(file: Annotated[Optional[Path], typer.Argument(help="One document: PDF, companyfacts JSON or xlsx form.")] = None,
                    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as a JSON list.")] = False,
                    config: ConfigOption = None, year: YearOption = None, quiet: QuietOption = False,
                    json_logs: JsonLogsOption = False):
    """Extract the facts of one document (FILE), or run the extract stage for a year."""
    if file is not None:
        from extractors.command import main as extract_main

        raise CommandExit(extract_main([str(file)] + (["--json"] if as_json else [])))
    settings = settings_for(config, year)
    raise CommandExit(run_stages(settings, year_of(settings), ("extract",), demo=False, mode=output_mode(quiet, json_logs)))


@app.command("verify")
def verify_command(config: ConfigOption = None, year: YearOption = None, quiet: QuietOption = False,
                   json_logs: JsonLogsOption = False):
    """Reconcile declarations with public figures and run the four checks (Great Expectations)."""
    settings = settings_for(config, year)
    raise CommandExit(run_stages(settings, year_of(settings), ("verify",), demo=False, mode=output_mode(quiet, json_logs)))


@app.command("load")
def load_command(config: ConfigOption = None, year: YearOption = None, quiet: QuietOption = False,
                 json_logs: JsonLogsOption = False):
    """Load the year's stage files into the warehouse (one transaction)."""
    settings = settings_for(config, year)
    raise CommandExit(run_stages(settings, year_of(settings), ("load",), demo=False, mode=output_mode(quiet, json_logs)))


@app.command("score")
def score_command(config: ConfigOption = None, year: YearOption = None, quiet: QuietOption = False,
                  json_logs: JsonLogsOption = False,
                  sensitivity: Annotated[int, typer.Option(min=0, max=1_000_000, help="Perturb every weight by up to ±20% N times and report rank ranges.")] = 0,
                  seed: Annotated[int, typer.Option(help="Seed of the sensitivity draws.")] = 0):
    """Score and rank the year from the warehouse (optionally with a sensitivity analysis)."""
    settings = settings_for(config, year)
    if sensitivity:
        from flows.commands import sensitivity_command

        raise CommandExit(sensitivity_command(settings, sensitivity, seed))
    raise CommandExit(run_stages(settings, year_of(settings), ("score",), demo=False, mode=output_mode(quiet, json_logs)))


@app.command("report")
def report_command(config: ConfigOption = None, year: YearOption = None, quiet: QuietOption = False,
                   json_logs: JsonLogsOption = False):
    """Write the annual report (HTML and PDF) and print the published-vs-computed table."""
    settings = settings_for(config, year)
    ctx = year_of(settings)
    code = run_stages(settings, ctx, ("report",), demo=False, mode=output_mode(quiet, json_logs))
    if code != EXIT_FAILED:
        from flows.commands import print_side_by_side

        print_side_by_side(settings, ctx)
    raise CommandExit(code)


@app.command("explain")
def explain_command(company: Annotated[str, typer.Argument(help="Company id.")],
                    metric: Annotated[str, typer.Argument(help="Metric name, e.g. revenue.")],
                    config: ConfigOption = None, year: YearOption = None,
                    png: Annotated[Optional[Path], typer.Option(help="Write the page image with the value's box drawn.")] = None):
    """Where a number came from: the value used, the rule, every source with its provenance."""
    from flows.commands import explain_command as explain_figure

    raise CommandExit(explain_figure(settings_for(config, year), company, metric, png))


@app.command("sql")
def sql_command(query: Annotated[str, typer.Argument(help="One read-only query (SELECT, WITH, VALUES, EXPLAIN).")],
                config: ConfigOption = None,
                as_json: Annotated[bool, typer.Option("--json", help="Rows as JSON (same as --format json).")] = False,
                fmt: Annotated[str, typer.Option("--format", help="text (default), tsv, csv or json.")] = "text"):
    """Query the warehouse read-only (for auditors): one query over its own tables."""
    from flows.commands import sql_command as query_warehouse

    raise CommandExit(query_warehouse(settings_for(config, None), query, as_json, fmt))


@mirror_app.command("generate")
def mirror_generate(out: Annotated[Optional[Path], typer.Option(
                        help="Folder of the world (default: out/demo-world/<year>).")] = None,
                    seed: Annotated[int, typer.Option(help="Seed number.")] = 2015,
                    year: Annotated[int, typer.Option(help="Fiscal year: 2014 (the 2015 list) or 2013 "
                                                           "(the 2014 list).")] = 2014,
                    candidates: Annotated[int, typer.Option(help="Number of candidates (>= 300).")] = 300):
    """Generate the demo world of a fiscal year deterministically from a seed."""
    from mirror.generate import generate

    out = Path("out/demo-world") / str(year) if out is None else out
    try:
        path = generate(out, seed=seed, year=year, candidates=candidates)
    except ValueError as exc:  # a year (or size) the generator does not cover: say so, exit 2
        raise CommandExit(usage_error(str(exc)))
    typer.echo(f"world written to {path}")


@mirror_app.command("serve")
def mirror_serve(world: Annotated[Path, typer.Option(help="Folder of a generated world.")] = Path("out/demo-world/2014"),
                 port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: a free one).")] = 8000,
                 faults: Annotated[Optional[str], typer.Option(help="Fault-injection profile.")] = None):
    """Serve a generated world at the public sources' paths, on 127.0.0.1."""
    if not (world / "world.json").is_file():
        raise CommandExit(usage_error(f"{world} is not a generated world (no world.json): "
                                      "run top100 mirror generate first, or give --world"))
    if faults is not None:
        check_faults(faults)
    from mirror.server import serve

    kwargs = {"faults": faults} if faults else {}
    try:
        serve(world, host="127.0.0.1", port=port, **kwargs)
    except OSError as exc:  # the port is taken or not ours to bind
        raise CommandExit(usage_error(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}: "
                                      "choose another --port (0: a free one)"))


# --- before anything runs ----------------------------------------------------------------------
def settings_for(config: Path | None, year: int | None, **extra):
    """The settings of a command: the configuration file and TOP100_* variables, with the command
    line's ``--year`` (the configured fiscal year, from which ``year_of`` reads the run's year)."""
    from top100.config import load_settings

    overrides = {k: v for k, v in extra.items() if v is not None}
    if year is not None:
        overrides["year"] = year
    settings = load_settings(config, **overrides)
    validate_sections(settings)
    return settings


def year_of(settings):
    """The year's one carrier for the run (top100.year.year_for): a year without its evaluation
    file is a usage error here (ConfigError), before anything is written."""
    from top100.year import year_for

    return year_for(settings)


def check_faults(faults: str) -> None:
    """A fault profile that cannot be loaded is a usage error before anything starts."""
    from mirror.faults_profile import load_profile

    try:
        load_profile(faults)
    except ValueError as exc:
        raise typer.BadParameter(" ".join(str(exc).split())) from None


def validate_sections(settings) -> None:
    """The [verify] and [scoring] tables checked by their own packages' validators at start, so
    that a bad tolerance or weight is a usage error before any stage runs (ConfigError)."""
    from pydantic import ValidationError

    from expectations.rules import VerifyRules
    from scoring.config import ScoringConfig
    from top100.config import explain_validation
    from top100.errors import ConfigError

    try:
        VerifyRules.from_settings(settings)
    except ConfigError as exc:
        if isinstance(exc.__cause__, ValidationError):  # one line per key, with 'did you mean'
            raise ConfigError(explain_validation(exc.__cause__, model=VerifyRules, prefix=("verify",))) from None
        raise
    ScoringConfig.from_settings(settings)


def output_mode(quiet: bool, json_logs: bool) -> str:
    if json_logs:
        return "json"
    if quiet:
        return "quiet"
    return "rich" if sys.stderr.isatty() else "plain"


def run_stages(settings, ctx, chosen: tuple[str, ...], *, demo: bool, mode: str, faults: str | None = None,
               publish_incomplete: bool = False) -> int:
    """The annual flow, or some of its stages, on the year ``ctx`` (flows.commands.run_flow)."""
    from flows.commands import run_flow

    telemetry_off()
    return run_flow(settings, ctx, chosen, demo=demo, mode=mode, faults=faults, publish_incomplete=publish_incomplete)
