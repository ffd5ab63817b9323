"""Certificates: a learner who has completed the fixture course, and so holds one."""

from __future__ import annotations

from course.core.content.published import current_course
from course.core.db import db
from course.modules.quizzes import services as quizzes
from tests.support import factories
from tests.support.quizzes import answers_for, read_lessons


def complete_course(**user_fields) -> int:
    """Inside an app context: a new learner who passed everything; returns the user id."""
    user = factories.make_user(**user_fields)
    db.session.commit()
    pass_course(user.id)
    return user.id


def pass_course(user_id: int) -> None:
    """Inside an app context: this learner reads every lesson and passes every quiz and the
    final exam of the current edition."""
    course = current_course()
    read_lessons(user_id, course)
    for info in (
        quizzes.quiz_info(course, quizzes.MODULE, "alpha"),
        quizzes.quiz_info(course, quizzes.FINAL),
    ):
        attempt = quizzes.start_attempt(user_id, course, info)
        quizzes.submit(attempt, answers_for(attempt, course), "kk", course)
    db.session.commit()


def signed_in_holder(app) -> dict:
    """A learner who has completed the course, with a test client signed in as them:
    {"id", "code", "qr", "client"}."""
    from course.modules.accounts import services as accounts
    from course.modules.certificates import services as certificates
    from tests.support.clients import sign_in

    with app.app_context():
        user_id = complete_course(full_name="Әсел Қайратқызы Нұрланова")
        certificate = certificates.current_certificate(user_id)
        email = accounts.get_user(user_id).email
        data = {"id": user_id, "code": certificate.code, "qr": certificate.qr_text}
    client = app.test_client()
    sign_in(client, email, factories.PASSWORD)
    data["client"] = client
    return data


def signed_status_list(keyring, issuer: str, now, revoked=(), replaced=()) -> dict:
    """A status list signed by the key ring's active key, as the server would publish it
    for the base URL `issuer` (services/lists.py)."""
    from course.modules.certificates import did, integrity, statuslist

    entry, private = keyring.active()
    issuer_did = did.did_web(issuer)
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            f"{issuer}/contexts/status-v1.jsonld",
        ],
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": now.isoformat(),
        "credentialSubject": {
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(set(revoked) | set(replaced)),
            "replacedList": statuslist.encode(set(replaced)),
        },
    }
    return integrity.add_proof(
        document, private, did.method_id(issuer_did, entry.kid), now.isoformat()
    )
