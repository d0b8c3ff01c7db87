"""One demo run of the whole annual flow, shared by the end-to-end tests."""

from __future__ import annotations

import pytest

from demo_harness import DemoRun, run_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    run = run_demo(tmp_path_factory.mktemp("demo"))
    assert run.returncode in (0, 3), f"demo run failed ({run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return run
