"""Compare a demo run with the known answers of its generated world (expected_findings.json,
the published list in world.json, the published figures in the report's side-by-side table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Score:
    expected: set
    found: set

    @property
    def recall(self) -> float:
        return len(self.expected & self.found) / len(self.expected) if self.expected else 1.0

    @property
    def precision(self) -> float:
        return len(self.expected & self.found) / len(self.found) if self.found else 1.0


KEY = ("company_id", "check", "kind", "metric")  # a finding is right only if all four are


def defect_score(world: Path, year_dir: Path) -> Score:
    """Planted defects against the verify stage's findings, matched on company, check, kind and
    metric: the right company flagged by the right check for another reason is not a hit."""
    expected = json.loads((world / "expected_findings.json").read_text("utf-8"))
    exp = {tuple(f[k] for k in KEY) for f in expected["findings"]}
    got = set()
    for line in (year_dir / "verify" / "findings.jsonl").read_text("utf-8").splitlines():
        f = json.loads(line)
        got.add(tuple(f[k] for k in KEY))
    return Score(exp, got)


def published_order(world: Path) -> list[dict]:
    companies = json.loads((world / "world.json").read_text("utf-8"))["companies"]
    listed = [c for c in companies if c.get("published_rank")]
    return sorted(listed, key=lambda c: c["published_rank"])
