"""ranking.csv: formula injection neutralised, numbers kept as numbers."""

from __future__ import annotations

import csv

from scoring.csvout import neutralise
from scoring.run import write_ranking_csv
from top100.records import RankingRow


def test_neutralise():
    for bad in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'):
        assert neutralise(bad) == "'" + bad
    assert neutralise("阿里巴巴") == "阿里巴巴" and neutralise("a=b") == "a=b"
    assert neutralise(-1.5) == -1.5 and neutralise(3) == 3 and neutralise(None) == ""


def test_ranking_csv(tmp_path):
    rows = [RankingRow(2014, 1, "C0001", '=HYPERLINK("http://evil","x")', "-淘宝, @天猫", 91.5),
            RankingRow(2014, 2, "C0002", "腾讯公司", "QQ", -0.25)]
    path = tmp_path / "ranking.csv"
    assert write_ranking_csv(path, rows) == 2
    raw = path.read_text(encoding="utf-8")
    got = list(csv.reader(raw.splitlines()))
    assert got[0] == ["rank", "company_id", "name", "brands", "total_score"]
    assert got[1] == ["1", "C0001", "'=HYPERLINK(\"http://evil\",\"x\")", "'-淘宝, @天猫", "91.5"]
    assert got[2] == ["2", "C0002", "腾讯公司", "QQ", "-0.25"]  # a negative number is not a formula
