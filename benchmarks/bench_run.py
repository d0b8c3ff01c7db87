"""The whole demo year from a cold start, for several numbers of candidates; print the wall time
of each stage and in total, and documents per second for extract.

    .venv/bin/python benchmarks/bench_run.py [--candidates 300 1000 3000] [--runner process] [--keep DIR]

Each size runs `python -m flows run --year 2014 --demo --json-logs` in a fresh folder (own out
dir, warehouse, world and Prefect home): "cold" means the world is generated, nothing is cached
(HTTP cache, raw store, extraction cache all empty). The generation of the world is timed on
its own (`top100 mirror generate`) and is not part of the run's figure.
The worlds scale in documents, not only in declaration forms: beyond 300 candidates one in four
of the extra (synthetic, lower-scoring) candidates is an SZSE-listed company with a fictitious
code and its annual report PDF on CNINFO (mirror/generate.py), so the extract stage reads about
0.25 public documents per candidate at every size (300: 73 PDFs + companyfacts; 1,000: 248;
3,000: 748) and `pdf/s` measures its scaling. Ranked stays 100 at every size.
Targets (issue 9) on a 2-core machine: 300 candidates under 3 minutes; time growing no worse
than linearly with the number of candidates (the last column: seconds per 100 candidates).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("collect", "extract", "verify", "load", "score", "report")


def env_for(tmp: Path, candidates: int, runner: str) -> dict:
    out = tmp / "out"
    env = dict(os.environ)
    env.update({
        "TOP100_OUT_DIR": str(out), "TOP100_WAREHOUSE_URL": f"duckdb:///{out}/top100.duckdb",
        "TOP100_DEMO__WORLD_DIR": str(out / "demo-world"), "TOP100_DEMO__CANDIDATES": str(candidates),
        "TOP100_RUNNER": runner, "PREFECT_HOME": str(tmp / "prefect-home"),
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(tmp / "prefect-results"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
    })
    return env


def one(tmp: Path, candidates: int, runner: str) -> dict:
    env = env_for(tmp, candidates, runner)
    t0 = time.monotonic()
    gen = subprocess.run([sys.executable, "-m", "flows", "mirror", "generate", "--out", env["TOP100_DEMO__WORLD_DIR"],
                          "--candidates", str(candidates), "--year", "2014"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    generate_s = time.monotonic() - t0
    if gen.returncode != 0:
        return {"candidates": candidates, "failed": f"generate: exit {gen.returncode}: {gen.stderr.strip()[-600:]}"}
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "flows", "run", "--year", "2014", "--demo", "--json-logs"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        summary = json.loads(proc.stdout.strip().splitlines()[-1])["summary"]
    except (IndexError, ValueError, KeyError):
        return {"candidates": candidates, "failed": f"run: exit {proc.returncode}: {proc.stderr.strip()[-600:]}"}
    extract = {}
    for line in proc.stderr.splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("stage") == "extract" and event.get("finished"):
                extract = event["counts"]
    return {"candidates": candidates, "exit": proc.returncode, "outcome": summary["outcome"],
            "error": summary.get("error"), "generate_s": generate_s, "wall_s": wall,
            "seconds": summary.get("seconds") or {}, "documents": summary.get("documents", 0),
            "pdfs": extract.get("extracted", 0) + extract.get("cache_hits", 0), "ranked": summary.get("ranked")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--candidates", type=int, nargs="+", default=[300, 1000, 3000])
    ap.add_argument("--runner", default="process", help="process | thread | dask://host:port")
    ap.add_argument("--keep", type=Path, help="keep the run folders under DIR (default: a temporary folder)")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="top100-bench-run-"))
    header = (f"{'cands':>6} {'gen s':>6} " + " ".join(f"{s:>8}" for s in STAGES)
              + f" {'total s':>8} {'docs':>6} {'docs/s':>7} {'pdf/s':>6} {'s/100c':>7}  outcome")
    print(header, flush=True)
    for n in args.candidates:
        r = one(base / f"c{n}", n, args.runner)
        if "failed" in r:
            print(f"{n:>6} FAILED: {r['failed']}", flush=True)
            continue
        sec = r["seconds"]
        ex = sec.get("extract") or 0
        docs_rate = r["documents"] / ex if ex else 0.0
        pdf_rate = r["pdfs"] / ex if ex else 0.0
        print(f"{n:>6} {r['generate_s']:>6.1f} " + " ".join(f"{sec.get(s, 0):>8.1f}" for s in STAGES)
              + f" {r['wall_s']:>8.1f} {r['documents']:>6} {docs_rate:>7.1f} {pdf_rate:>6.1f}"
              + f" {100 * r['wall_s'] / n:>7.1f}  {r['outcome']} (exit {r['exit']}, ranked {r['ranked']})"
              + (f": {r['error']}" if r.get("error") else ""), flush=True)
    print(f"(run folders in {base})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
