"""The candidate registry: the 100 companies of the published list and the synthetic pool.

The list (rank, legal name, brands) is copied from the 2015 report into ``mirror/data`` with our
annotations (business type, province, listing); the synthetic candidates have clearly fictitious
names (every one ends in ``（虚构）``) and are flagged ``synthetic``. Ids are assigned in a
seed-shuffled order so that nothing downstream can read the rank from an id.

Worlds larger than 300 candidates list one in four of the extra synthetic candidates on SZSE
(``list_synthetic``): fictitious codes from the block ``29xxxx``, which no A share uses, and
fictitious short names, drawn from their own random stream so that nothing else changes.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
LIST_FILE = DATA / "top100_2015.tsv"
REAL_FILE = DATA / "real_figures.csv"

PROVINCE_ABBR = {
    "beijing": "京", "shanghai": "沪", "guangdong": "粤", "jiangsu": "苏", "zhejiang": "浙",
    "fujian": "闽", "hunan": "湘", "heilongjiang": "黑", "sichuan": "川", "henan": "豫",
    "tianjin": "津", "hubei": "鄂", "shandong": "鲁", "anhui": "皖", "chongqing": "渝", "shaanxi": "陕",
}
LICENCE_FOR_TYPE = {"isp": "ISP", "idc_cdn": "IDC", "ecommerce": "ODP", "internet_finance": "ODP"}

# Synthetic pool: how many candidates fail each check (the rest simply score lower or fall below
# the revenue floor). Every reason is stated in world.json.
SYNTHETIC_REASONS = (
    ("licence_expired", 7), ("licence_malformed", 6), ("licence_mismatch", 6),
    ("internet_share_low", 8), ("network_outside_mainland", 3), ("business_outside_mainland", 3),
    ("integrity_disqualifying", 8), ("subsidiary_declared_separately", 5),
    ("duplicate_company", 3), ("below_floor", 40), ("anchor", 6),
)

_SYL1 = "星云岚澜曜霁珀翎琮瑾璟逸岫翊澄曦昀溯沐栖暮汐珂玥澈煦蔚闻岚骁钧铂"
_SYL2 = "桥帆澜原川谷屿渡岭泉舟阁垣湾汀峦林港坊镜弦塬渚岑崖麓"
_TAIL = ("网络科技有限公司", "信息技术有限公司", "互动娱乐有限公司", "数字科技股份有限公司",
         "电子商务有限公司", "在线科技有限公司", "网络服务有限公司")
_SHORT_TAIL = {"网络科技有限公司": "网络", "信息技术有限公司": "信息", "互动娱乐有限公司": "互娱",
               "数字科技股份有限公司": "数科", "电子商务有限公司": "电商", "在线科技有限公司": "在线",
               "网络服务有限公司": "网服"}  # one abbreviation per tail: distinct names give distinct short names

# Listed synthetic candidates (worlds of more than 300 candidates): one in four of the extra
# candidates, so that public documents grow with the candidates (see mirror.generate), on SZSE
# under codes of a block no A share uses (SZSE: 00/20/30 prefixes, SSE: 60/68/90).
LISTED_SHARE = 4  # one listed company per LISTED_SHARE candidates beyond 300
LISTED_EXCHANGE = "SZSE"
LISTED_CODE_PREFIX = "29"


@dataclass
class Company:
    company_id: str
    legal_name: str
    brands: str
    business_type: str
    province: str
    rank: int | None = None  # published rank (list companies only)
    synthetic: bool = False
    role: str = "list"  # list | lower_score | below_floor | anchor | <finding kind that excludes it>
    exchange: str | None = None
    ticker: str | None = None
    ticker_src: str | None = None
    cik: int | None = None
    cik_src: str | None = None
    ads_ratio: float | None = None
    currency: str = "CNY"
    self_op: bool = False
    ir_plan: float | None = None  # planned internet revenue, CNY (generated)
    licence_type: str = "ICP"
    licence_number: str = ""
    licence_valid_from: str = "2012-01-01"
    licence_valid_until: str = "2017-12-31"
    group_parent_id: str | None = None
    joined_group_on: str | None = None
    network_in_mainland: bool = True
    business_in_mainland: bool = True
    short_name: str | None = None  # 股票简称 of a listed synthetic candidate (list companies: sources.SHORT)
    truth: dict = field(default_factory=dict)  # metric -> value (CNY / counts), the correct figures
    provenance: dict = field(default_factory=dict)  # metric -> "real: <source>" | "generated" | "derived: …"


def read_list() -> list[dict]:
    with LIST_FILE.open(encoding="utf-8") as f:
        return list(csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t"))


def read_real() -> dict[tuple[str, str, int], tuple[float, str, str]]:
    """(ticker, metric, fiscal_year) -> (value, unit, source)."""
    with REAL_FILE.open(encoding="utf-8") as f:
        rows = csv.DictReader(ln for ln in f if not ln.startswith("#"))
        return {(r["ticker"], r["metric"], int(r["fiscal_year"])): (float(r["value"]), r["unit"], r["source"])
                for r in rows}


def _licence_number(rng: random.Random, ltype: str, province: str, used: set[str]) -> str:
    while True:
        if ltype == "ICP":
            num = f"{PROVINCE_ABBR.get(province, '京')}ICP证{rng.randint(10000, 999999):06d}号"
        else:
            prefix = "B2" if ltype == "ODP" else "B1"
            num = f"{prefix}-{rng.randint(2005, 2013)}{rng.randint(0, 9999):04d}"
        if num not in used:
            used.add(num)
            return num


def _fictitious_names(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    out = []
    while len(out) < n:
        stem = rng.choice(_SYL1) + rng.choice(_SYL2)
        name = f"{stem}{rng.choice(_TAIL)}（虚构）"
        if name not in names:
            names.add(name)
            out.append(name)
    return out


def build_registry(seed: int, candidates: int) -> list[Company]:
    """The 100 list companies and ``candidates - 100`` synthetic ones, ids shuffled by the seed."""
    if candidates < 300:
        raise ValueError(f"candidates={candidates}: the world needs at least 300 (100 list + 200 synthetic)")
    rng = random.Random(f"registry-{seed}")
    companies: list[Company] = []
    for r in read_list():
        c = Company(
            company_id="", legal_name=r["legal_name"], brands=r["brands"], business_type=r["business_type"],
            province=r["province"], rank=int(r["rank"]), exchange=r["exchange"] or None,
            ticker=r["ticker"] or None, ticker_src=r["ticker_src"] or None,
            cik=int(r["cik"]) if r["cik"] else None, cik_src=r["cik_src"] or None,
            ads_ratio=float(r["ads_ratio"]) if r["ads_ratio"] else None,
            currency=r["currency"] or "CNY", self_op=r["self_op"] == "1",
            ir_plan=float(r["ir_bn"]) * 1e9 if r["ir_bn"] else None,
        )
        companies.append(c)
    n_syn = candidates - 100
    reasons = [reason for reason, k in SYNTHETIC_REASONS for _ in range(k)]
    reasons += ["lower_score"] * (n_syn - len(reasons))
    names = _fictitious_names(rng, n_syn)
    provinces = ["beijing"] * 6 + ["shanghai"] * 4 + ["guangdong"] * 4 + [
        "jiangsu", "zhejiang", "fujian", "hunan", "tianjin", "hubei", "shandong", "anhui", "chongqing", "shaanxi"]
    types = ["online_games"] * 5 + ["vertical_portal"] * 4 + ["ecommerce"] * 3 + [
        "general_portal", "online_video", "online_video", "internet_finance", "online_education", "other"]
    for name, reason in zip(names, reasons):
        stem = name[:2]
        c = Company(company_id="", legal_name=name, brands=f"{stem}网（虚构）、{stem}App（虚构）",
                    business_type=rng.choice(types), province=rng.choice(provinces), synthetic=True, role=reason)
        companies.append(c)
    # ids: seed-shuffled; duplicates get the highest ids (the verify rule keeps the smallest id
    # as the original of a duplicated legal name)
    order = [c for c in companies if c.role != "duplicate_company"]
    rng.shuffle(order)
    order += [c for c in companies if c.role == "duplicate_company"]
    for i, c in enumerate(order, 1):
        c.company_id = f"C{i:04d}"
    used: set[str] = set()
    for c in sorted(order, key=lambda c: c.company_id):
        c.licence_type = LICENCE_FOR_TYPE.get(c.business_type, "ICP")
        c.licence_number = _licence_number(rng, c.licence_type, c.province, used)
        y = rng.randint(2010, 2013)
        c.licence_valid_from = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        c.licence_valid_until = f"{y + 5}{c.licence_valid_from[4:]}"
    companies = sorted(order, key=lambda c: c.company_id)
    list_synthetic(companies, seed, candidates)
    return companies


def listed_synthetic_count(candidates: int) -> int:
    """How many synthetic candidates are listed: one per ``LISTED_SHARE`` candidates beyond 300."""
    return max(candidates - 300, 0) // LISTED_SHARE


def list_synthetic(companies: list[Company], seed: int, candidates: int) -> list[Company]:
    """List ``listed_synthetic_count(candidates)`` of the ``lower_score`` synthetic candidates on
    SZSE (none for 300 candidates: that world stays as it was). Own random stream
    ``listed-<seed>``; returns the listed ones, in id order."""
    k = listed_synthetic_count(candidates)
    if k == 0:
        return []
    pool = sorted((c for c in companies if c.synthetic and c.role == "lower_score"), key=lambda c: c.company_id)
    block = 10 ** (6 - len(LISTED_CODE_PREFIX))
    if k > len(pool) or k > block:
        raise ValueError(f"candidates={candidates}: {k} listed synthetic candidates wanted, but only {len(pool)} "
                         f"score lower and the code block {LISTED_CODE_PREFIX}xxxx holds {block}")
    real = {r["ticker"] for r in read_list() if r["ticker"]}
    rng = random.Random(f"listed-{seed}")
    chosen = sorted(rng.sample(pool, k), key=lambda c: c.company_id)
    codes = [f"{LISTED_CODE_PREFIX}{n:0{6 - len(LISTED_CODE_PREFIX)}d}" for n in rng.sample(range(block), k)]
    clash = real.intersection(codes)
    if clash:  # cannot happen with a prefix no real A share has; guards a change of the prefix
        raise ValueError(f"fictitious codes {sorted(clash)} are real tickers of mirror/data/top100_2015.tsv")
    for c, code in zip(chosen, codes):
        tail = next(t for t in _SHORT_TAIL if c.legal_name.endswith(f"{t}（虚构）"))
        c.exchange, c.ticker, c.ticker_src = LISTED_EXCHANGE, code, "generated"
        c.short_name = f"{c.legal_name[:2]}{_SHORT_TAIL[tail]}（虚构）"
    return chosen
