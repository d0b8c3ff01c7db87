"""One lock for PDFium in this process.

PDFium, behind pypdfium2 (our fast text pass) and pdfplumber's page images, is not thread-safe:
no two threads may call into it at the same time, not even on two different documents
(pypdfium2's documentation; here, two threads drawing audit images crashed the process with
"free(): invalid pointer"). The default runner parses and draws in worker processes, one
thread each, so the lock is never contended there; with `--runner thread` or a Dask worker with
several threads it serialises the PDFium calls, while pdfminer's parsing (pure Python) still
overlaps. Every PDFium call of ours runs under ``PDFIUM``; objects are closed explicitly, under
the lock, rather than left to the garbage collector (which may run in any thread).
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()
