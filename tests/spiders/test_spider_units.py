"""Raw store, resume from a journal, the inbox, candidates, per-source caps, Retry-After."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from scrapy.http import Response

import smallworld
from spiders import companies, config
from spiders.inbox import ingest_inbox
from spiders.middlewares import retry_after
from spiders.output import journal_path, known_documents, merge, part_dir
from spiders.rawstore import RawStore
from top100.config import Settings
from top100.jsonl import read_jsonl, write_jsonl
from top100.paths import YearPaths
from top100.records import DocumentRow


def test_raw_store_never_rewrites(tmp_path):
    store = RawStore(tmp_path / "raw")
    sha, created = store.put(b"%PDF-1.4 one")
    assert created and store.has(sha) and store.has(sha, 12) and not store.has(sha, 13)
    p = store.path(sha)
    assert p.parent.name == sha[:2] and not p.stat().st_mode & stat.S_IWUSR
    before = p.stat().st_mtime_ns
    assert store.put(b"%PDF-1.4 one") == (sha, False)
    assert p.stat().st_mtime_ns == before
    assert [q.name for q in p.parent.iterdir()] == [sha]  # no temporary file left
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def _row(url: str, sha: str, size: int) -> DocumentRow:
    return DocumentRow(source="cninfo", url=url, company_id="C001", doc_type="annual_report", fiscal_year=2014,
                       title="t", published_at=None, sha256=sha, size=size, fetched_at="2015-01-01T00:00:00+00:00")


def test_interrupted_crawl_resumes_from_its_journal(tmp_path):
    """An interrupted crawl leaves its journal; the next run knows what is already stored."""
    paths = YearPaths(tmp_path, 2014)
    store = RawStore(paths.raw_store)
    sha, _ = store.put(b"%PDF-1.4 stored")
    lost = "f" * 64  # a row whose bytes never reached the store
    j = journal_path(paths, "cninfo")
    j.parent.mkdir(parents=True)
    with j.open("w") as fh:
        for row in (_row("http://x/a.PDF", sha, 15), _row("http://x/b.PDF", lost, 3)):
            fh.write(json.dumps({"kind": "documents", "row": row.to_dict()}) + "\n")
    known = known_documents(paths, "cninfo", store)
    assert set(known) == {("C001", "/a.PDF")}  # keyed without the host: the demo mirror's port changes
    # a size that does not match the stored bytes is not trusted either
    write_jsonl(paths.documents, [_row("http://x/c.PDF", sha, 999)])
    assert ("C001", "/c.PDF") not in known_documents(paths, "cninfo", store)


def test_merge_is_stable_and_unique(tmp_path):
    paths = YearPaths(tmp_path, 2014)
    rows = [_row("http://x/a.PDF", "a" * 64, 1), _row("http://x/a.PDF", "a" * 64, 1), _row("http://x/b.PDF", "b" * 64, 1)]
    write_jsonl(part_dir(paths, "cninfo") / "documents.jsonl", rows)
    assert merge(paths, ["cninfo"])["documents"] == 2
    first = paths.documents.read_bytes()
    merge(paths, ["cninfo"])
    assert paths.documents.read_bytes() == first


def test_inbox_rows_never_use_file_names_as_paths(tmp_path):
    info = smallworld.build(tmp_path / "world")
    out = tmp_path / "out"
    settings = Settings(out_dir=out, inbox_dir=info["inbox"])
    paths = YearPaths(out, 2014)
    rows = ingest_inbox(settings, paths)
    kinds = sorted(r.doc_type for r in rows)
    assert kinds == ["declaration_form", "declaration_form", "listings", "traffic"]
    assert all(r.source == "inbox" and r.company_id is None for r in rows)
    evil = next(r for r in rows if "evil" in r.title)
    assert evil.url == "file://declarations/..evil name;rm -rf.xlsx"
    assert all(RawStore(paths.raw_store).has(r.sha256, r.size) for r in rows)
    written = [str(p.relative_to(out)) for p in out.rglob("*")]
    assert not any("evil" in p or "C001.xlsx" in p for p in written)
    errors = list(read_jsonl(paths.collect_errors))
    assert [e["document"] for e in errors] == ["notes.txt"]  # not expected: reported, not dropped
    assert len(list(read_jsonl(paths.documents))) == 4


def test_links_in_the_inbox_are_reported_never_followed_or_skipped(tmp_path):
    """Issue 16: a symbolic link in the inbox, to a file or to a whole folder of forms, is an error
    row naming it; nothing behind it is read (a folder link was skipped without a word)."""
    outside = tmp_path / "elsewhere"
    (outside / "forms").mkdir(parents=True)
    (outside / "forms" / "C0009.xlsx").write_bytes(b"PK\x03\x04 not read")
    (outside / "traffic.csv").write_text("company_id,fiscal_year,desktop,mobile\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "declarations").symlink_to(outside / "forms", target_is_directory=True)
    (inbox / "traffic.csv").symlink_to(outside / "traffic.csv")
    out = tmp_path / "out"
    paths = YearPaths(out, 2014)
    rows = ingest_inbox(Settings(out_dir=out, inbox_dir=inbox), paths)
    assert rows == []
    errors = {e["document"]: e["reason"] for e in read_jsonl(paths.collect_errors)}
    assert set(errors) == {"declarations", "traffic.csv"}
    assert "symbolic link to a folder" in errors["declarations"] and "symbolic link" in errors["traffic.csv"]


def test_candidates_file_and_comma_list(tmp_path):
    f = tmp_path / "candidates.json"
    f.write_text(json.dumps(smallworld.CANDIDATES, ensure_ascii=False))
    got = companies.load(str(f), tmp_path / "none.json")
    assert [c.company_id for c in got][:2] == ["C001", "C002"] and got[7].ads_ratio == 0.1
    listed = companies.load("600519,000001,700,bidu,NYSE:BABA", tmp_path / "none.json")
    assert [(c.exchange, c.ticker) for c in listed] == [("SSE", "600519"), ("SZSE", "000001"), ("HKEX", "00700"),
                                                        ("NASDAQ", "BIDU"), ("NYSE", "BABA")]
    with pytest.raises(ValueError):
        companies.load("../etc", tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"company_id": "../x", "exchange": "SSE", "ticker": "600519"}]))
    with pytest.raises(ValueError, match="candidate 0"):
        companies.load(str(bad), tmp_path / "none.json")


def test_caps_by_source_host_or_real_host():
    s = Settings()
    assert config.slot_rate(s, "cninfo") == 2.0 and config.slot_rate(s, "hkex") == 1.0
    assert config.slot_rate(s, "sec") == 8.0  # both SEC hosts share one budget
    demo = Settings(sources={"cninfo": "http://127.0.0.1:9", "sec_www": "http://127.0.0.1:9",
                             "sec_data": "http://127.0.0.1:9"},
                    crawl={"rate_limits": {"sec_www": 50.0, "sec_data": 50.0}})
    assert config.slot_rate(demo, "cninfo") == 2.0  # the real host's cap applies in demo mode too
    assert config.slot_rate(demo, "sec") == config.SEC_SAFE_RPS < config.SEC_MAX_RPS  # a margin below SEC's 10/s
    opts = config.scrapy_settings(demo)
    assert opts["DOWNLOAD_SLOTS"]["sec"]["delay"] >= 1 / 10 and opts["DOWNLOAD_SLOTS"]["sec"]["jitter"] == 0


def test_settings_travel_to_the_crawl_process_intact(tmp_path):
    s = Settings(out_dir=tmp_path, crawl={"contact": "a@b.org", "hkex_enabled": True})

    class Fake(dict):
        def get(self, k, default=None):
            return super().get(k, default)
    back = config.load(Fake({config.SETTINGS_KEY: config.dump(s)}))
    assert back.user_agent == s.user_agent and "a@b.org" in back.user_agent and back.crawl.hkex_enabled
    assert "secret" not in config.dump(Settings(warehouse_url="postgresql+psycopg://u:secret@h/db"))


@pytest.mark.parametrize("header,expect", [("7", 7.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), (None, None)])
def test_retry_after(header, expect):
    headers = {"Retry-After": header} if header else {}
    assert retry_after(Response("http://x", status=429, headers=headers)) == expect


def test_no_inbox_folder_is_an_error_row(tmp_path):
    paths = YearPaths(tmp_path / "out", 2014)
    assert ingest_inbox(Settings(out_dir=tmp_path / "out", inbox_dir=tmp_path / "missing"), paths) == []
    assert "does not exist" in next(read_jsonl(paths.collect_errors))["reason"]
    assert os.listdir(tmp_path / "out" / "2014" / "collect")


def test_hkex_only_when_turned_on():
    from spiders.runner import enabled

    assert "hkex" not in enabled(Settings())
    assert enabled(Settings(crawl={"hkex_enabled": True})) == ["cninfo", "hkex", "edgar", "quotes", "fx"]


def test_a_body_shorter_than_its_content_length_is_refused_by_scrapy():
    """DOWNLOAD_FAIL_ON_DATALOSS (spiders.settings), not a middleware of ours: the short body ends
    in ResponseDataLossError (retried, then an error row); a body cut under a length that matches
    it is the content check's (no %%EOF: FetchError, retried, then an error row)."""
    import subprocess
    import sys

    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("dataloss_probe.py"))], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcomes = json.loads(proc.stdout.strip().splitlines()[-1])
    assert outcomes == {"/short-body": "ResponseDataLossError", "/cut-matching-length": "FetchError",
                        "/whole": "response of 1016 bytes"}


