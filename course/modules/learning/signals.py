"""Signals of the learning area: how other areas add their steps to a learner's course.

The learning pages show each module's lessons and, beside them, whatever other areas
count as part of the module (the quiz area adds the module quiz) or of the whole course
(the final exam). The learning area knows nothing of quizzes: it asks.
"""

from blinker import Namespace

_signals = Namespace()

module_activities = _signals.signal("module-activities")
"""Collect the steps of each module beyond its lessons.

sender: the learner's user id; keyword `course`: the Course; keyword `lessons_read`:
{module_id: True when every lesson of the module is read}.
Receivers return {module_id: [Activity, …]} (learning.services.Activity).
"""

course_activities = _signals.signal("course-activities")
"""Collect the course-wide steps after the modules (e.g. the final exam).

sender: the learner's user id; keyword `course`: the Course; keyword `read`: the
(module id, lesson id) pairs of the lessons read. Receivers return [Activity, …].
"""
