"""An organisation's accreditation for each election and the papers it uploads once for its
observers' packets, each a PDF checked by its content."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from course.core.db import db, utcnow
from course.modules.campaigns import documents
from course.modules.campaigns.models import Accreditation, Election, OrganisationDocument
from course.modules.security import services as security

# The Charter extract showing election observation among the organisation's goals, and
# the document on its head's powers (CEC resolution of 4 December 2020).
DOCUMENT_KINDS = ("charter_extract", "head_powers")
DocumentError = documents.DocumentError


def accreditations(organisation_id: int) -> dict[int, Accreditation]:
    """The organisation's accreditations by election id."""
    found = db.session.scalars(
        select(Accreditation).where(Accreditation.organisation_id == organisation_id)
    )
    return {a.election_id: a for a in found}


def accreditation(organisation_id: int, election_id: int) -> Accreditation | None:
    return db.session.scalar(
        select(Accreditation).where(
            Accreditation.organisation_id == organisation_id,
            Accreditation.election_id == election_id,
        )
    )


def record_accreditation(
    organisation_id: int,
    election_id: int,
    number: str,
    decided_on: date,
    commission: str,
    scan: bytes,
    by: int | None,
) -> Accreditation:
    """Record (or correct) the accreditation for an election; DocumentError when the scan
    is not an acceptable PDF, LookupError when there is no such election."""
    if db.session.get(Election, election_id) is None:
        raise LookupError(election_id)
    checked = documents.check_pdf(scan)
    found = accreditation(organisation_id, election_id) or Accreditation(
        organisation_id=organisation_id, election_id=election_id
    )
    found.number, found.decided_on, found.commission = (
        number.strip(),
        decided_on,
        commission.strip(),
    )
    found.scan, found.scan_sha256 = checked.data, checked.sha256
    found.recorded_at, found.recorded_by_id = utcnow(), by
    db.session.add(found)
    db.session.flush()
    security.record(
        "accreditation_recorded",
        actor_id=by,
        subject=f"organisation:{organisation_id}",
        detail=f"election:{election_id} {found.number}",
    )
    return found


def organisation_documents(organisation_id: int) -> dict[str, OrganisationDocument]:
    found = db.session.scalars(
        select(OrganisationDocument).where(OrganisationDocument.organisation_id == organisation_id)
    )
    return {d.kind: d for d in found}


def organisation_document(organisation_id: int, kind: str) -> OrganisationDocument | None:
    return organisation_documents(organisation_id).get(kind)


def upload_document(organisation_id: int, kind: str, data: bytes, by: int | None):
    """Keep the organisation's document of this kind (replacing an earlier one)."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(kind)
    checked = documents.check_pdf(data)
    found = organisation_document(organisation_id, kind) or OrganisationDocument(
        organisation_id=organisation_id, kind=kind
    )
    found.pdf, found.sha256, found.size, found.pages = (
        checked.data,
        checked.sha256,
        len(checked.data),
        checked.pages,
    )
    found.uploaded_at, found.uploaded_by_id = utcnow(), by
    db.session.add(found)
    db.session.flush()
    security.record(
        "organisation_document_uploaded",
        actor_id=by,
        subject=f"organisation:{organisation_id}",
        detail=f"{kind} {checked.sha256[:16]}",
    )
    return found
