"""The `top100` command line.

    top100 run | crawl | extract | verify | load | score | report | explain | sql | mirror
    top100 --version

Exit codes, for schedulers: 0 done; 2 usage error; 3 the run finished but some inputs could not
be used (documents that failed to fetch or parse, invalid form cells: see the errors files);
4 the run failed (a stage stopped; the message names the stage and the cause).

This module is the entry point and the mistakes' translation into exit codes; the commands and
their options are flows.cli_app (typer, loaded only when a command is parsed), what they do is
flows.commands.
"""


import sys
from pathlib import Path

from flows.usage import (  # noqa: F401  (the exit codes, also named from here)
    EXIT_FAILED, EXIT_INPUTS, EXIT_OK, EXIT_USAGE, CommandExit, telemetry_off, usage_error, version,
)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    telemetry_off()  # before anything imports Prefect
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
    from flows.cli_app import app  # typer and the commands: only when a command is parsed

    try:
        app(args=argv, prog_name="top100", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except CommandExit as exc:
        return exc.code
    except Exception as exc:  # click's usage errors carry exit_code
        from top100.errors import ConfigError

        if isinstance(exc, ConfigError):  # raised before any stage starts: a usage error
            return usage_error(str(exc))
        code = getattr(exc, "exit_code", None)
        if code is not None:
            if hasattr(exc, "format_message"):
                click_context = getattr(exc, "ctx", None)
                command = click_context.command_path if click_context is not None else "top100"
                return usage_error(f"{exc.format_message()} (see {command} --help)", int(code))
            return int(code)
        raise
    return EXIT_OK


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
