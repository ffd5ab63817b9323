"""The holder's IIN and the identity check against it, with misses counted per requester so
that a stranger cannot lock out an organisation."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from course.core.content.published import course_edition
from course.core.db import db, utcnow
from course.modules.certificates import iin
from course.modules.certificates.models import Certificate, IdentityCheck
from course.modules.certificates.services.issuing import sign_and_render
from course.modules.certificates.services.signing import iin_secret
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


class IdentityLocked(Exception):
    """Too many non-matching IINs in the last 24 hours; `scope` says which limit."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__(scope)


ADDRESS, ORGANISATION, TOKEN, HOLDER = "address", "organisation", "token", "holder"


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


def holder_requester(user_id: int) -> Requester:
    """The holder retyping their own IIN (to put its tag back into the QR): counted on its
    own, so that a stolen session is no unlimited oracle for the IIN."""
    return Requester(HOLDER, str(user_id))


class AlreadySet(Exception):
    """The IIN of a certificate can be added once."""


class NoIIN(Exception):
    """The tag needs the IIN on record first."""


class IINMismatch(Exception):
    """The IIN typed is well formed but not the one on record; nothing was changed."""


def set_identity(
    certificate: Certificate,
    typed_iin: str | None,
    private_mode: bool,
    offline_tag: bool = False,
) -> None:
    """The holder's choices: private mode any time; an IIN once (kept as a keyed hash for
    the online check). The QR carries the IIN's offline tag only when the holder asks
    (`offline_tag`): with the birth date and sex it narrows the IIN to about ten
    candidates (docs/security.md). The PDF is then made again on the certificate's own
    edition; without the tag the QR does not change."""
    certificate.private_mode = private_mode
    if offline_tag and not typed_iin:
        raise iin.IINError("format")  # the tag is of an IIN typed now
    if typed_iin:
        if certificate.iin_hmac is not None:
            raise AlreadySet
        number = iin.normalize(typed_iin)
        certificate.iin_hmac = iin.keyed_hash(iin_secret(), certificate.code, number)
        certificate.iin_key_version = IIN_KEY_VERSION
        if offline_tag:
            _sign_with_tag(certificate, number)


def _sign_with_tag(certificate: Certificate, number: str | None) -> None:
    """The QR with the tag of this IIN (None: without a tag), signed and rendered again."""
    certificate.iin_tag = None if number is None else iin.offline_tag(certificate.code, number)
    sign_and_render(certificate, course_edition(certificate.edition))


def remove_offline_tag(certificate: Certificate) -> None:
    """The holder takes the IIN's tag out of the QR (the online check keeps working)."""
    if certificate.iin_tag is not None:
        _sign_with_tag(certificate, None)


def put_offline_tag(certificate: Certificate, typed_iin: str, requester: Requester) -> None:
    """The holder puts the tag into the QR later (or back) by typing the IIN again: it
    must match the keyed hash on record. Raises NoIIN, iin.IINError (a typo, not
    counted), IINMismatch (the miss is counted like any identity check's: the caller
    commits it) or IdentityLocked."""
    if certificate.iin_hmac is None:
        raise NoIIN
    number = iin.normalize(typed_iin)
    if not check_identity(certificate, number, requester):
        raise IINMismatch
    if certificate.iin_tag is None:
        _sign_with_tag(certificate, number)


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
    expected = iin.keyed_hash(iin_secret(), certificate.code, number)
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
