"""staging.extracted_fact keeps every reading of a fact: corroborations, conflict, single_source

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:45:00

Each fact lists the other places of its document that print the same metric and year
(extractors.corroborate); ``conflict`` marks a disagreement (or a violated accounting identity),
``single_source`` a figure read in one place only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('extracted_fact', sa.Column(
        'corroborations', sa.Text(), nullable=True,
        comment='JSON [{page, label, raw, bbox, value, unit, source, restated, agrees}]: the other places of the '
                'document printing the same metric and year'), schema='staging')
    op.add_column('extracted_fact', sa.Column(
        'conflict', sa.Boolean(), nullable=True, server_default=sa.false(),
        comment='another reading or an accounting identity disagrees'), schema='staging')
    op.add_column('extracted_fact', sa.Column(
        'single_source', sa.Boolean(), nullable=True, server_default=sa.false(),
        comment='read in one place of the document only'), schema='staging')


def downgrade() -> None:
    op.drop_column('extracted_fact', 'single_source', schema='staging')
    op.drop_column('extracted_fact', 'conflict', schema='staging')
    op.drop_column('extracted_fact', 'corroborations', schema='staging')
