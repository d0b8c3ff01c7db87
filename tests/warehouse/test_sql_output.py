"""What `top100 sql` prints: company data is never interpreted on the way to the auditor's
terminal (no markup, escapes shown escaped), CSV neutralised, nothing cut when piped."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from flows import sqlout
from warehouse import load, runs
from warehouse.engine import connect

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["4399[/x]", "[bold red]boom[/]", "red\x1b[31mALERT\x1b[0m", "bell\x07", "=HYPERLINK(\"http://x\")",
           "tab\there", "line\nbreak", "rtl\u202eexe.txt", "c1\x9bcontrol", "back\\slash", "网易 " + "长" * 300]


def test_every_format_shows_hostile_cells_inert():
    columns = ["brand", "n"]
    rows = [(v, i) for i, v in enumerate(HOSTILE)] + [(None, None)]
    for fmt in sqlout.FORMATS:
        buf = io.StringIO()
        sqlout.write(buf, columns, rows, fmt)
        out = buf.getvalue()
        for bad in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert bad not in out, (fmt, bad)
        assert "4399[/x]" in out and "[bold red]boom[/]" in out  # markup printed as written
        assert "长" * 300 in out  # whole cells, whatever the width
        if fmt in ("text", "tsv", "csv"):
            assert "red\\x1b[31mALERT\\x1b[0m" in out and "rtl\\u202eexe.txt" in out
            assert "back\\\\slash" in out
        if fmt == "tsv":
            lines = out.splitlines()
            assert len(lines) == len(rows) + 1 and all(line.count("\t") == 1 for line in lines)
            assert "tab\\x09here" in out and "line\\x0abreak" in out
        if fmt == "csv":
            back = list(csv.reader(io.StringIO(out)))
            assert back[1 + HOSTILE.index("=HYPERLINK(\"http://x\")")][0] == "'=HYPERLINK(\"http://x\")"
            assert back[1][1] == "0"  # numbers stay numbers
        if fmt == "json":
            data = json.loads(out)
            assert [d["brand"] for d in data[:-1]] == HOSTILE and data[-1] == {"brand": None, "n": None}
        if fmt == "text":
            assert out.rstrip().endswith(f"({len(rows)} rows)")


def test_the_command_prints_as_is_when_piped_and_refuses_in_one_line(tmp_path, year_files):
    url = f"duckdb:///{tmp_path / 'wh' / 'top100.duckdb'}"
    engine = connect(url)
    try:
        load.load_year(engine, year_files(), runs.start_run(engine, "test", {}, "v1"))
        with engine.begin() as conn:
            conn.execute(sa.text("update clean.company set brands = :b where company_id = 'C0001'"),
                         {"b": "4399[/x] \x1b]0;owned\x07" + "x" * 200})
    finally:
        engine.dispose()
    env = {**os.environ, "TOP100_WAREHOUSE_URL": url, "TOP100_OUT_DIR": str(tmp_path / "out"),
           "COLUMNS": "80", "PREFECT_HOME": str(tmp_path / "prefect")}

    def sql(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flows", "sql", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    done = sql("select company_id, brands from clean.company order by 1")
    assert done.returncode == 0, done.stderr
    assert "4399[/x] \\x1b]0;owned\\x07" + "x" * 200 in done.stdout and "\x1b" not in done.stdout
    assert done.stdout.splitlines()[0].split() == ["company_id", "brands"]
    tsv = sql("--format", "tsv", "select company_id from clean.company order by 1")
    assert tsv.returncode == 0 and tsv.stdout == "company_id\nC0001\nC0002\nC0003\n"
    refused = sql(f"copy (select 1) to '{tmp_path / 'wh' / 'top100.duckdb'}' (format csv)")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("top100: error: query refused: only a query")
    assert sql("--format", "xml", "select 1").returncode == 2
