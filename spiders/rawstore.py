"""The raw store: every fetched or delivered document once, content-addressed by sha256.

Append-only: a file is written under its hash (``top100.paths.raw_path``) by a hard link from a
temporary file, which fails rather than replace an existing file, and is made read-only. No
name of anyone's (URL, file name) ever becomes part of a path here.

Not Scrapy's FilesPipeline: its file_path can name a file by the sha256 of the response, but its
store writes the file in place under that final name (``FSFilesStore.persist_file``: a kill -9
leaves a torn file where the rest of the pipeline reads a whole one) and replaces what is there;
the inbox's delivered files, which no request fetches, go into the same store.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from top100.paths import raw_path


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return raw_path(self.root, sha256)

    def has(self, sha256: str, size: int | None = None) -> bool:
        """True when the document is stored (and, if given, has that size)."""
        stored = self.path(sha256)
        return stored.is_file() and (size is None or stored.stat().st_size == size)

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; return (sha256, newly written?). An existing file is never rewritten."""
        sha = hashlib.sha256(data).hexdigest()
        final = self.path(sha)
        if final.exists():
            return sha, False
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            try:
                os.link(tmp, final)  # atomic, and refuses to replace what is there
                created = True
            except FileExistsError:  # another process stored the same bytes meanwhile
                created = False
        finally:
            Path(tmp).unlink(missing_ok=True)
        return sha, created

    def put_file(self, source: Path) -> tuple[str, int, bool]:
        """Store a file's bytes; return (sha256, size, newly written?)."""
        data = Path(source).read_bytes()
        sha, created = self.put(data)
        return sha, len(data), created
