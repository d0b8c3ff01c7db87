"""Fault injection in the mirror (issue 10): the decisions, and what a client meets on the wire."""

from __future__ import annotations

from pydantic import SecretStr
import io
import json
import math
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from reportlab.pdfgen import canvas

from mirror.faults import FaultInjector, rename_field, truncate_body
from mirror.faults_profile import ANSWERING, FaultKind, FaultProfile, load_profile, request_key, resolve_permanent
from mirror.server import make_app, make_faulty_app, running

SH = ZoneInfo("Asia/Shanghai")
QUERY = "/new/hisAnnouncement/query"
FACTS = "/api/xbrl/companyfacts/CIK0001329099.json"
KLINE = "/api/qt/stock/kline/get"
TRANSIENT = [k for k in FaultKind if k is not FaultKind.HTTP_404]


def _pdf(text: str, pages: int = 3) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 720, f"{text} page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _ann(code: str, org: str, aid: str, title: str, day: str) -> dict:
    ms = int(datetime.fromisoformat(day).replace(tzinfo=SH).timestamp() * 1000)
    return {"id": None, "secCode": code, "secName": None, "orgId": org, "announcementId": aid,
            "announcementTitle": title, "announcementTime": ms, "adjunctUrl": f"finalpage/{day}/{aid}.PDF",
            "adjunctSize": 100, "adjunctType": "PDF", "columnId": "", "pageColumn": "SZZB"}


def _put(root: Path, rel: str, data: bytes | object) -> None:
    p = root / "sources" / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8"))


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory) -> Path:
    """A tiny world in the layout of docs/CONTRACTS.md."""
    root = tmp_path_factory.mktemp("faults-world")
    anns = [
        _ann("300002", "gssz0300002", "2000001", "乙公司2014年年度报告", "2015-04-20"),
        _ann("300002", "gssz0300002", "2000002", "乙公司2014年年度报告摘要", "2015-04-20"),
        _ann("600001", "9900001234", "1000001", "甲公司2014年年度报告", "2015-03-20"),
        _ann("600001", "9900001234", "1000002", "甲公司2014年年度报告摘要", "2015-03-20"),
        _ann("600001", "9900001234", "1000005", "甲公司2014年年度报告（修订版）", "2015-04-10"),
    ]
    _put(root, "cninfo/szse_stock.json", {"stockList": [
        {"orgId": "9900001234", "category": "A股", "code": "600001", "pinyin": "jgs", "zwjc": "甲公司"},
        {"orgId": "gssz0300002", "category": "A股", "code": "300002", "pinyin": "ygs", "zwjc": "乙公司"}]})
    _put(root, "cninfo/announcements.json", anns)
    for a in anns:
        _put(root, "cninfo_static/" + a["adjunctUrl"], _pdf(a["announcementTitle"]))
    _put(root, "sec/companyfacts/CIK0001329099.json", {"cik": 1329099, "entityName": "Baidu", "facts": {
        "us-gaap": {"Revenues": {"label": "Revenues", "units": {"CNY": [
            {"end": "2014-12-31", "val": 49052288000, "fy": 2014, "fp": "FY", "form": "20-F"}]}}}}})
    _put(root, "market/kline/1.600001.json", [f"2015-06-{d:02d},10.0,10.5,10.9,9.8,1000,10500.0,1.2"
                                              for d in range(1, 26)])
    _put(root, "market/stock/1.600001.json", {"f57": "600001", "f58": "甲公司", "f84": 1.0e9})
    return root


@pytest.fixture(scope="module")
def clean(tiny_world):
    """The fault-free mirror, for what each answer should be."""
    with running(tiny_world) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


@pytest.fixture
def serve(tiny_world):
    """Start the mirror of the tiny world under a profile; yield (client, injector)."""
    stack = []

    def start(profile: FaultProfile | str, *, timeout: float = 10) -> tuple[httpx.Client, FaultInjector]:
        app = make_faulty_app(tiny_world, profile)
        ctx = running(tiny_world, app=app)
        base = ctx.__enter__()
        client = httpx.Client(base_url=base, timeout=timeout)
        stack.append((ctx, client))
        return client, app
    yield start
    for ctx, client in reversed(stack):
        client.close()
        ctx.__exit__(None, None, None)


