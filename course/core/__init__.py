"""Shared code that owns no URLs: i18n, content loading, database base, access, errors."""
