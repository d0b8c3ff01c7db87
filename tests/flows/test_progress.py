"""Progress reporting: JSON lines for schedulers, nothing in quiet mode."""

from __future__ import annotations

import json

from flows import progress


def test_json_mode_emits_one_object_per_event(capsys):
    progress.install("json")
    progress.report("extract", 3, 10, facts=42)
    progress.stage_done("extract", facts=50)
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert [(x["stage"], x["done"], x["total"]) for x in lines[:1]] == [("extract", 3, 10)]
    assert lines[0]["counts"] == {"facts": 42}
    assert lines[1]["finished"] is True and lines[1]["counts"] == {"facts": 50}


def test_quiet_mode_prints_nothing(capsys):
    progress.install("quiet")
    progress.report("collect", 1, 2)
    assert capsys.readouterr().err == ""


def test_plain_mode_rate_limits_lines_but_always_shows_the_end(capsys):
    progress.install("plain")
    for i in range(50):
        progress.report("load", i, 50)
    progress.stage_done("load", rows=50)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "done" in err[-1] and "rows=50" in err[-1]
