"""Delivered files (the inbox): declaration forms and the exports that have no public API.

Each file is copied into the raw store (by sha256) with a document row. File names are
untrusted: they are kept as data (the row's url and title) and never become part of a path we
write; the company a form belongs to is read from its content later (extract stage), so
company_id stays None here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from spiders.output import merge, part_dir, write_part
from spiders.rawstore import RawStore
from spiders.runner import enabled
from top100.config import Settings
from top100.paths import YearPaths
from top100.records import DocumentRow, ErrorRow
from top100.vocab import DocType

TOP_LEVEL = {
    "listings.csv": DocType.listings.value,
    "licence_registry.csv": DocType.licence_registry.value,
    "traffic.csv": DocType.traffic.value,
    "integrity.csv": DocType.integrity.value,
}
# files the crawls read themselves (no document row): the quotes crawl's delivered alternative
READ_BY_CRAWLS = {"market_values.csv": "quotes"}
CONTENT_TYPES = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv"}


def _classify(rel: Path) -> str | None:
    if len(rel.parts) == 1:
        return TOP_LEVEL.get(rel.name)
    if len(rel.parts) == 2 and rel.parts[0] == "declarations" and rel.suffix.lower() == ".xlsx":
        return DocType.declaration_form.value
    return None


def ingest_inbox(settings: Settings, paths: YearPaths) -> list[DocumentRow]:
    """Store every inbox file and return a document row for each; files we do not know, links
    and unreadable files become error rows (collect/errors.jsonl), never silently skipped."""
    inbox = Path(settings.inbox_dir)
    store = RawStore(paths.raw_store)
    rows: list[DocumentRow] = []
    errors: list[ErrorRow] = []
    if not inbox.is_dir():
        errors.append(ErrorRow(stage="collect", kind="FileNotFoundError", document=str(inbox),
                               reason=f"the inbox folder {inbox} does not exist"))
    # a link (to a file or to a folder, which rglob does not enter) is listed too: reported, never
    # followed and never skipped silently
    files = sorted(entry for entry in inbox.rglob("*") if entry.is_symlink() or not entry.is_dir()) if inbox.is_dir() else []
    for path in files:
        rel = path.relative_to(inbox)
        if path.is_symlink():
            what = "a symbolic link to a folder: none of its files is read" if path.is_dir() \
                else "a symbolic link: not read"
            errors.append(ErrorRow(stage="collect", kind="InboxFile", document=rel.as_posix(),
                                   reason=f"{what} (deliver the files themselves)"))
            continue
        doc_type = _classify(rel)
        if doc_type is None and len(rel.parts) == 1 and rel.name in READ_BY_CRAWLS:
            continue  # read by that crawl (spiders.spiders.quotes), with its own error rows
        if doc_type is None:
            errors.append(ErrorRow(stage="collect", kind="InboxFile", document=rel.as_posix(),
                                   reason="not a file the inbox expects (declarations/*.xlsx, listings.csv, "
                                          "licence_registry.csv, traffic.csv, integrity.csv, market_values.csv)"))
            continue
        try:
            sha, size, _ = store.put_file(path)
        except OSError as exc:
            errors.append(ErrorRow(stage="collect", kind=type(exc).__name__, document=rel.as_posix(),
                                   reason=f"cannot read: {exc.strerror or exc}"))
            continue
        rows.append(DocumentRow(
            source="inbox", url=f"file://{rel.as_posix()}", company_id=None, doc_type=doc_type,
            fiscal_year=paths.year, title=rel.name, published_at=None, sha256=sha, size=size,
            fetched_at=datetime.now(timezone.utc).isoformat(),
            content_type=CONTENT_TYPES.get(path.suffix.lower()),
        ))
    part_dir(paths, "inbox").mkdir(parents=True, exist_ok=True)
    write_part(paths, "inbox", {"documents": rows, "errors": errors},
               {"spider": "inbox", "documents": len(rows), "errors": len(errors)})
    merge(paths, enabled(settings))
    return rows
