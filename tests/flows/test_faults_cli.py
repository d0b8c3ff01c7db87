"""`top100 run --faults` (issue 10): a fault profile only makes sense against the local mirror."""

from __future__ import annotations

import subprocess
import sys

from demo_harness import ROOT


def test_faults_without_demo_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--year", "2014", "--faults", "transient"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "TOP100_OUT_DIR": str(tmp_path / "out"),
                               "PREFECT_HOME": str(tmp_path / "prefect")})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--faults needs --demo" in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists()  # refused before anything ran


def test_run_help_lists_the_fault_option():
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0 and "--faults" in proc.stdout
