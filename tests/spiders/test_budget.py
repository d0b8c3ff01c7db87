"""The shared request budget: claims from several processes are spaced by the slot's interval."""

from __future__ import annotations

import multiprocessing as mp

from spiders.budget import claim


def _claims(folder: str, n: int, out) -> None:
    from pathlib import Path

    out.put([claim(Path(folder), "sec", 1.25 / 20) for _ in range(n)])


def test_claims_of_two_processes_never_closer_than_the_interval(tmp_path):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_claims, args=(str(tmp_path), 20, q)) for _ in range(2)]
    for p in procs:
        p.start()
    times = sorted(q.get(timeout=60) + q.get(timeout=60))
    for p in procs:
        p.join(timeout=30)
    assert len(times) == 40
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1.25 / 20 - 1e-6  # wall-clock seconds near 1.7e9: doubles hold them to ~2e-7
    # a cap of 20 a second with the margin of spiders.config (1.25 / 20 s apart): never 21 in a second
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 20


def test_a_torn_budget_file_starts_afresh(tmp_path):
    (tmp_path / "sec").write_bytes(b"\x00garbage")
    t = claim(tmp_path, "sec", 0.1, now=1000.0)
    assert t == 1000.0 and claim(tmp_path, "sec", 0.1, now=1000.0) == 1000.1
