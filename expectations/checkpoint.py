"""One Great Expectations checkpoint run per year over the year's check tables.

The tables are written as Parquet batches beside a file data context (``out/<year>/gx/``, made
afresh each run); every suite is validated against its table in a single ``Checkpoint.run``,
whose UpdateDataDocsAction builds the Data Docs into ``out/<year>/data_docs/`` (a static site
that opens from disk). Failing rows come back by ``row_id``, ``company_id`` and ``metric``
(``unexpected_index_column_names``).
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from top100.errors import VerificationError

INDEX_COLUMNS = ["row_id", "company_id", "metric"]
SITE = "top100"


@dataclass
class Failure:
    """An expectation that failed, with the rows that failed it."""

    suite: str
    expectation: str  # GX expectation type
    meta: dict
    severity: str  # GX severity: critical | warning | info
    rows: list[dict] = field(default_factory=list)  # the failing rows' index columns


@dataclass
class CheckpointResult:
    success: bool
    failures: list[Failure]
    data_docs_index: Path | None
    evaluated: int  # expectations evaluated


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed scalars become text so that Parquet can hold them."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col] if v is not None and not (isinstance(v, float) and pd.isna(v))}
            if len(kinds) > 1 or (kinds and not kinds <= {str, bool}):
                out[col] = [None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in out[col]]
    return out


def _escaped(value: Any) -> Any:
    return html.escape(value, quote=True) if isinstance(value, str) else value


def _html_inert(df: pd.DataFrame) -> pd.DataFrame:
    """Text a company supplied (names, licence numbers, descriptions), HTML-escaped in the copy GX
    validates: GX's Data Docs renderer writes unexpected values into its pages as raw HTML, so an
    ``<img onerror=…>`` licence number would run in the auditor's browser. Escaping changes no
    outcome: the checks compare against values and patterns without ``& < > " '``, which
    html.escape alone touches, and failing rows come back by the index columns (validated ids,
    left as they are). Findings are filled from the original frames. Suite parameters (the
    registry's licence numbers) are escaped alike, so that they still compare equal."""
    out = df.copy()
    for col in out.columns:
        if col in INDEX_COLUMNS or not (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            continue
        out[col] = pd.Series([_escaped(v) for v in out[col]], index=out.index, dtype=out[col].dtype)
    return out


def run_checkpoint(tables: dict[str, pd.DataFrame], suites: dict, work_dir: Path, docs_dir: Path,
                   *, run_name: str, parameters: dict[str, list] | None = None) -> CheckpointResult:
    """Validate each suite against the table of the same name in one checkpoint run; ``parameters``
    are the suites' ``$PARAMETER`` values (expectations.licence.REGISTRY_NUMBERS)."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    missing = set(suites) - set(tables)
    if missing:
        raise VerificationError(f"no table for suites {sorted(missing)}")
    shutil.rmtree(work_dir, ignore_errors=True)
    shutil.rmtree(docs_dir, ignore_errors=True)
    batches = work_dir / "batches"
    batches.mkdir(parents=True)
    ctx = gx.get_context(mode="file", project_root_dir=str(work_dir))
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.enable_analytics(False)
    ctx.add_data_docs_site(site_name=SITE, site_config={
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(docs_dir.resolve())},
    })
    source = ctx.data_sources.add_pandas("top100")
    definitions = []
    for name, suite in suites.items():
        path = batches / f"{name}.parquet"
        _html_inert(_parquet_safe(tables[name])).to_parquet(path, index=False)
        batch = source.add_parquet_asset(name, path=path).add_batch_definition(f"{name}_batch")
        saved = ctx.suites.add(suite)
        definitions.append(ctx.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=saved)))
    checkpoint = ctx.checkpoints.add(gx.Checkpoint(
        name="verify_year", validation_definitions=definitions,
        actions=[UpdateDataDocsAction(name="data_docs", site_names=[SITE])],
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS},
    ))
    escaped = {name: [_escaped(v) for v in values] for name, values in (parameters or {}).items()}
    result = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_name), expectation_parameters=escaped)
    failures: list[Failure] = []
    evaluated = 0
    for validation in result.run_results.values():
        suite = validation.suite_name
        for outcome in validation.results:
            evaluated += 1
            config = outcome.expectation_config
            if outcome.exception_info.get("raised_exception"):
                raise VerificationError(
                    f"suite {suite}, expectation {config.type} {config.kwargs.get('column', '')}: "
                    f"{outcome.exception_info.get('exception_message')}")
            for info in outcome.exception_info.values():  # per-metric exceptions (GX nests them)
                if isinstance(info, dict) and info.get("raised_exception"):
                    raise VerificationError(
                        f"suite {suite}, expectation {config.type}: {info.get('exception_message')}")
            if outcome.success:
                continue
            rows = outcome.result.get("unexpected_index_list")
            if rows is None:
                raise VerificationError(f"suite {suite}, expectation {config.type} failed without naming rows")
            meta = {**(config.meta or {}), "column": config.kwargs.get("column")}
            severity = config.severity.value if hasattr(config.severity, "value") else config.severity
            failures.append(Failure(suite, config.type, meta, str(severity), list(rows)))
    index = docs_dir / "index.html"
    from expectations.datadocs_offline import make_offline

    make_offline(docs_dir)  # GX's CDN scripts and styles replaced by the site's own copies
    return CheckpointResult(bool(result.success), failures, index if index.exists() else None, evaluated)
