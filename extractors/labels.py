"""Row labels as printed -> a comparable key, and the names each metric goes by.

Labels wrap, carry numbering (``三、``, ``其中：``), remarks (``（亏损以“－”号填列）``), units
(``（元）``) and come in simplified or traditional characters or English. ``key()`` strips all of
that so that a label is compared whole (``营业收入`` never matches ``营业总收入``).
"""

from __future__ import annotations

import re
import unicodedata

# Traditional -> simplified for the characters of the labels and headers we read (HK reports
# in Chinese, Taiwan-style filings). A table, not a guess: unknown characters stay as they are.
_T2S = str.maketrans(
    "營業歸屬於東淨潤資產總額員數計費發職單幣種萬億併報團會財務標餘稅項調後個們額區門際權與經"
    "證實應當損虧團為倉廣貨幹現開關內輕銷從購邊獲聯縣覽紀錄錢債務準則隨變動雜總價產產寫據們僱盈虧"
    "間綜擁純註負約兩類際銀當億頁",
    "营业归属于东净润资产总额员数计费发职单币种万亿并报团会财务标余税项调后个们额区门际权与经"
    "证实应当损亏团为仓广货干现开关内轻销从购边获联县览纪录钱债务准则随变动杂总价产产写据们雇盈亏"
    "间综拥纯注负约两类际银当亿页",
)

_PREFIX = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|[①②③④⑤⑥⑦⑧⑨])?"
    r"(?:其中[:：]|加[:：]|减[:：]|包括[:：])?"
)
_REMARK = re.compile(r"[（(][^（()）]*[)）]")


def simplify(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_T2S)


def key(label: str) -> str:
    """The comparable form of a label: no spaces, no numbering, no remarks or units, lower case."""
    s = re.sub(r"\s+", "", simplify(label))
    s = s.replace("’", "'")
    prev = None
    while prev != s:  # remarks may nest after numbering: 三、营业利润（亏损以“－”号填列）
        prev = s
        s = _PREFIX.sub("", s)
        s = _REMARK.sub("", s)
    s = re.sub(r"(?:附注)?[一二三四五六七八九十]+[、.．]\d+(?:[（(]\d+[)）])?$", "", s)  # a note reference: 七、65
    s = re.sub(r"[（(][^（()）]*$", "", s) if re.search(r"[（(][^（()）]*$", s) and not s.startswith(("(", "（")) else s
    # a remark left open: its end wrapped onto the next page (五、净利润（净亏损以“－”号填)
    s = s.rstrip(":：")
    return s.lower()


def unit_in_label(label: str) -> str | None:
    """A money or count unit printed inside a label: 营业收入（元）, 在职员工的数量合计（人）."""
    m = re.search(r"[（(](元|千元|万元|百万元|亿元|人|人民币元|人民币千元|人民币万元)[)）]", simplify(label))
    return m.group(1) if m else None


# Names by which each metric's row is printed (keys as produced by key()).
CN_MAIN = {
    "revenue": ("营业收入", "营业总收入"),  # in this order: 营业总收入 only where 营业收入 is not printed
    "net_profit_attributable": {"归属于上市公司股东的净利润", "归属于母公司股东的净利润", "归属于本公司股东的净利润",
                                "归属于本行股东的净利润"},
    "total_assets": {"总资产", "资产总额", "资产总计"},
    # printed by some main tables (and by the BSE template's): read as corroborations of the statement
    "operating_profit": {"营业利润"},
    "profit_before_tax": {"利润总额"},
    "net_profit": {"净利润"},
    # where a report breaks out its internet business (the evaluation's revenue scale)
    "internet_revenue": {"互联网业务收入", "互联网收入", "互联网业务营业收入", "其中：互联网业务收入"},
}
CN_INCOME = {
    "revenue": {"营业收入"},
    "operating_cost": {"营业成本"},
    "operating_profit": {"营业利润"},
    "profit_before_tax": {"利润总额"},
    "net_profit": {"净利润"},
    "net_profit_attributable": {"归属于母公司所有者的净利润", "归属于母公司股东的净利润"},
    "rd_expense": {"研发费用"},
}
# the parts of the accounting identities (extractors.corroborate), read from the statements
CN_INCOME_PARTS = {
    "_total_operating_revenue": {"营业总收入"},
    "_non_operating_income": {"营业外收入"},
    "_non_operating_expense": {"营业外支出"},
    "_minority_interest": {"少数股东损益"},
}
CN_BALANCE = {
    "total_assets": {"资产总计", "资产合计"},
    "_total_liabilities": {"负债合计"},
    "_total_equity": {"所有者权益合计", "股东权益合计", "所有者权益或股东权益合计"},
}
# R&D as expensed (rd_expense) printed outside the income statement: the MD&A's expense table
# or the 研究与开发费用 note; 本期费用化研发支出 is the expensed part of the R&D spending
CN_RD_EXPENSE_MDNA = {"研发费用", "研究与开发费用", "研究开发费用", "本期费用化研发支出", "费用化研发支出"}
CN_EMPLOYEES = {"在职员工的数量合计", "报告期末在职员工的数量合计", "在职员工数量合计", "员工总计", "在职员工总计"}
# MD&A amounts used when the income statement has no 研发费用 line, best first
CN_RD_INVESTMENT = ("研发投入金额", "研发投入合计", "研发支出合计", "研发支出")
# --- English statement labels (HKFRS/IFRS and US GAAP alike) ----------------------------------
# One vocabulary for every English statement: HK annual reports (extractors.hk_statements) and
# SEC filings as filed. A label is first normalised: the words of a result ("profit", "(loss)",
# "income", "earnings", "gain" in any order, with brackets and slashes: "(Loss) profit",
# "Profit/(loss)", "Income (loss)") become PNL, "income tax(es)" becomes INCOMETAX, and
# "comprehensive income/expense/loss" becomes COMPREHENSIVE, so that each metric is one pattern
# over the structure of the label rather than a list of its spellings.

