"""Larger request bodies for the few views that take a file upload.

Every other request is held to MAX_CONTENT_LENGTH (256 KB: forms, a batch of codes). A
view marked `@allows_upload(n, may)` takes up to n bytes more when `may()` says the
signed-in person may upload there (so nobody else can make the app read a large body);
the limit is raised before any part of the app reads the body, CSRF protection included
(its check reads the form), so this hook must be registered before Flask-WTF's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request

F = TypeVar("F", bound=Callable)
ATTRIBUTE = "_upload_bytes"


def allows_upload(extra_bytes: int, may: Callable[[], bool]) -> Callable[[F], F]:
    def mark(view: F) -> F:
        setattr(view, ATTRIBUTE, (extra_bytes, may))
        return view

    return mark


def init_app(app: Flask) -> None:
    @app.before_request
    def larger_body_for_uploads() -> None:
        view = app.view_functions.get(request.endpoint or "")
        marked = getattr(view, ATTRIBUTE, None)
        if marked is not None and marked[1]():
            request.max_content_length = current_app.config["MAX_CONTENT_LENGTH"] + marked[0]
