"""assignments of observers to polling stations

Revision ID: c3a8f1d5e7b2
Revises: b7d2e9f4a3c1
Create Date: 2026-12-02 13:00:00

An organisation's observer at a polling station for one election (station number,
address, optional coordinator); one station per observer and election.
"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = 'c3a8f1d5e7b2'
down_revision = 'b7d2e9f4a3c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('election_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('station', sa.String(length=20), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=False),
        sa.Column('coordinator', sa.String(length=200), nullable=False),
        sa.Column('assigned_at', course.core.db.UTCDateTime(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['assigned_by_id'], ['users.id'],
            name=op.f('fk_assignments_assigned_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['election_id'], ['elections.id'],
            name=op.f('fk_assignments_election_id_elections'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_assignments_organisation_id_organisations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_assignments_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
        sa.UniqueConstraint(
            'election_id', 'user_id', name=op.f('uq_assignments_election_id_user_id'),
        ),
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_assignments_organisation_id'), ['organisation_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_organisation_id'))
    op.drop_table('assignments')
