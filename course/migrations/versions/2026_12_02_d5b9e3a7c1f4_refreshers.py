"""refreshers: readings, notices, and refresher tests among quiz attempts

Revision ID: d5b9e3a7c1f4
Revises: c3a8f1d5e7b2
Create Date: 2026-12-02 16:30:00

A holder of a superseded certificate rereads the changed lessons (refresher_readings) and
passes a refresher test, a third kind of quiz attempt; refresher_notices keep who was told
a refresher is due (the publish mail, an organisation's reminder).
"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = 'd5b9e3a7c1f4'
down_revision = 'c3a8f1d5e7b2'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('module', 'final')"
KINDS_AFTER = "kind IN ('module', 'final', 'refresher')"


def _kinds(allowed: str) -> None:
    # SQLite changes a CHECK by copying the table (batch mode); the partial unique index
    # is set aside and made again, so that its WHERE survives the copy on every backend.
    op.drop_index('uq_quiz_attempts_one_open', table_name='quiz_attempts')
    with op.batch_alter_table('quiz_attempts') as batch:
        batch.drop_constraint(op.f('ck_quiz_attempts_kind'), type_='check')
        batch.create_check_constraint('kind', allowed)
    op.create_index(
        'uq_quiz_attempts_one_open', 'quiz_attempts', ['user_id', 'quiz_id'], unique=True,
        sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
    )


def upgrade():
    _kinds(KINDS_AFTER)
    op.create_table(
        'refresher_readings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('edition', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('lesson_id', sa.String(length=64), nullable=False),
        sa.Column('read_at', course.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_refresher_readings_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refresher_readings')),
        sa.UniqueConstraint(
            'user_id', 'edition', 'module_id', 'lesson_id',
            name=op.f('uq_refresher_readings_user_id_edition_module_id_lesson_id'),
        ),
    )
    op.create_table(
        'refresher_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('edition', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('sent_at', course.core.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('edition', 'reminder')", name=op.f('ck_refresher_notices_kind')
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_refresher_notices_organisation_id_organisations'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_refresher_notices_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refresher_notices')),
    )
    op.create_index(
        'ix_refresher_notices_user_edition', 'refresher_notices',
        ['user_id', 'edition', 'sent_at'], unique=False,
    )


def downgrade():
    op.drop_index('ix_refresher_notices_user_edition', table_name='refresher_notices')
    op.drop_table('refresher_notices')
    op.drop_table('refresher_readings')
    op.execute("DELETE FROM quiz_attempts WHERE kind = 'refresher'")
    _kinds(KINDS_BEFORE)
