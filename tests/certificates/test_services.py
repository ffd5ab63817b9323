"""Issuing, identity, revocation and replacement on the real database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course.core.content.published import current_course
from course.core.db import db, utcnow
from course.modules.accounts import services as accounts
from course.modules.certificates import iin, services, verification
from course.modules.certificates.models import AuditEvent, Certificate
from course.modules.quizzes import services as quizzes
from course.modules.security import services as security
from tests.support.certificates import complete_course

IIN = "900101300017"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.mark.usefixtures("ctx")
def test_completion_issues_one_certificate_and_locks_the_name():
    user_id = complete_course(full_name="Әсел  Қайратқызы")
    certificate = services.current_certificate(user_id)
    assert certificate is not None
    assert certificate.holder_name == "Әсел Қайратқызы"
    assert certificate.edition == 3
    assert certificate.final_score == 100
    assert certificate.status_as_of.isoformat() == "2021-01-10"  # the older of the two modules
    assert certificate.pdf.startswith(b"%PDF")
    assert accounts.get_user(user_id).name_locked_at is not None
    verdict = verification.verify(certificate.qr_text, services.key_list())
    assert verdict.status == "valid"
    assert verdict.claims.code == certificate.code


@pytest.mark.usefixtures("ctx")
def test_issuing_again_returns_the_same_certificate():
    user_id = complete_course()
    completion = quizzes.completion(user_id, 3)
    first = services.current_certificate(user_id)
    again = services.issue(user_id, completion, current_course())
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


@pytest.mark.slow
def test_fifty_simultaneous_issues_leave_one_certificate(make_app, database_url):
    # A connection for every thread, so all fifty really meet at the database.
    connect = {"timeout": 30} if database_url.startswith("sqlite") else {}
    app = make_app(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 55, "max_overflow": 0, "connect_args": connect}
    )
    with app.app_context():
        user_id = complete_course()
        completion_id = quizzes.completion(user_id, 3).id
        # Start from no certificate, as if all fifty completions raced.
        db.session.execute(Certificate.__table__.delete())
        db.session.commit()
    barrier = threading.Barrier(50)
    errors = []

    def worker():
        barrier.wait()
        with app.app_context():
            try:
                completion = quizzes.get_completion(completion_id)
                services.issue(user_id, completion, current_course())
                db.session.commit()
            except Exception as e:
                errors.append(repr(e))
                db.session.rollback()

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert errors == []


def _wrong_iin() -> str:
    """A well-formed IIN (valid check digit) that is not the holder's."""
    return next(
        f"8502034{n:04d}" + str(iin.check_digit(f"8502034{n:04d}"))
        for n in range(10000)
        if iin.check_digit(f"8502034{n:04d}") is not None
    )


def _certificate_with_iin():
    certificate = services.current_certificate(complete_course())
    services.set_identity(certificate, IIN, False)
    db.session.commit()
    return certificate


@pytest.mark.usefixtures("ctx")
def test_identity_matches_both_ways_and_a_requester_is_paused_after_five_misses():
    certificate = _certificate_with_iin()
    assert certificate.iin_hmac
    assert IIN not in certificate.iin_hmac
    # The QR carries no IIN tag unless the holder asks for one (test_iin_tag.py).
    assert verification.verify(certificate.qr_text, services.key_list()).claims.iin_tag is None
    stranger = services.requester_at("203.0.113.7")
    assert services.check_identity(certificate, IIN, stranger) is True
    with pytest.raises(iin.IINError):
        services.check_identity(certificate, IIN[:-1] + "8", stranger)  # a typo: not counted
    for _ in range(services.MISSES_PER_REQUESTER):
        assert services.check_identity(certificate, _wrong_iin(), stranger) is False
    with pytest.raises(services.IdentityLocked) as locked:
        services.check_identity(certificate, IIN, stranger)
    assert locked.value.scope == "requester"
    # Another address, and an organisation, are not locked out by the stranger.
    assert services.check_identity(certificate, IIN, services.requester_at("198.51.100.1"))
    assert services.check_identity(certificate, IIN, services.organisation_requester(1))
    later = utcnow() + timedelta(hours=25)
    assert services.check_identity(certificate, IIN, stranger, later) is True
    with pytest.raises(services.AlreadySet):
        services.set_identity(certificate, IIN, False)


@pytest.mark.usefixtures("ctx")
def test_anonymous_misses_lock_anonymous_checks_only_and_are_logged():
    certificate = _certificate_with_iin()
    wrong = _wrong_iin()
    # Many addresses, each below its own limit, together reach the certificate's limit.
    for n in range(services.MISSES_ANONYMOUS_PER_CERTIFICATE):
        address = services.requester_at(f"203.0.113.{n // (services.MISSES_PER_REQUESTER - 1)}")
        assert services.check_identity(certificate, wrong, address) is False
    with pytest.raises(services.IdentityLocked) as locked:
        services.check_identity(certificate, IIN, services.requester_at("192.0.2.99"))
    assert locked.value.scope == "certificate"
    # The organisation verifying on election day, by account or by token, still can.
    assert services.check_identity(certificate, IIN, services.organisation_requester(7)) is True
    assert services.check_identity(certificate, IIN, services.token_requester(3)) is True
    events = security.events(security.Filter(kind="identity_check_locked"))
    assert [e.subject for e in events] == [f"certificate:{certificate.code}"]
    assert "certificate" in events[0].detail


