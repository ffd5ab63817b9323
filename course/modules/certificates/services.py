"""Certificate use-cases: issue on completion, identity, public status, revocation, lists.

Services take plain values, flush but never commit, and never read the request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from course.config import secret_in_file
from course.core.content import Course
from course.core.content.published import editions
from course.core.db import db, utcnow
from course.core.i18n import _, format_date
from course.core.links import absolute_url
from course.core.mail import send_mail_after_commit
from course.modules.accounts import services as accounts
from course.modules.certificates import (
    codes,
    cose,
    iin,
    integrity,
    keys,
    pdf,
    statuslist,
    verification,
)
from course.modules.certificates.keys import Keyring
from course.modules.certificates.models import AuditEvent, Certificate, IdentityCheck
from course.modules.certificates.signals import certificate_issued
from course.modules.security import services as security

IIN_KEY_VERSION = 1
LOCK_WINDOW = timedelta(hours=24)
# Misses (IINs that did not match; a typo caught by the check digit is no miss) allowed in
# LOCK_WINDOW before identity checks pause. Counted so that a stranger cannot lock out an
# organisation: anonymous traffic (by address) only ever locks anonymous checks, and an
# organisation's own account or token is counted on its own.
MISSES_PER_REQUESTER = 5  # one requester, one certificate
MISSES_PER_ADDRESS = 20  # one address, all certificates (spreading guesses)
MISSES_ANONYMOUS_PER_CERTIFICATE = 10  # all addresses together, one certificate
MISSES_PER_ORGANISATION = 200  # one organisation or token, all certificates
REVOCATION_REASONS = (
    "issued_in_error",
    "identity_fraud",
    "exam_misconduct",
    "holder_request",
    "other",
)
VALID, REVOKED, REPLACED, SUPERSEDED, UNKNOWN = (
    "valid",
    "revoked",
    "replaced",
    "superseded",
    "unknown",
)
# Signed by a signing key that was later withdrawn (a leak): not valid, whatever else.
INVALID = "invalid"


class IdentityLocked(Exception):
    """Too many non-matching IINs in the last 24 hours; `scope` says which limit."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__(scope)


ADDRESS, ORGANISATION, TOKEN = "address", "organisation", "token"


@dataclass(frozen=True)
class Requester:
    """Who asks for an identity check, as the locks count it."""

    kind: str  # ADDRESS, ORGANISATION or TOKEN
    key: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def anonymous(self) -> bool:
        return self.kind == ADDRESS


def requester_at(address: str | None) -> Requester:
    """An anonymous requester by network address; only a keyed hash of it is kept."""
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(), (address or "").encode(), "sha256"
    ).hexdigest()
    return Requester(ADDRESS, digest[:32])


def organisation_requester(organisation_id: int) -> Requester:
    return Requester(ORGANISATION, str(organisation_id))


def token_requester(token_id: int) -> Requester:
    return Requester(TOKEN, str(token_id))


class AlreadySet(Exception):
    """The IIN of a certificate can be added once."""


class CannotReplace(Exception):
    """Only a current, unrevoked certificate can be replaced; `reason` says why not:
    "revoked" (a replacement would un-revoke it) or "replaced" (it was replaced already)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


# ---------------------------------------------------------------- keys and files


def withdrawn_kids() -> frozenset[str]:
    """Key ids whose signatures no longer count."""
    ring = keyring()
    return frozenset(e.kid for e in ring.entries() if e.status == keys.WITHDRAWN)


def rotate_key(now: datetime | None = None):
    """A new active signing key (the old one retires and keeps verifying)."""
    entry = keyring().rotate(now or utcnow(), issuer())
    security.record("key_rotated", subject=f"key:{entry.kid}")
    return entry


def withdraw_key(kid: str, now: datetime | None = None):
    """Withdraw a (leaked) signing key: everything it signed becomes invalid. When it is
    the active key, a new one is made first, so that issuing and the status list keep
    working. Returns the new active entry in that case, else None."""
    now = now or utcnow()
    ring = keyring()
    entries = ring.entries()
    if not any(e.kid == kid for e in entries):
        raise keys.KeyringError(f"no signing key {kid}")
    replacement = None
    if any(e.kid == kid and e.status == keys.ACTIVE for e in entries):
        replacement = rotate_key(now)
    ring.withdraw(kid, now, issuer())
    security.record("key_withdrawn", subject=f"key:{kid}")
    return replacement


def keyring() -> Keyring:
    ring = Keyring(Path(current_app.instance_path) / "keys")
    if not ring.exists:
        ring.init(utcnow(), issuer())
    return ring


def issuer() -> str:
    return current_app.config["COURSE_BASE_URL"]


def root_fingerprint() -> str:
    """The root key's fingerprint, to read aloud and compare with the published one."""
    from course.modules.certificates.keys import fingerprint

    return fingerprint(keyring().root_public())


