"""The auditor's SQL guard: one query over the warehouse's own tables, or a refusal naming why.

``top100 sql`` is read-only by construction, in two layers:

1. This module parses the text with sqlglot (a real SQL parser, not regexes) and accepts exactly
   one statement whose root is a query (SELECT, WITH … SELECT, VALUES, set operations, or
   ``EXPLAIN`` of such a query). Inside it, no statement of any other kind (sqlglot parses what
   it does not know as a ``Command``: refused), no ``SELECT … INTO``, no locking clause, every
   table named is one of the warehouse's own (``schema.table`` in one of its layers) or a CTE,
   and no function that reads files, runs other SQL, or touches the server (``read_csv``,
   ``read_text``, ``glob``, ``query``, ``pg_read_file``, ``lo_import``, …). A table function in
   FROM is refused unless it only generates numbers (``range``, ``generate_series``, ``unnest``).
2. The engine beneath enforces it again (warehouse.engine.connect(sandbox=True)): DuckDB opened
   read-only with ``enable_external_access=false`` and ``lock_configuration=true``; PostgreSQL in
   a READ ONLY transaction of a session with ``default_transaction_read_only=on``, refused
   outright for a role that is a superuser, may write any warehouse table, may create in its
   schemas, or is a member of pg_read_server_files / pg_write_server_files /
   pg_execute_server_program (warehouse.sql.check_reader_role).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from top100.errors import WarehouseError


class Refused(WarehouseError):
    """A statement `top100 sql` will not run; the message says why in one line."""


_DIALECTS = {"duckdb": "duckdb", "postgresql": "postgres"}

# Roots that are queries. WITH … SELECT is a Select (or a set operation) carrying a `with`.
_QUERY_ROOTS: tuple[type[exp.Expression], ...] = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Values,
                                                 exp.Subquery)

# Nodes that are never part of a query an auditor needs (each one writes, configures, or runs
# something else). Anything sqlglot could not parse becomes a Command and is refused too.
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in (
        "Command", "Copy", "Export", "Set", "SetItem", "Pragma", "Transaction", "Commit", "Rollback",
        "Use", "Attach", "Detach", "Install", "Load", "Insert", "Update", "Delete", "Merge", "Create", "Drop",
        "Alter", "AlterColumn", "TruncateTable", "Into", "Lock", "Describe", "Summarize", "Show", "Kill",
        "Grant", "Revoke", "Analyze", "Comment", "Cache", "Uncache", "Refresh", "LoadData", "Call",
    ) if hasattr(exp, name)
)

# Functions that read or list files, run other SQL, load code, or act on the server. Names are
# compared lowercased, with sqlglot's own name for the functions it knows (READ_CSV …) and the
# written name for the others.
_FORBIDDEN_FUNCTIONS = frozenset({
    "read_text", "read_blob", "read_csv", "read_csv_auto", "read_json", "read_json_auto",
    "read_json_objects", "read_json_objects_auto", "read_ndjson", "read_ndjson_auto",
    "read_ndjson_objects", "read_parquet", "parquet_scan", "parquet_metadata", "parquet_schema",
    "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe", "read_xlsx", "read_xls",
    "glob", "sniff_csv", "st_read", "st_read_meta", "iceberg_scan", "iceberg_metadata",
    "iceberg_snapshots", "delta_scan", "sqlite_scan", "sqlite_attach", "postgres_scan",
    "postgres_attach", "postgres_query", "postgres_execute", "mysql_scan", "mysql_query",
    "query", "query_table", "getenv", "which_secret", "duckdb_secrets", "duckdb_extensions",
    "load_extension", "install_extension", "checkpoint", "force_checkpoint", "pragma",
    "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_ls_logdir",
    "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir", "pg_file_write", "pg_file_rename",
    "pg_file_unlink", "pg_logdir_ls", "pg_terminate_backend", "pg_cancel_backend",
    "pg_reload_conf", "pg_rotate_logfile", "pg_promote", "pg_switch_wal", "set_config",
    "pg_sleep", "pg_sleep_for", "pg_sleep_until", "nextval", "setval", "dblink", "dblink_exec",
    "dblink_connect", "pg_advisory_lock", "pg_advisory_xact_lock", "pg_notify", "txid_current",
    "pg_current_xact_id", "pg_create_restore_point", "pg_import_system_collations",
    "lo_import", "lo_export", "lo_create", "lo_unlink", "lo_open", "lo_put", "lo_from_bytea",
    "currval", "lastval",
    # functions that run the SQL text they are given (PostgreSQL's XML export and text search
    # statistics, DuckDB's serialized statements): another statement the guard never saw
    "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml",
    "cursor_to_xmlschema", "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema",
    "schema_to_xml", "schema_to_xmlschema", "schema_to_xml_and_xmlschema", "database_to_xml",
    "database_to_xmlschema", "database_to_xml_and_xmlschema", "ts_stat", "ts_rewrite",
    "json_execute_serialized_sql", "pg_current_logfile",
})
_FORBIDDEN_PREFIXES = ("read_", "pg_read", "pg_ls_", "pg_file", "lo_", "dblink", "pg_stat_file",
                       "pg_replication", "pg_create", "pg_drop", "pg_logical", "pg_backup", "pg_start",
                       "pg_stop", "sqlite_", "postgres_", "mysql_", "iceberg_", "delta_", "parquet_",
                       "query_to_", "cursor_to_", "table_to_", "schema_to_", "database_to_", "pg_advisory",
                       "pg_try_advisory", "json_execute")
# table functions allowed in FROM: they only generate rows of numbers or unnest values
_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "explodinggenerateseries", "unnest", "explode"})


def _names(fn: exp.Expression) -> set[str]:
    names = {type(fn).__name__.lower()}
    if isinstance(fn, exp.Anonymous):
        names.add(str(fn.name).lower())
    else:
        try:
            names.add(fn.sql_name().lower())
        except Exception:  # sqlglot raises for expression types without a SQL name
            pass
    return names


def _forbidden_function(fn: exp.Expression) -> str | None:
    for name in _names(fn):
        if name in _FORBIDDEN_FUNCTIONS or name.startswith(_FORBIDDEN_PREFIXES):
            return name
    return None


def _explain_body(sql: str, dialect: str) -> str | None:
    """The query after a leading EXPLAIN (plain EXPLAIN only: no options, no ANALYZE), else None."""
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
    except (TokenError, ValueError):
        return None
    if not tokens or tokens[0].text.upper() != "EXPLAIN":
        return None
    if len(tokens) > 1 and tokens[1].text.upper() in ("ANALYZE", "ANALYSE", "VERBOSE", "(", "PERFORMANCE"):
        raise Refused("EXPLAIN with options or ANALYZE is refused: plain EXPLAIN <query> only")
    return sql[tokens[0].end + 1:]


def check(sql: str, dialect: str, tables: Iterable[tuple[str, str]]) -> str:
    """Return the statement to run if `sql` is one query over `tables` ((schema, name) pairs,
    lowercased); raise Refused with the reason otherwise. `dialect`: "duckdb" or "postgresql"."""
    read = _DIALECTS.get(dialect)
    if read is None:
        raise Refused(f"unsupported warehouse dialect {dialect!r}")
    text = sql.strip()
    if not text:
        raise Refused("empty statement")
    body = _explain_body(text, read)
    statement = _one_statement(body if body is not None else text, read)
    if not isinstance(statement, _QUERY_ROOTS):
        kind = type(statement).__name__.upper()
        raise Refused(f"only a query (SELECT, WITH, VALUES, EXPLAIN) may run, not {kind}: "
                      f"{_first_words(text)!r}")
    known = {(s.lower(), t.lower()) for s, t in tables}
    ctes = {str(c.alias_or_name).lower() for c in statement.find_all(exp.CTE)}
    for node in statement.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise Refused(f"{type(node).__name__.upper()} is not allowed in a query: {_first_words(node.sql(read))!r}")
        if isinstance(node, exp.Table):
            _check_table(node, known, ctes, read)
        elif isinstance(node, exp.Func):
            bad = _forbidden_function(node)
            if bad:
                raise Refused(f"function {bad}() is not allowed (it reads files, runs SQL or acts on the server)")
    return text


def _one_statement(text: str, read: str) -> exp.Expression:
    # sqlglot logs a warning for what it parses as a Command; the refusal below says it in one line
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        statements = [s for s in sqlglot.parse(text, read=read) if s is not None]
    except (ParseError, TokenError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Refused(f"not a statement this guard can read: {first}") from exc
    if len(statements) != 1:
        raise Refused(f"exactly one statement is allowed, got {len(statements)}")
    return statements[0]


def _check_table(node: exp.Table, known: set[tuple[str, str]], ctes: set[str], read: str) -> None:
    target = node.this
    if isinstance(target, exp.Func) or not isinstance(target, exp.Identifier):
        names = _names(target) if isinstance(target, exp.Expression) else {"?"}
        bad = _forbidden_function(target) if isinstance(target, exp.Func) else None
        if bad:
            raise Refused(f"function {bad}() is not allowed (it reads files, runs SQL or acts on the server)")
        if names & _TABLE_FUNCTIONS:
            return
        raise Refused(f"only the warehouse's tables may be read, not {_first_words(node.sql(read))!r}")
    name, schema, catalog = str(node.name).lower(), str(node.db).lower(), str(node.catalog).lower()
    if catalog:
        raise Refused(f"only the warehouse's tables may be read (schema.table), not {node.sql(read)!r}")
    if not schema and name in ctes:
        return
    if (schema, name) in known:
        return
    if not schema:
        raise Refused(f"table {node.sql(read)!r} is not a CTE: name warehouse tables with their schema "
                      "(e.g. clean.company, marts.ranking)")
    raise Refused(f"{node.sql(read)!r} is not a table of the warehouse")


def _first_words(text: str, n: int = 60) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"
