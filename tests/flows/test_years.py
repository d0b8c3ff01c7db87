"""A list year is data (evaluation/<list year>.toml, top100.year); a year without its file, or
without data in the warehouse, is refused clearly and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from demo_harness import ROOT, demo_env
from top100.errors import ConfigError
from top100.year import REQUIRED_KEYS, YearFileMissing, load_year, year_file


def test_the_two_list_years_are_read_with_their_own_facts():
    y15, y14 = load_year(2014), load_year(2013)
    assert (y15.list_year, y15.fiscal_year, y15.valuation_date) == (2015, 2014, date(2015, 6, 25))
    assert (y14.list_year, y14.fiscal_year, y14.valuation_date) == (2014, 2013, date(2014, 6, 25))
    assert y15.reference.information_consumption.value == 2.8e12
    assert len(y15.reference.global_top30.rows) == 30 and y15.reference.global_top30.date == date(2015, 6, 15)
    assert sum(r[4] for r in y15.reference.global_top30.rows) == 12
    assert y14.reference.global_top30 is None  # the 2014 report is not among our sources
    stated = {f.name: f.value for f in y14.published.figures}
    assert stated == {"total_internet_revenue": 398.0e9, "province_count": 8, "central_western_count": 1,
                      "province_hunan": 1, "traffic_top5_share": 0.74, "traffic_top20_share": 0.95}
    for ctx in (y15, y14):  # every fact carries its source
        assert ctx.valuation.source and ctx.calendar.source and ctx.method.source
        assert ctx.calendar.review_from.month == 2 and ctx.calendar.review_until.month == 5
        assert ctx.calendar.annual_reports_by <= ctx.calendar.evaluate_after == ctx.valuation_date


def test_the_years_method_is_what_scoring_ranks_with():
    from scoring.config import DEFAULT_INDICATORS, ScoringConfig

    ctx = load_year(2014)
    cfg = ScoringConfig.from_year(ctx)
    assert cfg.revenue_floor == 2.0e8 and cfg.top_n == 100
    assert cfg == ScoringConfig()  # the documented defaults are the 2015 method
    assert set(ctx.method.indicators) == set(DEFAULT_INDICATORS)
    # a what-if override in [scoring] still applies on top of the year's method
    assert ScoringConfig.from_year(ctx, {"weights": {"revenue_scale": 0.5}}).weights["revenue_scale"] == 0.5


def test_a_year_file_with_a_wrong_key_names_the_file_and_the_key(tmp_path):
    text = (ROOT / "evaluation" / "2015.toml").read_text("utf-8").replace("[valuation]\n", "[valuation]\nwhen = 1\n")
    (tmp_path / "2015.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2015\.toml: valuation\.when: Extra inputs"):
        load_year(2014, tmp_path)
    (tmp_path / "2015.toml").write_text(text.replace("when = 1\n", "").replace("fiscal_year = 2014", "fiscal_year = 2013"),
                                        encoding="utf-8")
    with pytest.raises(ConfigError, match="list_year 2015 must be fiscal_year"):
        load_year(2014, tmp_path)


def test_a_year_without_its_file_stops_before_collect_naming_the_file_and_its_keys(tmp_path, capsys):
    from flows.cli import EXIT_USAGE, main

    with pytest.raises(YearFileMissing):
        load_year(2011)
    env = demo_env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--year", "2011", "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_USAGE, proc.stdout + proc.stderr
    err = proc.stderr
    assert str(year_file(2011)) in err and "the 2012 list" in err
    for key in REQUIRED_KEYS[:6]:
        assert key in err
    assert not (tmp_path / "out").exists()  # nothing collected, no run started, nothing written
    assert "Traceback" not in err


def test_a_year_with_no_data_is_refused_by_load_score_and_report_and_nothing_is_written(tmp_path, monkeypatch,
                                                                                         capsys):
    """FY2013 has its file (the 2014 list) but nothing collected and nothing in the warehouse."""
    from flows.cli import main

    env = demo_env(tmp_path)
    for k in ("TOP100_OUT_DIR", "TOP100_WAREHOUSE_URL"):
        monkeypatch.setenv(k, env[k])
    out = tmp_path / "out"
    codes = {}
    for command in ("load", "score", "report"):
        codes[command] = main([command, "--year", "2013", "--quiet"])
        got = capsys.readouterr()
        text = got.out + got.err
        if command == "load":
            assert "nothing to load" in text and "warehouse is unchanged" in text, text[-2000:]
        else:
            assert "fiscal year 2013 is not in the warehouse" in text, text[-2000:]
        assert "Traceback" not in text
    assert codes == {"load": 3, "score": 3, "report": 3}
    # nothing written: no warehouse year (no meta.year_load row), no ranking, no report
    db = out / "top100.duckdb"
    if db.exists():
        from warehouse import reads
        from warehouse.engine import connect

        engine = connect(env["TOP100_WAREHOUSE_URL"], read_only=True)
        try:
            assert 2013 not in reads.years(engine) and reads.year_load(engine, 2013) is None
        finally:
            engine.dispose()
    assert not (out / "2013" / "report").exists() and not (out / "2013" / "ranking.csv").exists()


def test_the_stages_refuse_an_empty_year_themselves(tmp_path):
    """Inside a longer run the refusal comes from the stage: load writes no empty year, score
    and report nothing for a year the warehouse does not hold."""
    from scoring.report import build_report
    from scoring.run import score_year
    from top100.config import Settings
    from top100.paths import YearPaths
    from top100.year import YearNotAvailable
    from warehouse import reads
    from warehouse.engine import connect
    from warehouse.load import load_year as load_stage
    from warehouse.runs import start_run

    settings = Settings(out_dir=tmp_path / "out", warehouse_url=f"duckdb:///{tmp_path / 'w.duckdb'}")
    engine = connect(settings.warehouse)
    try:
        run = start_run(engine, "test", {}, "test")
        with pytest.raises(YearNotAvailable, match="nothing to load"):
            load_stage(engine, YearPaths(settings.out_dir, 2013), run)
        assert reads.years(engine) == [] and reads.year_load(engine, 2013) is None
        with pytest.raises(YearNotAvailable, match="fiscal year 2013 is not in the warehouse"):
            score_year(settings, engine, 2013, run)
        with pytest.raises(YearNotAvailable, match="not in the warehouse"):
            build_report(settings, engine, 2013, run)
        assert reads.ranking(engine, 2013).empty and reads.report_figures(engine, 2013).empty
    finally:
        engine.dispose()
    assert not (settings.out_dir / "2013").exists()


def test_the_generator_refuses_a_year_it_does_not_cover_in_one_line(tmp_path, capsys):
    from flows.cli import EXIT_USAGE, main

    for year in ("2012", "2015"):
        assert main(["mirror", "generate", "--year", year, "--out", str(tmp_path / "w")]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "covers fiscal years 2013 and 2014" in err and f"not {year}" in err and "Traceback" not in err
        assert not (tmp_path / "w").exists()


def _year_files_with_2016(tmp_path):
    """An evaluation folder with the two list years and a 2016 list (fiscal 2015): a year with
    its file that the demo world generator does not cover."""
    folder = tmp_path / "evaluation"
    folder.mkdir()
    for name in ("2014.toml", "2015.toml"):
        (folder / name).write_bytes((ROOT / "evaluation" / name).read_bytes())
    text = (ROOT / "evaluation" / "2015.toml").read_text("utf-8")
    text = (text.replace("2015-", "2016-").replace("list_year = 2015", "list_year = 2016")
            .replace("fiscal_year = 2014", "fiscal_year = 2015"))
    (folder / "2016.toml").write_text(text, encoding="utf-8")
    assert load_year(2015, folder).fiscal_year == 2015
    return folder


def test_a_demo_run_of_a_year_the_world_does_not_cover_is_a_usage_error_and_writes_nothing(tmp_path, monkeypatch,
                                                                                         capsys):
    from flows.cli import EXIT_USAGE, main

    env = demo_env(tmp_path)
    for k in ("TOP100_OUT_DIR", "TOP100_WAREHOUSE_URL", "TOP100_DEMO__WORLD_DIR"):
        monkeypatch.setenv(k, env[k])
    monkeypatch.setenv("TOP100_EVALUATION__DIR", str(_year_files_with_2016(tmp_path)))
    assert main(["run", "--year", "2015", "--demo", "--quiet"]) == EXIT_USAGE
    got = capsys.readouterr()
    assert "covers fiscal years 2013 and 2014" in got.out + got.err and "not 2015" in got.out + got.err
    out = tmp_path / "out"  # no world, no empty year, no warehouse (the out folder's lock aside)
    assert not out.exists() or {p.name for p in out.iterdir()} <= {".top100.lock", ".top100.run.json"}


def test_a_backfill_refuses_an_unknown_or_uncovered_year_before_anything_runs(tmp_path, monkeypatch, capsys):
    """``top100 backfill``: every year is checked first (its file; with --demo, the generator's
    coverage); one line names the year, exit 2, nothing written."""
    from flows.cli import EXIT_USAGE, main

    env = demo_env(tmp_path)
    for k in ("TOP100_OUT_DIR", "TOP100_WAREHOUSE_URL", "TOP100_DEMO__WORLD_DIR"):
        monkeypatch.setenv(k, env[k])
    assert main(["backfill", "2012", "2014", "--demo", "--quiet"]) == EXIT_USAGE  # no evaluation/2013.toml
    err = capsys.readouterr().err
    assert str(year_file(2012)) in err and "the 2013 list" in err and "Traceback" not in err
    assert main(["backfill", "2014", "2013", "--quiet"]) == EXIT_USAGE
    assert "2013 is before the first 2014" in capsys.readouterr().err
    monkeypatch.setenv("TOP100_EVALUATION__DIR", str(_year_files_with_2016(tmp_path)))
    assert main(["backfill", "2013", "2015", "--demo", "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "covers fiscal years 2013 and 2014" in err and "not 2015" in err
    assert not (tmp_path / "out").exists()  # neither year ran: nothing written


def test_each_fiscal_year_has_its_own_demo_world_and_http_cache(tmp_path):
    """The demo worlds of one out folder never collide (<demo.world_dir>/<year>), and each
    world's crawls cache their answers apart (a world of 2014 answers stock lists, searches and
    quotes as they stood for 2014: never for 2013's)."""
    from flows.demo import demo_settings, world_cache_dir
    from top100.config import Settings

    s13 = Settings(out_dir=tmp_path / "out", year=2013)
    s14 = s13.model_copy(update={"year": 2014})
    assert s13.world_dir == tmp_path / "out" / "demo-world" / "2013" != s14.world_dir
    braced = Settings(out_dir=tmp_path / "out", year=2013, demo={"world_dir": "{out_dir}/worlds/fy{year}"})
    assert braced.world_dir == tmp_path / "out" / "worlds" / "fy2013"
    for s, text in ((s13, "one"), (s14, "two")):
        s.world_dir.mkdir(parents=True)
        (s.world_dir / "world.json").write_text(text, encoding="utf-8")
    c13, c14 = world_cache_dir(s13, s13.world_dir, 2013), world_cache_dir(s14, s14.world_dir, 2014)
    assert c13 != c14 and c13.parent == c14.parent == tmp_path / "out" / "httpcache"
    (s13.world_dir / "world.json").write_text("one, again generated", encoding="utf-8")
    assert world_cache_dir(s13, s13.world_dir, 2013) != c13  # another world: another cache
    demo = demo_settings(s13, "http://127.0.0.1:9", s13.world_dir, 2013)
    assert demo.crawl.http_cache_dir == world_cache_dir(s13, s13.world_dir, 2013)
    assert demo.inbox_dir == s13.world_dir / "inbox"

    from spiders.config import scrapy_settings

    assert scrapy_settings(demo)["HTTPCACHE_DIR"] == str(demo.crawl.http_cache_dir.resolve())
    assert scrapy_settings(s13)["HTTPCACHE_DIR"] == str((tmp_path / "out" / "httpcache").resolve())


def test_the_published_figures_are_the_year_files(tmp_path):
    """The 2015 report's 70 figures (5 of them about last year's list) are data of
    evaluation/2015.toml: another file, other figures."""
    from scoring.published import PUBLISHED, published_figures, side_by_side

    figures = published_figures(load_year(2014))
    assert len(figures) == 70 and figures == PUBLISHED
    assert len([f for f in figures if f.name.startswith("previous_")]) == 6  # the total and 5 statements
    text = (ROOT / "evaluation" / "2015.toml").read_text("utf-8")
    changed = text.replace('name = "listed_count"\nvalue = 71.0', 'name = "listed_count"\nvalue = 70.0')
    assert changed != text
    (tmp_path / "2015.toml").write_text(changed, encoding="utf-8")
    rows = {r["name"]: r for r in side_by_side({"listed_count": 71.0}, published_figures(load_year(2014, tmp_path)))}
    assert rows["listed_count"]["published"] == 70.0 and rows["listed_count"]["within_tolerance"] is False
