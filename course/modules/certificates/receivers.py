"""The certificate is issued the moment the quiz area announces a completed course."""

from __future__ import annotations

from course.core.content.published import current_course
from course.modules.certificates import services


def issue_on_completion(user_id: int, completion) -> None:
    certificate = services.issue(user_id, completion, current_course())
    services.send_issued_mail(user_id, certificate)