def root_key() -> str:
    """The root public key (raw, base64url): the trust anchor an offline verifier pins."""
    from course.modules.certificates.keys import b64

    return b64(cose.raw_public_key(keyring().root_public()))


def _iin_secret() -> bytes:
    """The HMAC key for IINs: outside the database, in the instance folder (or the env)."""
    given = current_app.config.get("IIN_HMAC_KEY")
    if given:
        return given.encode()
    return secret_in_file(Path(current_app.instance_path) / "iin_hmac_key").encode()


# ---------------------------------------------------------------- issuing


def local_date(moment: datetime):
    """The calendar date in Kazakhstan, as printed on the certificate."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


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


def _sign_and_render(certificate: Certificate, course: Course) -> None:
    entry, private = keyring().active()
    claims = verification.make_claims(
        issuer(),
        certificate.issued_at,
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


def _new(user_id: int, completion, name: str, course: Course, now: datetime) -> Certificate:
    used = set(db.session.scalars(select(Certificate.status_index)))
    rng = secrets.SystemRandom()
    index = rng.randrange(statuslist.LIST_SIZE)
    while index in used:
        index = rng.randrange(statuslist.LIST_SIZE)
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
        status_index=index,
    )
    _sign_and_render(certificate, course)
    return certificate


def issue(user_id: int, completion, course: Course, now: datetime | None = None) -> Certificate:
    """The learner's certificate for this completion: made once, whatever the concurrency."""
    existing = current_certificate(user_id, completion.edition)
    if existing is not None:
        return existing
    user = accounts.get_user(user_id)
    certificate = _new(user_id, completion, user.full_name, course, now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        # Another request issued it first (one current certificate per learner and
        # edition is a database constraint), or a random code or index collided.
        existing = current_certificate(user_id, completion.edition)
        if existing is not None:
            return existing
        raise
    accounts.lock_name(user)
    certificate_issued.send(user_id, certificate=certificate)
    return certificate


def send_issued_mail(user_id: int, certificate: Certificate) -> None:
    """The holder is told, in their language, once the issuing transaction commits."""
    user = accounts.get_user(user_id)
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


# ---------------------------------------------------------------- reading


def current_certificate(user_id: int, edition: int | None = None) -> Certificate | None:
    query = select(Certificate).where(
        Certificate.user_id == user_id, Certificate.replaced_at.is_(None)
    )
    if edition is not None:
        query = query.where(Certificate.edition == edition)
    return db.session.scalar(query.order_by(Certificate.issued_at.desc()))


def find(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def find_many(codes_: list[str]) -> dict[str, Certificate]:
    """Certificates by canonical code, looked up in batches (for bulk verification)."""
    found: dict[str, Certificate] = {}
    unique = sorted(set(codes_))
    for start in range(0, len(unique), 500):
        batch = unique[start : start + 500]
        for certificate in db.session.scalars(
            select(Certificate).where(Certificate.code.in_(batch))
        ):
            found[certificate.code] = certificate
    return found


def get(certificate_id: int) -> Certificate | None:
    return db.session.get(Certificate, certificate_id)


def initials(name: str) -> str:
    return " ".join(part[0] + "." for part in name.split() if part)


@dataclass(frozen=True)
class PublicStatus:
    """What anyone with the code may see; the same fields for an unknown code."""

    code: str
    status: str
    holder: str | None
    edition: int | None
    status_as_of: object | None
    completed_at: object | None
    issued_at: object | None
    revoked_at: object | None
    revoked_reason: str | None
    replaced_by: str | None
    superseded: bool
    private_mode: bool

    def as_json(self) -> dict:
        def iso(value):
            return value.isoformat() if value is not None else None

        return {
            "code": codes.display(self.code) if len(self.code) == 13 else self.code,
            "status": self.status,
            "holder": self.holder,
            "issuer": issuer(),
            "edition": self.edition,
            "status_as_of": iso(self.status_as_of),
            "completed_on": iso(local_date(self.completed_at)) if self.completed_at else None,
            "issued_at": iso(self.issued_at),
            "revoked_at": iso(self.revoked_at),
            "revoked_reason": self.revoked_reason,
            "replaced_by": codes.display(self.replaced_by) if self.replaced_by else None,
            "superseded": self.superseded,
            "private_mode": self.private_mode,
        }


def public_status(code: str, course: Course, show_name: bool = False) -> PublicStatus:
    return status_of(find(code), code, course, show_name)


def status_of(
    certificate: Certificate | None, code: str, course: Course, show_name: bool = False
) -> PublicStatus:
    """What anyone may see of a certificate already looked up (None: no such code)."""
    if certificate is None:
        return PublicStatus(
            code, UNKNOWN, None, None, None, None, None, None, None, None, False, False
        )
    replacement = get(certificate.replaced_by_id) if certificate.replaced_by_id else None
    superseding_edition = editions().superseding_edition()
    if certificate.signing_kid in withdrawn_kids():
        status = INVALID
    elif certificate.replaced_at is not None:
        status = REPLACED
    elif certificate.revoked_at is not None:
        status = REVOKED
    else:
        status = VALID
    name = certificate.holder_name
    if certificate.private_mode and not show_name:
        name = initials(name)
    return PublicStatus(
        code=certificate.code,
        status=status,
        holder=name,
        edition=certificate.edition,
        status_as_of=certificate.status_as_of,
        completed_at=certificate.completed_at,
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        revoked_reason=certificate.revoked_reason,
        replaced_by=replacement.code if replacement else None,
        # A later edition said earlier certificates are superseded: still valid, but a
        # refresher is recommended.
        superseded=status == VALID and certificate.edition < (superseding_edition or 0),
        private_mode=certificate.private_mode,
    )


# ---------------------------------------------------------------- identity


def set_identity(
    certificate: Certificate, typed_iin: str | None, private_mode: bool, course: Course
) -> None:
    """The holder's choices: private mode any time; an IIN once (the QR then carries its tag)."""
    certificate.private_mode = private_mode
    if typed_iin:
        if certificate.iin_hmac is not None:
            raise AlreadySet
        number = iin.normalize(typed_iin)
        certificate.iin_hmac = iin.keyed_hash(_iin_secret(), certificate.code, number)
        certificate.iin_key_version = IIN_KEY_VERSION
        certificate.iin_tag = iin.offline_tag(certificate.code, number)
        _sign_and_render(certificate, course)


def _misses(now: datetime, *conditions) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(IdentityCheck)
            .where(
                IdentityCheck.matched.is_(False),
                IdentityCheck.checked_at > now - LOCK_WINDOW,
                *conditions,
            )
        )
        or 0
    )


