"""The warehouse schema, declared once in SQLAlchemy Core for DuckDB and PostgreSQL.

Layers are database schemas on both engines (DuckDB files hold schemas too):

    raw.document                 one row per stored document (the files stay in the raw store)
    staging.extracted_fact       figures read from documents, with full provenance
    staging.declared_fact        cells of the declaration forms (申报表)
    staging.market_quote         closes on the market-value date
    staging.fx_rate              CFETS central parity
    staging.licence_registry     rows of the licence-registry export
    staging.traffic              third-party traffic
    staging.integrity_record     credit / integrity records
    staging.stage_error          every input a stage could not use, with its cause
    clean.company                the registry as declared and verified
    clean.company_year_metric    the reconciled value used for scoring, and how it was chosen
    clean.finding                every data-quality result, with severity
    marts.ranking                the list: rank, scores, indicators and dimensions
    marts.report_figure          the report's figures next to the published ones
    meta.run                     one row per flow run
    meta.year_load               which run wrote the current version of each year
    meta.alembic_version         the schema version (Alembic)

Columns are the field names of ``top100.records`` plus two on every partitioned table:
``year`` is the partition (the fiscal year of the evaluation the row was loaded for; a fact's
own ``fiscal_year`` may be the prior year) and ``run_id`` the run that wrote the row.
Dates and datetimes stay ISO strings exactly as the stage files give them (offsets included).
Nested or mixed-type fields (``bbox``, a declared cell's ``value``, a finding's ``declared`` /
``public`` / ``correct_value``, ranking ``indicators`` / ``dimensions``) are JSON text: one
portable type on both engines, decoded again by ``warehouse.reads``.

Natural keys are unique indexes on PostgreSQL only (``ddl_if``): DuckDB's ART indexes make
delete-then-insert of the same keys in one transaction ~100x slower (1M rows: 44 s instead of
0.3 s), and that is exactly how a year is replaced. ``warehouse.load`` checks the keys of
every table before it writes, on both engines, so DuckDB is kept to the same rule.

Amounts are ``Double`` (8 bytes): SQLAlchemy's ``Float`` is a 4-byte REAL on DuckDB.
Changing anything here needs a migration in ``warehouse/migrations/versions``.
"""

from __future__ import annotations

import sqlalchemy as sa

LAYERS = ("raw", "staging", "clean", "marts", "meta")
META = "meta"

metadata = sa.MetaData()


def _text(name: str, nullable: bool = True, comment: str | None = None) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable, comment=comment)


def _double(name: str, nullable: bool = True, comment: str | None = None) -> sa.Column:
    return sa.Column(name, sa.Double, nullable=nullable, comment=comment)


def _partitioned(name: str, schema: str, comment: str, *columns, key: tuple[str, ...] = ()) -> sa.Table:
    """A table replaced one year at a time: ``year`` first, ``run_id`` last."""
    table = sa.Table(
        name,
        metadata,
        sa.Column("year", sa.Integer, nullable=False, comment="partition: the evaluated fiscal year"),
        *columns,
        _text("run_id", nullable=False, comment="meta.run that wrote this row"),
        schema=schema,
        comment=comment,
    )
    if key:
        sa.Index(f"ux_{name}_key", *(table.c[k] for k in ("year", *key)), unique=True).ddl_if(
            dialect="postgresql"
        )
    else:  # speeds up the partition delete on PostgreSQL; DuckDB prunes by zone maps
        sa.Index(f"ix_{name}_year", table.c.year).ddl_if(dialect="postgresql")
    return table


document = _partitioned(
    "document", "raw", "one fetched or delivered document (content in the raw store by sha256)",
    _text("source", False), _text("url", False), _text("company_id"), _text("doc_type", False),
    sa.Column("fiscal_year", sa.Integer), _text("title", False), _text("published_at"),
    _text("sha256", False), sa.Column("size", sa.BigInteger, nullable=False),
    _text("fetched_at", False), _text("supersedes"), _text("source_id"), _text("content_type"),
)

extracted_fact = _partitioned(
    "extracted_fact", "staging", "one figure read from a document, with its provenance",
    _text("company_id"), _text("document_sha256", False), _text("doc_type", False),
    _text("metric", False), sa.Column("fiscal_year", sa.Integer, nullable=False),
    _double("value", False, "base unit of the currency, scale applied"), _text("currency", False),
    sa.Column("page", sa.Integer), _text("label", False), _text("raw", False), _text("unit", False),
    _double("scale", False), _text("bbox", comment="JSON [x0, top, x1, bottom] in PDF points"),
    _text("extractor", False), _text("extractor_version", False), _text("basis"),
    _text("period_start"), _text("period_end"),
    sa.Column("restated", sa.Boolean, nullable=False), sa.Column("superseded", sa.Boolean, nullable=False),
)
# added by migration 0002 (after run_id, where ALTER TABLE puts them): every reading of the fact
for _col in (
    _text("corroborations", comment="JSON [{page, label, raw, bbox, value, unit, source, restated, agrees}]: "
          "the other places of the document printing the same metric and year"),
    sa.Column("conflict", sa.Boolean, server_default=sa.false(),
              comment="another reading or an accounting identity disagrees"),
    sa.Column("single_source", sa.Boolean, server_default=sa.false(),
              comment="read in one place of the document only"),
):
    extracted_fact.append_column(_col)

