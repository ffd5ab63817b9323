"""Recording elections and the election days the offline verifier goes by; an organisation's
accreditation for each election and the papers it uploads once for its observers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core import spreadsheets
from course.core.db import db, utcnow
from course.core.i18n import _, format_date
from course.modules.campaigns import documents, packet
from course.modules.campaigns.models import (
    Accreditation,
    Assignment,
    Election,
    OrganisationDocument,
)
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations
from course.modules.security import services as security

# The kinds of election in Kazakhstan an observer may be sent to (and the referendum).
KINDS = ("kurultai", "presidential", "maslikhat", "akim", "referendum")


class ElectionExists(Exception):
    """An election of this kind is recorded on this day already."""


def elections() -> list[Election]:
    """Every recorded election, the newest day first."""
    return list(db.session.scalars(select(Election).order_by(Election.day.desc(), Election.id)))


def election(election_id: int) -> Election | None:
    return db.session.get(Election, election_id)


def record(kind: str, day: date, name_kk: str, name_ru: str, by: int | None) -> Election:
    if kind not in KINDS:
        raise ValueError(kind)
    election = Election(
        kind=kind, day=day, name_kk=name_kk.strip(), name_ru=name_ru.strip(), created_by_id=by
    )
    try:
        with db.session.begin_nested():
            db.session.add(election)
    except IntegrityError as e:
        raise ElectionExists(kind, day) from e
    security.record(
        "election_recorded", actor_id=by, subject=f"election:{election.id}", detail=f"{kind} {day}"
    )
    return election


def remove(election_id: int, by: int | None) -> bool:
    election = db.session.get(Election, election_id)
    if election is None:
        return False
    security.record(
        "election_removed",
        actor_id=by,
        subject=f"election:{election.id}",
        detail=f"{election.kind} {election.day}",
    )
    db.session.delete(election)
    return True


def election_days(configured: str = "") -> list[str]:
    """The days (YYYY-MM-DD) of every recorded election and of COURSE_ELECTION_DAYS
    (`configured`, checked when the app starts), sorted, each once."""
    days = {part.strip() for part in configured.split(",") if part.strip()}
    days.update(d.isoformat() for d in db.session.scalars(select(Election.day)))
    return sorted(days)


def configured_election_days() -> list[str]:
    """election_days() of this app: the recorded elections and COURSE_ELECTION_DAYS."""
    return election_days(str(current_app.config.get("COURSE_ELECTION_DAYS", "")))


def publish_election_days() -> bool:
    """Name the election days in the root-signed key list, for verifiers that are offline
    or not ours; False when the root key is kept off this server (see deploy.md)."""
    return certificates.publish_election_days(configured_election_days())


def unpublished_election_days() -> bool:
    """The key list does not name the election days as they are recorded now."""
    return tuple(configured_election_days()) != certificates.published_election_days()


# ---------------------------------------------------------------- an organisation's papers

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


# ---------------------------------------------------------------- assignments to stations

STATION_MAX, ADDRESS_MAX, COORDINATOR_MAX = 20, 300, 200
CSV_MAX_ROWS = 10_000
_HEADER_WORDS = {"iin_or_code", "iin", "code", "иин", "жсн", "код"}


class AssignmentRefused(Exception):
    """`reason`: "not_observer" (not a confirmed observer of this organisation), "station",
    "address" or "coordinator" (missing or too long)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class AssignedObserver:
    user_id: int
    name: str
    station: str
    address: str
    coordinator: str
    certificate_code: str | None
    certificate_status: str  # the roster's: none, valid, revoked, replaced, superseded

    @property
    def flagged(self) -> bool:
        """Without a valid certificate of the current edition: not ready for the station."""
        return self.certificate_status != "valid"


def _assignments(organisation_id: int, election_id: int) -> dict[int, Assignment]:
    found = db.session.scalars(
        select(Assignment).where(
            Assignment.organisation_id == organisation_id, Assignment.election_id == election_id
        )
    )
    return {a.user_id: a for a in found}


def assigned_observers(organisation, election_id: int, course) -> list[AssignedObserver]:
    """The organisation's observers at stations for this election, by station and name."""
    roster = {row.user_id: row for row in organisations.roster(organisation, course)}
    rows = [
        AssignedObserver(
            a.user_id,
            roster[a.user_id].name,
            a.station,
            a.address,
            a.coordinator,
            roster[a.user_id].certificate_code,
            roster[a.user_id].certificate_status,
        )
        # An observer who left the organisation since is no longer its to send.
        for a in _assignments(organisation.id, election_id).values()
        if a.user_id in roster
    ]
    return sorted(rows, key=lambda r: (r.station, r.name))


