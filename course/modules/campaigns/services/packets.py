"""The observer's packet: the referral letter in both languages, the certificate and the
organisation's papers, as one PDF."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from course.core.db import db, utcnow
from course.core.i18n import _, format_date
from course.modules.campaigns import packet
from course.modules.campaigns.models import Assignment, Election
from course.modules.campaigns.services.papers import (
    DOCUMENT_KINDS,
    accreditation,
    organisation_documents,
)
from course.modules.campaigns.services.stations import assignments_by_observer
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations


def _letter(organisation, election, assignment, observer, accreditation, code, lang):
    with force_locale(lang):
        if accreditation is not None:
            accredited = _(
                "decision No. %(number)s of %(date)s, %(commission)s",
                number=accreditation.number,
                date=format_date(accreditation.decided_on, "long"),
                commission=accreditation.commission,
            )
        else:
            accredited = _("not recorded")
        station = _(
            "Precinct election commission No. %(station)s, %(address)s",
            station=assignment.station,
            address=assignment.address,
        )
        return packet.Letter(
            heading=_("REFERRAL OF AN OBSERVER"),
            addressee=station,
            body=_(
                "%(organisation)s sends %(observer)s as its observer to the polling station "
                "named below for %(election)s, voting day %(day)s.",
                organisation=organisation.name(lang),
                observer=observer,
                election=election.name(lang),
                day=format_date(election.day, "long"),
            ),
            facts=[
                (_("Organisation"), f"{organisation.name(lang)}, {_('BIN')} {organisation.bin}"),
                (_("Head (contact person)"), organisation.contact_name),
                (_("Observer"), observer),
                (_("Polling station"), station),
                (_("Coordinator"), assignment.coordinator),
                (_("Accreditation"), accredited),
                (_("Certificate code:"), code or _("no certificate")),
                (_("Date"), format_date(utcnow(), "long")),
            ],
            checklist_heading=_("Take these documents:"),
            checklist=[
                _("Your identity document."),
                _(
                    "The document from the organisation certifying your powers as an "
                    "observer, with its seal."
                ),
                _(
                    "The certificate of completed training (printed, or its code and QR on "
                    "your phone)."
                ),
                _("An extract from the organisation's Charter showing that it observes elections."),
                _("A document certifying the powers of the organisation's head."),
                _(
                    "A copy of the organisation's accreditation certificate, where the law in "
                    "force requires one."
                ),
            ],
            signature=_("Head of the organisation: ____________ (signature, seal)"),
        )


def observer_packet(organisation, election_id: int, user_id: int, course) -> bytes | None:
    """The packet of one assigned observer as one PDF; None when they are not assigned."""
    election = db.session.get(Election, election_id)
    assignment = assignments_by_observer(organisation.id, election_id).get(user_id)
    row = next(
        (r for r in organisations.roster(organisation, course) if r.user_id == user_id), None
    )
    if election is None or assignment is None or row is None:
        return None
    accredited = accreditation(organisation.id, election_id)
    certificate = certificates.current_certificate(user_id)
    code = certificates.display_code(certificate.code) if certificate else None
    letters = [
        _letter(organisation, election, assignment, row.name, accredited, code, lang)
        for lang in ("kk", "ru")
    ]
    parts = [packet.render_letters(letters, f"{row.name} · {election.name('ru')}")]
    if certificate is not None:
        parts.append(certificate.pdf)
    if accredited is not None:
        parts.append(accredited.scan)
    papers = organisation_documents(organisation.id)
    parts.extend(papers[kind].pdf for kind in DOCUMENT_KINDS if kind in papers)
    return packet.assemble(parts)


def packets_of_observer(user_id: int) -> list[tuple[Election, Assignment]]:
    """The elections an observer is assigned for, the newest first (their own packets)."""
    rows = db.session.execute(
        select(Election, Assignment)
        .join(Assignment, Assignment.election_id == Election.id)
        .where(Assignment.user_id == user_id)
        .order_by(Election.day.desc())
    )
    return [(e, a) for e, a in rows]