def _lock_scope(certificate: Certificate, requester: Requester, now: datetime) -> str | None:
    """Which limit this check would pass, if any: None means it may go ahead."""
    if (
        _misses(
            now,
            IdentityCheck.certificate_id == certificate.id,
            IdentityCheck.requester == requester.label,
        )
        >= MISSES_PER_REQUESTER
    ):
        return "requester"
    if requester.anonymous:
        if _misses(now, IdentityCheck.requester == requester.label) >= MISSES_PER_ADDRESS:
            return "address"
        anonymous_misses = _misses(
            now,
            IdentityCheck.certificate_id == certificate.id,
            IdentityCheck.requester.like(f"{ADDRESS}:%"),
        )
        if anonymous_misses >= MISSES_ANONYMOUS_PER_CERTIFICATE:
            return "certificate"
    elif _misses(now, IdentityCheck.requester == requester.label) >= MISSES_PER_ORGANISATION:
        return "organisation"
    return None


def check_identity(
    certificate: Certificate,
    typed_iin: str,
    requester: Requester,
    now: datetime | None = None,
) -> bool:
    """Whether the IIN typed from an identity card matches; raises iin.IINError for a typo
    (which does not count) and IdentityLocked when a limit on misses is reached."""
    now = now or utcnow()
    number = iin.normalize(typed_iin)
    if certificate.iin_hmac is None:
        return False
    scope = _lock_scope(certificate, requester, now)
    if scope is not None:
        raise IdentityLocked(scope)
    expected = iin.keyed_hash(_iin_secret(), certificate.code, number)
    matched = secrets.compare_digest(expected, certificate.iin_hmac)
    db.session.add(
        IdentityCheck(
            certificate_id=certificate.id,
            checked_at=now,
            matched=matched,
            requester=requester.label,
        )
    )
    db.session.flush()
    if not matched:
        scope = _lock_scope(certificate, requester, now)
        if scope is not None:
            security.record(
                "identity_check_locked",
                subject=f"certificate:{certificate.code}",
                detail=f"{scope} ({requester.kind})",
            )
    return matched


