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


def test_rich_mode_shows_done_of_total_rate_and_time_left():
    import io
    import time

    from rich.console import Console

    buf = io.StringIO()
    handler = progress.RichHandler(console=Console(file=buf, width=160, force_terminal=False))
    progress.LOGGER.handlers[:] = [handler]
    progress.LOGGER.setLevel("INFO")
    try:
        for i in range(0, 101, 20):
            progress.report("extract", i, 100, facts=i * 2)
            time.sleep(0.05)
    finally:
        handler.close()
    last = [line for line in buf.getvalue().splitlines() if "extract" in line][-1]
    assert "100/100" in last and "facts=200" in last
    assert "/s" in last and "0:00:0" in last, last  # items a second, elapsed and time left


def test_plain_and_json_lines_carry_rate_and_time_left(capsys):
    """Events 2 s apart (their timestamps set): 10 of 100 done in 2 s is 5/s with 18 s left."""
    import logging

    for mode in ("plain", "json"):
        handler = progress.install(mode)
        if mode == "plain":
            handler.every_s = 0
        t0 = 1_000_000.0
        for i, (done, dt) in enumerate([(0, 0.0), (10, 2.0)]):
            rec = logging.LogRecord("top100.progress", logging.INFO, __file__, 1, "%s %s/%s", ("extract", done, 100), None)
            rec.__dict__.update(stage="extract", done=done, total=100, counts={"current": "C0001 \x1b[31mabc"})
            rec.created = t0 + dt
            handler.handle(rec)
        err = capsys.readouterr().err.strip().splitlines()
        if mode == "plain":
            assert "5.0/s left 0:00:18" in err[-1], err
            assert "\x1b" not in err[-1]  # a name's escape sequence is neutralised
        else:
            import json

            last = json.loads(err[-1])
            assert last["rate_per_s"] == 5.0 and last["eta_s"] == 18.0
