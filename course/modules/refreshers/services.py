"""Refresher use-cases. When a published edition supersedes earlier certificates, each
holder rereads only the modules that changed since their certificate's edition and passes
a short test drawn from those modules; passing completes the new edition, whose
certificate replaces the old one ("replaced by …", not revoked: see certificates'
`replace_earlier`). Holders are told by mail when the edition is published, and an
organisation may remind its observers, at most once a day each.

Services take plain values, flush but never commit, and never read the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from course.core.content import Course, Lesson, Module
from course.core.content.published import current_course, editions
from course.core.db import db, utcnow
from course.core.i18n import _, ngettext
from course.core.links import absolute_url
from course.core.mail import send_mail_after_commit
from course.modules.accounts import services as accounts
from course.modules.certificates import services as certificates
from course.modules.quizzes import services as quizzes
from course.modules.refreshers.models import (
    EDITION_MAIL,
    REMINDER,
    RefresherNotice,
    RefresherReading,
)

# An organisation's reminder is sent to one observer at most this often (by any
# organisation), so that a holder is not flooded before an election.
REMINDER_GAP = timedelta(hours=24)


class NotReady(Exception):
    """The refresher test opens once every lesson of the refresher has been read again."""


class NotDue(Exception):
    """This person has no refresher to take (no certificate, or one that is current)."""


class TooSoon(Exception):
    """A reminder was sent to this observer less than REMINDER_GAP ago; `until` says
    when the next may go."""

    def __init__(self, until: datetime):
        self.until = until
        super().__init__(until.isoformat())


@dataclass(frozen=True)
class Refresher:
    """A holder's refresher: from the edition of their certificate to the current one."""

    user_id: int
    certificate_code: str  # the superseded certificate
    from_edition: int
    course: Course  # the current edition, which passing it completes
    modules: tuple[Module, ...]  # those changed since `from_edition`
    read: frozenset[tuple[str, str]]  # (module id, lesson id) read again for it

    @property
    def display_code(self) -> str:
        return certificates.display_code(self.certificate_code)

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def lessons_left(self) -> list[Lesson]:
        return [x for x in self.lessons if (x.module_id, x.id) not in self.read]

    @property
    def ready(self) -> bool:
        return not self.lessons_left

    def lesson(self, module_id: str, lesson_id: str) -> Lesson | None:
        if all(m.id != module_id for m in self.modules):
            return None
        return self.course.lesson(module_id, lesson_id)

    def next_lesson(self, after: Lesson) -> Lesson | None:
        """The next lesson not yet read again, after this one in course order."""
        order = self.lessons
        at = next(
            i for i, x in enumerate(order) if (x.module_id, x.id) == (after.module_id, after.id)
        )
        return next(
            (x for x in order[at + 1 :] + order[:at] if (x.module_id, x.id) not in self.read), None
        )

    @property
    def quiz(self) -> quizzes.QuizInfo | None:
        return quizzes.refresher_info(self.course, [m.id for m in self.modules])


def changed_modules(since: int, course: Course) -> tuple[Module, ...]:
    """The current edition's modules that an edition after `since` changed (or added), in
    course order. When no edition recorded what it changed (editions frozen from files
    as found), the whole course is the refresher: nothing says which part is still right."""
    changed = {
        module_id
        for record in editions().records()
        if record.number > since
        for module_id in record.changed_modules
    }
    found = tuple(m for m in course.modules if m.id in changed)
    return found or course.modules


def _read_again(user_id: int, edition: int) -> frozenset[tuple[str, str]]:
    rows = db.session.execute(
        select(RefresherReading.module_id, RefresherReading.lesson_id).where(
            RefresherReading.user_id == user_id, RefresherReading.edition == edition
        )
    )
    return frozenset((module_id, lesson_id) for module_id, lesson_id in rows)


def due(user_id: int, course: Course | None = None) -> Refresher | None:
    """The holder's refresher, if their current certificate is valid and a later edition
    superseded it; None otherwise (no certificate, revoked, current, or already replaced
    by one of the new edition). No query while no edition supersedes anything."""
    course = course or current_course()
    superseding = editions().superseding_edition()
    if not superseding:
        return None
    certificate = certificates.current_certificate(user_id)
    if certificate is None or certificate.edition >= superseding:
        return None
    if certificates.status_of(certificate, certificate.code, course).status != certificates.VALID:
        return None  # a revoked or withdrawn-key certificate is not refreshed: it is not valid
    return Refresher(
        user_id,
        certificate.code,
        certificate.edition,
        course,
        changed_modules(certificate.edition, course),
        _read_again(user_id, course.edition),
    )


