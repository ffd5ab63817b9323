"""Issuing a certificate on completion: exactly once per learner and edition, signed (the
QR's COSE_Sign1), rendered as a bilingual PDF, announced by mail once the transaction
commits."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core.content import Course
from course.core.db import db, utcnow
from course.core.i18n import _, format_date
from course.core.links import absolute_url
from course.core.mail import send_mail_after_commit
from course.modules.accounts import services as accounts
from course.modules.certificates import (
    codes,
    cose,
    pdf,
    statuslist,
    verification,
)
from course.modules.certificates.models import AuditEvent, Certificate
from course.modules.certificates.services.signing import issuer, keyring
from course.modules.certificates.services.status import current_certificate, local_date
from course.modules.security import services as security


def _texts(course: Course, certificate: Certificate, lang: str) -> pdf.Side:
    base = issuer()
    with force_locale(lang):
        return pdf.Side(
            heading=_("CERTIFICATE OF COMPLETED TRAINING"),
            awarded=_("This certificate is awarded to"),
            course=course.title[lang],
            edition=_(
                "Edition %(edition)s · the law as of %(date)s",
                edition=certificate.edition,
                date=format_date(certificate.status_as_of, "long"),
            ),
            completed=_(
                "Completed on %(date)s", date=format_date(certificate.completed_at, "long")
            ),
            issuer=_("Issued by %(issuer)s", issuer=current_app.config["COURSE_ISSUER"] or base),
            verify=_(
                "To verify: scan the QR code, or enter the code at %(url)s",
                url=absolute_url("certificates.verify_form", lang=lang),
            ),
        )


def sign_and_render(certificate: Certificate, course: Course) -> None:
    entry, private = keyring().active()
    signed_at = entry.signing_time(certificate.issued_at)
    if certificate.id is None:
        certificate.issued_at = signed_at  # a new certificate: its row says what it signs
    claims = verification.make_claims(
        issuer(),
        signed_at,
        certificate.code,
        certificate.holder_name,
        certificate.edition,
        local_date(certificate.completed_at),
        certificate.status_index,
        certificate.iin_tag,
    )
    certificate.signing_kid = entry.kid
    certificate.qr_text = verification.qr_text(issuer(), cose.sign(claims, private))
    sheet = pdf.CertificateSheet(
        name=certificate.holder_name,
        code=codes.display(certificate.code),
        qr_text=certificate.qr_text,
        kk=_texts(course, certificate, "kk"),
        ru=_texts(course, certificate, "ru"),
        code_label="Коды / Код",
    )
    certificate.pdf = pdf.render(sheet)


# Random places tried before falling back to reading every place in use: with the list
# nine-tenths full, 32 random tries all miss about once in 30 issues.
STATUS_INDEX_TRIES = 32
# Whole issues tried when the database refuses one for a collision of its random code or
# place (the unique constraints decide between simultaneous issues).
ISSUE_TRIES = 3


class StatusListFull(RuntimeError):
    """Every place in the status list is taken: no certificate can be issued."""


def _index_taken(index: int) -> bool:
    return (
        db.session.scalar(select(Certificate.id).where(Certificate.status_index == index))
        is not None
    )


def free_status_index(rng: secrets.SystemRandom | None = None) -> int:
    """A random place in the status list that no certificate has: one lookup by the unique
    index per try, usually one, however many certificates there are (reading every place in
    use was a full read of the table at each issue). Only a nearly full list falls back to
    that read. Two issues at once may still pick the same place: the unique constraint
    refuses the second, which tries again (see _issue)."""
    rng = rng or secrets.SystemRandom()
    for _try in range(STATUS_INDEX_TRIES):
        index = rng.randrange(statuslist.LIST_SIZE)
        if not _index_taken(index):
            return index
    used = set(db.session.scalars(select(Certificate.status_index)))
    free = [i for i in range(statuslist.LIST_SIZE) if i not in used]
    if not free:
        raise StatusListFull(f"all {statuslist.LIST_SIZE} places of the status list are taken")
    return rng.choice(free)


def new_certificate(
    user_id: int, completion, name: str, course: Course, now: datetime
) -> Certificate:
    certificate = Certificate(
        code=codes.new_code(),
        user_id=user_id,
        completion_id=completion.id,
        edition=completion.edition,
        status_as_of=course.law_as_of,
        holder_name=name,
        completed_at=completion.completed_at,
        final_score=completion.final_score,
        issued_at=now.replace(microsecond=0),
        status_index=free_status_index(),
    )
    sign_and_render(certificate, course)
    return certificate


def issue(user_id: int, completion, course: Course, now: datetime | None = None) -> Certificate:
    """The learner's certificate for this completion: made once, whatever the concurrency."""
    return _issue(accounts.get_user(user_id), completion, course, now)


def issue_and_announce(user_id: int, completion, course: Course) -> Certificate:
    """On completion: issue, then tell the holder once the transaction commits. The
    learner is loaded once for both."""
    user = accounts.get_user(user_id)
    certificate = _issue(user, completion, course)
    send_issued_mail(user, certificate)
    return certificate


def _issue(user, completion, course: Course, now: datetime | None = None) -> Certificate:
    existing = current_certificate(user.id, completion.edition)
    if existing is not None:
        return existing
    for attempt in range(1, ISSUE_TRIES + 1):
        certificate = new_certificate(user.id, completion, user.full_name, course, now or utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:
            # Another request issued it first (one current certificate per learner and
            # edition is a database constraint), or a random code or place collided with
            # another certificate's: then a new code and place are drawn.
            existing = current_certificate(user.id, completion.edition)
            if existing is not None:
                return existing
            if attempt == ISSUE_TRIES:
                raise
            continue
        accounts.lock_name(user)
        replace_earlier(certificate)
        return certificate
    raise AssertionError("unreachable")  # pragma: no cover


def replace_earlier(certificate: Certificate) -> list[Certificate]:
    """A certificate of a later edition (a refresher passed, or the course taken again)
    replaces the holder's current certificates of earlier editions: each answers
    "replaced by …" from now on, not "revoked". A revoked one stays revoked."""
    earlier = list(
        db.session.scalars(
            select(Certificate).where(
                Certificate.user_id == certificate.user_id,
                Certificate.edition < certificate.edition,
                Certificate.replaced_at.is_(None),
                Certificate.revoked_at.is_(None),
            )
        )
    )
    for old in earlier:
        old.replaced_at = certificate.issued_at
        old.replaced_by_id = certificate.id
        detail = f"replaced by {certificate.code} (edition {certificate.edition})"
        db.session.add(
            AuditEvent(
                certificate_id=old.id, actor_id=certificate.user_id, action="replace", detail=detail
            )
        )
        security.record(
            "certificate_replaced",
            actor_id=certificate.user_id,
            subject=f"certificate:{old.code}",
            detail=detail,
        )
    db.session.flush()
    return earlier


def send_issued_mail(user, certificate: Certificate) -> None:
    """The holder is told, in their language, once the issuing transaction commits."""
    with force_locale(user.locale):
        subject = _("Your certificate of completed training")
        body = _(
            "Hello, %(name)s.\n\n"
            "You have completed the observer course. Your certificate is ready:\n\n"
            "%(link)s\n\n"
            "Its code is %(code)s. An organisation or a commission can check it at %(verify)s.",
            name=user.full_name,
            link=absolute_url("certificates.my_certificate", lang=user.locale),
            code=codes.display(certificate.code),
            verify=absolute_url("certificates.verify_form", lang=user.locale),
        )
    send_mail_after_commit(user.email, subject, body)
