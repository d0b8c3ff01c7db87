"""The Prefect deployments, pinned: names, entry points, schedules and parameters."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import yaml

from flows.annual import last_fiscal_year

ROOT = Path(__file__).resolve().parents[2]

SNAPSHOT = {
    "annual": {
        "entrypoint": "flows/annual.py:scheduled",
        "parameters": {},
        "schedules": [{"cron": "0 2 1 3 *", "timezone": "Asia/Shanghai", "active": True}],
        "work_pool": "top100",
    },
    "backfill": {
        "entrypoint": "flows/annual.py:backfill",
        "parameters": {"start_year": 2013, "end_year": 2014},
        "schedules": [],
        "work_pool": "top100",
    },
}


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
        assert flow_obj.name in ("annual-scheduled", "backfill")


def test_the_schedule_is_a_valid_cron_and_the_default_year_is_last_year():
    from prefect.client.schemas.schedules import CronSchedule

    sched = CronSchedule(cron="0 2 1 3 *", timezone="Asia/Shanghai")
    assert sched.timezone == "Asia/Shanghai"
    assert last_fiscal_year(date(2015, 3, 1)) == 2014
