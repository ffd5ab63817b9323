"""Alembic migrations: one revision per schema change, named with a date prefix."""
