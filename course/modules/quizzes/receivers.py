"""What the quiz area adds to the learning pages: each module's quiz and the final exam."""

from __future__ import annotations

from course.core.content import Course
from course.core.i18n import _l
from course.modules.learning.services import Activity
from course.modules.quizzes import services


def module_quizzes(user_id: int, course: Course, lessons_read: dict[str, bool]) -> dict:
    passed = services.passed_quiz_ids(user_id)
    found = {}
    for module in course.modules:
        if module.quiz is None:
            continue
        done = module.quiz.id in passed
        if done:
            note = _l("passed")
        elif not lessons_read.get(module.id):
            note = _l("opens when every lesson of the module is read")
        else:
            note = _l("pass mark %(mark)s%%", mark=module.quiz.pass_mark)
        found[module.id] = [
            Activity(
                label=_l("Module quiz"),
                done=done,
                endpoint="quizzes.quiz_page",
                values={"module_id": module.id},
                note=note,
            )
        ]
    return found


def final_exam(user_id: int, course: Course, read: frozenset) -> list[Activity]:
    if course.final_exam is None:
        return []
    completed = services.completion(user_id, course.edition)
    if completed is not None:
        note = _l("course complete, score %(score)s%%", score=completed.final_score)
    elif not services.all_modules_done(course, read, services.passed_quiz_ids(user_id)):
        note = _l("opens when every module is complete")
    else:
        note = _l("pass mark %(mark)s%%", mark=course.final_exam.pass_mark)
    return [
        Activity(
            label=_l("Final exam"),
            done=completed is not None,
            endpoint="quizzes.final_exam_page",
            note=note,
        )
    ]
