"""A new user's mistakes, through the real console script in a subprocess: each gives exit 2 and
exactly one line on stderr that names the cause (and the fix), before any stage starts; never a
traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("top100")


def top100(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("TOP100_")}
    full.update(env or {})
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, env=full, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A folder like a fresh clone's: the project's top100.toml and a small DuckDB warehouse
    with three companies (for explain)."""
    import sqlalchemy as sa

    from warehouse import schema as S
    from warehouse.engine import connect, migrate

    d = tmp_path_factory.mktemp("project")
    (d / "top100.toml").write_text((ROOT / "top100.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (d / "out").mkdir()
    engine = connect(f"duckdb:///{d / 'out' / 'top100.duckdb'}")
    try:
        migrate(engine)
        rows = [dict(year=2014, company_id=cid, fiscal_year=2014, legal_name=name, brands=brand, province="beijing",
                     business_type="search", self_operated_ecommerce=False, eligible=True, run_id="t")
                for cid, name, brand in [("C0001", "北京百度网讯科技有限公司", "百度"),
                                         ("C0002", "阿里巴巴集团控股有限公司", "淘宝"),
                                         ("C0003", "深圳市腾讯计算机系统有限公司", "腾讯")]]
        with engine.begin() as conn:
            conn.execute(sa.insert(S.company), rows)
    finally:
        engine.dispose()
    return d


def write(project: Path, name: str, text: str) -> Path:
    p = project / name
    p.write_text(text, encoding="utf-8")
    return p


CASES = {
    # name: (args, env, config text or None, words the one line must contain)
    "missing config file": (["run", "--config", "nope.toml"], {}, None, ["nope.toml", "does not exist", "--config"]),
    "malformed toml": (["run", "--config", "{cfg}"], {}, "year = [\n", ["not valid TOML"]),
    "year is text": (["run", "--config", "{cfg}"], {}, 'year = "twenty"\n', ["year", "valid integer", "twenty"]),
    "year out of range": (["run", "--year", "1999"], {}, None, ["year", "1999", "2000 to 2100"]),
    "TOP100_YEAR not a number": (["run"], {"TOP100_YEAR": "abc"}, None, ["year", "abc", "TOP100_YEAR"]),
    "unknown key suggested": (["run", "--config", "{cfg}"], {}, "[crawl]\nretry_tims = 5\n",
                              ["crawl.retry_tims", "unknown key", "did you mean retry_times"]),
    "key in the wrong table": (["run", "--config", "{cfg}"], {}, "retry_times = 5\n", ["crawl.retry_times"]),
    "negative range": (["run", "--config", "{cfg}"], {}, "[crawl]\nretry_times = -1\n", ["crawl.retry_times", "greater"]),
    "unknown runner": (["run", "--config", "{cfg}"], {}, 'runner = "bogus"\n', ["runner", "bogus", "process, thread"]),
    "unknown runner option": (["run", "--runner", "bogus"], {}, None, ["runner", "bogus"]),
    "verify section": (["verify", "--config", "{cfg}"], {}, "[verify]\nrelative_tolerence = 0.1\n",
                       ["verify.relative_tolerence", "did you mean relative_tolerance"]),
    "verify kinds": (["run", "--config", "{cfg}"], {}, '[verify.kinds.licence_expired]\nseverty = "ERROR"\n',
                     ["severty", "did you mean severity"]),
    "scoring weight": (["score", "--config", "{cfg}"], {}, "[scoring.weights]\nrevenu = 1\n", ["scoring.weights.revenu"]),
    "scoring range": (["run", "--config", "{cfg}"], {}, "[scoring]\ntop_n = -3\n", ["scoring.top_n"]),
    "unknown stage": (["run", "--stages", "collect,bogus"], {}, None, ["bogus", "--help"]),
    "unknown option": (["run", "--bogus"], {}, None, ["--bogus"]),
    "company by a name that is not a company": (["explain", "百度公司", "revenue"], {}, None,
                                                 ["unknown company", "百度公司", "C0001"]),
    "unknown company id": (["explain", "C9999", "revenue"], {}, None, ["unknown company", "C9999", "nearest"]),
    "misspelt metric": (["explain", "C0001", "revenu"], {}, None, ["unknown metric", "revenu", "revenue"]),
    "bad sql": (["sql", "selec 1"], {}, None, ["query refused"]),
    "sql that writes": (["sql", "drop table clean.company"], {}, None, ["query refused"]),
    "sql the parser takes for a command": (["sql", "load httpfs"], {}, None, ["query refused", "load httpfs"]),
    "sql running sql given as text": (["sql", "select query_to_xml('delete from meta.run', true, true, '')"], {},
                                      None, ["query refused", "query_to_xml"]),
    "sql output format": (["sql", "select 1", "--format", "xml"], {}, None, ["unknown --format", "xml", "csv"]),
    "sql on an unsupported database": (["sql", "select 1"], {"TOP100_WAREHOUSE_URL": "mysql://h/db"}, None,
                                       ["query failed", "mysql", "duckdb:///"]),
    "negative sensitivity": (["score", "--sensitivity", "-5"], {}, None, ["--sensitivity", "greater than or equal to 0"]),
    "mirror port out of range": (["mirror", "serve", "--port", "99999"], {}, None, ["--port", "less than or equal to 65535"]),
    "mirror without a world": (["mirror", "serve", "--world", "nowhere", "--port", "0"], {}, None,
                               ["nowhere", "mirror generate"]),
    "unknown fault profile": (["run", "--demo", "--faults", "nonsense"], {}, None, ["nonsense", "transient"]),
    "faults without the demo": (["run", "--faults", "transient"], {}, None, ["--faults needs --demo"]),
    "empty stage list": (["run", "--stages", ""], {}, None, ["(empty)", "collect, extract"]),
    "inbox folder missing": (["run", "--stages", "collect,extract"], {"TOP100_INBOX_DIR": "no-such-inbox"}, None,
                             ["no-such-inbox", "does not exist", "TOP100_INBOX_DIR"]),
    "inbox folder missing for a crawl": (["crawl"], {"TOP100_INBOX_DIR": "no-such-inbox"}, None,
                                         ["no-such-inbox", "does not exist"]),
    "extract an unknown type": (["extract", "{cfg}", "--type", "nonsense"], {}, "x = 1\n",
                                ["--type", "nonsense", "20-F", "top100 extract --help"]),
    "extract a file that is not there": (["extract", "nope.pdf", "--json"], {}, None, ["nope.pdf", "does not exist"]),
    "extract a folder": (["extract", "out"], {}, None, ["out is a folder"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_mistake_is_one_line_and_exit_2(case, project):
    args, env, text, words = CASES[case]
    if text is not None:
        cfg = write(project, f"case-{abs(hash(case))}.toml", text)
        args = [a.replace("{cfg}", str(cfg)) for a in args]
    done = top100(*args, cwd=project, env=env)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr[-3000:])
    assert "Traceback" not in done.stderr + done.stdout
    assert len(lines) == 1, done.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert "[collect]" not in done.stderr and "collect" not in done.stdout  # no stage started


def test_version_and_help(project):
    done = top100("--version", cwd=project)
    assert done.returncode == 0 and done.stdout.startswith("top100 ") and done.stdout.split()[1][0].isdigit()
    for command in ("run", "score"):
        h = top100(command, "--help", cwd=project)
        assert h.returncode == 0
        assert "<bool>" not in h.stdout and "%%" not in h.stdout, h.stdout
    assert "--demo " in top100("run", "--help", cwd=project).stdout
    assert "±20%" in top100("score", "--help", cwd=project).stdout


def test_explain_accepts_an_exact_name_or_brand(project):
    done = top100("explain", "百度", "revenue", cwd=project)
    # a known company without a revenue: that is not a usage error (3), and it names the id
    assert done.returncode == 3 and "C0001" in done.stderr, done.stderr
