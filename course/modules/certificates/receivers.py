"""The certificate is issued the moment the quiz area announces a completed course."""

from __future__ import annotations

from course.core.content import Course
from course.modules.certificates import services


def issue_on_completion(user_id: int, completion, course: Course) -> None:
    """Issued on the edition the exam was taken on: its title and law date, its number."""
    services.issue_and_announce(user_id, completion, course)
