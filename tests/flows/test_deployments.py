"""The Prefect deployments, pinned: names, entry points, schedules and parameters."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import yaml

from flows.annual import last_fiscal_year

ROOT = Path(__file__).resolve().parents[2]

SNAPSHOT = {
    "collect": {
        "entrypoint": "flows/annual.py:collect_scheduled",
        "parameters": {},
        "schedules": [{"cron": "0 2 * 2-6 1", "timezone": "Asia/Shanghai", "active": True}],
        "work_pool": "top100",
    },
    "annual": {
        "entrypoint": "flows/annual.py:scheduled",
        "parameters": {},
        "schedules": [{"cron": "0 2 1 7 *", "timezone": "Asia/Shanghai", "active": True}],
        "work_pool": "top100",
    },
    "backfill": {
        "entrypoint": "flows/annual.py:backfill",
        "parameters": {"start_year": 2013, "end_year": 2014},
        "schedules": [],
        "work_pool": "top100",
    },
    "demo-backfill": {
        "entrypoint": "flows/annual.py:backfill",
        "parameters": {"start_year": 2013, "end_year": 2014, "demo": True},
        "schedules": [],
        "work_pool": "top100",
    },
}
FLOWS = {"collect": "collect-scheduled", "annual": "annual-scheduled", "backfill": "backfill",
         "demo-backfill": "backfill"}


def _deployments() -> dict:
    doc = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
    return {
        d["name"]: {
            "entrypoint": d["entrypoint"],
            "parameters": d.get("parameters") or {},
            "schedules": d.get("schedules") or [],
            "work_pool": d["work_pool"]["name"],
        }
        for d in doc["deployments"]
    }


def test_deployments_match_the_snapshot():
    assert _deployments() == SNAPSHOT


def test_entrypoints_are_prefect_flows_with_those_parameters():
    for name, dep in _deployments().items():
        module, func = dep["entrypoint"].removesuffix(".py").replace("/", ".").split(":")
        flow_obj = getattr(importlib.import_module(module.replace(".py", "")), func)
        params = set(flow_obj.parameters.properties)
        assert set(dep["parameters"]) <= params, (name, params)
        assert flow_obj.name == FLOWS[name]
        if "backfill" not in name:  # both scheduled deployments take the list year
            assert params == {"list_year"}, (name, params)


def _fires(cron: str, year: int) -> list:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from prefect.server.schemas.schedules import CronSchedule

    tz = ZoneInfo("Asia/Shanghai")
    sched = CronSchedule(cron=cron, timezone="Asia/Shanghai")
    import asyncio

    dates = sched.get_dates(n=100, start=datetime(year, 1, 1, tzinfo=tz), end=datetime(year, 12, 31, 23, 59, tzinfo=tz))
    return [d.date() for d in (asyncio.run(dates) if asyncio.iscoroutine(dates) else dates)]


def test_the_schedules_fit_each_list_years_calendar():
    """For every list year with a file: collect runs again and again while forms and filings
    arrive (the review months, and after the annual reports and 20-Fs are due), never after
    the evaluation; the evaluation runs once, after the valuation date, before the year ends."""
    from top100.year import DEFAULT_DIR, load_year

    cron = {name: d["schedules"][0]["cron"] for name, d in _deployments().items() if d["schedules"]}
    years = sorted(int(p.stem) for p in DEFAULT_DIR.glob("*.toml"))
    assert years == [2014, 2015]
    for list_year in years:
        cal = load_year(list_year - 1).calendar
        collect, evaluate = _fires(cron["collect"], list_year), _fires(cron["annual"], list_year)
        assert len(evaluate) == 1 and evaluate[0] >= cal.evaluate_after >= load_year(list_year - 1).valuation_date
        assert evaluate[0].month == 7
        assert len(collect) >= 16 and all(cal.review_from <= d < evaluate[0] for d in collect)
        assert any(d <= cal.review_until for d in collect) and any(d > cal.annual_reports_by for d in collect)
        assert any(d > cal.filings_20f_by for d in collect)
        assert min(collect) >= cal.declarations_open


def test_the_evaluation_is_refused_before_the_valuation_date_and_defaults_to_this_years_list(monkeypatch):
    import flows.annual as fa

    assert last_fiscal_year(date(2015, 7, 1)) == 2014 and fa.current_list_year(date(2015, 7, 1)) == 2015
    called = []
    monkeypatch.setattr(fa, "annual", lambda settings, ctx, *stages: called.append((ctx.fiscal_year, stages)) or {})
    monkeypatch.setattr(fa, "_today", lambda: date(2015, 6, 1))
    import pytest

    with pytest.raises(ValueError, match="evaluated after 2015-06-25"):
        fa.scheduled.fn()
    assert called == []
    monkeypatch.setattr(fa, "_today", lambda: date(2015, 7, 1))
    fa.scheduled.fn()
    fa.collect_scheduled.fn(list_year=2014)
    assert called == [(2014, ()), (2013, (fa.COLLECT_STAGES,))]
