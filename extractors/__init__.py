"""extractors package of top100 (see docs/CONTRACTS.md): every document's figures, with provenance.

``read(doc_type, path, *, company_id, sha256, name, settings) -> ExtractResult`` reads one
document with the reader registered for its type (extractors.registry.READERS, keyed by
top100.vocab.DocType), or sniffs the file when the type is None (extractors.sniffing). Whatever the
input, it returns: a document that cannot be read gives an error row (document, page, reason),
never an exception. ``ExtractResult`` holds facts, declared cells (forms), rows (delivered files)
and errors (extractors.result).
"""

from __future__ import annotations

import hashlib

from extractors.registry import READERS, read
from extractors.result import ExtractResult
from extractors.sniffing import sniff

__all__ = ["ExtractResult", "READERS", "read", "sniff", "EXTRACTOR_VERSIONS", "VERSION"]


def __getattr__(name: str):
    from extractors.registry import reader_versions

    if name == "EXTRACTOR_VERSIONS":  # extractor name -> version
        return reader_versions()
    if name == "VERSION":  # one path-safe version of all extractors: the extract cache key
        joined = ";".join(f"{k}={v}" for k, v in sorted(reader_versions().items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:12]
    raise AttributeError(name)
