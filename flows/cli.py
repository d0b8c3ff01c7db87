"""The `top100` command line.

    top100 run | crawl | extract | verify | load | score | report | explain | sql | mirror
    top100 --version

Exit codes, for schedulers: 0 done; 2 usage error; 3 the run finished but some inputs could not
be used (documents that failed to fetch or parse, invalid form cells: see the errors files);
4 the run failed (a stage stopped; the message names the stage and the cause).
"""


import os
import sys
from pathlib import Path
from typing import Annotated, Optional

EXIT_OK, EXIT_USAGE, EXIT_INPUTS, EXIT_FAILED = 0, 2, 3, 4


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _telemetry_off()  # before anything imports Prefect
    # `top100 extract <file>` must start fast: no Prefect, no GX, not even typer.
    if argv[:1] == ["extract"] and not any(a in ("--year", "-y") for a in argv[1:]) and len(argv) > 1 and not argv[1].startswith("-"):
        from extractors.command import main as extract_main

        refused = _extract_usage(argv[1:])
        if refused is not None:
            return refused
        return extract_main(argv[1:])
    if argv[:1] in (["--version"], ["-V"]):
        print(f"top100 {version()}")
        return EXIT_OK
    app = _build_app()
    try:
        app(args=argv, prog_name="top100", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except _Exit as exc:
        return exc.code
    except Exception as exc:  # click's usage errors carry exit_code
        from top100.errors import ConfigError

        if isinstance(exc, ConfigError):  # raised before any stage starts: a usage error
            return usage_error(str(exc))
        code = getattr(exc, "exit_code", None)
        if code is not None:
            if hasattr(exc, "format_message"):
                ctx = getattr(exc, "ctx", None)
                command = ctx.command_path if ctx is not None else "top100"
                return usage_error(f"{exc.format_message()} (see {command} --help)", int(code))
            return int(code)
        raise
    return EXIT_OK


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version("top100")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown"


def _extract_usage(args: list[str]) -> int | None:
    """`top100 extract FILE ...`: a mistake in its arguments (an unknown --type, a missing file)
    is one line and exit 2, like every other command's (argparse would print its usage too)."""
    from extractors.command import build_parser

    class _Refused(Exception):
        pass

    parser = build_parser()

    def error(message: str):
        raise _Refused(message)

    parser.error = error  # type: ignore[method-assign]
    try:
        parsed = parser.parse_args(args)
    except _Refused as exc:
        return usage_error(f"{exc} (see top100 extract --help)")
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    path = Path(parsed.file)
    if not path.is_file():
        why = "is a folder" if path.is_dir() else "does not exist"
        return usage_error(f"{path} {why}: give one document (a PDF, a companyfacts JSON, an SEC filing's "
                           "HTML or a declaration form xlsx)")
    return None


def usage_error(message: str, code: int = EXIT_USAGE) -> int:
    """A mistake of the user's: one line on stderr (cause and fix), no traceback."""
    line = " ".join(str(message).split())
    sys.stderr.write(f"top100: error: {line}\n")
    return code


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _telemetry_off() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # the temporary API server takes 6-13 s to start, much longer on a busy 2-core machine;
    # Prefect's 20 s default then fails the whole run before it begins
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def _build_app():
    import typer

    # rich_markup_mode=None: click's plain help, which shows a flag as a flag (typer's rich help
    # prints `<bool>` beside every flag) and keeps help readable in a pipe
    app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      rich_markup_mode=None, help=__doc__.split("\n\n")[0])
    mirror_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The offline stand-in for the public sources.")
    app.add_typer(mirror_app, name="mirror")

    def _print_version(value: bool) -> None:
        if value:
            typer.echo(f"top100 {version()}")
            raise typer.Exit(EXIT_OK)

    @app.callback()
    def _root(show_version: Annotated[bool, typer.Option("--version", "-V", is_eager=True, callback=_print_version,
                                                         help="Print the version and exit.")] = False) -> None:
        """The `top100` command line."""

    Config = Annotated[Optional[Path], typer.Option("--config", "-c", help="Configuration file (default: ./top100.toml).")]
    Year = Annotated[Optional[int], typer.Option("--year", "-y", help="Fiscal year (default: from the configuration).")]
    Demo = Annotated[bool, typer.Option("--demo", help="Run against the local mirror and the generated demo world.")]
    Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display; only errors and the summary.")]
    JsonLogs = Annotated[bool, typer.Option("--json-logs", help="Progress and summary as JSON lines (for schedulers).")]

    def settings_for(config: Path | None, year: int | None, **extra):
        from top100.config import load_settings

        overrides = {k: v for k, v in extra.items() if v is not None}
        if year is not None:
            overrides["year"] = year
        settings = load_settings(config, **overrides)
        validate_sections(settings)
        return settings

    @app.command()
    def run(config: Config = None, year: Year = None, demo: Demo = False, quiet: Quiet = False,
            json_logs: JsonLogs = False,
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
        raise _Exit(_run(settings, chosen, demo=demo, mode=_mode(quiet, json_logs), faults=faults,
                         publish_incomplete=publish_incomplete))

    @app.command()
    def backfill(start_year: Annotated[int, typer.Argument(help="First fiscal year, e.g. 2013.")],
                 end_year: Annotated[int, typer.Argument(help="Last fiscal year, e.g. 2014.")],
                 config: Config = None, demo: Demo = False, quiet: Quiet = False, json_logs: JsonLogs = False):
        """Run fiscal years START..END, oldest first, into one warehouse (the backfill flow)."""
        settings = settings_for(config, None)
        from flows.commands import backfill_command

        raise _Exit(backfill_command(settings, start_year, end_year, demo=demo, mode=_mode(quiet, json_logs)))

    @app.command()
    def crawl(config: Config = None, year: Year = None, demo: Demo = False, quiet: Quiet = False, json_logs: JsonLogs = False):
        """Collect only: the inbox, then one Scrapy crawl per source."""
        raise _Exit(_run(settings_for(config, year), ("collect",), demo=demo, mode=_mode(quiet, json_logs)))

    @app.command()
    def extract(file: Annotated[Optional[Path], typer.Argument(help="One document: PDF, companyfacts JSON or xlsx form.")] = None,
                as_json: Annotated[bool, typer.Option("--json", help="Print the facts as a JSON list.")] = False,
                config: Config = None, year: Year = None, quiet: Quiet = False, json_logs: JsonLogs = False):
        """Extract the facts of one document (FILE), or run the extract stage for a year."""
        if file is not None:
            from extractors.command import main as extract_main

            raise _Exit(extract_main([str(file)] + (["--json"] if as_json else [])))
        raise _Exit(_run(settings_for(config, year), ("extract",), demo=False, mode=_mode(quiet, json_logs)))

    @app.command()
    def verify(config: Config = None, year: Year = None, quiet: Quiet = False, json_logs: JsonLogs = False):
        """Reconcile declarations with public figures and run the four checks (Great Expectations)."""
        raise _Exit(_run(settings_for(config, year), ("verify",), demo=False, mode=_mode(quiet, json_logs)))

    @app.command()
    def load(config: Config = None, year: Year = None, quiet: Quiet = False, json_logs: JsonLogs = False):
        """Load the year's stage files into the warehouse (one transaction)."""
        raise _Exit(_run(settings_for(config, year), ("load",), demo=False, mode=_mode(quiet, json_logs)))

    @app.command()
    def score(config: Config = None, year: Year = None, quiet: Quiet = False, json_logs: JsonLogs = False,
              sensitivity: Annotated[int, typer.Option(min=0, max=1_000_000, help="Perturb every weight by up to ±20% N times and report rank ranges.")] = 0,
              seed: Annotated[int, typer.Option(help="Seed of the sensitivity draws.")] = 0):
        """Score and rank the year from the warehouse (optionally with a sensitivity analysis)."""
        settings = settings_for(config, year)
        if sensitivity:
            from flows.commands import sensitivity_command

            raise _Exit(sensitivity_command(settings, sensitivity, seed))
        raise _Exit(_run(settings, ("score",), demo=False, mode=_mode(quiet, json_logs)))

    @app.command()
    def report(config: Config = None, year: Year = None, quiet: Quiet = False, json_logs: JsonLogs = False):
        """Write the annual report (HTML and PDF) and print the published-vs-computed table."""
        settings = settings_for(config, year)
        code = _run(settings, ("report",), demo=False, mode=_mode(quiet, json_logs))
        if code != EXIT_FAILED:
            from flows.commands import print_side_by_side

            print_side_by_side(settings)
        raise _Exit(code)

    @app.command()
    def explain(company: Annotated[str, typer.Argument(help="Company id.")],
                metric: Annotated[str, typer.Argument(help="Metric name, e.g. revenue.")],
                config: Config = None, year: Year = None,
                png: Annotated[Optional[Path], typer.Option(help="Write the page image with the value's box drawn.")] = None):
        """Where a number came from: the value used, the rule, every source with its provenance."""
        from flows.commands import explain_command

        raise _Exit(explain_command(settings_for(config, year), company, metric, png))

    @app.command()
    def sql(query: Annotated[str, typer.Argument(help="One read-only query (SELECT, WITH, VALUES, EXPLAIN).")],
            config: Config = None,
            as_json: Annotated[bool, typer.Option("--json", help="Rows as JSON (same as --format json).")] = False,
            fmt: Annotated[str, typer.Option("--format", help="text (default), tsv, csv or json.")] = "text"):
        """Query the warehouse read-only (for auditors): one query over its own tables."""
        from flows.commands import sql_command

        raise _Exit(sql_command(settings_for(config, None), query, as_json, fmt))

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
            raise _Exit(usage_error(str(exc)))
        typer.echo(f"world written to {path}")

    @mirror_app.command("serve")
    def mirror_serve(world: Annotated[Path, typer.Option(help="Folder of a generated world.")] = Path("out/demo-world/2014"),
                     port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: a free one).")] = 8000,
                     faults: Annotated[Optional[str], typer.Option(help="Fault-injection profile.")] = None):
        """Serve a generated world at the public sources' paths, on 127.0.0.1."""
        if not (world / "world.json").is_file():
            raise _Exit(usage_error(f"{world} is not a generated world (no world.json): "
                                    "run top100 mirror generate first, or give --world"))
        if faults is not None:
            check_faults(faults)
        from mirror.server import serve

        kwargs = {"faults": faults} if faults else {}
        try:
            serve(world, host="127.0.0.1", port=port, **kwargs)
        except OSError as exc:  # the port is taken or not ours to bind
            raise _Exit(usage_error(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}: "
                                    "choose another --port (0: a free one)"))

    return app


