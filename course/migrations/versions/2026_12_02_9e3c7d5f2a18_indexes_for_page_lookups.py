"""indexes for the lookups pages make

Revision ID: 9e3c7d5f2a18
Revises: 8d2b6c4e1f07
Create Date: 2026-12-02 04:00:01

"""
from alembic import op
import sqlalchemy as sa

import course.core.db


revision = '9e3c7d5f2a18'
down_revision = '8d2b6c4e1f07'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
