"""published editions in the database

Revision ID: 8d2b6c4e1f07
Revises: 7c1f0e2a9b31
Create Date: 2026-12-02 04:00:00

Editions that an older version kept in `<instance>/editions/` are imported by the app at
its next start (course.core.content.published.import_instance_editions), not here: each
server imports its own folder, and a migration may run where no instance folder is.
"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = '8d2b6c4e1f07'
down_revision = '7c1f0e2a9b31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('published_editions',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('published_at', course.core.db.UTCDateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=200), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('law_in_force_on', sa.Date(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('supersedes_earlier', sa.Boolean(), nullable=False),
    sa.Column('changed_modules', sa.JSON(), nullable=False),
    sa.Column('frozen_from_files', sa.Boolean(), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.Column('archive_sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_at', course.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_published_editions'))
    )
    op.create_table('editing_server',
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('instance_path', sa.String(length=1000), nullable=False),
    sa.Column('taken_at', course.core.db.UTCDateTime(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_editing_server_taken_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_editing_server'))
    )


def _export_editions():
    """Before the table goes: every edition back into <instance>/editions/<N>/ with its
    edition.json, where the older version reads them (none is lost by a downgrade)."""
    import json
    from pathlib import Path

    from alembic import context
    from flask import current_app

    from course.core.content.archive import unpack

    if context.is_offline_mode():
        return
    table = sa.table(
        'published_editions',
        sa.column('number', sa.Integer()),
        sa.column('published_on', sa.Date()),
        sa.column('published_at', course.core.db.UTCDateTime()),
        sa.column('published_by', sa.String()),
        sa.column('published_by_id', sa.Integer()),
        sa.column('law_in_force_on', sa.Date()),
        sa.column('review_note', sa.Text()),
        sa.column('supersedes_earlier', sa.Boolean()),
        sa.column('changed_modules', sa.JSON()),
        sa.column('frozen_from_files', sa.Boolean()),
        sa.column('archive', sa.LargeBinary()),
    )
    folder = Path(current_app.instance_path) / 'editions'
    for row in op.get_bind().execute(sa.select(table).order_by(table.c.number)).mappings():
        target = folder / str(row['number'])
        if target.exists():
            continue
        unpack(bytes(row['archive']), target)
        record = {
            'number': row['number'],
            'published_on': row['published_on'].isoformat(),
            'published_at': (
                row['published_at'].isoformat(timespec='seconds') if row['published_at'] else None
            ),
            'published_by': row['published_by'],
            'published_by_id': row['published_by_id'],
            'law_in_force_on': (
                row['law_in_force_on'].isoformat() if row['law_in_force_on'] else None
            ),
            'review_note': row['review_note'],
            'supersedes_earlier': row['supersedes_earlier'],
            'changed_modules': list(row['changed_modules'] or ()),
            'frozen_from_files': row['frozen_from_files'],
        }
        text = json.dumps(record, ensure_ascii=False, indent=2) + '\n'
        (target / 'edition.json').write_text(text, encoding='utf-8')
    (folder / 'IMPORTED.txt').unlink(missing_ok=True)


def downgrade():
    _export_editions()
    op.drop_table('editing_server')
    op.drop_table('published_editions')
