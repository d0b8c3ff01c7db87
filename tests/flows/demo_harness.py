"""Run the demo year in a subprocess, in its own output folder and Prefect home."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class DemoRun:
    out: Path
    env: dict
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    year: int = 2014

    @property
    def year_dir(self) -> Path:
        return self.out / str(self.year)

    @property
    def world(self) -> Path:
        """The generated world of the run's fiscal year (demo.world_dir/<year>)."""
        return self.out / "demo-world" / str(self.year)

    def ranking(self) -> list[dict]:
        with (self.year_dir / "ranking.csv").open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))


def demo_env(tmp: Path, **extra: str) -> dict:
    """A demo run's own out dir, warehouse, world and Prefect home, under tmp."""
    out = tmp / "out"
    env = dict(os.environ)
    env.update({
        "TOP100_OUT_DIR": str(out),
        "TOP100_WAREHOUSE_URL": f"duckdb:///{out}/top100.duckdb",
        "TOP100_DEMO__WORLD_DIR": str(out / "demo-world"),
        "PREFECT_HOME": str(tmp / "prefect-home"),
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(tmp / "prefect-results"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        **extra,
    })
    return env


def run_demo(tmp: Path, *extra: str, env_extra: dict | None = None, seed: int | None = None,
             year: int = 2014) -> DemoRun:
    """``top100 run --year <year> --demo`` in tmp/out (a second year in the same tmp shares the
    out folder, its warehouse and demo-world/ with the first)."""
    out = tmp / "out"
    env = demo_env(tmp, **(env_extra or {}))
    if seed is not None:
        env["TOP100_DEMO__SEED"] = str(seed)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--year", str(year), "--demo", "--quiet", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
    return DemoRun(out, env, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0, year)
