"""Certificates: a learner who has completed the fixture course, and so holds one."""

from __future__ import annotations

from course.core.content.published import current_course
from course.core.db import db
from course.modules.quizzes import services as quizzes
from tests.support import factories
from tests.support.quizzes import answers_for, read_lessons


def complete_course(**user_fields) -> int:
    """Inside an app context: a new learner who passed everything; returns the user id."""
    course = current_course()
    user = factories.make_user(**user_fields)
    db.session.commit()
    read_lessons(user.id, course)
    for info in (
        quizzes.quiz_info(course, quizzes.MODULE, "alpha"),
        quizzes.quiz_info(course, quizzes.FINAL),
    ):
        attempt = quizzes.start_attempt(user.id, course, info)
        quizzes.submit(attempt, answers_for(attempt, course), "kk", course)
    db.session.commit()
    return user.id


def signed_status_list(keyring, issuer: str, now, revoked=(), replaced=()) -> dict:
    """A status list signed by the key ring's active key, as the server would publish it."""
    from course.modules.certificates import integrity, statuslist

    entry, private = keyring.active()
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "credentialSubject": {
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(set(revoked) | set(replaced)),
            "replacedList": statuslist.encode(set(replaced)),
        },
    }
    method = f"{issuer}/.well-known/course-keys.json#{entry.kid}"
    return integrity.add_proof(document, private, method, now.isoformat())
