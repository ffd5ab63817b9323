"""accreditations and organisation documents

Revision ID: b7d2e9f4a3c1
Revises: a4f1c8e2d6b0
Create Date: 2026-12-02 12:50:00

An organisation's accreditation for each election (number, date, commission, a scan of
the decision) and the two documents it uploads once for its observers' packets (the
Charter extract, the head's powers), each a checked PDF.
"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = 'b7d2e9f4a3c1'
down_revision = 'a4f1c8e2d6b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accreditations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('election_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('commission', sa.String(length=300), nullable=False),
        sa.Column('scan', sa.LargeBinary(), nullable=False),
        sa.Column('scan_sha256', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', course.core.db.UTCDateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['election_id'], ['elections.id'],
            name=op.f('fk_accreditations_election_id_elections'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_accreditations_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['users.id'],
            name=op.f('fk_accreditations_recorded_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditations')),
        sa.UniqueConstraint(
            'organisation_id', 'election_id',
            name=op.f('uq_accreditations_organisation_id_election_id'),
        ),
    )
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_accreditations_organisation_id'), ['organisation_id'], unique=False
        )
    op.create_table(
        'organisation_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', course.core.db.UTCDateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_organisation_documents_organisation_id_organisations'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'], ['users.id'],
            name=op.f('fk_organisation_documents_uploaded_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_documents')),
        sa.UniqueConstraint(
            'organisation_id', 'kind', name=op.f('uq_organisation_documents_organisation_id_kind'),
        ),
    )


def downgrade():
    op.drop_table('organisation_documents')
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditations_organisation_id'))
    op.drop_table('accreditations')
