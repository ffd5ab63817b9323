"""Reading certificates and what anyone with the code may see of one (the public status,
the same shape for an unknown code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, select

from course.core.content import Course
from course.core.content.published import editions
from course.core.db import db
from course.modules.certificates import codes, iin
from course.modules.certificates.models import Certificate
from course.modules.certificates.services.signing import issuer, withdrawn_kids

VALID, REVOKED, REPLACED, SUPERSEDED, UNKNOWN = (
    "valid",
    "revoked",
    "replaced",
    "superseded",
    "unknown",
)
# Signed by a signing key that was later withdrawn (a leak): not valid, whatever else.
INVALID = "invalid"


def current_certificate(user_id: int, edition: int | None = None) -> Certificate | None:
    query = select(Certificate).where(
        Certificate.user_id == user_id, Certificate.replaced_at.is_(None)
    )
    if edition is not None:
        query = query.where(Certificate.edition == edition)
    return db.session.scalar(query.order_by(Certificate.issued_at.desc()))


def current_certificates(user_ids: list[int]) -> dict[int, Certificate]:
    """Each learner's current certificate (as `current_certificate`: the newest one not
    replaced), by user id, for learners who have one: one query per 500 learners."""
    found: dict[int, Certificate] = {}
    unique = sorted(set(user_ids))
    for start in range(0, len(unique), 500):
        query = (
            select(Certificate)
            .where(
                Certificate.user_id.in_(unique[start : start + 500]),
                Certificate.replaced_at.is_(None),
            )
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
        for certificate in db.session.scalars(query):
            found.setdefault(certificate.user_id, certificate)
    return found


def superseded_holders(edition: int) -> list:
    """(user_id, code, edition) of the current, unrevoked certificates of editions below
    this one: those an edition superseding earlier certificates concerns, the newest per
    holder. Three columns, not whole rows: a superseding edition may concern every holder."""
    found: dict[int, object] = {}
    for certificate in db.session.execute(
        select(Certificate.user_id, Certificate.code, Certificate.edition)
        .where(
            Certificate.edition < edition,
            Certificate.replaced_at.is_(None),
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ):
        found.setdefault(certificate.user_id, certificate)
    return list(found.values())


# Built once: the API and the verification page look a code up on every request, and a
# statement made anew costs about as much as running it.
_BY_CODE = select(Certificate).where(Certificate.code == bindparam("code"))


def find(code: str) -> Certificate | None:
    return db.session.execute(_BY_CODE, {"code": code}).scalar_one_or_none()


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
    # The replacements of replaced certificates, in one query more, so that `status_of`
    # finds each one in the session instead of asking the database row by row.
    loaded = {c.id for c in found.values()}
    wanted = sorted({c.replaced_by_id for c in found.values() if c.replaced_by_id} - loaded)
    for start in range(0, len(wanted), 500):
        db.session.scalars(
            select(Certificate).where(Certificate.id.in_(wanted[start : start + 500]))
        ).all()
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
    # The replacement's edition: a later one (a refresher passed) or the same (a name
    # corrected). For the pages; the API's JSON keeps its documented fields.
    replaced_by_edition: int | None = None

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


@dataclass(frozen=True)
class StatusBasis:
    """What every certificate's status is judged against besides its own row: the
    withdrawn signing keys and the edition that supersedes earlier ones. Read once for a
    list of certificates (a roster, a bulk check) rather than once per certificate."""

    withdrawn: frozenset[str]
    superseding_edition: int | None


def status_basis() -> StatusBasis:
    return StatusBasis(withdrawn_kids(), editions().superseding_edition())


def status_of(
    certificate: Certificate | None,
    code: str,
    course: Course,
    show_name: bool = False,
    basis: StatusBasis | None = None,
) -> PublicStatus:
    """What anyone may see of a certificate already looked up (None: no such code)."""
    if certificate is None:
        return PublicStatus(
            code, UNKNOWN, None, None, None, None, None, None, None, None, False, False
        )
    # session.get: no query when the replacement is in the session already (find_many).
    replacement = get(certificate.replaced_by_id) if certificate.replaced_by_id else None
    basis = basis or status_basis()
    superseding_edition = basis.superseding_edition
    if certificate.signing_kid in basis.withdrawn:
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
        replaced_by_edition=replacement.edition if replacement else None,
    )


def local_date(moment: datetime):
    """The calendar date in Kazakhstan, as printed on the certificate."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


# ---------------------------------------------------------------- codes and IINs for other areas


CodeError = codes.CodeError
IINError = iin.IINError


def normalize_code(typed: str) -> str:
    """The canonical code of what was typed; raises CodeError (reason "format" or "typo")."""
    return codes.normalize(typed)


def display_code(code: str | None) -> str:
    """A canonical code as people read it (XXXX-XXXX-XXXX-C); "" for none."""
    return codes.display(code) if code else ""


def normalize_iin(typed: str) -> str:
    """Twelve digits with a valid check digit; raises IINError (reason "format" or "check")."""
    return iin.normalize(typed)