def query_form(code: str = "600001", org: str = "9900001234") -> dict[str, str]:
    return {"stock": f"{code},{org}", "pageNum": "1", "pageSize": "30", "tabName": "fulltext",
            "seDate": "2015-01-01~2015-12-31", "category": "category_ndbg_szsh"}


def only(kind: FaultKind, seed: int = 3, **extra) -> FaultProfile:
    return FaultProfile(name=f"only-{kind.value}", seed=seed, rates={kind: 1.0}, stall_s=0.6, **extra)


# --- decisions ------------------------------------------------------------------------------
def _kline_requests(n: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [("GET", KLINE, [("secid", f"1.{600000 + i}"), ("klt", "101"), ("beg", "20150601")]) for i in range(n)]


def test_kinds_happen_at_their_rates_and_the_seed_replays():
    profile = load_profile("transient", seed=11)
    requests = _kline_requests(4000)
    first = [profile.decide(m, p, q, 1) for m, p, q in requests]
    counts = Counter(first)
    n = len(requests)
    for kind in TRANSIENT:
        rate = profile.rates[kind]
        expected = 0 if kind is FaultKind.RATELIMIT_403 else rate * n  # 403 is SEC's alone
        assert abs(counts[kind] - expected) <= 4 * math.sqrt(rate * n) + 1, (kind, counts[kind], expected)
    sec = [("GET", f"/api/xbrl/companyfacts/CIK{i:010d}.json", []) for i in range(4000)]
    sec_403 = sum(profile.decide(m, p, q, 1) is FaultKind.RATELIMIT_403 for m, p, q in sec)
    assert abs(sec_403 - 0.03 * 4000) <= 4 * math.sqrt(0.03 * 4000)
    assert [load_profile("transient", seed=11).decide(m, p, q, 1) for m, p, q in requests] == first
    assert [load_profile("transient", seed=12).decide(m, p, q, 1) for m, p, q in requests] != first
    # the parameters' order is not part of a request's identity
    m, p, q = requests[0]
    assert profile.decide(m, p, list(reversed(q)), 1) == first[0]
    assert request_key(m, p, q) == request_key(m, p, list(reversed(q)))


def test_transient_faults_end_within_max_failures():
    profile = load_profile("transient", seed=5)
    spans = Counter()
    for m, p, q in _kline_requests(1500):
        kinds = [profile.decide(m, p, q, a) for a in range(1, 8)]
        if kinds[0] is None:
            assert set(kinds) == {None}
            continue
        k = kinds.index(None)
        assert 1 <= k <= profile.max_failures and set(kinds[:k]) == {kinds[0]} and set(kinds[k:]) == {None}
        spans[k] += 1
    assert set(spans) == {1, 2}


def test_robots_is_never_faulted():
    profile = FaultProfile(rates={FaultKind.HTTP_500: 1.0})
    assert profile.decide("GET", "/robots.txt", [], 1) is None
    assert profile.decide("GET", "/files/company_tickers.json", [], 1) is FaultKind.HTTP_500


def test_permanent_pick_is_the_newest_full_annual_report(tiny_world):
    profile = load_profile("permanent")
    targets = resolve_permanent(profile, tiny_world / "sources")
    # 600001's revision supersedes its original; summaries are never picked; sorted by URL
    assert targets == {"/finalpage/2015-04-10/1000005.PDF": FaultKind.HTTP_404}
    second = FaultProfile(permanent=[{"pick": "cninfo_annual_report", "index": 1, "kind": "truncate"}])
    assert resolve_permanent(second, tiny_world / "sources") == {"/finalpage/2015-04-20/2000001.PDF": FaultKind.TRUNCATE}
    with pytest.raises(ValueError, match="index 5 but the world"):
        resolve_permanent(FaultProfile(permanent=[{"pick": "cninfo_annual_report", "index": 5}]), tiny_world / "sources")
    assert all(profile.decide("GET", path, [], a, targets) is FaultKind.HTTP_404 for path in targets for a in range(1, 20))
    with pytest.raises(ValueError, match="need the world"):
        profile.decide("GET", "/finalpage/2015-04-10/1000005.PDF", [], 1)
    assert profile.decide("GET", "/finalpage/2015-04-20/2000001.PDF", [], 1, targets) is None


def test_profiles_load_by_name_and_from_toml(tmp_path):
    assert load_profile("none").rates == {} and not load_profile("none").permanent
    assert load_profile("drift").drift[0].rename_to == "announcementList"
    assert load_profile("transient", seed=9).seed == 9
    assert (load_profile("transient:7").seed, load_profile("transient:7").rates) == (7, load_profile("transient").rates)
    toml = tmp_path / "mine.toml"
    toml.write_text('seed = 4\nmax_failures = 1\n[rates]\nhttp_503 = 0.5\n[[drift]]\npath = "/x"\n'
                    'field = "data.klines"\nrename_to = "kline"\n', encoding="utf-8")
    mine = load_profile(toml)
    assert (mine.name, mine.seed, mine.rates, mine.drift[0].field) == ("mine", 4, {FaultKind.HTTP_503: 0.5}, "data.klines")
    for text, message in [("[rates]\nhttp_999 = 0.1\n", "http_999"), ("[rates]\nhttp_500 = 0.7\nhttp_502 = 0.7\n", "add up"),
                          ("[rates]\nhttp_404 = 0.1\n", "permanent"), ("seed = [", "not valid TOML"),
                          ("[[permanent]]\nkind = \"http_404\"\n", "exactly one"),
                          ("sources = [\"cnifo\"]\n", "unknown source")]:
        bad = tmp_path / "bad.toml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            load_profile(bad)
    with pytest.raises(ValueError, match="neither a named profile"):
        load_profile("flaky")


def test_body_transformations():
    pdf = _pdf("x")
    assert pdf.rstrip().endswith(b"%%EOF") and b"%%EOF" not in truncate_body(pdf, "application/pdf")
    body = json.dumps({"announcements": [{"announcementTitle": "甲公司2014年年度报告"}] * 5}, ensure_ascii=False).encode()
    cut = truncate_body(body, "application/json")
    with pytest.raises(json.JSONDecodeError, match="Unterminated string"):
        json.loads(cut)
    data = {"a": 1, "data": {"klines": [], "z": 2}}
    assert rename_field(data, "data.klines", "kline") and list(data["data"]) == ["kline", "z"]
    assert not rename_field(data, "data.missing", "x") and not rename_field(data, "nope.klines", "x")


# --- on the wire ------------------------------------------------------------------------------
PDF_PATH = "/finalpage/2015-03-20/1000001.PDF"


def _get(client: httpx.Client, kind: str):
    if kind == "pdf":
        return client.get(PDF_PATH)
    if kind == "sec":
        return client.get(FACTS)
    return client.post(QUERY, data=query_form())


def _until_clean(client: httpx.Client, what: str, attempts: int) -> list[object]:
    """Ask ``attempts`` times; what each attempt met (a response or a transport error)."""
    seen: list[object] = []
    for _ in range(attempts):
        try:
            seen.append(_get(client, what))
        except httpx.TransportError as exc:
            seen.append(exc)
    return seen


@pytest.mark.parametrize("kind", TRANSIENT, ids=[k.value for k in TRANSIENT])
def test_each_transient_kind_on_the_wire_then_recovery(kind, serve, clean, tiny_world):
    profile = only(kind)
    client, app = serve(profile)
    targets = ["sec"] if kind is FaultKind.RATELIMIT_403 else ["pdf", "json"]
    for what in targets:
        expected = _get(clean, what)
        seen = _until_clean(client, what, profile.max_failures + 1)
        path = {"pdf": PDF_PATH, "sec": FACTS, "json": QUERY}[what]
        attempts = [e for e in app.events if e.path == path]
        faulted = [e.kind for e in attempts]
        k = faulted.index(None)  # a later attempt of the same request is served clean
        assert 1 <= k <= profile.max_failures and set(faulted[:k]) == {kind}
        last = seen[k]
        assert isinstance(last, httpx.Response) and last.status_code == 200 and last.content == expected.content
        for got in seen[:k]:
            _assert_fault(kind, what, got, expected)


def _assert_fault(kind: FaultKind, what: str, got: object, expected: httpx.Response) -> None:
    if kind in (FaultKind.RESET, FaultKind.SHORT_BODY):
        assert isinstance(got, httpx.TransportError), got  # no response, or an incomplete one
        return
    assert isinstance(got, httpx.Response), got
    status = {FaultKind.HTTP_500: 500, FaultKind.HTTP_502: 502, FaultKind.HTTP_503: 503,
              FaultKind.HTTP_429: 429, FaultKind.RATELIMIT_403: 403}.get(kind, 200)
    assert got.status_code == status
    if kind is FaultKind.HTTP_429:
        assert got.headers["retry-after"] == "1"
    if kind is FaultKind.RATELIMIT_403:
        assert "Request Rate Threshold Exceeded" in got.text
    if kind is FaultKind.BLOCK_PAGE:
        assert got.headers["content-type"].startswith("text/html") and "访问被拦截" in got.text
        assert not got.content.startswith((b"%PDF", b"{"))
    if kind is FaultKind.TRUNCATE:
        assert int(got.headers["content-length"]) == len(got.content) < len(expected.content)
        assert got.content == expected.content[: len(got.content)]
        if what == "pdf":
            assert got.content.startswith(b"%PDF-") and b"%%EOF" not in got.content
        else:
            with pytest.raises(json.JSONDecodeError):
                json.loads(got.content)
    if kind is FaultKind.WRONG_TYPE:
        assert got.content == expected.content
        assert got.headers["content-type"].split(";")[0] != expected.headers["content-type"].split(";")[0]
    if kind is FaultKind.STALL:
        assert got.content == expected.content
        assert got.elapsed.total_seconds() >= 0.55  # stall_s 0.6, shorter than the client's timeout


def test_a_stall_longer_than_the_client_timeout_is_a_read_timeout(serve):
    client, _ = serve(only(FaultKind.STALL), timeout=0.3)
    with pytest.raises(httpx.ReadTimeout):
        client.get(PDF_PATH)


def _kline_params(i: int) -> dict[str, str]:
    """Distinct kline requests (the end date differs)."""
    end = date(2015, 6, 1) + timedelta(days=i)
    return {"secid": "1.600001", "klt": "101", "fqt": "0", "beg": "20150601", "end": end.strftime("%Y%m%d")}


def _twice_each(client: httpx.Client, n: int) -> list[object]:
    """A first attempt and one retry of n requests; what each met."""
    out: list[object] = []
    for i in range(n):
        for _ in range(2):
            try:
                out.append(client.get(KLINE, params=_kline_params(i)).status_code)
            except httpx.TransportError:
                out.append("no complete response")
    return out


def test_injected_answers_follow_the_profile_and_enter_the_request_log(serve):
    profile = FaultProfile(name="mixed", seed=21, rates={k: 0.07 for k in TRANSIENT if k is not FaultKind.STALL})
    client, app = serve(profile)
    outcomes = _twice_each(client, 40)
    assert len(app.events) == 80 and Counter(e.attempt for e in app.events) == {1: 40, 2: 40}
    for e in app.events:  # the middleware did what the pure decision says
        params = list(httpx.URL("http://x" + e.key.split(" ", 1)[1]).params.multi_items())
        assert e.kind is profile.decide(e.method, e.path, params, e.attempt)
    assert len({e.kind for e in app.events if e.kind}) >= 4  # several kinds, not only one
    # answers the mirror never produced are in its request log with their status (0: reset)
    injected = [h for h in app.state.log if h.status in (0, 403, 429, 500, 502, 503)]
    assert len(injected) == sum(1 for e in app.events if e.kind in ANSWERING and e.kind is not FaultKind.BLOCK_PAGE)
    assert len(app.state.log) == 80
    # the same seed on a fresh mirror meets the same sequence; another seed does not
    assert _twice_each(serve(profile)[0], 40) == outcomes
    assert _twice_each(serve(profile.model_copy(update={"seed": 22}))[0], 40) != outcomes


def test_permanent_document_always_fails_and_nothing_else(serve, clean, tiny_world):
    client, app = serve("permanent")
    (target,) = app.permanent
    assert [client.get(target).status_code for _ in range(6)] == [404] * 6
    for path in ("/finalpage/2015-04-20/2000001.PDF", PDF_PATH):
        assert client.get(path).content == clean.get(path).content
    assert client.post(QUERY, data=query_form()).content == clean.post(QUERY, data=query_form()).content
    truncated, _ = serve(FaultProfile(permanent=[{"path": PDF_PATH, "kind": "truncate"}]))
    bodies = [truncated.get(PDF_PATH).content for _ in range(4)]
    assert all(b.startswith(b"%PDF-") and b"%%EOF" not in b for b in bodies)


def test_drift_renames_the_field_and_only_that(serve, clean):
    client, _ = serve("drift")
    for form in (query_form(), query_form("999999", "nobody")):  # rows, and `announcements: null`
        want = clean.post(QUERY, data=form).json()
        for _ in range(3):  # on every attempt: drift is not transient
            got = client.post(QUERY, data=form).json()
            assert "announcements" not in got and got["announcementList"] == want["announcements"]
            assert list(got) == ["announcementList" if k == "announcements" else k for k in want]
            assert {k: v for k, v in got.items() if k != "announcementList"} == \
                   {k: v for k, v in want.items() if k != "announcements"}
    kline = {"secid": "1.600001", "klt": "101", "fqt": "0", "beg": "20150601", "end": "20150630"}
    assert client.get(KLINE, params=kline).content == clean.get(KLINE, params=kline).content
    assert client.get(PDF_PATH).content == clean.get(PDF_PATH).content


def test_none_profile_changes_nothing(serve, clean):
    client, app = serve("none")
    assert client.get(PDF_PATH).content == clean.get(PDF_PATH).content
    assert client.post(QUERY, data=query_form()).content == clean.post(QUERY, data=query_form()).content
    assert all(e.kind is None for e in app.events) and len(app.events) == 2


def test_injector_accepts_a_profile_name_around_make_app(tiny_world):
    app = FaultInjector(make_app(tiny_world), "permanent")
    assert list(app.permanent) == ["/finalpage/2015-04-10/1000005.PDF"] and app.state.world is not None
    with running(tiny_world, app=app) as base:
        assert httpx.get(base + "/robots.txt").status_code == 200
        assert httpx.get(base + "/finalpage/2015-04-10/1000005.PDF").status_code == 404


def test_profiles_resolve_on_the_generated_world(world):
    """The named profiles against mirror.generate's world (the session fixture of conftest.py)."""
    app = FaultInjector(make_app(world), "permanent")
    (path,) = app.permanent
    rows = json.loads((world / "sources" / "cninfo" / "announcements.json").read_text("utf-8"))
    (row,) = [r for r in rows if "/" + r["adjunctUrl"].lstrip("/") == path]
    assert "年度报告" in row["announcementTitle"] and "摘要" not in row["announcementTitle"]
    assert (world / "sources" / "cninfo_static" / path.lstrip("/")).is_file()
    with running(world, app=FaultInjector(make_app(world), "drift")) as base:
        code = row["secCode"]
        org = json.loads((world / "sources" / "cninfo" / "szse_stock.json").read_text("utf-8"))
        org = next(s["orgId"] for s in org["stockList"] if s["code"] == code)
        got = httpx.post(base + QUERY, data=query_form(code, org)).json()
        assert "announcements" not in got and got["announcementList"]


# --- one crawl ------------------------------------------------------------------------------
def _crawl_cninfo(tiny_world: Path, out: Path, profile: FaultProfile) -> tuple[dict, list[dict], FaultInjector]:
    from spiders import runner
    from spiders.output import part_dir
    from top100.config import Settings, Sources
    from top100.paths import YearPaths

    candidates = out / "candidates.json"
    out.mkdir(parents=True)
    candidates.write_text(json.dumps([
        {"company_id": "C001", "legal_name": "甲公司", "exchange": "SSE", "ticker": "600001", "ads_ratio": None, "cik": None},
        {"company_id": "C002", "legal_name": "乙公司", "exchange": "SZSE", "ticker": "300002", "ads_ratio": None, "cik": None},
    ], ensure_ascii=False), encoding="utf-8")
    app = make_faulty_app(tiny_world, profile)
    with running(tiny_world, app=app) as base:
        settings = Settings(out_dir=out, inbox_dir=out / "inbox", sources=Sources(**{n: base for n in Sources.model_fields}))
        settings = settings.model_copy(update={"crawl": settings.crawl.model_copy(
            update={"contact": SecretStr("test@example.invalid"), "rate_limits": {"default": 50.0}})})
        paths = YearPaths(out, 2014)
        result = runner.crawl(settings, paths, "cninfo", candidates, timeout=60,
                              scrapy_overrides={"TOP100_BACKOFF_BASE": 0.2})
        rows = [json.loads(line) for line in (part_dir(paths, "cninfo") / "documents.jsonl").read_text("utf-8").splitlines()]
    return result, rows, app


def test_cninfo_spider_collects_the_same_documents_under_transient_faults(tiny_world, tmp_path):
    # the transient profile with every kind at 10%, so that a handful of requests meets several
    # kinds; wrong_type included: the spider records the type the bytes show, not the header
    kinds = [k for k in TRANSIENT if k is not FaultKind.RATELIMIT_403]
    faulty = load_profile("transient", seed=7).model_copy(update={"rates": {k: 0.1 for k in kinds}})
    clean_result, clean_rows, _ = _crawl_cninfo(tiny_world, tmp_path / "clean", load_profile("none"))
    result, rows, app = _crawl_cninfo(tiny_world, tmp_path / "faulty", faulty)
    assert clean_result["returncode"] == result["returncode"] == 0
    assert (clean_result["errors"], result["errors"]) == (0, 0)

    def comparable(rs: list[dict]) -> list[dict]:
        return sorted(({**r, "url": httpx.URL(r["url"]).path, "fetched_at": None} for r in rs),
                      key=lambda r: (r["company_id"], r["url"]))
    assert len(clean_rows) == 2 and comparable(rows) == comparable(clean_rows)
    assert len({e.kind for e in app.events if e.kind}) >= 3  # the run did meet faults
    assert {r["content_type"] for r in rows} == {"application/pdf"}


def test_wrong_content_type_on_every_document_still_records_the_bytes_type(tiny_world, tmp_path):
    faulty = load_profile("transient", seed=3).model_copy(update={
        "rates": {FaultKind.WRONG_TYPE: 1.0}, "max_failures": 10, "sources": ["cninfo_static"]})
    result, rows, app = _crawl_cninfo(tiny_world, tmp_path / "wrong", faulty)
    assert result["returncode"] == 0 and result["errors"] == 0
    assert {e.kind for e in app.events if e.kind} == {FaultKind.WRONG_TYPE}
    assert len(rows) == 2 and {r["content_type"] for r in rows} == {"application/pdf"}


def test_schema_drift_stops_the_source_with_the_field_named(tiny_world, tmp_path):
    from spiders.output import part_dir
    from top100.paths import YearPaths

    result, rows, app = _crawl_cninfo(tiny_world, tmp_path / "drift", load_profile("drift"))
    assert rows == []  # nothing is loaded from answers of an unknown shape
    errors = [json.loads(line) for line in
              (part_dir(YearPaths(tmp_path / "drift", 2014), "cninfo") / "errors.jsonl").read_text("utf-8").splitlines()]
    assert sorted(e["company_id"] for e in errors) == ["C001", "C002"]  # every company it leaves without data
    for e in errors:
        assert e["kind"] == "SchemaDrift"
        assert "response shape changed" in e["reason"] and "'announcements'" in e["reason"]
        assert "source cninfo stopped" in e["reason"] and e["url"].endswith(QUERY)
    # stopped: no query after the first drifted answers is sent again and again
    queries = [h for h in app.state.log if h.path == QUERY]
    assert 1 <= len(queries) <= 4