def mark_read(refresher: Refresher, lesson: Lesson) -> None:
    """The holder read this lesson of the refresher again (twice is once)."""
    if (lesson.module_id, lesson.id) in refresher.read:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                RefresherReading(
                    user_id=refresher.user_id,
                    edition=refresher.course.edition,
                    module_id=lesson.module_id,
                    lesson_id=lesson.id,
                )
            )
    except IntegrityError:
        pass  # two tabs at once: the other one recorded it


def start_test(refresher: Refresher, now: datetime | None = None):
    """The refresher test's open attempt, or a new one. NotReady while lessons are left
    to read again; the quiz area's NotAvailable when passed already or a wait is due."""
    if not refresher.ready:
        raise NotReady
    info = refresher.quiz
    if info is None:  # the edition has no final exam, hence no pool to draw from
        raise NotDue
    return quizzes.start_attempt(refresher.user_id, refresher.course, info, now=now)


# ---------------------------------------------------------------- telling holders


def _mail(user, refresher_edition: int, code: str, modules: int, reminded_by=None) -> None:
    """The refresher mail in the holder's language; `reminded_by`: the organisation
    reminding them, named in that language."""
    with force_locale(user.locale):
        lines = [_("Hello, %(name)s.", name=user.full_name), ""]
        if reminded_by is not None:
            name = reminded_by.name(user.locale)
            lines += [_("%(organisation)s reminds you of your refresher.", organisation=name), ""]
        lines += [
            _(
                "Edition %(edition)s of the observer course is published: the law it teaches "
                "has changed. Your certificate %(code)s stays valid, marked “superseded — "
                "refresher recommended”.",
                edition=refresher_edition,
                code=certificates.display_code(code),
            ),
            "",
            ngettext(
                "The refresher covers only what changed: %(num)d module to reread, a short test.",
                "The refresher covers only what changed: %(num)d modules to reread, a short test.",
                modules,
            ),
            absolute_url("refreshers.overview", lang=user.locale),
            "",
            _(
                "Passing it gives you a certificate of the new edition; it replaces the old "
                "one, which then answers “replaced by” your new code."
            ),
        ]
        subject = _("A refresher of the observer course is due")
    send_mail_after_commit(user.email, subject, "\n".join(lines))


def announce(course: Course) -> int:
    """Tell every holder a new edition superseded (in their language, once the publish
    commits) that a refresher is due; how many were told. Holders of a certificate this
    edition does not supersede are not told."""
    holders = certificates.superseded_holders(course.edition)
    users = accounts.get_users([h.user_id for h in holders])
    # The changed modules depend on the holder's edition only: a few editions, many holders.
    modules = {e: len(changed_modules(e, course)) for e in {h.edition for h in holders}}
    told = 0
    for holder in holders:
        user = users.get(holder.user_id)
        if user is None or not user.email:
            continue
        _mail(user, course.edition, holder.code, modules[holder.edition], None)
        db.session.add(RefresherNotice(user_id=user.id, edition=course.edition, kind=EDITION_MAIL))
        told += 1
    db.session.flush()
    return told


def last_reminders(user_ids: list[int], edition: int) -> dict[int, datetime]:
    """When each of these holders was last reminded of this edition's refresher."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(RefresherNotice.user_id, func.max(RefresherNotice.sent_at))
        .where(
            RefresherNotice.user_id.in_(sorted(set(user_ids))),
            RefresherNotice.edition == edition,
            RefresherNotice.kind == REMINDER,
        )
        .group_by(RefresherNotice.user_id)
    )
    return dict(rows.all())


def remind(user_id: int, organisation, now: datetime | None = None) -> None:
    """An organisation reminds its observer by mail that the refresher is due. NotDue if
    it is not; TooSoon if someone reminded them less than REMINDER_GAP ago."""
    now = now or utcnow()
    refresher = due(user_id)
    if refresher is None:
        raise NotDue
    last = last_reminders([user_id], refresher.course.edition).get(user_id)
    if last is not None and now < last + REMINDER_GAP:
        raise TooSoon(last + REMINDER_GAP)
    user = accounts.get_user(user_id)
    _mail(
        user,
        refresher.course.edition,
        refresher.certificate_code,
        len(refresher.modules),
        reminded_by=organisation,
    )
    db.session.add(
        RefresherNotice(
            user_id=user_id,
            edition=refresher.course.edition,
            kind=REMINDER,
            organisation_id=organisation.id,
            sent_at=now,
        )
    )
    db.session.flush()
