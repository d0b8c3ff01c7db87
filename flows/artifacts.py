"""What each stage shows in the Prefect UI: a markdown summary and a table.

Every stage calls `publish(stage, year, counts, rows)`: the markdown artifact lists the counts
(and the failures, if any), the table artifact lists the stage's rows of interest (errors and
findings with company, document and cause; rows loaded per table; the ranking). Keys are
`<stage>-<year>` (and `<stage>-<year>-table`), so the UI keeps the history of each per year.
Company-supplied text is escaped for markdown: the UI renders it.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

MAX_ROWS = 500  # the UI pages a table; a year's errors fit, a runaway stage does not flood it

log = logging.getLogger(__name__)


def _md_escape(value: Any) -> str:
    text = str(value).replace("\n", " ")
    for ch in "\\`*_{}[]<>()#+-!|":
        text = text.replace(ch, "\\" + ch)
    return text


def markdown(stage: str, year: int, counts: dict[str, Any], failures: list[str]) -> str:
    lines = [f"# {stage}: fiscal year {year}", "", "| figure | value |", "|---|---|"]
    for key, value in counts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        lines.append(f"| {_md_escape(key)} | {_md_escape(value)} |")
    if failures:
        lines += ["", f"## Failures ({len(failures)})", ""]
        lines += [f"- {_md_escape(f)}" for f in failures[:MAX_ROWS]]
        if len(failures) > MAX_ROWS:
            lines.append(f"- … and {len(failures) - MAX_ROWS} more (see the stage's errors file)")
    return "\n".join(lines)


def table_rows(rows: Iterable[dict], columns: tuple[str, ...]) -> list[dict]:
    out = []
    for row in rows:
        if len(out) >= MAX_ROWS:
            break
        out.append({c: ("" if row.get(c) is None else str(row.get(c))) for c in columns})
    return out


def publish(stage: str, year: int, counts: dict[str, Any], rows: Iterable[dict] = (),
            columns: tuple[str, ...] = ("company_id", "document", "kind", "reason"),
            failures: list[str] | None = None) -> None:
    """Both artifacts of a stage. Failing to publish is logged, never fails the stage: the
    stage's files are the record; the artifacts only show it."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    key = f"{stage}-{year}"
    try:
        create_markdown_artifact(markdown=markdown(stage, year, counts, failures or []), key=key,
                                 description=f"{stage} summary, fiscal year {year}")
        create_table_artifact(table=table_rows(rows, columns) or [{c: "" for c in columns}], key=f"{key}-table",
                              description=f"{stage}: {', '.join(columns)} (first {MAX_ROWS} rows)")
    except Exception as exc:  # no API reachable, or an API error: the run goes on
        log.warning("could not publish the %s artifacts: %s", stage, exc)


def error_lines(rows: Iterable[dict]) -> list[str]:
    """'company / document: kind: reason' for the markdown failures list."""
    return [f"{r.get('company_id') or '-'} / {r.get('document') or r.get('url') or '-'}: "
            f"{r.get('kind')}: {r.get('reason')}" for r in rows]
