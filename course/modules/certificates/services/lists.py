"""What verifiers download: the signed status list, the root-signed key list, the issuer's
did:web document, and a certificate as an Open Badges 3.0 credential."""

from __future__ import annotations

import copy
import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from course.core.content import Course
from course.core.content.published import editions
from course.core.db import db, utcnow
from course.core.i18n import _, format_date
from course.core.links import absolute_url
from course.modules.accounts import services as accounts
from course.modules.certificates import (
    did,
    integrity,
    jsonld,
    statuslist,
)
from course.modules.certificates.models import Certificate
from course.modules.certificates.services.signing import (
    active_kid,
    issuer,
    keyring,
    published_key_list,
)

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"


def issuer_did() -> str:
    return did.did_web(issuer())


def did_document() -> dict:
    """The issuer's DID document, from the keyring as it is now: a rotation or withdrawal
    shows at the next request."""
    return did.document(issuer_did(), keyring().entries())


def status_context() -> dict:
    """The JSON-LD context of our two additions to the Bitstring Status List, served at
    /contexts/status-v1.jsonld so that JSON-LD processors (in safe mode too) know them.
    A URL rather than an embedded object: verifiers compare the proof's @context with the
    document's entry by entry, and some (Digital Bazaar's) compare objects by identity."""
    url = status_context_url()
    return {
        "@context": {
            "@protected": True,
            "replacedList": {"@id": f"{url}#replacedList"},
            "supersededBefore": {"@id": f"{url}#supersededBefore", "@type": XSD_INTEGER},
        }
    }


def status_context_url() -> str:
    return absolute_url("certificates_public.status_context")


def _timestamp(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat()


# A status list is signed again after this long even if nothing changed: verifiers judge
# its freshness by validFrom (amber after 7 days, 24 hours on election days).
RESIGN_AFTER = timedelta(hours=1)


def status_list_document(now: datetime | None = None) -> dict:
    """The signed status list. Signed again only when what it says changes (a certificate
    revoked or replaced, a superseding edition, another active key, another address) or
    once it is RESIGN_AFTER old, so that its validFrom is when it was signed and its ETag
    stays the same between changes; kept per worker. With `now` given, signed as of then."""
    rows = db.session.execute(
        select(Certificate.status_index, Certificate.replaced_at).where(
            # This exact expression: the partial index ix_certificates_marked serves it.
            (Certificate.revoked_at.is_not(None)) | (Certificate.replaced_at.is_not(None))
        )
    ).all()
    marked = frozenset(r.status_index for r in rows)
    replaced = frozenset(r.status_index for r in rows if r.replaced_at)
    superseding = editions().superseding_edition()
    what = (issuer(), active_kid(), marked, replaced, superseding)
    if now is not None:
        return _signed_status_list(now, marked, replaced, superseding)
    now = utcnow()
    kept: dict = current_app.extensions.setdefault("certificates.status_list", {})
    signed = kept.get("signed")
    if signed is None or signed[0] != what or not (0 <= (now - signed[1]) / RESIGN_AFTER < 1):
        signed = (what, now, _signed_status_list(now, marked, replaced, superseding))
        kept["signed"] = signed
    return copy.deepcopy(signed[2])


def _signed_status_list(
    now: datetime, marked: frozenset[int], replaced: frozenset[int], superseding: int | None
) -> dict:
    entry, private = keyring().active()
    status_url = absolute_url("certificates_public.status_list")
    subject = {
        "id": f"{status_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": statuslist.encode(marked),
        # Which of the revoked were replaced (by a corrected certificate).
        "replacedList": statuslist.encode(replaced),
    }
    if superseding:
        # Certificates of an earlier edition stay valid, a refresher recommended.
        subject["supersededBefore"] = superseding
    document = {
        "@context": [jsonld.CREDENTIALS_V2, status_context_url()],
        "id": status_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": _timestamp(now),
        "credentialSubject": subject,
    }
    return integrity.add_proof(
        document, private, did.method_id(issuer_did(), entry.kid), _timestamp(now)
    )


def key_list() -> dict:
    return published_key_list()


def subject_identity(certificate: Certificate) -> dict:
    """OB 3.0's IdentityObject for the holder: their e-mail address, salted and hashed
    (sha256 of address + salt), never in clear. The salt is the certificate's own, derived
    from the secret key, so the same credential always names the holder the same way."""
    email = accounts.get_user(certificate.user_id).email.strip().lower()
    salt = hmac.new(
        current_app.config["SECRET_KEY"].encode(),
        f"credential-subject:{certificate.code}".encode(),
        "sha256",
    ).hexdigest()[:32]
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }


def _both(make) -> str:
    texts = []
    for lang in ("kk", "ru"):
        with force_locale(lang):
            texts.append(make())
    return " / ".join(texts)


def open_badge(certificate: Certificate, course: Course) -> dict:
    """The certificate as an Open Badges 3.0 credential (W3C VC 2.0), with an
    eddsa-rdfc-2022 and an eddsa-jcs-2022 proof, issued by our did:web."""
    base = issuer()
    status_url = absolute_url("certificates_public.status_list")
    entry, private = keyring().active()
    issuer_id = issuer_did()
    title = f"{course.title['kk']} / {course.title['ru']}"
    edition_note = _both(
        lambda: _(
            "Edition %(edition)s · the law as of %(date)s",
            edition=certificate.edition,
            date=format_date(certificate.status_as_of, "long"),
        )
    )
    document = {
        "@context": [jsonld.CREDENTIALS_V2, jsonld.OPEN_BADGES_V3],
        "id": absolute_url("certificates_public.api_certificate", typed=certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": current_app.config["COURSE_ISSUER"] or base,
            "url": base,
        },
        "validFrom": entry.signing_time(certificate.issued_at).isoformat(),
        "name": title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "identifier": [subject_identity(certificate)],
            "activityEndDate": certificate.completed_at.replace(microsecond=0).isoformat(),
            "achievement": {
                "id": f"{base}/achievements/edition-{certificate.edition}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": title,
                "version": str(certificate.edition),
                "description": (
                    f"{course.tagline['kk']} / {course.tagline['ru']} ({edition_note})"
                ),
                "criteria": {
                    "narrative": _both(
                        lambda: _("Every module completed and the final exam passed.")
                    )
                },
            },
        },
        "credentialStatus": {
            "id": f"{status_url}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_url,
        },
    }
    return integrity.add_proof(
        document,
        private,
        did.method_id(issuer_id, entry.kid),
        _timestamp(utcnow()),
        suites=(integrity.RDFC, integrity.JCS),
    )