# ---------------------------------------------------------------- revocation and replacement


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
    course: Course,
    now: datetime | None = None,
) -> Certificate:
    """An admin corrects the name: a new certificate replaces the old, which says so.

    A revoked certificate is not replaced (the replacement would be valid, silently
    undoing the revocation), nor one that was replaced already (its replacement is the
    one to correct)."""
    now = now or utcnow()
    if certificate.revoked_at is not None:
        raise CannotReplace("revoked")
    if certificate.replaced_at is not None:
        raise CannotReplace("replaced")
    name = accounts.legal_name(new_name)
    completion = _completion_of(certificate)
    certificate.replaced_at = now
    db.session.flush()
    replacement = _new(certificate.user_id, completion, name, course, now)
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


# ---------------------------------------------------------------- published lists


def status_list_document(now: datetime | None = None) -> dict:
    now = now or utcnow()
    rows = db.session.execute(
        select(Certificate.status_index, Certificate.replaced_at).where(
            (Certificate.revoked_at.is_not(None)) | (Certificate.replaced_at.is_not(None))
        )
    ).all()
    entry, private = keyring().active()
    base = issuer()
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"{base}/status/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": base,
        "validFrom": now.replace(microsecond=0).isoformat(),
        "credentialSubject": {
            "id": f"{base}/status/1#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode({r.status_index for r in rows}),
            # Our extension: which of the revoked were replaced (a corrected certificate).
            "replacedList": statuslist.encode({r.status_index for r in rows if r.replaced_at}),
        },
    }
    return integrity.add_proof(
        document,
        private,
        f"{base}/.well-known/course-keys.json#{entry.kid}",
        now.replace(microsecond=0).isoformat(),
    )


def key_list() -> dict:
    return keyring().published()


def open_badge(certificate: Certificate, course: Course) -> dict:
    """The certificate as an Open Badges 3.0 credential (W3C VC 2.0), eddsa-jcs-2022."""
    base = issuer()
    entry, private = keyring().active()
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{base}/api/v1/certificates/{certificate.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": base,
            "type": ["Profile"],
            "name": current_app.config["COURSE_ISSUER"] or base,
        },
        "validFrom": certificate.issued_at.isoformat(),
        "name": f"{course.title['kk']} / {course.title['ru']}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": f"{base}/achievements/edition-{certificate.edition}",
                "type": ["Achievement"],
                "name": f"{course.title['kk']} / {course.title['ru']}",
                "description": f"{course.tagline['kk']} / {course.tagline['ru']}",
                "criteria": {"narrative": "Every module completed and the final exam passed."},
            },
        },
        "credentialStatus": {
            "id": f"{base}/status/1#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": f"{base}/status/1",
        },
    }
    return integrity.add_proof(
        document,
        private,
        f"{base}/.well-known/course-keys.json#{entry.kid}",
        utcnow().replace(microsecond=0).isoformat(),
    )
