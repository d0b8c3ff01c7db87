"""The year's input rows, as the collect and extract stages wrote them (top100.records gives
their shapes): what the verify stage reads, once, before any rule runs."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from top100.errors import VerificationError
from top100.jsonl import read_jsonl
from top100.paths import YearPaths
from top100.records import ErrorRow


@dataclass
class Inputs:
    """The year's input rows as dicts (see top100.records for their shapes)."""

    year: int
    market_value_date: str
    candidates: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    shares: list[dict] = field(default_factory=list)  # collect/shares.jsonl: the count each quote used
    fx: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    declared: list[dict] = field(default_factory=list)
    licences: list[dict] = field(default_factory=list)
    traffic: list[dict] = field(default_factory=list)
    integrity: list[dict] = field(default_factory=list)

    def candidates_by_id(self) -> dict[str, dict]:
        return {c["company_id"]: c for c in self.candidates if c.get("company_id")}

    def facts_by_company(self, errors: list[ErrorRow]) -> dict[str, list[dict]]:
        """The extracted facts of each company; a fact that names none is an error row."""
        by_company: dict[str, list[dict]] = defaultdict(list)
        for fact in self.facts:
            if fact.get("company_id"):
                by_company[fact["company_id"]].append(fact)
            else:
                errors.append(ErrorRow("verify", "ExtractionError", "fact without a company",
                                       document=fact.get("document_sha256"), page=fact.get("page")))
        return by_company


def load_inputs(paths: YearPaths, market_value_date: str) -> Inputs:
    candidates: list[dict] = []
    if paths.candidates.exists():
        try:
            candidates = json.loads(paths.candidates.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise VerificationError(f"candidates file {paths.candidates} is not JSON: {exc}") from exc
    return Inputs(
        year=paths.year, market_value_date=market_value_date, candidates=candidates,
        documents=list(read_jsonl(paths.documents)), quotes=list(read_jsonl(paths.quotes)),
        shares=list(read_jsonl(paths.shares)),
        fx=list(read_jsonl(paths.fx)), facts=list(read_jsonl(paths.facts)),
        declared=list(read_jsonl(paths.declared)), licences=list(read_jsonl(paths.licences)),
        traffic=list(read_jsonl(paths.traffic)), integrity=list(read_jsonl(paths.integrity)),
    )


def as_number(value: Any) -> float | None:
    """A cell's or a row's value as a float (None for text, booleans and gaps)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
