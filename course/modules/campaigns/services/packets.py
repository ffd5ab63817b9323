"""The observer's packet: the referral letter in both languages, the certificate and the
organisation's papers, as one PDF; and all packets of an election as ZIP downloads, each
made and sent one packet at a time."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

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
            # Not "not accredited": a party needs none, and the commission checks its own list.
            accredited = _("not stated")
        return packet.Letter(
            heading=_("REFERRAL OF AN OBSERVER"),
            addressee=_(
                "To precinct election commission No. %(station)s, %(address)s",
                station=assignment.station,
                address=assignment.address,
            ),
            body=_(
                "%(organisation)s sends its observer, %(observer)s, to the polling station "
                "named below. Election: %(election)s; voting day: %(day)s.",
                organisation=organisation.name(lang),
                observer=observer,
                election=election.name(lang),
                day=format_date(election.day, "long"),
            ),
            facts=[
                (_("Organisation"), f"{organisation.name(lang)}, {_('BIN')} {organisation.bin}"),
                (_("Head (contact person)"), organisation.contact_name),
                (_("Observer"), observer),
                (
                    _("Polling station"),
                    _(
                        "Polling station No. %(station)s, %(address)s",
                        station=assignment.station,
                        address=assignment.address,
                    ),
                ),
                (_("Coordinator"), assignment.coordinator),
                (_("Accreditation"), accredited),
                (_("Certificate code"), code or _("no certificate")),
                (_("Date"), format_date(utcnow(), "long")),
            ],
            # Addressed to the commission, as the rest of the letter. This letter, signed
            # and sealed, is itself the organisation's document on the observer's powers.
            checklist_heading=_("The observer presents:"),
            checklist=[
                _("an identity document;"),
                _("this referral, signed by the head of the organisation and sealed;"),
                _("the printed certificate of completed training;"),
                _(
                    "an extract from the organisation's Charter showing that election "
                    "observation is among its statutory goals, where the rules in force "
                    "require it;"
                ),
                _(
                    "a document certifying the powers of the organisation's head, where the "
                    "rules in force require it;"
                ),
                _(
                    "a copy of the organisation's accreditation decision, where the law in "
                    "force requires one."
                ),
            ],
            signature=_("Head of the organisation: ____________ (signature, seal)"),
        )


def _packet(organisation, election, assignment, name, certificate, accredited, papers) -> bytes:
    code = certificates.display_code(certificate.code) if certificate else None
    letters = [
        _letter(organisation, election, assignment, name, accredited, code, lang)
        for lang in ("kk", "ru")
    ]
    parts = [packet.render_letters(letters, f"{name} · {election.name('ru')}")]
    if certificate is not None:
        parts.append(certificate.pdf)
    if accredited is not None:
        parts.append(accredited.scan)
    parts.extend(papers[kind].pdf for kind in DOCUMENT_KINDS if kind in papers)
    return packet.assemble(parts)


def observer_packet(organisation, election_id: int, user_id: int, course) -> bytes | None:
    """The packet of one assigned observer as one PDF; None when they are not assigned."""
    election = db.session.get(Election, election_id)
    assignment = assignments_by_observer(organisation.id, election_id).get(user_id)
    row = next(
        (r for r in organisations.roster(organisation, course) if r.user_id == user_id), None
    )
    if election is None or assignment is None or row is None:
        return None
    return _packet(
        organisation,
        election,
        assignment,
        row.name,
        certificates.current_certificate(user_id),
        accreditation(organisation.id, election_id),
        organisation_documents(organisation.id),
    )


def packet_parts(observers: list, per_part: int) -> list[list]:
    """Assigned observers (as `assigned_observers` lists them) in downloads of at most
    `per_part` packets: each ZIP is made while it is sent, and a part must finish within
    the server's time for one request (72 ms a packet measured on a 2-core machine)."""
    return [observers[i : i + per_part] for i in range(0, len(observers), per_part)]


class _Sink(io.RawIOBase):
    """Where zipfile writes: kept until the next chunk is sent (not seekable, so zipfile
    writes each entry's sizes before its data, as a streamed ZIP must)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def packet_file_name(observer) -> str:
    """`<station> <name>.pdf`, without characters a file system refuses."""
    plain = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", f"{observer.station} {observer.name}")
    return " ".join(plain.split())[:150] + ".pdf"


def packets_zip(organisation, election_id: int, observers: list) -> Iterator[bytes]:
    """A ZIP of these assigned observers' packets, one PDF each, yielded as each is made
    (the PDFs are compressed already: stored, not deflated again)."""
    election = db.session.get(Election, election_id)
    assignments = assignments_by_observer(organisation.id, election_id)
    current = certificates.current_certificates([o.user_id for o in observers])
    accredited = accreditation(organisation.id, election_id)
    papers = organisation_documents(organisation.id)
    sink = _Sink()
    names: set[str] = set()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for observer in observers:
            made = _packet(
                organisation,
                election,
                assignments[observer.user_id],
                observer.name,
                current.get(observer.user_id),
                accredited,
                papers,
            )
            name = packet_file_name(observer)
            if name in names:  # two namesakes at one station
                name = f"{name[:-4]} ({observer.user_id}).pdf"
            names.add(name)
            archive.writestr(name, made)
            yield sink.take()
    yield sink.take()


def packets_of_observer(user_id: int) -> list[tuple[Election, Assignment]]:
    """The elections an observer is assigned for, the newest first (their own packets)."""
    rows = db.session.execute(
        select(Election, Assignment)
        .join(Assignment, Assignment.election_id == Election.id)
        .where(Assignment.user_id == user_id)
        .order_by(Election.day.desc())
    )
    return [(e, a) for e, a in rows]
