"""One expectation of a Great Expectations suite as a check module writes it: the GX type and its
arguments over the check table's columns, and what a failing row raises (the finding ``kind``,
whose check and severity ``VerifyRules.kinds`` gives, the ``metric`` when it is not the row's,
and a ``message`` template filled from the row by expectations.findings)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Expect:
    type: str  # the GX expectation class, e.g. "ExpectColumnValuesToBeInSet"
    kind: str | None  # the finding a failing row raises; None in the schema suites (an error row)
    message: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    metric: str | None = None

    @property
    def meta(self) -> dict[str, str]:
        meta = {"kind": self.kind, "message": self.message}
        if self.metric:
            meta["metric"] = self.metric
        return meta


def expect(expectation_type: str, kind: str | None, message: str, metric: str | None = None,
           **kwargs: Any) -> Expect:
    return Expect(expectation_type, kind, message, kwargs, metric)


def where(condition: str) -> dict[str, str]:
    """The rows an expectation applies to: a pandas ``DataFrame.query`` condition."""
    return {"row_condition": condition, "condition_parser": "pandas"}


def text_literal(text: str) -> str:
    """``text`` as a string literal inside a row condition: raw where it can be (a pattern reads as
    written in the Data Docs), else escaped."""
    if '"' in text or text.endswith("\\") or "\n" in text:
        return json.dumps(text, ensure_ascii=False)
    return f'r"{text}"'
