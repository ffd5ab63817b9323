"""indexes for the lookups pages make

Revision ID: 9e3c7d5f2a18
Revises: 8d2b6c4e1f07
Create Date: 2026-12-02 04:00:01

Each index serves a lookup a page makes on every view (see the models' comments):
- quiz_attempts (user_id, quiz_id, started_at): a learner's attempts at a quiz, newest
  first; it replaces the index on user_id alone, which is its first column.
- organisation_observers (organisation_id, status): an organisation's roster and
  requests; it replaces the index on organisation_id alone.
- organisation_verifications (organisation_id, at): an organisation's log, newest first;
  it replaces the index on organisation_id alone.
- certificates (status_index, replaced_at) WHERE revoked or replaced: the status list
  reads the few marked certificates without scanning a million rows.
The certificate lookup by code (the API, the verification page) and the places in the
status list (one per certificate) have unique constraints already, and so indexes; so do
lesson_progress (user_id, module_id, lesson_id) and course_completions (user_id, edition).
"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = '9e3c7d5f2a18'
down_revision = '8d2b6c4e1f07'
branch_labels = None
depends_on = None

MARKED = sa.text("revoked_at IS NOT NULL OR replaced_at IS NOT NULL")


def upgrade():
    op.create_index(
        'ix_quiz_attempts_user_quiz', 'quiz_attempts', ['user_id', 'quiz_id', 'started_at'],
        unique=False,
    )
    op.drop_index('ix_quiz_attempts_user_id', table_name='quiz_attempts')
    op.create_index(
        'ix_organisation_observers_roster', 'organisation_observers',
        ['organisation_id', 'status'], unique=False,
    )
    op.drop_index('ix_organisation_observers_organisation_id', table_name='organisation_observers')
    op.create_index(
        'ix_organisation_verifications_log', 'organisation_verifications',
        ['organisation_id', 'at'], unique=False,
    )
    op.drop_index(
        'ix_organisation_verifications_organisation_id', table_name='organisation_verifications'
    )
    op.create_index(
        'ix_certificates_marked', 'certificates', ['status_index', 'replaced_at'], unique=False,
        sqlite_where=MARKED, postgresql_where=MARKED,
    )


def downgrade():
    op.drop_index(
        'ix_certificates_marked', table_name='certificates',
        sqlite_where=MARKED, postgresql_where=MARKED,
    )
    op.create_index(
        'ix_organisation_verifications_organisation_id', 'organisation_verifications',
        ['organisation_id'], unique=False,
    )
    op.drop_index('ix_organisation_verifications_log', table_name='organisation_verifications')
    op.create_index(
        'ix_organisation_observers_organisation_id', 'organisation_observers',
        ['organisation_id'], unique=False,
    )
    op.drop_index('ix_organisation_observers_roster', table_name='organisation_observers')
    op.create_index('ix_quiz_attempts_user_id', 'quiz_attempts', ['user_id'], unique=False)
    op.drop_index('ix_quiz_attempts_user_quiz', table_name='quiz_attempts')