@pytest.mark.slow
@pytest.mark.usefixtures("ctx")
def test_one_address_spreading_guesses_over_certificates_is_paused(monkeypatch):
    monkeypatch.setattr(services.identity, "MISSES_PER_ADDRESS", 3)
    first = _certificate_with_iin()
    second = _certificate_with_iin()
    guesser = services.requester_at("203.0.113.50")
    wrong = _wrong_iin()
    for certificate in (first, second, first):
        assert services.check_identity(certificate, wrong, guesser) is False
    with pytest.raises(services.IdentityLocked) as locked:
        services.check_identity(second, IIN, guesser)
    assert locked.value.scope == "address"
    assert services.check_identity(second, IIN, services.requester_at("203.0.113.51"))


@pytest.mark.usefixtures("ctx")
def test_an_organisation_is_paused_on_its_own_count_not_by_anonymous_traffic():
    certificate = _certificate_with_iin()
    wrong = _wrong_iin()
    token = services.token_requester(5)
    for _ in range(services.MISSES_PER_REQUESTER):
        assert services.check_identity(certificate, wrong, token) is False
    with pytest.raises(services.IdentityLocked):
        services.check_identity(certificate, IIN, token)
    # The same organisation's other token, and anonymous visitors, are counted apart.
    assert services.check_identity(certificate, IIN, services.token_requester(6)) is True
    assert services.check_identity(certificate, IIN, services.requester_at("192.0.2.1"))


@pytest.mark.usefixtures("ctx")
def test_revocation_shows_everywhere_and_is_audited():
    user_id = complete_course()
    certificate = services.current_certificate(user_id)
    admin = accounts.create_or_promote(
        "admin@example.kz", "Админ Админов", "admin", "a long password"
    )
    services.revoke(certificate, admin.id, "exam_misconduct", "copied answers")
    db.session.commit()
    status = services.public_status(certificate.code, current_course())
    assert status.status == "revoked"
    assert status.revoked_reason == "exam_misconduct"
    verdict = verification.verify(
        certificate.qr_text, services.key_list(), services.status_list_document()
    )
    assert verdict.status == "revoked"
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert (event.actor_id, event.action) == (admin.id, "revoke")
    with pytest.raises(ValueError, match="nonsense"):
        services.revoke(certificate, admin.id, "nonsense", "")


@pytest.mark.usefixtures("ctx")
def test_an_admin_correction_replaces_the_certificate():
    user_id = complete_course()
    old = services.current_certificate(user_id)
    admin = accounts.create_or_promote(
        "admin@example.kz", "Админ Админов", "admin", "a long password"
    )
    new = services.replace_name(old, admin.id, "Әсел Қайратқызы Нұрланова-Смит")
    db.session.commit()
    assert services.current_certificate(user_id).id == new.id
    assert new.holder_name == "Әсел Қайратқызы Нұрланова-Смит"
    assert accounts.get_user(user_id).full_name == new.holder_name
    status = services.public_status(old.code, current_course())
    assert status.status == "replaced"
    assert status.replaced_by == new.code
    lists = (services.key_list(), services.status_list_document())
    assert verification.verify(old.qr_text, *lists).status == "replaced"
    assert verification.verify(new.qr_text, *lists).status == "valid"


@pytest.mark.usefixtures("ctx")
def test_private_mode_shows_initials():
    user_id = complete_course(full_name="Әсел Қайратқызы")
    certificate = services.current_certificate(user_id)
    services.set_identity(certificate, None, True)
    assert services.public_status(certificate.code, current_course()).holder == "Ә. Қ."
    assert (
        services.public_status(certificate.code, current_course(), show_name=True).holder
        == "Әсел Қайратқызы"
    )


@pytest.mark.usefixtures("ctx")
def test_open_badge_credential_verifies_and_tampering_is_caught():
    user_id = complete_course()
    certificate = services.current_certificate(user_id)
    credential = services.open_badge(certificate, current_course())
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    assert verification.verify_credential(credential, services.key_list()).status == "valid"
    credential["credentialSubject"]["name"] = "Someone Else"
    assert verification.verify_credential(credential, services.key_list()).status == "forged"


def test_a_signature_never_claims_a_time_before_its_key(app):
    """A certificate timed before the active key began (the key made or rotated a moment
    after the issue started) and one signed again after a rotation both verify: each
    signature claims no earlier time than its key's start."""
    with app.app_context():
        user_id = complete_course()
        certificate = services.current_certificate(user_id)
        later = utcnow() + timedelta(seconds=5)
        services.rotate_key(later)
        db.session.commit()
        # Signed again (as putting the IIN tag in does), now under the new key.
        services.sign_and_render(certificate, current_course())
        db.session.commit()
        again = verification.verify(certificate.qr_text, services.key_list())
        assert again.status == verification.VALID, again
        assert again.claims.issued_at == later.replace(microsecond=0)
        # A new certificate whose issue began before that key's start.
        other = quizzes.completion(complete_course_without_certificate(), None)
        made = services.issue(other.user_id, other, current_course(), now=utcnow())
        db.session.commit()
        fresh = verification.verify(made.qr_text, services.key_list())
        assert fresh.status == verification.VALID, fresh
        assert made.issued_at == later.replace(microsecond=0)  # the row says what it signs


def complete_course_without_certificate() -> int:
    """A learner who completed the course, their certificate taken away again so that the
    test issues it itself."""
    user_id = complete_course()
    db.session.execute(Certificate.__table__.delete().where(Certificate.user_id == user_id))
    db.session.commit()
    return user_id
