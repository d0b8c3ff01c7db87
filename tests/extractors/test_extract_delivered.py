"""Delivered CSVs of the inbox, validated cell by cell with row numbers."""

from __future__ import annotations

from extractors.delivered import read_integrity, read_licences, read_listings, read_traffic


def _csv(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_licences(tmp_path):
    p = _csv(tmp_path, "licence_registry.csv",
             "licence_number,licence_type,holder_name,company_id,valid_from,valid_until,status\n"
             "京ICP证030173号,ICP,示例公司,C0001,2012-01-01,2017-01-01,valid\n"
             "B2-20120077,ODP,样本公司,,2012-01-01,2011-01-01,valid\n"
             "X,XYZ,样本公司,C0003,2012-01-01,2017-01-01,valid\n")
    r = read_licences(p)
    assert [x.licence_number for x in r.rows] == ["京ICP证030173号"] and r.rows[0].source_row == 2
    assert [e.cell for e in r.errors] == ["row 3", "row 4, column licence_type"]
    assert "after valid_until" in r.errors[0].reason and r.errors[1].company_id == "C0003"


def test_traffic(tmp_path):
    p = _csv(tmp_path, "traffic.csv", "company_id,fiscal_year,desktop,mobile\nC0001,2014,1234.5,\"2,000\"\n"
                                      "C0002,2014,abc,1\nC0003,20x4,1,1\n../x,2014,1,1\n")
    r = read_traffic(p)
    assert [(x.company_id, x.desktop, x.mobile) for x in r.rows] == [("C0001", 1234.5, 2000.0)]
    assert [e.cell for e in r.errors] == ["row 3, column desktop", "row 4, column fiscal_year", "row 5, column company_id"]


def test_integrity(tmp_path):
    p = _csv(tmp_path, "integrity.csv", "company_id,record_date,kind,disqualifying,description\n"
                                        "C0001,2014-05-01,tax,true,欠税\nC0002,2014-05-01,fine,perhaps,x\n")
    r = read_integrity(p)
    assert r.rows[0].disqualifying is True and "true/false" in r.errors[0].reason


def test_listings(tmp_path):
    p = _csv(tmp_path, "listings.csv", "company_id,exchange,ticker,ads_ratio\nC0001,NASDAQ,BIDU,0.1\n"
                                       "C0002,,,\nC0003,SSE,,\nC0004,HKEX,0700,2\n")
    r = read_listings(p)
    assert r.rows == [{"company_id": "C0001", "exchange": "NASDAQ", "ticker": "BIDU", "ads_ratio": 0.1},
                         {"company_id": "C0002", "exchange": None, "ticker": None, "ads_ratio": None}]
    assert [e.cell for e in r.errors] == ["row 4", "row 5"]


def test_wrong_header_is_one_error(tmp_path):
    p = _csv(tmp_path, "traffic.csv", "company,year,pc,phone\nC0001,2014,1,1\n")
    r = read_traffic(p)
    assert r.rows == [] and len(r.errors) == 1 and "expected company_id, fiscal_year" in r.errors[0].reason


def test_wrong_cell_count(tmp_path):
    p = _csv(tmp_path, "traffic.csv", "company_id,fiscal_year,desktop,mobile\nC0001,2014,1\n")
    assert read_traffic(p).errors[0].cell == "row 2"


def test_result_is_the_one_result_type_with_rows_and_errors(tmp_path):
    import extractors
    from extractors.result import ExtractResult

    p = _csv(tmp_path, "traffic.csv", "company_id,fiscal_year,desktop,mobile\nC0001,2014,1,2\n")
    res = read_traffic(p)
    assert isinstance(res, ExtractResult) and [r.mobile for r in res.rows] == [2.0] and res.errors == []
    assert res.facts == [] and res.declared == []
    assert extractors.read("traffic", p) == res  # the registry's reader of the type


def test_listings_mark_an_unlisted_candidate_whose_ipo_is_under_review(tmp_path):
    """The optional sixth column of listings.csv carries the mark into candidates.json, so that a
    run searches CNINFO's pre-disclosure column for that candidate's prospectus."""
    from flows.candidates import build_candidates
    from top100.records import DocumentRow
    from top100.vocab import DocType

    p = tmp_path / "listings.csv"
    p.write_text("company_id,exchange,ticker,ads_ratio,cik,ipo_in_progress\n"
                 "C001,SSE,600001,,,\nN002,,,,,true\nN003,,,,,false\nC004,SZSE,000004,,,true\n", encoding="utf-8")
    res = read_listings(p)
    rows, errors = res.rows, res.errors
    got = {r["company_id"]: r for r in rows}
    assert got["N002"]["ipo_in_progress"] is True and got["N003"]["ipo_in_progress"] is False
    assert got["C001"]["ipo_in_progress"] is False and "C004" not in got
    assert [e.reason for e in errors if "C004" in (e.company_id or "") or "only for a candidate not listed" in e.reason]

    def doc(sha, kind):
        return DocumentRow(source="inbox", url="", company_id=None, doc_type=kind, fiscal_year=None, title=sha,
                           published_at=None, sha256=sha, size=1, fetched_at="2015-01-01T00:00:00Z")
    forms = {f"f{i}": {"declared": [{"company_id": cid, "form_sha256": f"f{i}", "field": "company_id", "value": cid,
                                      "fiscal_year": 2014, "unit": None, "scale": None, "cell": "C4", "raw": cid}],
                       "errors": []} for i, cid in enumerate(["C001", "N002", "N003"])}
    reads = {**forms, "lst": {"rows": rows, "errors": []}}
    docs = [doc(k, DocType.declaration_form) for k in forms] + [doc("lst", DocType.listings)]
    candidates, _ = build_candidates(tmp_path, docs, reads)
    marks = {c["company_id"]: c.get("ipo_in_progress", False) for c in candidates}
    assert marks == {"C001": False, "N002": True, "N003": False}
