"""Organisation use-cases: apply and approve, staff and invitations, observers and their
roster, verification in bulk and through the API with tokens, and the verification log.

Services take plain values, flush but never commit, and never read the request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core.content import Course
from course.core.db import db, utcnow
from course.core.identifiers import is_valid, twelve_digits
from course.modules.accounts import services as accounts
from course.modules.certificates import services as certificates
from course.modules.learning import services as learning
from course.modules.organisations.models import (
    APPROVED,
    CONFIRMED,
    DECLINED,
    PENDING,
    REJECTED,
    REQUESTED,
    ApiToken,
    Invitation,
    Membership,
    ObserverLink,
    Organisation,
    VerificationLog,
)
from course.modules.security import services as security

MAX_BULK_ROWS = 10_000
INVITATION_VALID = timedelta(days=7)
MAX_API_ITEMS = 1_000
TOKEN_PREFIX = "oc_"  # noqa: S105 - a marker that makes leaked tokens easy to search for, not a secret


class Refused(Exception):
    """The action is not allowed; `reason` names why (for a message in the page's language)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def valid_bin(typed: str) -> str | None:
    number = twelve_digits(typed)
    return number if number and is_valid(number) else None


# ---------------------------------------------------------------- applying and deciding


@dataclass(frozen=True)
class Application:
    name_kk: str
    name_ru: str
    bin: str
    contact_name: str
    contact_email: str
    contact_phone: str
    charter_includes_observation: bool
    accreditation_number: str | None
    accreditation_valid_until: date | None


def apply(applicant_id: int, application: Application) -> Organisation:
    number = valid_bin(application.bin)
    if number is None:
        raise Refused("bin")
    organisation = Organisation(
        **{**application.__dict__, "bin": number},
        status=PENDING,
        applied_by_id=applicant_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(organisation)
    except IntegrityError as e:
        raise Refused("bin_taken") from e
    return organisation


def pending() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.status == PENDING)))


def approved() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.status == APPROVED)
            .order_by(Organisation.name_ru)
        )
    )


def get(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def approve(organisation: Organisation, admin_id: int) -> None:
    if organisation.status != PENDING:
        raise Refused("decided")
    organisation.status = APPROVED
    organisation.decided_by_id, organisation.decided_at = admin_id, utcnow()
    security.record(
        "organisation_approved", actor_id=admin_id, subject=f"organisation:{organisation.id}"
    )
    _add_member(organisation, organisation.applied_by_id, "admin")


def reject(organisation: Organisation, admin_id: int, reason: str) -> None:
    if organisation.status != PENDING:
        raise Refused("decided")
    if not reason.strip():
        raise Refused("reason")
    organisation.status = REJECTED
    organisation.decided_by_id, organisation.decided_at = admin_id, utcnow()
    security.record(
        "organisation_rejected", actor_id=admin_id, subject=f"organisation:{organisation.id}"
    )
    organisation.rejection_reason = reason.strip()[:500]


# ---------------------------------------------------------------- staff


def _add_member(organisation: Organisation, user_id: int, role: str) -> None:
    existing = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id
        )
    )
    if existing is None:
        db.session.add(Membership(organisation_id=organisation.id, user_id=user_id, role=role))
    user = accounts.get_user(user_id)
    if user.role == "learner":
        accounts.set_role(user, "verifier")
    db.session.flush()


def membership_of(user_id: int) -> tuple[Organisation, Membership] | None:
    """The approved organisation this user works for, with their role there."""
    row = db.session.execute(
        select(Organisation, Membership)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, Organisation.status == APPROVED)
    ).first()
    return (row[0], row[1]) if row else None


def staff(organisation: Organisation) -> list[tuple[Membership, object]]:
    members = db.session.scalars(
        select(Membership).where(Membership.organisation_id == organisation.id)
    ).all()
    return [(m, accounts.get_user(m.user_id)) for m in members]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invite(organisation: Organisation, email: str, invited_by: int) -> str:
    """A one-time invitation token for a verifier; the caller e-mails the link."""
    secret = secrets.token_urlsafe(24)
    db.session.add(
        Invitation(
            organisation_id=organisation.id,
            email=accounts.normalize_email(email),
            token_hash=_hash(secret),
            invited_by_id=invited_by,
        )
    )
    db.session.flush()
    return secret


def accept_invitation(secret: str, user_id: int) -> Organisation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(secret)))
    if (
        invitation is None
        or invitation.accepted_at is not None
        or utcnow() - invitation.created_at > INVITATION_VALID
    ):
        raise Refused("invitation")
    user = accounts.get_user(user_id)
    if user.email != invitation.email:
        raise Refused("invitation_email")
    organisation = get(invitation.organisation_id)
    invitation.accepted_at = utcnow()
    _add_member(organisation, user_id, "verifier")
    return organisation


