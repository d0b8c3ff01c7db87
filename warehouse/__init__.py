"""The warehouse: one versioned store of every year, on DuckDB (default) or PostgreSQL.

    engine.connect(url, read_only=False)   open (writers migrate to head; readers are checked)
    runs.start_run / finish_run            meta.run: which run wrote what
    load.load_year(engine, paths, run_id)  a year's stage files, replaced in one transaction
    marts.write_ranking / write_report_figures
    reads.*                                named reads (DataFrames): the only SQL of the project
    sql.query_readonly(url, sql)           `top100 sql` for auditors (checked by readonly.check)

Schema in schema.py (SQLAlchemy Core), migrations in migrations/ (Alembic), bulk paths in bulk.py.
"""
