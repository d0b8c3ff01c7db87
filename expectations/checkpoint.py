"""One Great Expectations checkpoint run per year over the year's check tables.

The tables are written as Parquet batches beside a file data context (``out/<year>/gx/``, made
afresh each run); every suite is validated against its table in a single ``Checkpoint.run``,
whose UpdateDataDocsAction builds the Data Docs into ``out/<year>/data_docs/`` (a static site
that opens from disk). Failing rows come back by ``row_id``, ``company_id`` and ``metric``
(``unexpected_index_column_names``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

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


def run_checkpoint(frames: dict[str, pd.DataFrame], suites: dict, work_dir: Path, docs_dir: Path,
                   *, run_name: str) -> CheckpointResult:
    """Validate each suite against the frame of the same name in one checkpoint run."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    missing = set(suites) - set(frames)
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
        _parquet_safe(frames[name]).to_parquet(path, index=False)
        batch = source.add_parquet_asset(name, path=path).add_batch_definition(f"{name}_batch")
        saved = ctx.suites.add(suite)
        definitions.append(ctx.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=saved)))
    checkpoint = ctx.checkpoints.add(gx.Checkpoint(
        name="verify_year", validation_definitions=definitions,
        actions=[UpdateDataDocsAction(name="data_docs", site_names=[SITE])],
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS},
    ))
    result = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_name))
    failures: list[Failure] = []
    evaluated = 0
    for vr in result.run_results.values():
        suite = vr.suite_name
        for er in vr.results:
            evaluated += 1
            cfg = er.expectation_config
            if er.exception_info.get("raised_exception"):
                raise VerificationError(
                    f"suite {suite}, expectation {cfg.type} {cfg.kwargs.get('column', '')}: "
                    f"{er.exception_info.get('exception_message')}")
            for info in er.exception_info.values():  # per-metric exceptions (GX nests them)
                if isinstance(info, dict) and info.get("raised_exception"):
                    raise VerificationError(
                        f"suite {suite}, expectation {cfg.type}: {info.get('exception_message')}")
            if er.success:
                continue
            rows = er.result.get("unexpected_index_list")
            if rows is None:
                raise VerificationError(f"suite {suite}, expectation {cfg.type} failed without naming rows")
            meta = {**(cfg.meta or {}), "column": cfg.kwargs.get("column")}
            failures.append(Failure(suite, cfg.type, meta, str(cfg.severity.value
                                    if hasattr(cfg.severity, "value") else cfg.severity), list(rows)))
    index = docs_dir / "index.html"
    from expectations.datadocs_offline import make_offline

    make_offline(docs_dir)  # GX's CDN scripts and styles replaced by the site's own copies
    return CheckpointResult(bool(result.success), failures, index if index.exists() else None, evaluated)
