"""How the command line answers, shared by the parser (flows.cli, flows.cli_app) and what the
commands do (flows.commands): the exit codes, a user's mistake in one line, the version, and
Prefect's telemetry and logging set off before Prefect is imported.

Standard library only: ``top100 extract <file>`` and ``top100 --version`` start without Prefect,
GX or typer.
"""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_USAGE, EXIT_INPUTS, EXIT_FAILED = 0, 2, 3, 4


class CommandExit(Exception):
    """A command's exit code, raised through typer (standalone_mode=False) to flows.cli.main."""

    def __init__(self, code: int) -> None:
        self.code = code


def usage_error(message: str, code: int = EXIT_USAGE) -> int:
    """A mistake of the user's: one line on stderr (cause and fix), no traceback."""
    line = " ".join(str(message).split())
    sys.stderr.write(f"top100: error: {line}\n")
    return code


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version("top100")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown"


def telemetry_off() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # the temporary API server takes 6-13 s to start, much longer on a busy 2-core machine;
    # Prefect's 20 s default then fails the whole run before it begins
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
