"""One document per worker process, with a time limit and a memory limit.

A malformed PDF can make a parser loop or swallow memory; the stage must go on. Each document
is extracted in a child process (multiprocessing's 'forkserver' context where available, else
'spawn': no fork of a parent holding threads or open databases) whose address space is capped
with resource.setrlimit; a timeout or a crash becomes one error row.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from extractors.registry import INBOX_TYPES
from extractors.result import ExtractResult
from top100.records import ErrorRow, Fact

NAME = "isolated"
VERSION = "1.0.0"


def _context():
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        ctx.set_forkserver_preload(["extractors", "extractors.cn_annual", "pypdfium2", "extractors.forms",
                                    "extractors.delivered", "openpyxl"])
    return ctx


def _worker(conn, path: str, doc_type: str | None, company_id: str | None, sha256: str | None, memory_mb: int) -> None:
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no rlimit on this platform: the time limit still holds
    from extractors.registry import read

    try:
        result = read(doc_type, path, company_id=company_id, sha256=sha256)
        conn.send(([f.to_dict() for f in result.facts], [e.to_dict() for e in result.errors]))
    except MemoryError:
        conn.send(([], [ErrorRow(stage="extract", kind="MemoryError", reason=f"over the {memory_mb} MB memory limit",
                                 company_id=company_id, document=Path(path).name).to_dict()]))
    finally:
        conn.close()


def extract_isolated(path: Path | str, doc_type: str | None, *, timeout_s: float, memory_mb: int = 1024,
                     company_id: str | None = None, sha256: str | None = None) -> ExtractResult:
    """extractors.read in a worker process; a timeout, a crash or a memory overrun is an error row."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(child, str(path), doc_type, company_id, sha256, memory_mb), daemon=True)
    proc.start()
    child.close()
    name = Path(path).name

    def fail(kind: str, reason: str) -> ExtractResult:
        return ExtractResult(errors=[ErrorRow(stage="extract", kind=kind, reason=reason, company_id=company_id,
                                              document=name)])
    try:
        if not parent.poll(timeout_s):
            proc.kill()
            proc.join(5)
            return fail("Timeout", f"extraction did not finish within {timeout_s:g} s: stopped")
        try:
            facts, errors = parent.recv()
        except EOFError:
            proc.join(5)
            return fail("WorkerCrash", f"the extraction process died (exit code {proc.exitcode}); "
                                       f"memory limit {memory_mb} MB")
        proc.join(5)
        return ExtractResult([Fact.from_dict(f) for f in facts], [ErrorRow.from_dict(e) for e in errors])
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
            proc.join(5)


