"""Results of tasks mapped over the task runner, as they finish.

Extract maps over documents and verify over shards of companies; both wait the same way and
fail the same way: a task that failed (its retries spent) fails the stage with what it held
(the company, the document) and the cause.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, TypeVar

K = TypeVar("K")


def finished(futures: dict[Any, K], describe: Callable[[K], str]) -> Iterator[tuple[K, Any, Any]]:
    """(key, future, result) per task in the order they finish; ``describe(key)`` opens the
    error of a failed one."""
    from prefect.futures import as_completed

    for fut in as_completed(list(futures)):
        key = futures[fut]
        try:
            result = fut.result()
        except Exception as exc:
            raise RuntimeError(f"{describe(key)}: {type(exc).__name__}: {exc}") from exc
        yield key, fut, result
