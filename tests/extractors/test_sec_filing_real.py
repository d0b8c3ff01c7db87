"""extractors.sec_filing on real SEC filings as filed (tests/corpus/sec, SOURCES.md), against
values read by hand off the filings (tests/corpus/sec/truth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import extractors
from extractors import sec_filing

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "sec"
NAMES = sorted(p.stem for p in CORPUS.glob("*.html"))


@pytest.fixture(scope="module")
def read():
    cache: dict[str, sec_filing.SecFilingResult] = {}

    def get(name: str) -> sec_filing.SecFilingResult:
        if name not in cache:
            cache[name] = sec_filing.read(CORPUS / f"{name}.html", company_id="X1")
        return cache[name]
    return get


def truth(name: str) -> dict:
    return json.loads((CORPUS / "truth" / f"{name}.json").read_text(encoding="utf-8"))


def test_corpus_is_there():
    assert len(NAMES) == 4 and all((CORPUS / "truth" / f"{n}.json").is_file() for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_cover_form_period_and_currency(read, name):
    r, t = read(name), truth(name)
    assert r.form == t["form"] and r.period_end == t["period_end"] and r.currency == t["currency"]
    assert r.ads_ratio is None  # none of these issuers has ADSs: no ratio read into their text
    if t["cover_shares"] is None:
        assert r.cover_shares is None
    else:
        assert r.cover_shares.shares == t["cover_shares"]["shares"]
        assert r.cover_shares.as_of == t["cover_shares"]["as_of"]


@pytest.mark.parametrize("name", NAMES)
def test_figures_match_hand_read_truth(read, name):
    r, t = read(name), truth(name)
    got = {(f.metric, f.fiscal_year): f for f in r.facts if not f.superseded}
    for fig in t["figures"]:
        f = got.get((fig["metric"], fig["year"]))
        assert f is not None, f"{name}: {fig['metric']} {fig['year']} not read"
        assert f.value == pytest.approx(fig["value"]), (name, fig)
        # provenance: the row label and the figure as printed, the table's ordinal
        assert fig["row"] in f.label and fig["printed"].lstrip("$ ").startswith(f.raw.rstrip(")")[:4])
        assert f.page and f.extractor == "sec_filing" and f.document_sha256


def test_employees_from_the_sentence(read):
    r = read("10-K_0001193125-10-073212")
    emp = [f for f in r.facts if f.metric == "employees_total"]
    assert [(f.fiscal_year, f.value) for f in emp] == [(2009, 395.0)]
    assert "395 full time employees" in emp[0].raw


def test_a_note_repeating_a_statement_label_is_not_the_statement(read):
    # Loncor's income-tax note prints "Net loss for the year (28,037,589)" for 2013; the
    # statement prints it as "Loss before income tax"; net profit comes from the selected data
    r = read("20-F_0001062993-16-008650")
    net = {f.fiscal_year: f for f in r.facts if f.metric == "net_profit"}
    assert net[2013].value == -27_224_000 and net[2013].label.startswith("selected financial data")
    assert not any(f.metric == "net_profit" and f.value == -28_037_589 for f in r.facts)


def test_unconverted_reporting_currency_is_an_error_not_a_guess(read):
    r = read("20-F_0001062993-21-003193")
    money = [f for f in r.facts if f.currency]
    assert money == []
    assert any("reporting currency CAD" in e.reason and "revenue 2020" in e.reason for e in r.errors)


def test_read_twice_agreement_and_conflict_on_real_figures():
    # Loncor's statement row "Loss before income tax" relabelled "Net loss for the year": its
    # dollars are then read twice against the selected data's $000 "Net income (loss) for the
    # year". 2015 and 2014 agree within the rounding of $000; 2013 does not (the statement's
    # (28,037,589) is before the 813,138 tax recovery, the selected (27,224) after it): a conflict
    html = (CORPUS / "20-F_0001062993-16-008650.html").read_bytes()
    assert html.count(b"Loss before income tax") == 1
    r = sec_filing.read(html.replace(b"Loss before income tax", b"Net loss for the year"), company_id="X1")
    net = {f.fiscal_year: f for f in r.facts if f.metric == "net_profit"}
    assert net[2015].value == -2_417_247 and net[2015].basis == "read_twice_agree"
    assert net[2014].value == -2_902_710 and net[2014].basis == "read_twice_agree"
    assert 2013 not in net  # neither reading used
    assert len(r.conflicts) == 1 and "net_profit 2013" in r.conflicts[0] and "(28,037,589)" in r.conflicts[0]
    assert any(e.kind == "ReadTwiceConflict" for e in r.errors)


def test_registered_for_sec_documents():
    res = extractors.read("20-F", CORPUS / "10-K_0001193125-10-073212.html", company_id="X1")
    assert {(f.metric, f.fiscal_year) for f in res.facts} >= {("revenue", 2009), ("net_profit", 2009)}
    assert res.errors == []


def test_an_sec_filing_is_told_by_its_content():
    from extractors import sniff

    for name in NAMES:
        assert sniff((CORPUS / f"{name}.html").read_bytes()) == "20-F"
    res = extractors.read(None, CORPUS / "10-K_0001193125-10-073212.html", company_id="X1")  # no type given
    assert any(f.metric == "revenue" and f.fiscal_year == 2009 for f in res.facts)


def test_a_filing_without_a_declared_encoding_is_read_as_utf8_when_it_is():
    """lxml reads undeclared HTML as Latin-1: 宝尊电商 became 'å®å°çµå'. UTF-8 bytes are read as
    UTF-8; a declared encoding is followed; other bytes are read as Windows-1252."""
    import lxml.html

    from extractors.sec_filing import _decoded

    utf8 = "<html><body><p>Baozun 宝尊电商 “quoted”</p></body></html>".encode("utf-8")
    assert "宝尊电商 “quoted”" in lxml.html.fromstring(_decoded(utf8)).text_content()
    cp1252 = "<html><body><p>“quoted” – 10 ¢</p></body></html>".encode("cp1252")
    assert "“quoted” – 10 ¢" in lxml.html.fromstring(_decoded(cp1252)).text_content()
    declared = '<html><head><meta charset="gb2312"></head><body><p>宝尊</p></body></html>'.encode("gb2312")
    assert "宝尊" in lxml.html.fromstring(_decoded(declared)).text_content()
