"""What the audit site links a figure to: the document (title, source, fiscal year, original URL
and a local copy with its extension), the quote and FX rate
behind a market value.

Read from the year's stage files (collect/documents.jsonl, quotes.jsonl, fx.jsonl,
extract/declared.jsonl), so that the company pages, rendered in worker processes, need nothing
but the year's paths. Local copies are hard links into ``audit/docs/`` (copies where the file
system refuses links), named by sha256, never by anything a company supplied.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from top100.jsonl import read_jsonl
from top100.paths import YearPaths, raw_path

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
EXT_OF_TYPE = {"application/pdf": "pdf", "application/json": "json", "text/csv": "csv", "text/html": "html",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
KNOWN_EXT = {"pdf", "json", "xlsx", "csv", "html", "htm", "txt"}


def extension(doc: dict, path: Path | None = None) -> str:
    """pdf | json | xlsx | csv | …: from the content type, the URL, else the first bytes."""
    ctype = str(doc.get("content_type") or "").split(";")[0].strip().lower()
    if ctype in EXT_OF_TYPE:
        return EXT_OF_TYPE[ctype]
    suffix = Path(urlsplit(str(doc.get("url") or "")).path).suffix.lower().lstrip(".")
    if suffix in KNOWN_EXT:
        return suffix
    if path is not None and path.exists():
        head = path.open("rb").read(8)
        if head.startswith(b"%PDF"):
            return "pdf"
        if head.startswith(b"PK"):
            return "xlsx"
        if head.lstrip()[:1] in (b"{", b"["):
            return "json"
    return "bin"


def is_public_url(url: str | None) -> bool:
    """An http(s) URL of a real host: worth a link. Loopback (the demo's mirror), file:// and
    bare words are shown as text."""
    if not url:
        return False
    parts = urlsplit(str(url))
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and bool(host) and host not in ("localhost", "::1") \
        and not host.startswith("127.")


@dataclass
class Evidence:
    documents: dict[str, dict] = field(default_factory=dict)  # sha256 -> documents.jsonl row
    quotes: dict[str, dict] = field(default_factory=dict)  # company -> quote row
    fx: dict[str, dict] = field(default_factory=dict)  # "USD/CNY" -> fx row
    cells: dict[tuple[str, str], dict] = field(default_factory=dict)  # (company, field) -> declared cell
    shares: dict[str, dict] = field(default_factory=dict)  # company -> the share count its quote used

    def document(self, paths: YearPaths, sha: str | None, page: Any = None) -> dict | None:
        """The document as the site shows it, its local copy made (None for an unknown sha)."""
        sha = str(sha or "")
        if not SHA_RE.match(sha):
            return None
        doc = self.documents.get(sha, {})
        try:
            raw = raw_path(paths.raw_store, sha)
        except ValueError:
            raw = None
        ext = extension(doc, raw)
        local = None
        if raw is not None and raw.exists():
            local = f"docs/{sha}.{ext}"
            _link(raw, paths.audit / local)
        href = local
        if local and ext == "pdf" and page not in (None, "") and str(page).isdigit():
            href = f"{local}#page={int(page)}"
        url = doc.get("url")
        return {"sha256": sha, "short": sha[:12], "title": doc.get("title") or f"document {sha[:12]}…",
                "source": doc.get("source") or "", "doc_type": doc.get("doc_type") or "",
                "fiscal_year": doc.get("fiscal_year"), "published_at": doc.get("published_at"),
                "url": url, "url_link": is_public_url(url), "local": local, "href": href, "ext": ext}

    def quote(self, company_id: str) -> dict | None:
        q = self.quotes.get(company_id)
        if not q:
            return None
        cur = str(q.get("currency") or "CNY").upper()
        fx = self.fx.get(f"{cur}/CNY") if cur != "CNY" else None
        return {**q, "url_link": is_public_url(q.get("url")), "fx": fx,
                "fx_link": bool(fx) and is_public_url(fx.get("url")),
                # where the share count comes from and as of when; today's snapshot says it is a fallback
                "shares": self.shares.get(company_id)}

    def cell(self, company_id: str, metric: str, prior: bool = False) -> dict | None:
        return self.cells.get((company_id, metric + ("|prior" if prior else "")))


def _link(src: Path, dst: Path) -> None:
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except FileExistsError:
        return
    except OSError:  # another file system, or links refused: a copy
        tmp = dst.with_name(dst.name + f".{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)


@lru_cache(maxsize=4)
def _load(root: str, year: int, stamp: tuple = ()) -> Evidence:
    paths = YearPaths(Path(root), year)
    found = Evidence()
    for d in read_jsonl(paths.documents):
        if d.get("sha256"):
            found.documents[str(d["sha256"])] = d
    for q in read_jsonl(paths.quotes):
        if q.get("company_id"):
            found.quotes[str(q["company_id"])] = q
    for r in read_jsonl(paths.shares):
        if r.get("company_id"):
            found.shares[str(r["company_id"])] = r
    for r in read_jsonl(paths.fx):
        if r.get("pair"):
            found.fx[str(r["pair"]).upper()] = r
    for c in read_jsonl(paths.declared):
        if c.get("company_id") and c.get("field"):
            prior = (c.get("fiscal_year") or year) < year
            found.cells[(str(c["company_id"]), str(c["field"]) + ("|prior" if prior else ""))] = c
    return found


def load(paths: YearPaths) -> Evidence:
    """The year's evidence (read once per process and version of the stage files)."""
    stamp = tuple(p.stat().st_mtime_ns if p.exists() else 0
                  for p in (paths.documents, paths.declared, paths.quotes, paths.shares))
    return _load(str(paths.out_dir), paths.year, stamp)


def clear_cache() -> None:
    _load.cache_clear()
