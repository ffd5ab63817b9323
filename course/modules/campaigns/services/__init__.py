"""The campaigns area's services: elections, an organisation's papers, observers at
polling stations, and their packets."""

from __future__ import annotations

from course.modules.campaigns.services.elections import (
    KINDS,
    ElectionExists,
    configured_election_days,
    election,
    election_days,
    elections,
    publish_election_days,
    record,
    remove,
    unpublished_election_days,
)
from course.modules.campaigns.services.packets import (
    observer_packet,
    packets_of_observer,
)
from course.modules.campaigns.services.papers import (
    DOCUMENT_KINDS,
    DocumentError,
    accreditation,
    accreditations,
    organisation_document,
    organisation_documents,
    record_accreditation,
    upload_document,
)
from course.modules.campaigns.services.stations import (
    ADDRESS_MAX,
    COORDINATOR_MAX,
    CSV_MAX_ROWS,
    STATION_MAX,
    AssignedObserver,
    AssignmentRefused,
    Reminders,
    RowProblem,
    assign,
    assigned_observers,
    assignments_by_observer,
    import_assignments,
    remind_refreshers,
)

__all__ = [
    "ADDRESS_MAX",
    "COORDINATOR_MAX",
    "CSV_MAX_ROWS",
    "DOCUMENT_KINDS",
    "KINDS",
    "STATION_MAX",
    "AssignedObserver",
    "AssignmentRefused",
    "DocumentError",
    "ElectionExists",
    "Reminders",
    "RowProblem",
    "accreditation",
    "accreditations",
    "assign",
    "assigned_observers",
    "assignments_by_observer",
    "configured_election_days",
    "election",
    "election_days",
    "elections",
    "import_assignments",
    "observer_packet",
    "organisation_document",
    "organisation_documents",
    "packets_of_observer",
    "publish_election_days",
    "record",
    "record_accreditation",
    "remind_refreshers",
    "remove",
    "unpublished_election_days",
    "upload_document",
]
