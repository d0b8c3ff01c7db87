"""The generator's own statement of the method (mirror.world.method) is the documented one:
the 2015 method of evaluation/2015.toml, indicator by indicator; and it is not scoring's code."""

from __future__ import annotations

from mirror.world import method
from top100.year import load_year

NORMS = {"log": "log_minmax", "signed_log": "signed_log_minmax", "clip": "clip_minmax", "fixed": "fixed"}


def test_the_generators_method_is_the_documented_2015_method():
    doc = load_year(2014).method
    assert doc.version == method.METHOD_VERSION and doc.revenue_floor == method.REVENUE_FLOOR
    assert list(doc.indicators) == list(method.INDICATORS)
    for name, (source, how, clip, weight) in method.INDICATORS.items():
        d = doc.indicators[name]
        assert (d["metric"], d["norm"], d["weight"]) == (source, NORMS[how], weight), name
        assert (tuple(d["clip"]) if "clip" in d else None) == clip, name


def test_the_generators_composite_agrees_with_scorings_on_the_world():
    """Two independent statements of one method agree on the calibrated world (to 1e-9): the
    known answer holds for the right code, and only for it (tests/scoring/test_scoring_world.py)."""
    import pandas as pd

    from mirror.generate import ELIGIBLE_SYNTHETIC, build
    from mirror.world.calibrate import table
    from scoring.config import ScoringConfig
    from scoring.index import total_score

    companies, _ = build(2015)
    pool = [c for c in companies if not c.synthetic or c.role in ELIGIBLE_SYNTHETIC]
    t = table(pool)
    ours, theirs = method.total_score(t), total_score(t, ScoringConfig.from_year(load_year(2014)))
    pd.testing.assert_series_equal(ours, theirs, check_names=False, atol=1e-9, rtol=0)
