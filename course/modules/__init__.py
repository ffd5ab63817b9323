"""Feature areas, registered in this order (explicitly, not discovered)."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

MODULES = (
    "site",
    "security",
    "accounts",
    "learning",
    "quizzes",
    "certificates",
    "organisations",
    "campaigns",
    "authoring",
    "refreshers",
    "offline",
)


def register_modules(app: Flask) -> None:
    for name in MODULES:
        import_module(f"course.modules.{name}").init_app(app)
