"""An organisation's observers assigned to polling stations for an election, one by one or
from a CSV file (the good rows kept, the bad ones named), and reminders to those whose
certificate needs a refresher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from course.core import spreadsheets
from course.core.db import db, utcnow
from course.core.refusals import Refusal
from course.modules.campaigns.models import Assignment, Election
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations
from course.modules.refreshers import services as refreshers
from course.modules.security import services as security

STATION_MAX, ADDRESS_MAX, COORDINATOR_MAX = 20, 300, 200
CSV_MAX_ROWS = 10_000
_HEADER_WORDS = {"iin_or_code", "iin", "code", "иин", "жсн", "код"}


class AssignmentRefused(Refusal):
    """`reason`: "not_observer" (not a confirmed observer of this organisation), "station",
    "address" or "coordinator" (missing or too long)."""


@dataclass(frozen=True)
class AssignedObserver:
    user_id: int
    name: str
    station: str
    address: str
    coordinator: str
    certificate_code: str | None
    certificate_status: str  # the roster's: none, valid, revoked, replaced, superseded
    reminded_at: datetime | None = None  # last reminded of the refresher due (superseded)

    @property
    def flagged(self) -> bool:
        """Without a valid certificate of the current edition: not ready for the station."""
        return self.certificate_status != "valid"

    @property
    def needs_refresher(self) -> bool:
        """Valid, but of an edition a later one superseded: a refresher brings it up to date."""
        return self.certificate_status == "superseded"


def assignments_by_observer(organisation_id: int, election_id: int) -> dict[int, Assignment]:
    found = db.session.scalars(
        select(Assignment).where(
            Assignment.organisation_id == organisation_id, Assignment.election_id == election_id
        )
    )
    return {a.user_id: a for a in found}


def assigned_observers(organisation, election_id: int, course) -> list[AssignedObserver]:
    """The organisation's observers at stations for this election, by station and name."""
    roster = {row.user_id: row for row in organisations.roster(organisation, course)}
    # An observer who left the organisation since is no longer its to send.
    found = [
        a
        for a in assignments_by_observer(organisation.id, election_id).values()
        if a.user_id in roster
    ]
    superseded = [a.user_id for a in found if roster[a.user_id].certificate_status == "superseded"]
    reminded = refreshers.last_reminders(superseded, course.edition)
    rows = [
        AssignedObserver(
            a.user_id,
            roster[a.user_id].name,
            a.station,
            a.address,
            a.coordinator,
            roster[a.user_id].certificate_code,
            roster[a.user_id].certificate_status,
            reminded.get(a.user_id),
        )
        for a in found
    ]
    return sorted(rows, key=lambda r: (r.station, r.name))


@dataclass(frozen=True)
class Reminders:
    sent: int
    too_soon: int  # reminded by someone less than a day ago: not sent again


def remind_refreshers(organisation, election_id: int, user_ids: list[int] | None, by, course):
    """Remind by mail the organisation's observers at stations for this election whose
    certificate needs a refresher: these (None: every one of them). Observers who need
    none, or are not assigned here, are passed over."""
    wanted = [
        a
        for a in assigned_observers(organisation, election_id, course)
        if a.needs_refresher and (user_ids is None or a.user_id in user_ids)
    ]
    sent = too_soon = 0
    for observer in wanted:
        try:
            refreshers.remind(observer.user_id, organisation)
        except refreshers.TooSoon:
            too_soon += 1
        except refreshers.NotDue:
            continue
        else:
            sent += 1
    if sent:
        security.record(
            "refresher_reminders_sent",
            actor_id=by,
            subject=f"organisation:{organisation.id}",
            detail=f"election {election_id}: {sent} sent",
        )
    return Reminders(sent, too_soon)


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
    known = assignments_by_observer(organisation.id, election_id)
    _put(organisation.id, election_id, user_id, station, address, coordinator, by, known)
    db.session.flush()


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str  # fields, too_many_rows, unknown, iin_format, iin_check, duplicate, + _clean's


def import_assignments(organisation, election_id: int, text: str, by, course):
    """Rows of `iin_or_code,station,address[,coordinator]`: every good row is assigned, and
    each row with a problem is left out and named by its number, so the organisation
    mends and sends only those. Returns (assigned, problems)."""
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
    if not planned:
        return 0, problems
    known = assignments_by_observer(organisation.id, election_id)
    for user_id, (_number, station, address, coordinator) in planned.items():
        _put(organisation.id, election_id, user_id, station, address, coordinator, by, known)
    db.session.flush()
    security.record(
        "assignments_imported",
        actor_id=by,
        subject=f"organisation:{organisation.id}",
        detail=f"election:{election_id} rows:{len(planned)} refused:{len(problems)}",
    )
    return len(planned), problems


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
