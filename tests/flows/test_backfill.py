"""The demo backfill (the ``backfill`` flow with ``demo``, the demo-backfill deployment): every
year of the range checked first, then each year, oldest first, run by the annual flow against a
live mirror of its own generated world, under one hold of the out folder. The annual flow itself
is replaced by a recorder here: what it does with those settings is what tests/flows/
test_two_years.py runs end to end (two whole demo years in one warehouse)."""

from __future__ import annotations

import json
import urllib.request

import pytest


def test_the_demo_backfill_runs_each_year_against_its_own_world_oldest_first(tmp_path, monkeypatch):
    import flows.annual as fa
    from flows.runlock import holds
    from top100.config import Settings

    settings = Settings(out_dir=tmp_path / "out", warehouse_url=f"duckdb:///{tmp_path}/out/top100.duckdb")
    seen = []

    def recorder(run_settings, ctx, *args):
        year = ctx.fiscal_year  # the year's one carrier (top100.year.YearContext), placed in the out folder
        assert ctx.paths.root == settings.out_dir / str(year)
        world = json.loads((run_settings.inbox_dir.parent / "world.json").read_text("utf-8"))
        with urllib.request.urlopen(f"{run_settings.sources.fx}/robots.txt", timeout=10) as r:
            assert r.status == 200  # the mirror is serving while the year runs
        with urllib.request.urlopen(f"{run_settings.sources.sec_www}/files/company_tickers.json", timeout=10) as r:
            tickers = {t["ticker"] for t in json.loads(r.read()).values()}
        seen.append({"year": year, "settings_year": run_settings.year, "world": world["fiscal_year"],
                     "valued": world["market_value_date"], "inbox": run_settings.inbox_dir,
                     "cache": run_settings.crawl.http_cache_dir, "locked": holds(settings.out_dir),
                     "baba_listed": "BABA" in tickers})
        return {"year": year, "outcome": "done"}

    monkeypatch.setattr(fa, "annual", recorder)
    out = fa.backfill.fn(2013, 2014, demo=True, settings=settings)
    assert [r["year"] for r in out] == [2013, 2014]
    assert [(s["year"], s["settings_year"], s["world"]) for s in seen] == [(2013, 2013, 2013), (2014, 2014, 2014)]
    assert [s["valued"] for s in seen] == ["2014-06-25", "2015-06-25"]  # each year's own valuation date
    assert [s["inbox"] for s in seen] == [tmp_path / "out" / "demo-world" / str(y) / "inbox" for y in (2013, 2014)]
    assert seen[0]["cache"] != seen[1]["cache"] and all(s["locked"] for s in seen)
    assert [s["baba_listed"] for s in seen] == [False, True]  # Alibaba listed in September 2014
    assert not holds(settings.out_dir)  # released after the last year


def test_the_backfill_refuses_a_year_before_running_any(tmp_path, monkeypatch):
    import flows.annual as fa
    from top100.config import Settings
    from top100.errors import ConfigError

    ran = []
    monkeypatch.setattr(fa, "annual", lambda s, ctx, *a: ran.append(ctx.fiscal_year) or {})
    settings = Settings(out_dir=tmp_path / "out")
    with pytest.raises(ConfigError, match="2013.toml"):  # fiscal 2012 has no year file (the 2013 list)
        fa.backfill.fn(2012, 2014, settings=settings)
    with pytest.raises(ValueError, match="before start_year"):
        fa.backfill.fn(2014, 2013, settings=settings)
    assert ran == [] and not (tmp_path / "out").exists()
    fa.backfill.fn(2013, 2014, settings=settings)  # without demo: the settings' own sources, no world
    assert ran == [2013, 2014] and not (tmp_path / "out" / "demo-world").exists()
