"""``top100 extract <file> [--json] [--type DOC_TYPE]``: the facts of one document, read by
``extractors.read`` (the same registry of readers as the extract stage).

Starts fast: only the extractors and the shared vocabulary are imported (no orchestration,
validation, warehouse or dataframe libraries).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FIELDS = ("metric", "fiscal_year", "value", "currency", "page", "label", "raw", "unit")


def build_parser() -> argparse.ArgumentParser:
    from top100.vocab import DocType

    p = argparse.ArgumentParser(prog="top100 extract", description="Print the facts of one document "
                                "(annual report PDF, prospectus, companyfacts JSON or declaration form xlsx).")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="a JSON list of facts (with their provenance)")
    p.add_argument("--type", dest="doc_type", choices=[d.value for d in DocType], default=None,
                   help="document type (default: told from the file's content)")
    p.add_argument("--company", default=None, help="company id to put on the facts")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from extractors import read

    result = read(args.doc_type, args.file, company_id=args.company)
    if args.json:
        rows = [{k: f.to_dict()[k] for k in FIELDS} | f.to_dict() | _readings(f) for f in result.facts]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for f in result.facts:
            page = f"p{f.page}" if f.page else "-"
            readings = "CONFLICT" if f.conflict else f"read {1 + len(f.corroborations)}x"
            sys.stdout.write(f"{f.metric:<24} {f.fiscal_year} {f.value:>22,.2f} {f.currency:<3} {page:<5} "
                             f"{f.label} [{f.raw} {f.unit}] {readings}\n")
    for e in result.errors:
        where = ", ".join(x for x in (e.document, f"page {e.page}" if e.page else None, e.cell) if x)
        sys.stderr.write(f"error: {where}: {e.reason}\n")
    if not result.facts and not result.errors:  # never an empty result with exit 0
        sys.stderr.write(f"error: {args.file.name}: no figure could be read from this document\n")
    return 3 if not result.facts else 0  # 3: the input could not be used (flows.cli)


def _readings(fact) -> dict:
    """Where else the document prints the figure, and whether the readings agree (Fact fields)."""
    return {"corroborations": fact.corroborations, "conflict": fact.conflict, "single_source": fact.single_source}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
