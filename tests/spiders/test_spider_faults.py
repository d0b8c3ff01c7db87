"""What the spiders make of answers that changed or broke (issue 10): a renamed field is schema
drift naming the field, never "no data"; a document's type is what its bytes are; a cut HTML
filing is a retryable failure, never a document."""

from __future__ import annotations

import pytest

from spiders.middlewares import check_body
from spiders.parse import SHAPE_CHANGED, cninfo, fx, hkex, need, quotes, sniff_type
from top100.errors import FetchError, SchemaDrift


def test_a_renamed_announcements_field_is_drift_not_an_empty_list():
    ok = {"totalAnnouncement": 0, "announcements": None}
    assert cninfo.parse_announcements(ok) == ([], 0)
    drifted = {"totalAnnouncement": 3, "announcementList": [{"announcementId": "1"}]}
    with pytest.raises(SchemaDrift, match=rf"{SHAPE_CHANGED}: field 'announcements' is missing"):
        cninfo.parse_announcements(drifted)
    with pytest.raises(SchemaDrift, match="'announcements' is dict, expected a list"):
        cninfo.parse_announcements({"totalAnnouncement": 1, "announcements": {"0": {}}})


@pytest.mark.parametrize("parse,data,field", [
    (cninfo.parse_stock_list, {"stocks": []}, "stockList"),
    (fx.parse, {"data": {"flagMessage": "", "searchlist": ["USD/CNY"]}, "rows": []}, "records"),
    (hkex.parse_search, {"results": "[]"}, "result"),
    (quotes.parse_klines, {"data": {"kline": []}}, "klines"),
    (cninfo.parse_announcements, {"total": 0, "announcements": None}, "totalAnnouncement"),
])
def test_every_required_field_names_itself_when_it_is_gone(parse, data, field):
    with pytest.raises(SchemaDrift) as info:
        parse(data)
    assert SHAPE_CHANGED in str(info.value) and repr(field) in str(info.value)


def test_a_refused_fx_window_is_not_drift():
    # the real refused answer has no "records" at all, only the flag message
    with pytest.raises(Exception) as info:
        fx.parse({"data": {"head": ["USD/CNY"], "flagMessage": "只提供一年历史数据查询及下载"}})
    assert not isinstance(info.value, SchemaDrift) and "refused" in str(info.value)


def test_need_names_the_container_when_it_is_not_an_object():
    with pytest.raises(SchemaDrift, match=r"x\.json: response shape changed: expected an object holding 'a', got list"):
        need([], "a", "x.json")


@pytest.mark.parametrize("body,media", [
    (b"%PDF-1.4\n...", "application/pdf"),
    (b"PK\x03\x04rest", "application/zip"),
    (b'  {"a": 1}', "application/json"),
    (b"[1, 2]", "application/json"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "text/html"),
    (b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>", "text/html"),
    (b"plain words", None),
    (b"", None),
])
def test_the_type_is_read_from_the_bytes(body, media):
    assert sniff_type(body) == media


def test_a_cut_html_filing_is_refused_and_a_whole_one_passes():
    whole = b"<html><head><title>20-F</title></head><body>" + b"<p>text</p>" * 400 + b"</body></html>\n<!-- end -->\n"
    check_body("any", whole)
    with pytest.raises(FetchError, match=r"HTML incomplete: no </html> at the end of \d+ bytes \(truncated\)"):
        check_body("any", whole[: len(whole) // 2])
    check_body("any", b"not html, e.g. a text exhibit")  # what is not HTML is not judged as HTML
