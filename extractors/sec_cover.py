"""What an SEC filing states in sentences: the cover's shares outstanding with their date (every
class added), the ADS ratio (ordinary shares per ADS) and the staff count ("we had N
employees"). The statements' tables: extractors.sec_tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december")


DATE = rf"(?:{_MONTHS})\s+\d{{1,2}}\s*,\s*\d{{4}}"


@dataclass(frozen=True)
class CoverShares:
    shares: float  # every class added
    as_of: str | None  # ISO date the cover gives, None when it gives none
    raw: str  # the cover's sentence as printed


def iso_date(date_text: str) -> str:
    from datetime import datetime

    clean = re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ", ", date_text.strip()))
    return datetime.strptime(clean.title(), "%B %d, %Y").date().isoformat()


def cover_shares_of(text: str) -> tuple[CoverShares | None, str | None]:
    """Shares outstanding on the cover and the cover's date, or (None, why)."""
    m = re.search(r"indicate\s+the\s+number\s+of\s+outstanding\s+shares(.{0,900}?)(?:indicate\s+by\s+check|$)", text,
                  re.I | re.S)
    sentence = None
    if m:
        sentence = m.group(1)
    else:
        for pat in (rf"as\s+of\s+{DATE}\s*,?\s+there\s+were\s+(?:outstanding\s+)?[\d,]+\s+shares.{{0,300}}?\.(?:\s|$)",
                    rf"number\s+of\s+shares\s+outstanding\s+of\s+the\s+registrant.{{0,300}}?\.(?:\s|$)",
                    r"number\s+of\s+(?:common|ordinary)\s+shares\s+outstanding\s*:?\s*[\d,]+"):
            m = re.search(pat, text, re.I | re.S)
            if m:
                sentence = m.group(0)
                break
    if sentence is None:
        return None, "no shares-outstanding statement on the cover"
    clean = re.sub(r"\((?:including|excluding)[^)]*\)", " ", sentence)
    counts = re.findall(r"(\d{1,3}(?:,\d{3})+|\d{4,})\s+(?:shares\s+of\s+)?(?:class\s+[a-z]\s+)?"
                        r"(?:ordinary|common)?\s*shares?", clean, re.I)
    counts += re.findall(r"(?:common|ordinary)\s+shares\s+outstanding\s*:?\s*(\d{1,3}(?:,\d{3})+)", clean, re.I)
    if not counts:
        counts = re.findall(r"there\s+were\s+(?:outstanding\s+)?(\d{1,3}(?:,\d{3})+)", clean, re.I)
    if not counts:
        return None, f"cover shares statement without a share count: {sentence.strip()[:160]!r}"
    dates = re.findall(DATE, sentence, re.I)
    as_of = iso_date(dates[-1]) if dates else None
    total = float(sum(int(c.replace(",", "")) for c in counts))
    return CoverShares(total, as_of, " ".join(sentence.split())[:400]), None


_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "ten": 10,
                "twenty": 20, "one-half": 0.5, "one-fourth": 0.25, "one-quarter": 0.25, "one-tenth": 0.1}


_COUNT = r"(\d+(?:\.\d+)?|one-half|one-fourth|one-quarter|one-tenth|one|two|three|four|five|six|eight|ten|twenty)"


def _count(tok: str) -> float:
    tok = tok.lower()
    return float(_COUNT_WORDS[tok]) if tok in _COUNT_WORDS else float(tok)


def ads_ratio_of(text: str) -> tuple[float | None, str | None]:
    """Ordinary shares per ADS from the sentence that states it: "each ADS represents two Class A
    ordinary shares", "ADSs, each representing one-tenth of one ordinary share", "three ADSs
    represent two ordinary shares" (shares / ADSs)."""
    ads = r"(?:ads|american\s+depositary\s+shares?)s?"
    shares = r"(?:\(\d+\)\s+)?(?:of\s+(?:one|an?)\s+)?(?:class\s+[a-z]\s+)?(?:ordinary|common)\s+shares?"
    m = re.search(rf"(?:each|one)\s+{ads}\s*(?:\([^)]*\)\s*)?,?\s*(?:represents?|representing)\s+{_COUNT}\s+{shares}",
                  text, re.I)
    if not m:
        m = re.search(rf"{ads},?\s+each\s+representing\s+{_COUNT}\s+{shares}", text, re.I)
    if m:
        return _count(m.group(1)), m.group(0)
    m = re.search(rf"\b{_COUNT}\s+{ads}\s+(?:represents?|representing)\s+{_COUNT}\s+{shares}", text, re.I)
    if m:
        return _count(m.group(2)) / _count(m.group(1)), m.group(0)
    return None, None


def employees_sentence(text: str) -> tuple[int | None, str | None]:
    m = re.search(r"(?:we|the\s+company|the\s+group|the\s+partnership)\s+(?:had|employed|have)\s+(?:a\s+total\s+of\s+)?"
                  r"(\d{1,3}(?:,\d{3})+|\d+)\s+(?:full[-\s]time\s+)?employees", text, re.I)
    if not m:
        return None, None
    return int(m.group(1).replace(",", "")), m.group(0)
