"""Known answers: the demo run reproduces the published list and the report's figures, and
finds exactly the planted defects (issue: calibrated demo world)."""

from __future__ import annotations

import pytest

from known_answers import defect_score, published_order

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]

# Figures the demo world cannot reproduce, each for a documented reason:
# - profit_above_1bn_share: the report's "85%" contradicts its own amounts (51.47 / 78.7 = 65%,
#   METHOD.md section 6); the world keeps the amounts and the consistency check flags the share.
# - top10_share: the published 60% is impossible with the real FY2014 revenues of the list's
#   A-share and US companies ranked 6-10 (mirror/data/README.md keeps the real figures and says so).
KNOWN_CONTRADICTIONS = {"profit_above_1bn_share", "top10_share"}


def _check_run(run):
    world = run.out / "demo-world"
    expected = published_order(world)
    ranking = run.ranking()
    assert [r["company_id"] for r in ranking] == [c["company_id"] for c in expected]
    assert [r["name"] for r in ranking] == [c["legal_name"] for c in expected]
    assert [r["brands"] for r in ranking] == [c["brands"] for c in expected]

    score = defect_score(world, run.year_dir)
    print(f"planted defects: recall {score.recall:.3f}, precision {score.precision:.3f} "
          f"({len(score.expected)} planted, {len(score.found)} flagged)")
    assert score.expected - score.found == set(), "planted defects not found"
    assert score.found - score.expected == set(), "findings that were not planted"

    from warehouse import reads
    from warehouse.engine import connect

    engine = connect(run.env["TOP100_WAREHOUSE_URL"], read_only=True)
    try:
        figures = reads.report_figures(engine, 2014)
    finally:
        engine.dispose()
    evaluated = figures[figures["within_tolerance"].notna()]
    off = evaluated[~evaluated["within_tolerance"].astype(bool)]
    assert set(off["name"]) <= KNOWN_CONTRADICTIONS, off[["name", "value", "published"]].to_string()
    assert len(figures) >= 40
    # FY2013 is not in this warehouse: last year's figures are not available, never "reproduced"
    na = figures[figures["within_tolerance"].isna()]
    assert set(na["name"]) == {"previous_list_total", "growth_vs_previous_list"} and na["value"].isna().all()


def test_demo_year_reproduces_the_published_list_and_figures(demo_run):
    _check_run(demo_run)


def test_a_second_seed_gives_another_world_whose_known_answers_also_hold(tmp_path_factory, demo_run):
    from demo_harness import run_demo

    run = run_demo(tmp_path_factory.mktemp("seed7"), seed=7)
    assert run.returncode in (0, 3), run.stdout[-3000:] + run.stderr[-3000:]
    a = (demo_run.out / "demo-world" / "inbox" / "traffic.csv").read_bytes()
    b = (run.out / "demo-world" / "inbox" / "traffic.csv").read_bytes()
    assert a != b, "the second seed produced the same world"
    _check_run(run)
