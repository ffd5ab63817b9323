"""published editions in the database

Revision ID: 8d2b6c4e1f07
Revises: 7c1f0e2a9b31
Create Date: 2026-12-02 04:00:00

"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = '8d2b6c4e1f07'
down_revision = '7c1f0e2a9b31'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
