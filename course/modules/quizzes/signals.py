"""Signals of the quiz area."""

from blinker import Namespace

_signals = Namespace()

course_completed = _signals.signal("course-completed")
"""A learner completed the course: every module and the final exam.

sender: the learner's user id; keyword `completion`: the new CourseCompletion (flushed,
not yet committed — receivers work in the same transaction, so nothing is half-done);
keyword `course`: the Course of the edition the final exam was taken on (not
necessarily the current one: an edition may be published during the exam). Sent once
per learner and edition.
"""
