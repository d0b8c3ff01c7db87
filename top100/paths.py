"""Where each stage reads and writes, under the configured output folder.

    out/
      raw/ab/ab12…            the raw store: every document once, by sha256, never rewritten
      top100.duckdb           the default warehouse
      <year>/
        candidates.json       the candidates and their listings (from the declaration forms)
        collect/              documents.jsonl quotes.jsonl fx.jsonl errors.jsonl
        extract/              facts.jsonl declared.jsonl licences.jsonl traffic.jsonl
                              integrity.jsonl errors.jsonl
        verify/               companies.jsonl metrics.jsonl findings.jsonl errors.jsonl
        data_docs/            Great Expectations Data Docs (opens from disk)
        audit/                index.html, one page per company, findings.csv
        report/               index.html, report.pdf, charts
        ranking.csv
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class YearPaths:
    out_dir: Path
    year: int

    @property
    def raw_store(self) -> Path:
        return self.out_dir / "raw"

    @property
    def root(self) -> Path:
        return self.out_dir / str(self.year)

    @property
    def candidates(self) -> Path:
        return self.root / "candidates.json"

    # collect
    @property
    def collect(self) -> Path:
        return self.root / "collect"

    @property
    def documents(self) -> Path:
        return self.collect / "documents.jsonl"

    @property
    def quotes(self) -> Path:
        return self.collect / "quotes.jsonl"

    @property
    def fx(self) -> Path:
        return self.collect / "fx.jsonl"

    @property
    def shares(self) -> Path:
        """The share counts the market values used, with their dates and sources (issue 17)."""
        return self.collect / "shares.jsonl"

    @property
    def collect_errors(self) -> Path:
        return self.collect / "errors.jsonl"

    # extract
    @property
    def extract(self) -> Path:
        return self.root / "extract"

    @property
    def facts(self) -> Path:
        return self.extract / "facts.jsonl"

    @property
    def declared(self) -> Path:
        return self.extract / "declared.jsonl"

    @property
    def licences(self) -> Path:
        return self.extract / "licences.jsonl"

    @property
    def traffic(self) -> Path:
        return self.extract / "traffic.jsonl"

    @property
    def integrity(self) -> Path:
        return self.extract / "integrity.jsonl"

    @property
    def extract_errors(self) -> Path:
        return self.extract / "errors.jsonl"

    # verify
    @property
    def verify(self) -> Path:
        return self.root / "verify"

    @property
    def companies(self) -> Path:
        return self.verify / "companies.jsonl"

    @property
    def metrics(self) -> Path:
        return self.verify / "metrics.jsonl"

    @property
    def findings(self) -> Path:
        return self.verify / "findings.jsonl"

    @property
    def verify_errors(self) -> Path:
        return self.verify / "errors.jsonl"

    @property
    def data_docs(self) -> Path:
        return self.root / "data_docs"

    @property
    def audit(self) -> Path:
        return self.root / "audit"

    # score and report
    @property
    def report(self) -> Path:
        return self.root / "report"

    @property
    def ranking_csv(self) -> Path:
        return self.root / "ranking.csv"


def raw_path(raw_store: Path, sha256: str) -> Path:
    """The raw store's path for a sha256 (validated: a sha256 is never a path of anyone's)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return raw_store / sha256[:2] / sha256