declared_fact = _partitioned(
    "declared_fact", "staging", "one cell of a declaration form (申报表)",
    _text("company_id", False), _text("form_sha256", False), _text("field", False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    _text("value", comment="JSON: number in base units, text, bool or ISO date"),
    _text("unit"), _double("scale"), _text("cell", False), _text("raw", False),
    key=("company_id", "form_sha256", "field", "fiscal_year"),
)

market_quote = _partitioned(
    "market_quote", "staging", "a close on (or before) the market-value date",
    _text("company_id", False), _text("exchange", False), _text("ticker", False),
    _text("requested_date", False), _text("date", False), _double("close", False),
    _text("currency", False), _double("total_shares"), _double("market_value"),
    _double("ads_ratio"), _text("url", False),
)

fx_rate = _partitioned(
    "fx_rate", "staging", "CFETS central parity, CNY per unit of foreign currency",
    _text("pair", False), _text("requested_date", False), _text("date", False),
    _double("rate", False), _text("url", False),
)

licence_registry = _partitioned(
    "licence_registry", "staging", "a row of the licence-registry export",
    _text("licence_number", False), _text("licence_type", False), _text("holder_name", False),
    _text("company_id"), _text("valid_from", False), _text("valid_until", False),
    _text("status", False), sa.Column("source_row", sa.Integer, nullable=False),
)

traffic = _partitioned(
    "traffic", "staging", "third-party traffic (visits, 万次/day or as delivered)",
    _text("company_id", False), sa.Column("fiscal_year", sa.Integer, nullable=False),
    _double("desktop", False), _double("mobile", False),
    sa.Column("source_row", sa.Integer, nullable=False),
)

integrity_record = _partitioned(
    "integrity_record", "staging", "a credit / integrity record",
    _text("company_id", False), _text("record_date", False), _text("kind", False),
    sa.Column("disqualifying", sa.Boolean, nullable=False), _text("description", False),
    sa.Column("source_row", sa.Integer, nullable=False),
)

stage_error = _partitioned(
    "stage_error", "staging", "an input a stage could not use, with the cause",
    _text("stage", False), _text("kind", False), _text("reason", False), _text("company_id"),
    _text("document", comment="sha256 or file name"), _text("url"), sa.Column("page", sa.Integer),
    _text("cell"),
)

company = _partitioned(
    "company", "clean", "the registry as declared and verified",
    _text("company_id", False), sa.Column("fiscal_year", sa.Integer, nullable=False),
    _text("legal_name", False), _text("brands", False), _text("province", False),
    _text("business_type", False), _text("exchange"), _text("ticker"), _text("group_parent_id"),
    _text("licence_type"), _text("licence_number"),
    sa.Column("self_operated_ecommerce", sa.Boolean, nullable=False),
    sa.Column("eligible", sa.Boolean, nullable=False), _text("excluded_reason"),
    key=("company_id",),
)

company_year_metric = _partitioned(
    "company_year_metric", "clean", "the reconciled value used for scoring",
    _text("company_id", False), sa.Column("fiscal_year", sa.Integer, nullable=False),
    _text("metric", False), _double("value", comment="the value used (CNY for money)"),
    _text("source", False), _text("source_ref"), _double("declared"), _double("public"),
    _double("difference", comment="declared - public, relative"), _text("rule", False),
    _text("status", False),
    key=("company_id", "metric"),
)

finding = _partitioned(
    "finding", "clean", "one data-quality result",
    _text("company_id", False), sa.Column("fiscal_year", sa.Integer, nullable=False),
    _text("check", False), _text("metric", False), _text("kind", False), _text("severity", False),
    _text("message", False), _text("declared", comment="JSON"), _text("public", comment="JSON"),
    _double("difference"), _text("rule"), _text("status", False), _text("expectation"),
    _text("correct_value", comment="JSON"),
)

ranking = _partitioned(
    "ranking", "marts", "the list",
    sa.Column("fiscal_year", sa.Integer, nullable=False), sa.Column("rank", sa.Integer, nullable=False),
    _text("company_id", False), _text("name", False), _text("brands", False),
    _double("total_score", False), _text("indicators", False, "JSON {indicator: value}"),
    _text("dimensions", False, "JSON {dimension: score}"),
    key=("company_id",),
)

report_figure = _partitioned(
    "report_figure", "marts", "a figure of the report next to the published one",
    _text("name", False), _double("value"), _text("unit"), _double("published"),
    _text("published_text"), _double("difference"), sa.Column("within_tolerance", sa.Boolean),
    key=("name",),
)

run = sa.Table(
    "run", metadata,
    _text("run_id", False), _text("flow", False), _text("params", False, "JSON"),
    _text("code_version", False), _text("schema_version"),
    sa.Column("started_at", sa.DateTime, nullable=False, comment="UTC"),
    sa.Column("ended_at", sa.DateTime, comment="UTC"),
    _text("outcome", False, "running until finished"), _text("error"),
    sa.PrimaryKeyConstraint("run_id", name="pk_run"),
    schema=META, comment="one row per flow run",
)

year_load = sa.Table(
    "year_load", metadata,
    sa.Column("year", sa.Integer, nullable=False), _text("run_id", False),
    sa.Column("loaded_at", sa.DateTime, nullable=False, comment="UTC"),
    _text("row_counts", False, "JSON {table: rows}"),
    schema=META, comment="the run that wrote the current version of each year",
)
sa.Index("ux_year_load_year", year_load.c.year, unique=True).ddl_if(dialect="postgresql")

# The tables load_year replaces, and the marts replaced by warehouse.marts.
LOADED = (document, extracted_fact, declared_fact, market_quote, fx_rate, licence_registry,
          traffic, integrity_record, stage_error, company, company_year_metric, finding)
MARTS = (ranking, report_figure)

# The natural key of each table that has one (checked by the loaders on both engines).
KEYS: dict[str, tuple[str, ...]] = {
    t.fullname: tuple(c.name for c in ix.columns)
    for t in (*LOADED, *MARTS, year_load) for ix in t.indexes if ix.unique
}


def qualified(table: sa.Table) -> str:
    return table.fullname  # "schema.name"