def test_the_crawl_receives_the_year_once(tmp_path):
    """The year is the spider argument (-a year=) and nowhere else: not in the settings file."""
    from spiders.runner import crawl_command, write_settings_file

    paths = YearPaths(tmp_path / "out", 2013)
    settings = Settings(out_dir=paths.out_dir, inbox_dir=tmp_path / "inbox", year=2016)
    part_dir(paths, "cninfo").mkdir(parents=True)
    file = write_settings_file(settings, paths, "cninfo")
    assert "year" not in json.loads(file.read_text("utf-8"))
    cmd, _ = crawl_command(settings, paths, "cninfo", tmp_path / "c.json", settings_file=file)
    assert [a for a in cmd if "year" in a] == ["year=2013"]


def test_listings_csv_takes_the_cik_as_of_the_year(tmp_path):
    from extractors.delivered import read_listings
    from spiders.companies import load as load_companies

    p = tmp_path / "listings.csv"
    p.write_text("company_id,exchange,ticker,ads_ratio,cik\n"
                 "QIHU,NYSE,QIHU,1.5,0001508913\nSOHU,NASDAQ,SOHU,1,CIK1104188\nBIDU,NASDAQ,BIDU,0.1,\n"
                 "MT,SSE,600519,,\nBAD,NASDAQ,XX,1,12ab\nHK,HKEX,00700,,1234\n", encoding="utf-8")
    res = read_listings(p)
    rows = {r["company_id"]: r for r in res.rows}
    assert rows["QIHU"]["cik"] == 1508913 and rows["SOHU"]["cik"] == 1104188 and rows["BIDU"]["cik"] is None
    assert rows["MT"]["cik"] is None and "BAD" not in rows and "HK" not in rows
    reasons = " | ".join(e.reason for e in res.errors)
    assert "12ab" in reasons and "cik is only for US listings" in reasons
    # the old four-column file still reads (no cik)
    old = tmp_path / "old.csv"
    old.write_text("company_id,exchange,ticker,ads_ratio\nBIDU,NASDAQ,BIDU,0.1\n", encoding="utf-8")
    assert read_listings(old).rows[0]["company_id"] == "BIDU" and not read_listings(old).errors
    # candidates.json carries it to the spiders (a string with zeros or the CIK prefix too)
    cands = tmp_path / "candidates.json"
    cands.write_text('[{"company_id": "QIHU", "exchange": "NYSE", "ticker": "QIHU", "ads_ratio": 1.5, "cik": "0001508913"},'
                     ' {"company_id": "N2", "legal_name": "某公司", "exchange": null, "ticker": null, "ipo_in_progress": true}]')
    got = {c.company_id: c for c in load_companies(str(cands), cands)}
    assert got["QIHU"].cik == 1508913 and got["N2"].ipo_in_progress and not got["QIHU"].ipo_in_progress
