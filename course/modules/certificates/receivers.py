"""The certificate is issued the moment the quiz area announces a completed course."""

from __future__ import annotations

from flask import current_app

from course.core.published import current_course
from course.modules.accounts import services as accounts
from course.modules.certificates import services


def issue_on_completion(user_id: int, completion) -> None:
    certificate = services.issue(user_id, completion, current_course())
    lang = accounts.get_user(user_id).locale
    link = f"{current_app.config['COURSE_BASE_URL']}/{lang}/certificate"
    services.send_issued_mail(user_id, certificate, link)