def check_faults(faults: str) -> None:
    """A fault profile that cannot be loaded is a usage error before anything starts."""
    import typer

    from mirror.faults_profile import load_profile

    try:
        load_profile(faults)
    except ValueError as exc:
        raise typer.BadParameter(" ".join(str(exc).split())) from None


def check_inbox(settings) -> None:
    """A real run's collect stage reads the inbox folder: one that is not there is a mistake in the
    configuration, said before anything starts (an empty folder is the collect stage's to report)."""
    from top100.errors import ConfigError

    inbox = settings.inbox_dir
    if not inbox.is_dir():
        raise ConfigError(f"the inbox folder {inbox} {'is not a folder' if inbox.exists() else 'does not exist'}: "
                          "create it with declarations/*.xlsx and the delivered files (see the README), or "
                          "set inbox_dir in the configuration or $TOP100_INBOX_DIR")


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


def _mode(quiet: bool, json_logs: bool) -> str:
    if json_logs:
        return "json"
    if quiet:
        return "quiet"
    return "rich" if sys.stderr.isatty() else "plain"


def _run(settings, chosen: tuple[str, ...], *, demo: bool, mode: str, faults: str | None = None,
         publish_incomplete: bool = False) -> int:
    _telemetry_off()
    from flows.commands import run_flow

    return run_flow(settings, chosen, demo=demo, mode=mode, faults=faults, publish_incomplete=publish_incomplete)
