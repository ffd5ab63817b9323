"""What verifiers download: the signed status list, the root-signed key list, and a
certificate as an Open Badges 3.0 credential."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from course.core.content import Course
from course.core.db import db, utcnow
from course.core.links import absolute_url
from course.modules.certificates import (
    integrity,
    statuslist,
)
from course.modules.certificates.models import Certificate
from course.modules.certificates.services.signing import issuer, keyring


def status_list_document(now: datetime | None = None) -> dict:
    now = now or utcnow()
    rows = db.session.execute(
        select(Certificate.status_index, Certificate.replaced_at).where(
            (Certificate.revoked_at.is_not(None)) | (Certificate.replaced_at.is_not(None))
        )
    ).all()
    entry, private = keyring().active()
    base = issuer()
    status_url = absolute_url("certificates_public.status_list")
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": status_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": base,
        "validFrom": now.replace(microsecond=0).isoformat(),
        "credentialSubject": {
            "id": f"{status_url}#list",
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
        f"{absolute_url('certificates_public.published_keys')}#{entry.kid}",
        now.replace(microsecond=0).isoformat(),
    )


def key_list() -> dict:
    return keyring().published()


def open_badge(certificate: Certificate, course: Course) -> dict:
    """The certificate as an Open Badges 3.0 credential (W3C VC 2.0), eddsa-jcs-2022."""
    base = issuer()
    status_url = absolute_url("certificates_public.status_list")
    entry, private = keyring().active()
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": absolute_url("certificates_public.api_certificate", typed=certificate.code),
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
        f"{absolute_url('certificates_public.published_keys')}#{entry.kid}",
        utcnow().replace(microsecond=0).isoformat(),
    )