_EN_NOTE = re.compile(r"\s*\((?:note|notes)\s*[\w\s,().&-]*\)\s*$|\s*\(\d{1,2}\)\s*$|\s*[*#†]+\s*$")
_EN_PNL_WORD = r"\(?\s*(?:profits?|loss(?:es)?|income|earnings|gains?)\s*\)?"
_EN_METRICS: list[tuple[str, re.Pattern[str]]] = [
    ("_nci", re.compile(r"^(?:(?:net\s+)?PNL(?:\s+for\s+the\s+(?:year|period))?\s+attributable\s+to\s+)?"
                        r"(?:non[- ]?controlling|minority)\s+(?:interests?|shareholders)$")),
    ("net_profit_attributable", re.compile(
        r"^(?:net\s+)?PNL(?:\s+and\s+(?:total\s+)?COMPREHENSIVE)?(?:\s+for\s+the\s+(?:year|period))?\s+attributable\s+"
        r"to[\s:-]+(?!non[- ]?controlling|minority)(?:the\s+)?(?:(?:owners|(?:ordinary\s+|equity\s+)?shareholders|equity\s+holders)"
        r"(?:\s+of\s+(?:the\s+)?[a-z][\w .,&'-]*)?|[a-z][\w .,&'-]*?(?:inc|ltd|limited|plc|corp|corporation|co|group|holdings?|"
        r"company)\.?(?:'s\s+(?:ordinary\s+)?(?:shareholders|stockholders))?)[\s.,]*$")),
    # the owners' line of an attribution ('Owners of the Company', 'Shareholders of AIA Group Limited')
    ("_owners", re.compile(r"^(?:the\s+)?(?:owners|equity\s+holders|(?:ordinary\s+|equity\s+)?shareholders)\s+of\s+(?:the\s+)?"
                           r"[a-z][\w .,&'-]*$")),
    ("revenue", re.compile(r"^(?:total\s+)?(?:net\s+)?(?:revenues?|turnover|sales)(?:\s*,\s*net)?"
                           r"(?:\s+from\s+contracts?\s+with\s+customers)?$")),
    ("operating_cost", re.compile(r"^(?:total\s+)?cost\s+of\s+(?:sales|revenues?|services|goods\s+sold)$")),
    ("operating_profit", re.compile(r"^(?:(?:total\s+)?operating\s+PNL|(?:net\s+)?PNL\s+from\s+(?:operations|operating\s+activities))$")),
    ("profit_before_tax", re.compile(r"^(?:net\s+)?PNL\s+before\s+(?:(?:federal|provision\s+for)\s+)?(?:INCOMETAX|tax(?:ation|es)?)(?:\s+(?:expenses?|credit))?"
                                     r"(?:\s+from\s+continuing\s+operations)?$")),
    ("net_profit", re.compile(r"^(?:net\s+PNL(?:\s+for\s+the\s+(?:year|period))?|"
                              r"PNL(?:\s+and\s+(?:total\s+)?COMPREHENSIVE)?\s+for\s+the\s+(?:year|period))$")),
    ("total_assets", re.compile(r"^total\s+assets$")),
    ("rd_expense", re.compile(r"^(?:research\s+and\s+development|r\s*&\s*d)(?:\s+(?:expenses?|costs?|expenditures?))?$")),
    ("internet_revenue", re.compile(r"^(?:revenue\s+from\s+internet\s+business|internet\s+business\s+revenue)$")),
    ("_total_liabilities_and_equity", re.compile(
        r"^total\s+(?:liabilities\b.*\band\s+(?:\w+'?\s+)?(?:equity|deficit|deficiency)|equity\s+and\s+liabilities)$")),
    ("_total_liabilities", re.compile(r"^total\s+liabilities$")),
    ("_total_equity", re.compile(r"^(?:total\s+equity|net\s+assets)$")),
]


def en_normalise(label: str) -> str:
    """An English label in the normal form the metric patterns match (see above)."""
    s = simplify(label).replace("’", "'").replace("‘", "'").lower()
    s = re.sub(r"[–—−]", "-", s)
    s = re.sub(r"^\s*(?:less|add|of which|including)\s*:\s*", "", s)
    s = re.sub(r"^\s*[-•]\s*", "", s)
    prev = None
    while prev != s:
        prev = s
        s = _EN_NOTE.sub("", s)
    s = s.rstrip(" :")
    s = re.sub(r"\bincome\s+tax(?:es)?(?:\s+(?:expenses?|credit))?\b", "INCOMETAX", s)
    s = re.sub(r"\bcomprehensive\s+(?:\(?\s*(?:income|loss|expenses?)\s*\)?[\s/]*)+", "COMPREHENSIVE ", s)
    s = re.sub(rf"(?:{_EN_PNL_WORD}(?:\s*/\s*|\s+)?){{1,3}}", " PNL ", s)
    s = re.sub(r"\s+", " ", s).strip(" ,")
    return s.replace("PNL ,", "PNL,")


def en_metric(label: str) -> str | None:
    """The metric (or identity part, '_...') an English statement label names, or None."""
    s = en_normalise(label)
    for metric, pat in _EN_METRICS:
        if pat.match(s):
            return metric
    return None
