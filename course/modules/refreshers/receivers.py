"""What the refreshers area does when other areas speak: a superseding edition tells its
holders; the course home lists a due refresher among the course's steps."""

from __future__ import annotations

from course.core.content import Course
from course.core.i18n import _l
from course.modules.learning.services import Activity
from course.modules.refreshers import services


def announce_on_publish(_publisher_id, record, course: Course) -> None:
    if record.supersedes_earlier:
        services.announce(course)


def refresher_step(user_id: int, course: Course, read: frozenset) -> list[Activity]:
    refresher = services.due(user_id, course)
    if refresher is None:
        return []
    left = len(refresher.lessons_left)
    return [
        Activity(
            label=_l("Refresher for edition %(edition)s", edition=course.edition),
            done=False,
            endpoint="refreshers.overview",
            note=(
                _l("lessons left to reread: %(num)s; then a short test", num=left)
                if left
                else _l("the lessons are reread: the test is open")
            ),
        )
    ]
