"""SEC companyfacts: tag choice, one unit (never CNY + USD), period from start/end, restatements."""

from __future__ import annotations

import json

import pytest

import extractors
from extractors import companyfacts


def _facts(result, metric, year, current=True):
    return [f for f in result.facts if f.metric == metric and f.fiscal_year == year and f.superseded != current]


def test_real_qihoo_excerpt(real):
    r = extractors.read(None, real / "edgar" / "qihoo360_CIK0001508913_companyfacts_EXCERPT.json")
    assert r.errors == []
    (rev,) = _facts(r, "revenue", 2014)
    (oi,) = _facts(r, "operating_profit", 2014)
    assert (rev.value, rev.currency, rev.period_start, rev.period_end) == (1390660000, "USD", "2014-01-01", "2014-12-31")
    assert oi.value == 259493000 and "OperatingIncomeLoss" in oi.label and oi.page is None


def test_real_baidu_cny_not_usd_translation_and_restatement(real):
    r = companyfacts.extract(real / "edgar" / "baidu_CIK0001329099_companyfacts_EXCERPT.json")
    (rev,) = _facts(r, "revenue", 2014)
    assert (rev.value, rev.currency) == (49052318000, "CNY")  # never the USD convenience translation
    assert "SalesRevenueNet" in rev.label
    (latest,) = _facts(r, "revenue", 2015)
    (older,) = _facts(r, "revenue", 2015, current=False)
    assert latest.value == 66382000000 and older.value == 66381729000 and older.superseded


def test_real_weibo_tag_drift_and_restated_later(real):
    r = companyfacts.extract(real / "endpoints" / "sec" / "companyfacts_CIK0001595761_WEIBO_excerpt.json")
    assert _facts(r, "revenue", 2014)[0].label.startswith("us-gaap:SalesRevenueNet")
    assert _facts(r, "revenue", 2019)[0].label.startswith("us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax")
    assert _facts(r, "rd_expense", 2014)[0].value == 125832000


def test_real_ifrs_filer(real):
    r = companyfacts.extract(real / "endpoints" / "sec" / "companyfacts_CIK0001997711_LPA_ifrs_20F.json")
    assert _facts(r, "revenue", 2021)[0].value == 25596073
    assert _facts(r, "operating_profit", 2022)[0].label.startswith("ifrs-full:ProfitLossFromOperatingActivities")
    assert _facts(r, "total_assets", 2023)[0].period_start is None


def _doc(units: dict) -> bytes:
    return json.dumps({"cik": 1, "entityName": "X", "facts": {"us-gaap": {
        "Revenues": {"label": "Revenues", "units": units}}}}).encode()


def _row(start, end, val, accn, filed, fy=2014, fp="FY", form="20-F"):
    return {"start": start, "end": end, "val": val, "accn": accn, "fy": fy, "fp": fp, "form": form, "filed": filed}


def test_one_unit_never_added():
    data = _doc({"USD": [_row("2014-01-01", "2014-12-31", 100, "a-15-1", "2015-03-01")],
                 "CNY": [_row("2014-01-01", "2014-12-31", 620, "a-15-1", "2015-03-01")]})
    r = companyfacts.extract(data)
    assert [(f.value, f.currency) for f in r.facts] == [(620, "CNY")]
    r = companyfacts.extract(data, settings=companyfacts.CompanyFactsSettings(prefer_currencies=("USD",)))
    assert [(f.value, f.currency) for f in r.facts] == [(100, "USD")]


def test_period_from_start_end_not_fy_fp():
    data = _doc({"USD": [
        _row("2014-01-01", "2014-12-31", 100, "a-17-1", "2017-03-01", fy=2016),  # re-reported in a later 20-F
        _row("2014-10-01", "2014-12-31", 30, "a-15-1", "2015-03-01", fy=2014, fp="FY"),  # a quarter, labelled FY
    ]})
    r = companyfacts.extract(data)
    assert [(f.fiscal_year, f.value) for f in r.facts] == [(2014, 100)]


def test_latest_filed_wins_and_history_is_kept():
    data = _doc({"USD": [_row("2014-01-01", "2014-12-31", 120314, "a-15-1", "2015-04-28"),
                         _row("2014-01-01", "2014-12-31", 120361, "a-16-1", "2016-04-28"),
                         _row("2014-01-01", "2014-12-31", 120361, "a-17-1", "2017-04-27")]})
    r = companyfacts.extract(data)
    current = [f for f in r.facts if not f.superseded]
    history = [f for f in r.facts if f.superseded]
    assert [f.value for f in current] == [120361] and [f.value for f in history] == [120314]


@pytest.mark.parametrize("data,cause", [(b"", "zero-byte"), (b"{not json", "not JSON"), (b'{"cik": 1}', "no 'facts'")])
def test_bad_companyfacts(data, cause):
    r = companyfacts.extract(data)
    assert r.facts == [] and len(r.errors) == 1 and cause in r.errors[0].reason
