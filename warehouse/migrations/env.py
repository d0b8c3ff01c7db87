"""Alembic environment: always run from warehouse.engine with an open connection.

``warehouse.engine.migrate`` passes its connection in ``config.attributes["connection"]``
(inside its transaction, so a failed migration leaves nothing behind); there is no
alembic.ini and no offline mode.
"""

from __future__ import annotations

from alembic import context

from warehouse.schema import META, metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through warehouse.engine.connect(url), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table_schema=META,
    include_schemas=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
