"""The command line: help for every command, usage errors, the fast extract path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["run", "crawl", "extract", "verify", "load", "score", "report", "explain", "sql", "mirror"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out and command in out


def test_unknown_stage_is_a_usage_error(capsys):
    assert main(["run", "--stages", "collect,bogus"]) == EXIT_USAGE
    assert "bogus" in capsys.readouterr().err


def test_extract_of_one_file_does_not_import_orchestration(tmp_path):
    """`top100 extract FILE` starts fast: no Prefect, GX, Scrapy, SQLAlchemy or pandas."""
    probe = (
        "import sys\n"
        "from flows.cli import main\n"
        f"code = main(['extract', {str(tmp_path / 'missing.pdf')!r}, '--json'])\n"
        "heavy = [m for m in ('prefect', 'great_expectations', 'scrapy', 'sqlalchemy', 'pandas') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
