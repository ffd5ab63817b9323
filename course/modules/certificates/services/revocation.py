"""Revoking and replacing certificates (an admin's acts, audited and in the security log);
a revoked or already replaced certificate is not replaced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from course.core.content.published import course_edition
from course.core.db import db, utcnow
from course.core.refusals import Refusal
from course.modules.accounts import services as accounts
from course.modules.certificates.models import AuditEvent, Certificate
from course.modules.certificates.services.issuing import new_certificate
from course.modules.security import services as security

REVOCATION_REASONS = (
    "issued_in_error",
    "identity_fraud",
    "exam_misconduct",
    "holder_request",
    "other",
)


class CannotReplace(Refusal):
    """Only a current, unrevoked certificate can be replaced; `reason` says why not:
    "revoked" (a replacement would un-revoke it) or "replaced" (it was replaced already)."""


def revoke(
    certificate: Certificate, actor_id: int, reason: str, note: str, now: datetime | None = None
) -> None:
    if reason not in REVOCATION_REASONS:
        raise ValueError(reason)
    if certificate.revoked_at is not None:
        return
    certificate.revoked_at = now or utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_note = note[:500] or None
    db.session.add(
        AuditEvent(
            certificate_id=certificate.id,
            actor_id=actor_id,
            action="revoke",
            detail=f"{reason}: {note}"[:1000],
        )
    )
    security.record(
        "certificate_revoked",
        actor_id=actor_id,
        subject=f"certificate:{certificate.code}",
        detail=reason,
    )
    db.session.flush()


def replace_name(
    certificate: Certificate,
    actor_id: int,
    new_name: str,
    now: datetime | None = None,
) -> Certificate:
    """An admin corrects the name: a new certificate replaces the old, which says so.

    A revoked certificate is not replaced (the replacement would be valid, silently
    undoing the revocation), nor one that was replaced already (its replacement is the
    one to correct). The replacement is made on the certificate's own edition."""
    now = now or utcnow()
    if certificate.revoked_at is not None:
        raise CannotReplace("revoked")
    if certificate.replaced_at is not None:
        raise CannotReplace("replaced")
    name = accounts.legal_name(new_name)
    completion = _completion_of(certificate)
    certificate.replaced_at = now
    db.session.flush()
    replacement = new_certificate(
        certificate.user_id, completion, name, course_edition(certificate.edition), now
    )
    replacement.private_mode = certificate.private_mode
    db.session.add(replacement)
    db.session.flush()
    certificate.replaced_by_id = replacement.id
    accounts.correct_name_by_admin(accounts.get_user(certificate.user_id), name)
    db.session.add(
        AuditEvent(
            certificate_id=certificate.id,
            actor_id=actor_id,
            action="replace",
            detail=f"replaced by {replacement.code}",
        )
    )
    security.record(
        "certificate_replaced",
        actor_id=actor_id,
        subject=f"certificate:{certificate.code}",
        detail=f"replaced by {replacement.code}",
    )
    db.session.flush()
    return replacement


def _completion_of(certificate: Certificate):
    from course.modules.quizzes import services as quizzes

    return quizzes.get_completion(certificate.completion_id)


def audit_of(certificate: Certificate) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.certificate_id == certificate.id)
            .order_by(AuditEvent.at)
        )
    )