def remove_member(organisation: Organisation, user_id: int, acting_user_id: int) -> None:
    if user_id == acting_user_id:
        raise Refused("self")
    member = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id
        )
    )
    if member is None:
        raise Refused("not_member")
    db.session.delete(member)
    db.session.flush()


# ---------------------------------------------------------------- observers


def link_of(user_id: int) -> ObserverLink | None:
    return db.session.scalar(
        select(ObserverLink).where(ObserverLink.user_id == user_id, ObserverLink.status != DECLINED)
    )


def request_link(user_id: int, organisation_id: int) -> ObserverLink:
    organisation = get(organisation_id)
    if organisation is None or organisation.status != APPROVED:
        raise Refused("organisation")
    if link_of(user_id) is not None:
        raise Refused("linked")
    link = ObserverLink(organisation_id=organisation_id, user_id=user_id, status=REQUESTED)
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError as e:
        raise Refused("linked") from e
    return link


def withdraw_link(user_id: int) -> None:
    link = link_of(user_id)
    if link is not None:
        link.status, link.decided_at = DECLINED, utcnow()


def decide_link(organisation: Organisation, link_id: int, confirm: bool) -> ObserverLink:
    link = db.session.get(ObserverLink, link_id)
    # Another organisation's request is as good as no request at all.
    if link is None or link.organisation_id != organisation.id or link.status != REQUESTED:
        raise Refused("link")
    link.status = CONFIRMED if confirm else DECLINED
    link.decided_at = utcnow()
    return link


def requests(organisation: Organisation) -> list[tuple[ObserverLink, object]]:
    links = db.session.scalars(
        select(ObserverLink).where(
            ObserverLink.organisation_id == organisation.id, ObserverLink.status == REQUESTED
        )
    ).all()
    return [(link, accounts.get_user(link.user_id)) for link in links]


@dataclass(frozen=True)
class RosterRow:
    user_id: int
    name: str
    email: str
    lessons_read: int
    lessons_total: int
    course_status: str  # not_started, in_progress, completed
    certificate_code: str | None
    certificate_status: str  # none, valid, revoked, replaced, superseded


def roster(
    organisation: Organisation, course: Course, status: str | None = None
) -> list[RosterRow]:
    links = db.session.scalars(
        select(ObserverLink).where(
            ObserverLink.organisation_id == organisation.id, ObserverLink.status == CONFIRMED
        )
    ).all()
    rows = []
    for link in links:
        user = accounts.get_user(link.user_id)
        progress = learning.progress(user.id, course)
        certificate = certificates.current_certificate(user.id)
        if certificate is not None:
            public = certificates.public_status(certificate.code, course)
            cert_status = "superseded" if public.superseded else public.status
            course_status = "completed"
        else:
            cert_status = "none"
            course_status = "in_progress" if progress.lessons_read else "not_started"
        rows.append(
            RosterRow(
                user.id,
                user.full_name,
                user.email,
                progress.lessons_read,
                progress.lessons_total,
                course_status,
                certificate.code if certificate else None,
                cert_status,
            )
        )
    rows.sort(key=lambda r: r.name)
    if status:
        rows = [r for r in rows if status in (r.course_status, r.certificate_status)]
    return rows


def observer_of(organisation: Organisation, user_id: int, course: Course) -> RosterRow | None:
    return next((r for r in roster(organisation, course) if r.user_id == user_id), None)


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class ItemResult:
    row: int
    typed: str
    code: str | None
    status: str  # valid, revoked, replaced, superseded, unknown, or an error: code_format…
    holder: str | None = None
    edition: int | None = None
    completed_on: str | None = None
    identity: str | None = None  # match, no_match, locked, or None when no IIN was given

    @property
    def is_error(self) -> bool:
        return self.status.startswith(("code_", "iin_"))

    def as_json(self) -> dict:
        return {
            "index": self.row,
            "code": self.code
            and f"{self.code[:4]}-{self.code[4:8]}-{self.code[8:12]}-{self.code[12:]}",
            "status": self.status,
            "holder": self.holder,
            "edition": self.edition,
            "completed_on": self.completed_on,
            "identity": self.identity,
        }


