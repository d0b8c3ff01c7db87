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


# Figures the demo world cannot reproduce, each for a documented reason:
# - profit_above_1bn_share: the report's "85%" contradicts its own amounts (51.47 / 78.7 = 65%,
#   METHOD.md section 6); the world keeps the amounts and the consistency check flags the share.
# - top10_share: the published 60% is impossible with the real FY2014 revenues of the list's
#   A-share and US companies ranked 6-10 (mirror/data/README.md keeps the real figures and says so).
KNOWN_CONTRADICTIONS = {"profit_above_1bn_share", "top10_share"}


def check_known_answers(run, *, last_year: bool = False):
    """The run's ranking is its world's list, its findings the planted defects (recall and
    precision 1.0 on company, check, kind and metric), its figures the published ones.
    ``last_year``: the previous fiscal year is in the warehouse (the figures about it evaluated)."""
    world = run.world
    expected = published_order(world)
    ranking = run.ranking()
    assert [r["company_id"] for r in ranking] == [c["company_id"] for c in expected]
    assert [r["name"] for r in ranking] == [c["legal_name"] for c in expected]
    assert [r["brands"] for r in ranking] == [c["brands"] for c in expected]

    score = defect_score(world, run.year_dir)
    print(f"FY{run.year} planted defects: recall {score.recall:.3f}, precision {score.precision:.3f} "
          f"({len(score.expected)} planted, {len(score.found)} flagged)")
    assert score.expected - score.found == set(), "planted defects not found"
    assert score.found - score.expected == set(), "findings that were not planted"
    assert score.recall == 1.0 and score.precision == 1.0 and len(score.expected) >= 40

    from scoring.report import NEEDS_LAST_YEAR
    from warehouse import reads
    from warehouse.engine import connect

    engine = connect(run.env["TOP100_WAREHOUSE_URL"], read_only=True)
    try:
        figures = reads.report_figures(engine, run.year)
    finally:
        engine.dispose()
    evaluated = figures[figures["within_tolerance"].notna()]
    off = evaluated[~evaluated["within_tolerance"].astype(bool)]
    assert set(off["name"]) <= KNOWN_CONTRADICTIONS, off[["name", "value", "published"]].to_string()
    na = figures[figures["within_tolerance"].isna()]
    if run.year == 2014 and not last_year:
        assert len(figures) >= 40
        # FY2013 is not in this warehouse: last year's figures are not available, never "reproduced"
        assert set(na["name"]) == set(NEEDS_LAST_YEAR) and na["value"].isna().all()
    else:
        assert na.empty, na[["name", "value", "published"]].to_string()
    return figures
