"""Both demo years in one out folder and one warehouse (issue 15, item 5): FY2013 (the 2014
list) then FY2014 (the 2015 list), each against its own generated world, valued on its own date,
each with its own known answers; the 2015 report's statements about last year's list come from
the warehouse's FY2013 and match what the seed says. (The demo backfill's years and worlds:
tests/flows/test_backfill.py.)"""

from __future__ import annotations

import json

import lxml.html
import pytest
import sqlalchemy as sa

from known_answers import check_known_answers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("two-years")]

# what the 2015 report says about the previous list (the seed, section 二)
SEED_LAST_YEAR = {"previous_list_total": 3980e8, "growth_vs_previous_list": 5735 / 3980 - 1,
                  "previous_province_count": 8, "previous_central_western_count": 1, "previous_province_hunan": 1,
                  "previous_traffic_top5_share": 0.74, "previous_traffic_top20_share": 0.95}
SEED_NEW = ("上海钢联电子商务股份有限公司", "科通芯城集团", "上海陆家嘴国际金融资产交易市场股份有限公司",
            "人人贷商务顾问(北京)有限公司", "四川省艾普网络股份有限公司", "黑龙江龙采科技集团有限责任公司")


def _engine(run):
    from warehouse.engine import connect

    return connect(run.env["TOP100_WAREHOUSE_URL"], read_only=True)


def _world(run) -> dict:
    return json.loads((run.world / "world.json").read_text("utf-8"))


def _table(page, table_id: str) -> list[list[str]]:
    return [[td.text_content().strip() for td in tr.xpath("./td")]
            for tr in page.xpath(f'//table[@id="{table_id}"]/tbody/tr')]


def test_fy2013_reproduces_its_list_and_finds_exactly_its_planted_defects(two_year_run):
    fy13, _ = two_year_run
    figures = check_known_answers(fy13)
    assert set(figures["name"]) == {"total_internet_revenue", "province_count", "central_western_count",
                                    "province_hunan", "traffic_top5_share", "traffic_top20_share"}
    assert figures["within_tolerance"].astype(bool).all()


def test_fy2014_keeps_its_known_answers_with_fy2013_in_the_warehouse(two_year_run):
    fy13, fy14 = two_year_run
    check_known_answers(fy14, last_year=True)
    # FY2013's figures are FY2014's prior-year columns: growth against the warehouse's FY2013
    # finds nothing restated and nothing inconsistent
    lines = (fy14.year_dir / "growth_findings.csv").read_text("utf-8").splitlines()
    assert lines[0].startswith("company_id,") and lines[1:] == []
    from warehouse import reads

    engine = _engine(fy14)
    try:
        assert reads.years(engine) == [2013, 2014]
        loads = {y: reads.year_load(engine, y) for y in (2013, 2014)}
    finally:
        engine.dispose()
    assert all(loads.values()) and loads[2013]["run_id"] != loads[2014]["run_id"]


def test_the_2015_reports_last_year_statements_come_from_the_warehouses_2013(two_year_run):
    fy13, fy14 = two_year_run
    from warehouse import reads

    engine = _engine(fy14)
    try:
        figures = reads.report_figures(engine, 2014).set_index("name")
        ranking13 = reads.ranking(engine, 2013)
        wide13 = reads.metrics_wide(engine, 2013).set_index("company_id").loc[ranking13["company_id"]]
    finally:
        engine.dispose()
    for name, stated in SEED_LAST_YEAR.items():  # reproduced, not n/a, and what the seed says
        row = figures.loc[name]
        assert bool(row["within_tolerance"]) is True, (name, row.to_dict())
        assert row["value"] == pytest.approx(stated, rel=0.005, abs=0.001), name
    # ... computed from the warehouse's FY2013 list, not from the year file's stated total
    assert figures.loc["previous_list_total", "value"] == pytest.approx(wide13["internet_revenue"].sum(), rel=1e-12)
    assert figures.loc["previous_province_count", "value"] == wide13["province"].nunique() == 8
    assert figures.loc["growth_vs_previous_list", "value"] == pytest.approx(
        figures.loc["total_internet_revenue", "value"] / wide13["internet_revenue"].sum() - 1, rel=1e-12)

    # entrants, leavers and rank moves by company, against both worlds' lists
    w13, w14 = _world(fy13), _world(fy14)
    rank13 = {c["company_id"]: c["published_rank"] for c in w13["companies"] if c["published_rank"]}
    rank14 = {c["company_id"]: c["published_rank"] for c in w14["companies"] if c["published_rank"]}
    page = lxml.html.fromstring((fy14.year_dir / "report" / "index.html").read_text("utf-8"))
    entrants = {r[1]: (int(r[0]), r[2]) for r in _table(page, "entrants")}
    leavers = {r[1]: int(r[0]) for r in _table(page, "leavers")}
    moves = {r[3]: (int(r[0]), int(r[1]), int(r[2])) for r in _table(page, "rank-moves")}
    assert set(entrants) == set(rank14) - set(rank13) == set(w13["entrants"])
    assert {cid: rank for cid, (rank, _) in entrants.items()} == {c: rank14[c] for c in entrants}
    assert set(SEED_NEW) <= {name for _, name in entrants.values()}  # the companies the seed names as new
    assert leavers == {c: rank13[c] for c in set(rank13) - set(rank14)} and set(leavers) == set(w13["leavers"])
    assert moves == {c: (rank14[c], rank13[c], rank13[c] - rank14[c]) for c in set(rank13) & set(rank14)}
    assert len(entrants) == len(leavers) and len(entrants) + len(moves) == 100


def test_each_year_is_valued_on_its_own_date_against_its_own_world(two_year_run):
    from top100.year import load_year

    fy13, fy14 = two_year_run
    engine = _engine(fy14)
    try:
        with engine.connect() as conn:
            dates = dict(conn.execute(sa.text(
                "SELECT year, MIN(requested_date) || ' ' || MAX(requested_date) FROM staging.market_quote "
                "GROUP BY year ORDER BY year")).all())
            latest = dict(conn.execute(sa.text(
                "SELECT year, MAX(date) FROM staging.market_quote GROUP BY year")).all())
    finally:
        engine.dispose()
    for run in (fy13, fy14):
        day = load_year(run.year).valuation_date.isoformat()
        assert dates[run.year] == f"{day} {day}" and latest[run.year] <= day
        w = _world(run)
        assert (w["fiscal_year"], w["market_value_date"]) == (run.year, day)
    assert fy13.world != fy14.world and fy13.world.parent == fy14.world.parent  # out/demo-world/<year>
    caches = sorted(p.name for p in (fy14.out / "httpcache").iterdir())
    assert [c.split("-")[1] for c in caches] == ["2013", "2014"]  # one HTTP cache per world
