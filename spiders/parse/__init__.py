"""Pure parsers of the sources' responses: bytes or decoded JSON in, plain values out.

No Scrapy, no I/O: the contract tests run them on the real recorded samples in
``../shared/fixtures/real/endpoints/`` and the spiders run them on what they fetch. A response
that is not in the shape we know raises ``top100.errors.SchemaDrift`` naming the field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from top100.errors import BlockedPage, SchemaDrift

_JSONP = re.compile(rb"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
# CloudWAF and similar block pages (CNINFO: <title>访问被拦截！</title> 您的请求疑似攻击行为！)
SHAPE_CHANGED = "response shape changed"  # the words every SchemaDrift message carries
BLOCK_MARKERS = ("访问被拦截", "疑似攻击", "Request Rate Threshold Exceeded", "Access Denied")


def load_json(body: bytes, *, what: str) -> Any:
    """Decode a JSON (or JSONP) body. HTML or anything else where JSON was expected is a block
    page, never data."""
    text = body.strip()
    match = _JSONP.match(text)
    if match and not text.startswith((b"{", b"[")):
        text = match.group(1)
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        head = body[:200].decode("utf-8", "replace")
        marker = next((marker for marker in BLOCK_MARKERS if marker in head or marker.encode() in body[:4000]), None)
        cause = f"block page ({marker})" if marker else f"not JSON ({exc.__class__.__name__})"
        raise BlockedPage(f"{what}: {cause}: {head[:80]!r}") from exc


def need(obj: Any, key: str, what: str, kind: type | tuple[type, ...] | None = None) -> Any:
    """obj[key], or SchemaDrift naming the field. A required field that is absent is never read
    as empty: a renamed field would otherwise load as "no data" (schema drift)."""
    if not isinstance(obj, dict):
        raise SchemaDrift(f"{what}: {SHAPE_CHANGED}: expected an object holding {key!r}, got {type(obj).__name__}")
    if key not in obj:
        raise SchemaDrift(f"{what}: {SHAPE_CHANGED}: field {key!r} is missing")
    value = obj[key]
    if kind is not None and not isinstance(value, kind):
        raise SchemaDrift(f"{what}: {SHAPE_CHANGED}: field {key!r} is {type(value).__name__}, expected {kind}")
    return value


# leading bytes -> media type, for the formats the sources deliver
_MAGIC = ((b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"))


def sniff_type(body: bytes) -> str | None:
    """The media type the bytes themselves show (PDF, zip, JSON, HTML), or None when they show
    none. A document row records this, not the server's Content-Type header."""
    for magic, media in _MAGIC:
        if body.startswith(magic):
            return media
    head = body[:1024].lstrip().lower()
    if head.startswith((b"{", b"[")):
        return "application/json"
    if head.startswith(b"<!doctype html") or b"<html" in head:
        return "text/html"
    return None
