"""The holder's IIN and the identity check against it, with misses counted per requester so
that a stranger cannot lock out an organisation."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select

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


def holds_iin(certificate: Certificate, number: str) -> bool:
    """The holder recorded this (normalised) IIN on the certificate. For an organisation
    matching its own observers, not a public check: it is neither logged nor throttled."""
    if certificate.iin_hmac is None:
        return False
    expected = iin.keyed_hash(iin_secret(), certificate.code, number)
    return hmac.compare_digest(expected, certificate.iin_hmac)


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


def _recent_misses(now: datetime):
    return (
        IdentityCheck.matched.is_(False),
        IdentityCheck.checked_at > now - LOCK_WINDOW,
    )


def _misses_by_certificate(now: datetime, certificate_ids: list[int], *conditions) -> dict:
    """{certificate id: misses in the window} for these certificates: one query per 500."""
    found: dict[int, int] = {}
    for start in range(0, len(certificate_ids), 500):
        batch = certificate_ids[start : start + 500]
        found.update(
            db.session.execute(
                select(IdentityCheck.certificate_id, func.count())
                .where(*_recent_misses(now), IdentityCheck.certificate_id.in_(batch), *conditions)
                .group_by(IdentityCheck.certificate_id)
            ).all()
        )
    return found


@dataclass
class _MissCounts:
    """The misses in the window that the locks count, for one requester and the
    certificates of one check or one batch of checks; kept up to date as checks are made."""

    requester: Requester
    by_certificate: dict[int, int]  # this requester's misses per certificate
    total: int  # this requester's misses over all certificates
    anonymous_by_certificate: dict[int, int]  # every address's misses per certificate

    @classmethod
    def read(cls, requester: Requester, certificate_ids: list[int], now: datetime):
        """Two queries for an organisation or a token, three for an address."""
        mine = IdentityCheck.requester == requester.label
        total = db.session.scalar(
            select(func.count()).select_from(IdentityCheck).where(*_recent_misses(now), mine)
        )
        anonymous = (
            _misses_by_certificate(
                now, certificate_ids, IdentityCheck.requester.like(f"{ADDRESS}:%")
            )
            if requester.anonymous
            else {}
        )
        return cls(
            requester, _misses_by_certificate(now, certificate_ids, mine), total or 0, anonymous
        )

    def lock_scope(self, certificate_id: int) -> str | None:
        """Which limit a check of this certificate would break, if any: None lets it go."""
        if self.by_certificate.get(certificate_id, 0) >= MISSES_PER_REQUESTER:
            return "requester"
        if self.requester.anonymous:
            if self.total >= MISSES_PER_ADDRESS:
                return "address"
            if self.anonymous_by_certificate.get(certificate_id, 0) >= (
                MISSES_ANONYMOUS_PER_CERTIFICATE
            ):
                return "certificate"
        elif self.total >= MISSES_PER_ORGANISATION:
            return "organisation"
        return None

    def add_miss(self, certificate_id: int) -> None:
        self.by_certificate[certificate_id] = self.by_certificate.get(certificate_id, 0) + 1
        self.total += 1
        if self.requester.anonymous:
            counts = self.anonymous_by_certificate
            counts[certificate_id] = counts.get(certificate_id, 0) + 1


def check_identities(
    checks: list[tuple[Certificate, str]],
    requester: Requester,
    now: datetime | None = None,
) -> list[bool | IdentityLocked]:
    """`check_identity` for many (certificate, typed IIN) pairs of one requester at once,
    as if made one after the other: True or False for each, or the IdentityLocked that
    stopped it. A fixed number of queries whatever the number of checks (a bulk check of
    thousands). Raises iin.IINError, before checking anything, for a typo."""
    now = now or utcnow()
    numbers = [iin.normalize(typed) for _certificate, typed in checks]
    with_hash = sorted({c.id for c, _typed in checks if c.iin_hmac is not None})
    if not with_hash:
        return [False] * len(checks)
    counts = _MissCounts.read(requester, with_hash, now)
    secret = iin_secret()
    results: list[bool | IdentityLocked] = []
    made = []
    for (certificate, _typed), number in zip(checks, numbers, strict=True):
        if certificate.iin_hmac is None:
            results.append(False)
            continue
        scope = counts.lock_scope(certificate.id)
        if scope is not None:
            results.append(IdentityLocked(scope))
            continue
        expected = iin.keyed_hash(secret, certificate.code, number)
        matched = secrets.compare_digest(expected, certificate.iin_hmac)
        made.append(
            {
                "certificate_id": certificate.id,
                "checked_at": now,
                "matched": matched,
                "requester": requester.label,
            }
        )
        results.append(matched)
        if not matched:
            counts.add_miss(certificate.id)
            scope = counts.lock_scope(certificate.id)
            if scope is not None:
                security.record(
                    "identity_check_locked",
                    subject=f"certificate:{certificate.code}",
                    detail=f"{scope} ({requester.kind})",
                )
    if made:
        # One statement for all of them (no ORM objects: nothing reads them back).
        db.session.execute(insert(IdentityCheck).execution_options(render_nulls=True), made)
    return results


def check_identity(
    certificate: Certificate,
    typed_iin: str,
    requester: Requester,
    now: datetime | None = None,
) -> bool:
    """Whether the IIN typed from an identity card matches; raises iin.IINError for a typo
    (which does not count) and IdentityLocked when a limit on misses is reached."""
    (result,) = check_identities([(certificate, typed_iin)], requester, now)
    if isinstance(result, IdentityLocked):
        raise result
    return result