def extract_isolated_many(jobs: list[dict], *, timeout_s: float, memory_mb: int = 1024, workers: int = 2
                          ) -> list[ExtractResult]:
    """Several documents, ``workers`` at a time, each in its own worker process (results in the
    order of ``jobs``; a job is a dict of extract_isolated's arguments: path, doc_type, company_id,
    sha256)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(job: dict) -> ExtractResult:
        return extract_isolated(job["path"], job.get("doc_type"), timeout_s=timeout_s, memory_mb=memory_mb,
                                company_id=job.get("company_id"), sha256=job.get("sha256"))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, jobs))


# --- inbox files: declaration forms and delivered CSV files -------------------------------------
# A form or a delivered file is read the same way as a PDF: in a worker process with a time
# limit and an address-space limit, so that a workbook or a CSV file built to make openpyxl or
# the csv module loop or swallow memory costs one error row, never the run. Smaller limits than
# a PDF's: the template is a few KB, a delivered file at most delivered.MAX_BYTES.
INBOX_TIMEOUT_S = 30.0
INBOX_MEMORY_MB = 768


def read_inbox_file(doc_type: str, path: Path | str, name: str | None = None, sha256: str | None = None) -> dict:
    """extractors.read on one inbox file (a declaration form or a delivered CSV file), in this
    process, as plain JSON values: {"declared": [...], "rows": [...], "errors": [...]}."""
    from extractors.registry import read

    if doc_type not in INBOX_TYPES:
        raise ValueError(f"not an inbox document type: {doc_type!r}")
    res = read(doc_type, path, sha256=sha256, name=name)
    return {"declared": [d.to_dict() for d in res.declared],
            "rows": [r.to_dict() if hasattr(r, "to_dict") else dict(r) for r in res.rows],
            "errors": [e.to_dict() for e in res.errors]}


def _inbox_worker(conn, doc_type: str, path: str, name: str | None, sha256: str | None, memory_mb: int) -> None:
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        conn.send(read_inbox_file(doc_type, path, name, sha256))
    except MemoryError:
        conn.send({"declared": [], "rows": [], "errors": [ErrorRow(
            stage="extract", kind="MemoryError", reason=f"over the {memory_mb} MB memory limit",
            document=name or Path(path).name).to_dict()]})
    except Exception as exc:  # a reader that fails on a file is one error row, named
        conn.send({"declared": [], "rows": [], "errors": [ErrorRow(
            stage="extract", kind=type(exc).__name__, reason=f"cannot be read: {str(exc)[:300]}",
            document=name or Path(path).name).to_dict()]})
    finally:
        conn.close()


def read_inbox_isolated(doc_type: str, path: Path | str, *, name: str | None = None, sha256: str | None = None,
                        timeout_s: float = INBOX_TIMEOUT_S, memory_mb: int = INBOX_MEMORY_MB) -> dict:
    """read_inbox_file in a worker process; a timeout, a crash or a memory overrun is one error row."""
    if doc_type not in INBOX_TYPES:
        raise ValueError(f"not an inbox document type: {doc_type!r}")
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_inbox_worker, args=(child, doc_type, str(path), name, sha256, memory_mb), daemon=True)
    proc.start()
    child.close()
    shown = name or Path(path).name

    def fail(k: str, reason: str) -> dict:
        return {"declared": [], "rows": [], "errors": [ErrorRow(stage="extract", kind=k, reason=reason,
                                                                document=shown).to_dict()]}
    try:
        if not parent.poll(timeout_s):
            proc.kill()
            proc.join(5)
            return fail("Timeout", f"reading did not finish within {timeout_s:g} s: stopped")
        try:
            out = parent.recv()
        except EOFError:
            proc.join(5)
            return fail("WorkerCrash", f"the reading process died (exit code {proc.exitcode}); "
                                       f"memory limit {memory_mb} MB")
        proc.join(5)
        return out
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
            proc.join(5)


def _inbox_batch_worker(conn, jobs: list[dict], memory_mb: int) -> None:
    """Read ``jobs`` one after the other, sending each result as soon as it is read."""
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        for job in jobs:
            try:
                out = read_inbox_file(job["doc_type"], job["path"], job.get("name"), job.get("sha256"))
            except MemoryError:
                raise
            except Exception as exc:  # a reader that fails on a file is one error row, named
                out = {"declared": [], "rows": [], "errors": [ErrorRow(
                    stage="extract", kind=type(exc).__name__, reason=f"cannot be read: {str(exc)[:300]}",
                    document=job.get("name") or Path(job["path"]).name).to_dict()]}
            conn.send(out)
    finally:
        conn.close()


def read_inbox_batch(jobs: list[dict], *, timeout_s: float = INBOX_TIMEOUT_S,
                     memory_mb: int = INBOX_MEMORY_MB) -> list[dict]:
    """Several inbox files read in one worker process, one after the other, each within
    ``timeout_s`` of the one before and all under one address-space limit. A file that times
    out or kills the worker is one error row naming it; a fresh worker goes on with the files
    after it. (One process per file costs about 0.1 s each on two busy cores: 30 s for a year's
    forms; a worker per batch costs that once.)"""
    ctx = _context()
    results: list[dict] = []
    while len(results) < len(jobs):
        rest = jobs[len(results):]
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_inbox_batch_worker, args=(child, rest, memory_mb), daemon=True)
        proc.start()
        child.close()
        try:
            for job in rest:
                shown = job.get("name") or Path(job["path"]).name

                def fail(k: str, reason: str) -> dict:
                    return {"declared": [], "rows": [], "errors": [ErrorRow(
                        stage="extract", kind=k, reason=reason, document=shown).to_dict()]}
                if not parent.poll(timeout_s):
                    results.append(fail("Timeout", f"reading did not finish within {timeout_s:g} s: stopped"))
                    break
                try:
                    results.append(parent.recv())
                except EOFError:
                    proc.join(5)
                    results.append(fail("WorkerCrash", f"the reading process died (exit code {proc.exitcode}); "
                                                       f"memory limit {memory_mb} MB"))
                    break
        finally:
            parent.close()
            if proc.is_alive():
                proc.kill()
            proc.join(5)
    return results


def read_inbox_many(jobs: list[dict], *, workers: int = 2, timeout_s: float = INBOX_TIMEOUT_S,
                    memory_mb: int = INBOX_MEMORY_MB, isolated: bool = True) -> list[dict]:
    """Several inbox files (jobs of read_inbox_isolated's arguments: doc_type, path, name, sha256),
    in ``workers`` worker processes (read_inbox_batch), results in the order of ``jobs``."""
    from concurrent.futures import ThreadPoolExecutor

    if not isolated:
        return [read_inbox_file(j["doc_type"], j["path"], j.get("name"), j.get("sha256")) for j in jobs]
    n = max(1, min(workers, len(jobs)))
    size = -(-len(jobs) // n) if jobs else 0
    batches = [jobs[i:i + size] for i in range(0, len(jobs), size)] if jobs else []
    with ThreadPoolExecutor(max_workers=n) as pool:
        parts = list(pool.map(lambda b: read_inbox_batch(b, timeout_s=timeout_s, memory_mb=memory_mb), batches))
    return [r for part in parts for r in part]
