"""security log, hashed reset tokens, pending registrations, identity-check requesters

Revision ID: 7c1f0e2a9b31
Revises: 5e137a712610
Create Date: 2026-12-02 01:20:00

"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = '7c1f0e2a9b31'
down_revision = '5e137a712610'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', course.core.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_security_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events'))
    )
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_security_events_kind_at', ['kind', 'at'], unique=False)

    op.create_table('password_reset_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', course.core.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', course.core.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', course.core.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_tokens_token_hash'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('pending_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consent_at', course.core.db.UTCDateTime(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', course.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registrations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_registrations_token_hash'))
    )
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registrations_email'), ['email'], unique=False)

    with op.batch_alter_table('certificate_identity_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requester', sa.String(length=80), nullable=True))
        batch_op.create_index('ix_certificate_identity_checks_requester', ['requester', 'checked_at'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate_identity_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_identity_checks_requester')
        batch_op.drop_column('requester')
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registrations_email'))
    op.drop_table('pending_registrations')
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_user_id'))
    op.drop_table('password_reset_tokens')
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index('ix_security_events_kind_at')
        batch_op.drop_index(batch_op.f('ix_security_events_at'))
    op.drop_table('security_events')
