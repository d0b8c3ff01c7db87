"""One demo run of the whole annual flow, shared by the end-to-end tests."""

from __future__ import annotations

import pytest

from demo_harness import DemoRun, run_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    run = run_demo(tmp_path_factory.mktemp("demo"))
    assert run.returncode in (0, 3), f"demo run failed ({run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return run


@pytest.fixture(scope="session")
def two_year_run(tmp_path_factory) -> tuple[DemoRun, DemoRun]:
    """`top100 run --year 2013 --demo` then `top100 run --year 2014 --demo` in one out folder:
    one warehouse, each year's own world (tests/flows/test_two_years.py)."""
    tmp = tmp_path_factory.mktemp("two-years")
    runs = []
    for year in (2013, 2014):
        run = run_demo(tmp, year=year)
        assert run.returncode in (0, 3), f"FY{year} demo run failed ({run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
        runs.append(run)
    return runs[0], runs[1]