def _clean(station: str, address: str, coordinator: str) -> tuple[str, str, str]:
    station, address, coordinator = station.strip(), address.strip(), coordinator.strip()
    if not station or len(station) > STATION_MAX:
        raise AssignmentRefused("station")
    if not address or len(address) > ADDRESS_MAX:
        raise AssignmentRefused("address")
    if len(coordinator) > COORDINATOR_MAX:
        raise AssignmentRefused("coordinator")
    return station, address, coordinator


def _put(organisation_id, election_id, user_id, station, address, coordinator, by, known):
    found = known.get(user_id) or Assignment(
        organisation_id=organisation_id, election_id=election_id, user_id=user_id
    )
    found.station, found.address, found.coordinator = station, address, coordinator
    found.assigned_at, found.assigned_by_id = utcnow(), by
    db.session.add(found)
    known[user_id] = found


def assign(organisation, election_id: int, user_id: int, station, address, coordinator, by, course):
    """Assign (or move) one confirmed observer; AssignmentRefused says why not."""
    if db.session.get(Election, election_id) is None:
        raise LookupError(election_id)
    if user_id not in {r.user_id for r in organisations.roster(organisation, course)}:
        raise AssignmentRefused("not_observer")
    station, address, coordinator = _clean(station, address, coordinator)
    known = _assignments(organisation.id, election_id)
    _put(organisation.id, election_id, user_id, station, address, coordinator, by, known)
    db.session.flush()


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str  # fields, too_many_rows, unknown, iin_format, iin_check, duplicate, + _clean's


def import_assignments(organisation, election_id: int, text: str, by, course):
    """Rows of `iin_or_code,station,address[,coordinator]`: all of them, or none when any
    row has a problem (a half-imported file would leave the organisation guessing which
    observers were placed). Returns (assigned, problems)."""
    if db.session.get(Election, election_id) is None:
        raise LookupError(election_id)
    roster = organisations.roster(organisation, course)
    observers = {r.user_id for r in roster}
    by_code = {r.certificate_code: r.user_id for r in roster if r.certificate_code}
    current = certificates.current_certificates(list(observers))
    problems: list[RowProblem] = []
    planned: dict[int, tuple[int, str, str, str]] = {}
    for number, fields in spreadsheets.read_rows(text):
        if number == 1 and fields[0].lower() in _HEADER_WORDS:
            continue
        if len(planned) + len(problems) >= CSV_MAX_ROWS:
            problems.append(RowProblem(number, "too_many_rows"))
            break
        if len(fields) not in (3, 4):
            problems.append(RowProblem(number, "fields"))
            continue
        try:
            user_id = _observer_of(fields[0], by_code, current)
            station, address, coordinator = _clean(
                *fields[1:3], fields[3] if len(fields) == 4 else ""
            )
        except AssignmentRefused as e:
            problems.append(RowProblem(number, e.reason))
            continue
        if user_id in planned:
            problems.append(RowProblem(number, "duplicate"))
            continue
        planned[user_id] = (number, station, address, coordinator)
    if problems:
        return 0, problems
    known = _assignments(organisation.id, election_id)
    for user_id, (_number, station, address, coordinator) in planned.items():
        _put(organisation.id, election_id, user_id, station, address, coordinator, by, known)
    db.session.flush()
    security.record(
        "assignments_imported",
        actor_id=by,
        subject=f"organisation:{organisation.id}",
        detail=f"election:{election_id} rows:{len(planned)}",
    )
    return len(planned), []


def _observer_of(typed: str, by_code: dict[str, int], current: dict) -> int:
    """The observer a row names: by certificate code, or by the IIN on their certificate."""
    digits = "".join(ch for ch in typed if not ch.isspace())
    if digits.isdigit():
        try:
            number = certificates.normalize_iin(digits)
        except certificates.IINError as e:
            raise AssignmentRefused(f"iin_{e.reason}") from e
        for user_id, certificate in current.items():
            if certificates.holds_iin(certificate, number):
                return user_id
        raise AssignmentRefused("unknown")
    try:
        code = certificates.normalize_code(typed)
    except certificates.CodeError as e:
        raise AssignmentRefused("unknown") from e
    if code not in by_code:
        raise AssignmentRefused("unknown")
    return by_code[code]


# ---------------------------------------------------------------- the observer's packet


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
    assignment = _assignments(organisation.id, election_id).get(user_id)
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