def verify_items(
    organisation: Organisation,
    items: list[tuple[int, str, str | None]],
    course: Course,
    channel: str,
    user_id: int | None = None,
    token_id: int | None = None,
) -> list[ItemResult]:
    """Each (row number, typed code, typed IIN or None), checked and logged, in order."""
    from course.modules.certificates import codes, iin

    parsed: list[tuple[int, str, str | None, str | None, str | None]] = []
    for row, typed, typed_iin in items:
        try:
            code = codes.normalize(typed)
        except codes.CodeError as e:
            parsed.append((row, typed, None, None, f"code_{e.reason}"))
            continue
        number = None
        if typed_iin:
            try:
                number = iin.normalize(typed_iin)
            except iin.IINError as e:
                parsed.append((row, typed, code, None, f"iin_{e.reason}"))
                continue
        parsed.append((row, typed, code, number, None))
    found = certificates.find_many([p[2] for p in parsed if p[2] and not p[4]])
    # Counted as this organisation (or this token), never together with anonymous traffic.
    requester = (
        certificates.token_requester(token_id)
        if token_id is not None
        else certificates.organisation_requester(organisation.id)
    )
    results = []
    for row, typed, code, number, error in parsed:
        if error:
            results.append(ItemResult(row, typed, code, error))
            continue
        certificate = found.get(code)
        identity = None
        if certificate is not None and number:
            try:
                identity = (
                    "match"
                    if certificates.check_identity(certificate, number, requester)
                    else "no_match"
                )
            except certificates.IdentityLocked:
                identity = "locked"
        public = certificates.status_of(certificate, code, course, show_name=identity == "match")
        status = "superseded" if public.superseded else public.status
        completed = public.as_json()["completed_on"] if certificate else None
        results.append(
            ItemResult(row, typed, code, status, public.holder, public.edition, completed, identity)
        )
    db.session.add_all(
        VerificationLog(
            organisation_id=organisation.id,
            user_id=user_id,
            token_id=token_id,
            channel=channel,
            code=r.code or _printable(r.typed),
            result=r.status,
            identity=r.identity,
        )
        for r in results
    )
    db.session.flush()
    return results


def _printable(typed: str) -> str:
    """What was typed, fit for a log: no control characters (PostgreSQL refuses NUL)."""
    return "".join(ch for ch in typed if ch.isprintable())[:40]


def parse_bulk(text: str) -> tuple[list[tuple[int, str, str | None]], list[int]]:
    """Rows of `code[,iin]` (comma, semicolon or tab); a header row is skipped.

    Returns the items and the numbers of rows that could not be read at all (too many
    fields); rows with bad codes are still returned, to be reported by row number.
    """
    import csv
    import io

    items, unreadable = [], []
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ("\t" if "\t" in sample else ",")
    for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        fields = [f.strip() for f in fields]
        if not any(fields):
            continue
        if number == 1 and fields[0].lower() in ("code", "код", "коды", "certificate"):
            continue
        if len(fields) > 2:
            unreadable.append(number)
            continue
        items.append((number, fields[0], fields[1] if len(fields) > 1 and fields[1] else None))
    return items, unreadable


def log(organisation: Organisation | None, limit: int = 500) -> list[VerificationLog]:
    query = select(VerificationLog).order_by(VerificationLog.at.desc(), VerificationLog.id.desc())
    if organisation is not None:
        query = query.where(VerificationLog.organisation_id == organisation.id)
    return list(db.session.scalars(query.limit(limit)))


# ---------------------------------------------------------------- API tokens


def create_token(organisation: Organisation, name: str, user_id: int) -> str:
    """The token, to show once; only its hash is kept."""
    name = name.strip()[:100]
    if not name:
        raise Refused("token_name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            organisation_id=organisation.id,
            name=name,
            prefix=secret[:10],
            token_hash=_hash(secret),
            created_by_id=user_id,
        )
    )
    security.record(
        "token_created",
        actor_id=user_id,
        subject=f"organisation:{organisation.id}",
        detail=f"{secret[:10]}… {name}",
    )
    db.session.flush()
    return secret


def tokens(organisation: Organisation) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.organisation_id == organisation.id)
            .order_by(ApiToken.id)
        )
    )


def revoke_token(organisation: Organisation, token_id: int, user_id: int | None = None) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation.id:
        raise Refused("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        security.record(
            "token_revoked",
            actor_id=user_id,
            subject=f"organisation:{organisation.id}",
            detail=f"{token.prefix}… {token.name}",
        )


def token_owner(secret: str, now: datetime | None = None) -> tuple[Organisation, ApiToken] | None:
    """The approved organisation a live token belongs to; records when it was last used."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret or "")))
    if token is None or token.revoked_at is not None:
        return None
    organisation = get(token.organisation_id)
    if organisation is None or organisation.status != APPROVED:
        return None
    token.last_used_at = now or utcnow()
    return organisation, token


def token_key(secret: str) -> str:
    """What rate limits count per token, without keeping the token itself."""
    return "token:" + _hash(secret or "")[:16]
