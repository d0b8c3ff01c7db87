"""The Great Expectations suites, built from the check modules and saved as JSON under
expectations/suites/.

One suite per check of the method (METHOD.md section 2), each written in its check's module
beside the table it checks: expectations.licence, main_business, accuracy, integrity; and the
stage-boundary suites of expectations.schemas. An expectation's ``meta`` names the finding
``kind`` it raises (its check and severity come from ``VerifyRules.kinds``), the ``metric`` when it
is not the row's, and a ``message`` template filled from the failing row.

    python -m expectations.suites    # rewrite expectations/suites/*.json from this code
"""

from __future__ import annotations

import json
from pathlib import Path

from expectations import accuracy, integrity, licence, main_business, schemas
from expectations.rules import VerifyRules
from expectations.spec import Expect
from top100.vocab import Severity

SUITES_DIR = Path(__file__).parent / "suites"
CHECKS = {"licence": licence, "main_business": main_business, "accuracy": accuracy, "integrity": integrity}
CHECK_SUITES = tuple(CHECKS)
SCHEMA_SUITES = ("declared_schema", "facts_schema", "metrics_schema")
GX_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "warning", Severity.INFO: "info"}


def specs(rules: VerifyRules) -> dict[str, list[Expect]]:
    """Every suite's expectations, by suite name: the single definition of the suites."""
    return {**{name: check.expectations(rules) for name, check in CHECKS.items()}, **schemas.expectations()}


def build_suites(rules: VerifyRules):
    """ExpectationSuite objects, by name (imports GX: a few seconds)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    def severity(item: Expect) -> str:
        return GX_SEVERITY[rules.kind(item.kind).severity] if item.kind else "critical"

    suites = {}
    for name, items in specs(rules).items():
        # given whole to the constructor: add_expectation would need a live data context
        suites[name] = gx.ExpectationSuite(name=name, expectations=[
            getattr(gxe, item.type)(**item.kwargs, meta=item.meta, severity=severity(item)) for item in items])
    return suites


def suite_json(suite) -> dict:
    """A suite as stable JSON: without the ids GX generates and the GX version stamp."""
    data = suite.to_json_dict()
    data.pop("id", None)
    data.get("meta", {}).pop("great_expectations_version", None)
    for expectation in data.get("expectations", []):
        expectation.pop("id", None)
    return json.loads(json.dumps(data, sort_keys=True, ensure_ascii=False))


def save_suites(rules: VerifyRules | None = None, folder: Path = SUITES_DIR) -> list[Path]:
    """Write every suite built from ``rules`` (the defaults) as ``<folder>/<name>.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in build_suites(rules or VerifyRules()).items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(suite_json(suite), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in save_suites():
        print(path)
