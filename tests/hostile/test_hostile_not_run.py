"""A check that could not run fails closed for the companies it concerns, and says why (issue 16).

The small year of tests/expectations/verify_world.py, with its licence registry and integrity
records delivered as real CSV files and read by the real readers: one registry row in GBK
(naming no company id: the licence number is the only key), one integrity row in GBK for C10,
and a BOM on both. Then the verify stage: C02 (whose registry row is the unreadable one) and
C10 get an ERROR "check could not run" naming the file and the row, not a finding against
their licence or record; everybody else is as in a clean year."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "expectations"))

import verify_world as world

from extractors import delivered
from top100.config import Settings
from top100.jsonl import read_jsonl, write_jsonl

COLUMNS = delivered.LICENCE_COLUMNS


def _csv(rows: list[dict], columns, broken: dict[int, str]) -> bytes:
    """UTF-8 with a BOM; the rows in ``broken`` (index -> company) written in GBK."""
    out = bytearray(b"\xef\xbb\xbf")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(columns)
    out += buf.getvalue().encode()
    for i, r in enumerate(rows):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([r.get(c) if r.get(c) is not None else "" for c in columns])
        out += buf.getvalue().encode("gbk" if i in broken else "utf-8")
    return bytes(out)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from expectations.verify import run_verify

    out = tmp_path_factory.mktemp("notrun")
    paths = world.build(out)
    licences = list(read_jsonl(paths.licences))
    integrity = list(read_jsonl(paths.integrity))
    c02 = next(i for i, r in enumerate(licences) if r["company_id"] == "C02")
    licences[c02]["company_id"] = None  # the registry row names the holder only (and its number in Chinese)
    integrity.append({"company_id": "C10", "record_date": "2014-09-09", "kind": "行政处罚", "disqualifying": False,
                      "description": "罚款", "source_row": 5})
    files = {"licence_registry.csv": _csv(licences, COLUMNS, {c02: "C02"}),
             "integrity.csv": _csv(integrity, delivered.INTEGRITY_COLUMNS, {len(integrity) - 1: "C10"})}
    docs = list(read_jsonl(paths.documents))
    staging, errors = {}, []
    for name, data in files.items():
        p = out / name
        p.write_bytes(data)
        doc_type = name.removesuffix(".csv")
        docs.append({"source": "inbox", "url": f"file://{name}", "company_id": None, "doc_type": doc_type,
                     "fiscal_year": world.YEAR, "title": name, "published_at": None, "sha256": "ab" * 32,
                     "size": len(data), "fetched_at": "2015-03-01T00:00:00+00:00"})
        reader = delivered.read_licences if doc_type == "licence_registry" else delivered.read_integrity
        res = reader(p, name)
        staging[doc_type] = [r.to_dict() for r in res.rows]
        errors += [e.to_dict() | {"url": f"file://{name}"} for e in res.errors]
    write_jsonl(paths.documents, docs)
    write_jsonl(paths.licences, staging["licence_registry"])
    write_jsonl(paths.integrity, staging["integrity"])
    write_jsonl(paths.extract_errors, errors)
    summary = run_verify(Settings(out_dir=out, year=world.YEAR), paths)
    return paths, summary, errors


def test_each_unreadable_row_is_one_error_naming_file_row_and_offset(year):
    _, _, errors = year
    assert sorted((e["document"], e["cell"].split(", byte")[0], e["company_id"]) for e in errors) == [
        ("integrity.csv", "row 5", "C10"), ("licence_registry.csv", "row 3", None)]
    assert all(e["kind"] == "UnreadableRow" and "not UTF-8" in e["reason"] and ", byte " in e["cell"] for e in errors)


def test_the_checks_that_could_not_run_are_errors_for_those_companies_only(year):
    paths, summary, _ = year
    findings = list(read_jsonl(paths.findings))
    not_run = sorted((f["company_id"], f["kind"]) for f in findings if f["kind"].endswith("_check_not_run"))
    assert not_run == [("C02", "licence_check_not_run"), ("C10", "integrity_check_not_run")]
    c02 = next(f for f in findings if f["company_id"] == "C02" and f["kind"] == "licence_check_not_run")
    assert c02["severity"] == "ERROR" and "licence_registry.csv, row 3, byte " in c02["message"]
    assert "not a finding about this company's licence" in c02["message"]
    # C02's licence is not blamed: no "not in the registry" finding
    assert not [f for f in findings if f["company_id"] == "C02" and f["kind"].startswith("licence_")
                and f["kind"] != "licence_check_not_run"]
    companies = {c["company_id"]: c for c in read_jsonl(paths.companies)}
    for cid in ("C02", "C10"):
        assert companies[cid]["eligible"] is False and companies[cid]["excluded_reason"].startswith("check not run: ")
    # the rest is what a clean year decides (verify_world.EXCLUDED)
    others = {cid for cid, c in companies.items() if not c["eligible"]} - {"C02", "C10"}
    assert others == world.EXCLUDED
    assert {k for k, v in summary.excluded.items()} == world.EXCLUDED | {"C02", "C10"}


def test_a_registry_refused_whole_stops_the_licence_check_for_everyone(tmp_path):
    from expectations.rules import VerifyRules
    from expectations.unreadable import not_run_findings
    from top100.records import CompanyRow

    comps = [CompanyRow(company_id=c, fiscal_year=2014, legal_name=c, brands="", province="", business_type="",
                        exchange=None, ticker=None, group_parent_id=None, licence_type=None, licence_number=None,
                        self_operated_ecommerce=False) for c in ("A1", "B2")]
    errors = [{"kind": "DeliveredFileError", "reason": "header is ['x']", "url": "file://licence_registry.csv",
               "document": "licence_registry.csv", "cell": "row 1"},
              {"kind": "DeliveredFileError", "reason": "file of 60000000 bytes exceeds 50000000",
               "url": "file://integrity.csv", "document": "integrity.csv", "cell": None}]
    docs = [{"url": "file://licence_registry.csv", "doc_type": "licence_registry"},
            {"url": "file://integrity.csv", "doc_type": "integrity"}]
    got = not_run_findings(errors, docs, comps, set(), VerifyRules(), 2014)
    # the header row refused: no row of the file is read, every company is concerned
    assert sorted((f.company_id, f.kind) for f in got) == [
        ("A1", "integrity_check_not_run"), ("A1", "licence_check_not_run"),
        ("B2", "integrity_check_not_run"), ("B2", "licence_check_not_run")]


def test_an_unclosed_quote_fails_closed_for_every_row_it_swallowed(tmp_path):
    """A quote opened and never closed hides the rest of the file: the rows after it are not read,
    and the companies they may concern are not known. The check fails closed for all of them (every
    company for integrity.csv; for the registry, those whose licence was not found among the rows
    read), not only for the company whose row opened the quote."""
    from expectations.rules import VerifyRules
    from expectations.unreadable import not_run_findings
    from top100.records import CompanyRow

    integrity = tmp_path / "integrity.csv"
    integrity.write_text("company_id,record_date,kind,disqualifying,description\n"
                         "C0001,2014-03-01,警示,false,ok\n"
                         "C0002,2014-04-01,警示,false,\"说明未闭合\n"
                         "C0003,2014-05-01,严重失信,true,列入严重违法失信名单\n", encoding="utf-8")
    res = delivered.read_integrity(integrity, "integrity.csv")
    assert [r.company_id for r in res.rows] == ["C0001"] and [e.company_id for e in res.errors] == ["C0002"]
    registry = tmp_path / "licence_registry.csv"
    registry.write_text(",".join(COLUMNS) + "\n" + "京ICP证000001号,ICP,甲,C0001,2010-01-01,2016-12-31,valid\n"
                        "京ICP证000002号,ICP,\"乙,C0002,2010-01-01,2016-12-31,valid\n"
                        "京ICP证000003号,ICP,丙,C0003,2010-01-01,2016-12-31,valid\n", encoding="utf-8")
    reg = delivered.read_licences(registry, "licence_registry.csv")
    assert [r.company_id for r in reg.rows] == ["C0001"]
    comps = [CompanyRow(company_id=c, fiscal_year=2014, legal_name=c, brands="", province="", business_type="",
                        exchange=None, ticker=None, group_parent_id=None, licence_type=None, licence_number=None,
                        self_operated_ecommerce=False) for c in ("C0001", "C0002", "C0003", "C0004")]
    not_in_registry = {"C0002", "C0003"}  # their licence numbers are not among the registry rows read
    errors = [e.to_dict() | {"url": "file://integrity.csv"} for e in res.errors] + \
             [e.to_dict() | {"url": "file://licence_registry.csv"} for e in reg.errors]
    docs = [{"url": "file://integrity.csv", "doc_type": "integrity"},
            {"url": "file://licence_registry.csv", "doc_type": "licence_registry"}]
    got = not_run_findings(errors, docs, comps, not_in_registry, VerifyRules(), 2014)
    by = {}
    for f in got:
        by.setdefault(f.kind, set()).add(f.company_id)
    # C0003's disqualifying record is in the part never read: its integrity check did not run
    assert by["integrity_check_not_run"] == {"C0001", "C0002", "C0003", "C0004"}
    assert by["licence_check_not_run"] == {"C0002", "C0003"}
    assert all("never closed" in f.message for f in got)


def test_two_forms_for_one_company_conflict_unless_identical_and_a_file_named_for_another_is_refused():
    from expectations.declarations import Form, declaration_conflict

    def form(sha, revenue, users_prior=1):
        f = Form("C01", sha, ("", 0))
        f.current = {"company_id": {"value": "C01"}, "revenue": {"value": revenue}}
        f.prior = {"revenue": {"value": 1.0}, "users": {"value": users_prior}}
        return f
    files = {"a" * 64: "C01.xlsx", "b" * 64: "zz_last.xlsx", "c" * 64: "C02.xlsx", "d" * 64: "C01_again.xlsx"}
    same = declaration_conflict("C01", [form("a" * 64, 5.0), form("d" * 64, 5.0, users_prior=2)], files, {"C01", "C02"})
    assert same is None  # the same declaration sent twice (a prior cell no check uses may differ)
    clash = declaration_conflict("C01", [form("a" * 64, 5.0), form("b" * 64, 9.0)], files, {"C01", "C02"})
    assert "C01.xlsx (aaaaaaaaaaaa)" in clash and "zz_last.xlsx (bbbbbbbbbbbb)" in clash
    assert "disagree on revenue" in clash and "neither is used" in clash
    named = declaration_conflict("C01", [form("c" * 64, 5.0)], files, {"C01", "C02"})
    assert named == "form C02.xlsx (cccccccccccc) is named for C02 but declares company id C01"
    assert declaration_conflict("C01", [form("c" * 64, 5.0)], {"c" * 64: "百度申报表.xlsx"}, {"C01", "C02"}) is None


def test_the_conflict_is_an_error_for_the_company_naming_both_forms(year):
    paths, _, _ = year
    c15 = [f for f in read_jsonl(paths.findings) if f["company_id"] == "C15"]
    assert [(f["kind"], f["severity"]) for f in c15] == [("declaration_conflict", "ERROR")]
    assert c15[0]["message"].count("C15.xlsx (") == 2 and "disagree on " in c15[0]["message"]


@pytest.fixture(scope="module")
def inflated(tmp_path_factory):
    """C12 (unlisted, no public document) multiplies every figure and its head count by 10^4;
    C13 declares revenue of 9e16 元 in a 元 row; C10 declares a loss of 400 times its revenue."""
    from expectations.verify import run_verify

    out = tmp_path_factory.mktemp("inflated")
    paths = world.build(out)
    declared = list(read_jsonl(paths.declared))
    for r in declared:
        if r["company_id"] == "C12" and isinstance(r.get("value"), (int, float)) and not isinstance(r["value"], bool) \
                and r["field"] in ("revenue", "internet_revenue", "operating_cost", "operating_profit", "net_profit",
                                   "rd_expense", "employees_total"):
            r["value"] = r["value"] * 10_000
        if r["company_id"] == "C13" and r["field"] == "revenue" and r["fiscal_year"] == world.YEAR:
            r["value"] = 9e16
        if r["company_id"] == "C10" and r["field"] == "operating_profit" and r["fiscal_year"] == world.YEAR:
            revenue = next(x["value"] for x in declared if x["company_id"] == "C10" and x["field"] == "revenue"
                           and x["fiscal_year"] == world.YEAR)
            r["value"] = -400 * revenue
    write_jsonl(paths.declared, declared)
    summary = run_verify(Settings(out_dir=out, year=world.YEAR), paths)
    return paths, summary


def test_implausible_figures_are_errors_whoever_declares_them(inflated):
    paths, summary = inflated
    found = {(f["company_id"], f["metric"]): f for f in read_jsonl(paths.findings) if f["kind"] == "implausible_figure"}
    assert {cid for cid, _ in found} == {"C10", "C12", "C13"}
    assert all(f["severity"] == "ERROR" for f in found.values())
    assert "beyond any company's" in found[("C12", "revenue")]["message"]
    assert "beyond any company's" in found[("C13", "revenue")]["message"]
    assert "times revenue" in found[("C10", "operating_profit")]["message"]
    assert {"C10", "C12", "C13"} <= set(summary.excluded)
    assert set(summary.excluded) - {"C10", "C12", "C13"} == world.EXCLUDED  # nobody else
