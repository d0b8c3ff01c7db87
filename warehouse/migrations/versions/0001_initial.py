"""initial schema: raw, staging, clean, marts, meta

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 05:53:00.771888

Indexes exist on PostgreSQL only (see warehouse/schema.py: DuckDB's ART indexes make the
yearly delete-and-insert very slow; the loader checks the natural keys on both engines).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _pg_index(*args, **kw) -> None:
    if _postgres():
        op.create_index(*args, **kw)


def _pg_drop_index(*args, **kw) -> None:
    if _postgres():
        op.drop_index(*args, **kw)


def upgrade() -> None:
    op.create_table('company',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('legal_name', sa.Text(), nullable=False),
    sa.Column('brands', sa.Text(), nullable=False),
    sa.Column('province', sa.Text(), nullable=False),
    sa.Column('business_type', sa.Text(), nullable=False),
    sa.Column('exchange', sa.Text(), nullable=True),
    sa.Column('ticker', sa.Text(), nullable=True),
    sa.Column('group_parent_id', sa.Text(), nullable=True),
    sa.Column('licence_type', sa.Text(), nullable=True),
    sa.Column('licence_number', sa.Text(), nullable=True),
    sa.Column('self_operated_ecommerce', sa.Boolean(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('excluded_reason', sa.Text(), nullable=True),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='clean',
    comment='the registry as declared and verified'
    )
    _pg_index('ux_company_key', 'company', ['year', 'company_id'], unique=True, schema='clean')
    op.create_table('company_year_metric',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('metric', sa.Text(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True, comment='the value used (CNY for money)'),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_ref', sa.Text(), nullable=True),
    sa.Column('declared', sa.Double(), nullable=True),
    sa.Column('public', sa.Double(), nullable=True),
    sa.Column('difference', sa.Double(), nullable=True, comment='declared - public, relative'),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='clean',
    comment='the reconciled value used for scoring'
    )
    _pg_index('ux_company_year_metric_key', 'company_year_metric', ['year', 'company_id', 'metric'], unique=True, schema='clean')
    op.create_table('finding',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('check', sa.Text(), nullable=False),
    sa.Column('metric', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('severity', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('declared', sa.Text(), nullable=True, comment='JSON'),
    sa.Column('public', sa.Text(), nullable=True, comment='JSON'),
    sa.Column('difference', sa.Double(), nullable=True),
    sa.Column('rule', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('expectation', sa.Text(), nullable=True),
    sa.Column('correct_value', sa.Text(), nullable=True, comment='JSON'),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='clean',
    comment='one data-quality result'
    )
    _pg_index('ix_finding_year', 'finding', ['year'], unique=False, schema='clean')
    op.create_table('ranking',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('brands', sa.Text(), nullable=False),
    sa.Column('total_score', sa.Double(), nullable=False),
    sa.Column('indicators', sa.Text(), nullable=False, comment='JSON {indicator: value}'),
    sa.Column('dimensions', sa.Text(), nullable=False, comment='JSON {dimension: score}'),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='marts',
    comment='the list'
    )
    _pg_index('ux_ranking_key', 'ranking', ['year', 'company_id'], unique=True, schema='marts')
    op.create_table('report_figure',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('published', sa.Double(), nullable=True),
    sa.Column('published_text', sa.Text(), nullable=True),
    sa.Column('difference', sa.Double(), nullable=True),
    sa.Column('within_tolerance', sa.Boolean(), nullable=True),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='marts',
    comment='a figure of the report next to the published one'
    )
    _pg_index('ux_report_figure_key', 'report_figure', ['year', 'name'], unique=True, schema='marts')
    op.create_table('run',
    sa.Column('run_id', sa.Text(), nullable=False),
    sa.Column('flow', sa.Text(), nullable=False),
    sa.Column('params', sa.Text(), nullable=False, comment='JSON'),
    sa.Column('code_version', sa.Text(), nullable=False),
    sa.Column('schema_version', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('ended_at', sa.DateTime(), nullable=True, comment='UTC'),
    sa.Column('outcome', sa.Text(), nullable=False, comment='running until finished'),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name='pk_run'),
    schema='meta',
    comment='one row per flow run'
    )
    op.create_table('year_load',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('row_counts', sa.Text(), nullable=False, comment='JSON {table: rows}'),
    schema='meta',
    comment='the run that wrote the current version of each year'
    )
    _pg_index('ux_year_load_year', 'year_load', ['year'], unique=True, schema='meta')
    op.create_table('document',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('company_id', sa.Text(), nullable=True),
    sa.Column('doc_type', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('published_at', sa.Text(), nullable=True),
    sa.Column('sha256', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('fetched_at', sa.Text(), nullable=False),
    sa.Column('supersedes', sa.Text(), nullable=True),
    sa.Column('source_id', sa.Text(), nullable=True),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='raw',
    comment='one fetched or delivered document (content in the raw store by sha256)'
    )
    _pg_index('ix_document_year', 'document', ['year'], unique=False, schema='raw')
    op.create_table('declared_fact',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('form_sha256', sa.Text(), nullable=False),
    sa.Column('field', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True, comment='JSON: number in base units, text, bool or ISO date'),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('scale', sa.Double(), nullable=True),
    sa.Column('cell', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='one cell of a declaration form (申报表)'
    )
    _pg_index('ux_declared_fact_key', 'declared_fact', ['year', 'company_id', 'form_sha256', 'field', 'fiscal_year'], unique=True, schema='staging')
    op.create_table('extracted_fact',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=True),
    sa.Column('document_sha256', sa.Text(), nullable=False),
    sa.Column('doc_type', sa.Text(), nullable=False),
    sa.Column('metric', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False, comment='base unit of the currency, scale applied'),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('scale', sa.Double(), nullable=False),
    sa.Column('bbox', sa.Text(), nullable=True, comment='JSON [x0, top, x1, bottom] in PDF points'),
    sa.Column('extractor', sa.Text(), nullable=False),
    sa.Column('extractor_version', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('period_start', sa.Text(), nullable=True),
    sa.Column('period_end', sa.Text(), nullable=True),
    sa.Column('restated', sa.Boolean(), nullable=False),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='one figure read from a document, with its provenance'
    )
    _pg_index('ix_extracted_fact_year', 'extracted_fact', ['year'], unique=False, schema='staging')
    op.create_table('fx_rate',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('pair', sa.Text(), nullable=False),
    sa.Column('requested_date', sa.Text(), nullable=False),
    sa.Column('date', sa.Text(), nullable=False),
    sa.Column('rate', sa.Double(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='CFETS central parity, CNY per unit of foreign currency'
    )
    _pg_index('ix_fx_rate_year', 'fx_rate', ['year'], unique=False, schema='staging')
    op.create_table('integrity_record',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('record_date', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('disqualifying', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='a credit / integrity record'
    )
    _pg_index('ix_integrity_record_year', 'integrity_record', ['year'], unique=False, schema='staging')
    op.create_table('licence_registry',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('licence_number', sa.Text(), nullable=False),
    sa.Column('licence_type', sa.Text(), nullable=False),
    sa.Column('holder_name', sa.Text(), nullable=False),
    sa.Column('company_id', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='a row of the licence-registry export'
    )
    _pg_index('ix_licence_registry_year', 'licence_registry', ['year'], unique=False, schema='staging')
    op.create_table('market_quote',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('exchange', sa.Text(), nullable=False),
    sa.Column('ticker', sa.Text(), nullable=False),
    sa.Column('requested_date', sa.Text(), nullable=False),
    sa.Column('date', sa.Text(), nullable=False),
    sa.Column('close', sa.Double(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('total_shares', sa.Double(), nullable=True),
    sa.Column('market_value', sa.Double(), nullable=True),
    sa.Column('ads_ratio', sa.Double(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='a close on (or before) the market-value date'
    )
    _pg_index('ix_market_quote_year', 'market_quote', ['year'], unique=False, schema='staging')
    op.create_table('stage_error',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('stage', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('company_id', sa.Text(), nullable=True),
    sa.Column('document', sa.Text(), nullable=True, comment='sha256 or file name'),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('cell', sa.Text(), nullable=True),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='an input a stage could not use, with the cause'
    )
    _pg_index('ix_stage_error_year', 'stage_error', ['year'], unique=False, schema='staging')
    op.create_table('traffic',
    sa.Column('year', sa.Integer(), nullable=False, comment='partition: the evaluated fiscal year'),
    sa.Column('company_id', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('desktop', sa.Double(), nullable=False),
    sa.Column('mobile', sa.Double(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Text(), nullable=False, comment='meta.run that wrote this row'),
    schema='staging',
    comment='third-party traffic (visits, 万次/day or as delivered)'
    )
    _pg_index('ix_traffic_year', 'traffic', ['year'], unique=False, schema='staging')


def downgrade() -> None:
    _pg_drop_index('ix_traffic_year', table_name='traffic', schema='staging')
    op.drop_table('traffic', schema='staging')
    _pg_drop_index('ix_stage_error_year', table_name='stage_error', schema='staging')
    op.drop_table('stage_error', schema='staging')
    _pg_drop_index('ix_market_quote_year', table_name='market_quote', schema='staging')
    op.drop_table('market_quote', schema='staging')
    _pg_drop_index('ix_licence_registry_year', table_name='licence_registry', schema='staging')
    op.drop_table('licence_registry', schema='staging')
    _pg_drop_index('ix_integrity_record_year', table_name='integrity_record', schema='staging')
    op.drop_table('integrity_record', schema='staging')
    _pg_drop_index('ix_fx_rate_year', table_name='fx_rate', schema='staging')
    op.drop_table('fx_rate', schema='staging')
    _pg_drop_index('ix_extracted_fact_year', table_name='extracted_fact', schema='staging')
    op.drop_table('extracted_fact', schema='staging')
    _pg_drop_index('ux_declared_fact_key', table_name='declared_fact', schema='staging')
    op.drop_table('declared_fact', schema='staging')
    _pg_drop_index('ix_document_year', table_name='document', schema='raw')
    op.drop_table('document', schema='raw')
    _pg_drop_index('ux_year_load_year', table_name='year_load', schema='meta')
    op.drop_table('year_load', schema='meta')
    op.drop_table('run', schema='meta')
    _pg_drop_index('ux_report_figure_key', table_name='report_figure', schema='marts')
    op.drop_table('report_figure', schema='marts')
    _pg_drop_index('ux_ranking_key', table_name='ranking', schema='marts')
    op.drop_table('ranking', schema='marts')
    _pg_drop_index('ix_finding_year', table_name='finding', schema='clean')
    op.drop_table('finding', schema='clean')
    _pg_drop_index('ux_company_year_metric_key', table_name='company_year_metric', schema='clean')
    op.drop_table('company_year_metric', schema='clean')
    _pg_drop_index('ux_company_key', table_name='company', schema='clean')
    op.drop_table('company', schema='clean')
