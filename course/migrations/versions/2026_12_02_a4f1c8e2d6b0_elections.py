"""elections

Revision ID: a4f1c8e2d6b0
Revises: 9e3c7d5f2a18
Create Date: 2026-12-02 08:05:00

The elections an admin records (campaigns): kind, voting day, name in Kazakh and
Russian; one of a kind per day. Their days are the offline check's election days.
"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = 'a4f1c8e2d6b0'
down_revision = '9e3c7d5f2a18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'elections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('name_kk', sa.String(length=300), nullable=False),
        sa.Column('name_ru', sa.String(length=300), nullable=False),
        sa.Column('created_at', course.core.db.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'],
            name=op.f('fk_elections_created_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_elections')),
        sa.UniqueConstraint('kind', 'day', name=op.f('uq_elections_kind_day')),
    )
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elections_day'), ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elections_day'))
    op.drop_table('elections')
