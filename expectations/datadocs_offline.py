"""Great Expectations' Data Docs made to open with no network.

GX's page templates load jQuery, Bootstrap, bootstrap-table (which draws the validation list),
popper, bootstrap-datepicker and a dark theme from public CDNs, a logo from S3, Font Awesome and
Vega from CDNs; offline the index is blank. The same files, at the versions GX names, are vendored
in ``expectations/static/vendor`` (MIT licensed; see its README) and copied into the site's
``static/vendor``; every page's references are rewritten to them, relative to the page. What is
not vendored (Font Awesome icons, Vega charts: our suites draw none) is dropped, and the favicon
link, which GX writes one level too shallow on the validation pages, is pointed at the site's own.

A rewrite of GX's output rather than of its templates: GX's renderer is configured per site and
its templates change between releases; the rewrite is checked by the tests (every local
reference resolves, no page refers to another host for a script, style or image).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"

# the CDN address GX writes -> our file (same library, same version)
CDN = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper-1.12.9.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-filter-control-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-filter-control-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-filter-control-1.19.1.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-prefers-dark-1.1.0.css",
}
SCRIPT_RE = re.compile(r'<script\b[^>]*\bsrc="(https?://[^"]+)"[^>]*>\s*</script>', re.I)
LINK_RE = re.compile(r'<link\b[^>]*\bhref="(https?://[^"]+)"[^>]*/?>', re.I)
IMG_RE = re.compile(r'(<img\b[^>]*\bsrc=")(https?://[^"]+)(")', re.I)
FAVICON_RE = re.compile(r'(<link\b[^>]*\brel="(?:shortcut )?icon"[^>]*\bhref=")([^"]*)(")', re.I)


def rewrite(page: str, to_root: str) -> str:
    """One page with every external script, style and image replaced by the site's own (or
    dropped), and its favicon pointed at the site's. ``to_root``: the page's way to the site root."""
    prefix = (to_root.rstrip("/") + "/") if to_root not in ("", ".") else ""

    def local(url: str) -> str | None:
        name = CDN.get(url)
        return f"{prefix}static/vendor/{name}" if name else None

    def script(m: re.Match) -> str:
        new = local(m.group(1))
        return _no_sri(m.group(0).replace(m.group(1), new)) if new else ""

    def link(m: re.Match) -> str:
        new = local(m.group(1))
        if new:
            return _no_sri(m.group(0).replace(m.group(1), new))
        return "" if re.search(r'rel="(stylesheet|preload|icon|shortcut icon)"', m.group(0), re.I) else m.group(0)

    def img(m: re.Match) -> str:
        url = m.group(2)
        name = "logo-long.png" if "logo-long" in url else "short-logo.png" if "short-logo" in url else None
        return f"{m.group(1)}{prefix}static/images/{name}{m.group(3)}" if name else f"{m.group(1)}data:,{m.group(3)}"

    page = SCRIPT_RE.sub(script, page)
    page = LINK_RE.sub(link, page)
    page = IMG_RE.sub(img, page)
    page = FAVICON_RE.sub(lambda m: f"{m.group(1)}{prefix}static/images/favicon.ico{m.group(3)}", page)
    return page


SRI_RE = re.compile(r'\s+(?:integrity|crossorigin)(?:="[^"]*")?', re.I)


def _no_sri(tag: str) -> str:
    """A tag pointed at the site's own copy, without the CDN's subresource-integrity hash and
    crossorigin mode: a file:// page cannot make the CORS request they ask for, and the hash is
    of the CDN's bytes (ours have their source-map comment removed), so the browser would refuse
    to run Bootstrap and Popper (``$(...).modal is not a function`` on every validation page)."""
    return SRI_RE.sub("", tag)


def make_offline(docs_dir: Path) -> int:
    """Vendor the assets into ``docs_dir/static/vendor`` and rewrite every page; returns the
    number of pages rewritten."""
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        return 0
    target = docs_dir / "static" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    for f in VENDOR.iterdir():
        if f.is_file() and f.suffix in (".js", ".css"):
            shutil.copyfile(f, target / f.name)
    n = 0
    for page in docs_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = rewrite(text, os.path.relpath(docs_dir, page.parent))
        if new != text:
            tmp = page.with_name(page.name + ".tmp")
            tmp.write_text(new, encoding="utf-8")
            tmp.replace(page)
            n += 1
    return n
