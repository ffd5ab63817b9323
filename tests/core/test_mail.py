"""Mail that announces what a transaction creates goes out only if it commits."""

from pathlib import Path

from course.core.db import db
from course.core.mail import send_mail_after_commit, wait_for_mail


def outbox(app) -> list[Path]:
    wait_for_mail()
    return sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))


def test_sent_on_commit_and_dropped_on_rollback(app):
    with app.app_context():
        send_mail_after_commit("a@example.kz", "Subject", "Body")
        db.session.rollback()
        assert outbox(app) == []
        send_mail_after_commit("b@example.kz", "Тақырып", "Мәтін")
        assert outbox(app) == []
        db.session.commit()
        [message] = outbox(app)
        assert b"b@example.kz" in message.read_bytes()
