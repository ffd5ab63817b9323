"""What each kind of quiz is: a module's quiz, the final exam, and a refresher test over
the modules an edition changed; which questions a refresher test draws from. No Flask."""

from __future__ import annotations

from dataclasses import dataclass

from course.core.content import Course, Question

MODULE, FINAL, REFRESHER = "module", "final", "refresher"
# A refresher test asks this many questions per changed module, at most REFRESHER_MAX.
REFRESHER_PER_MODULE, REFRESHER_MAX = 3, 15


@dataclass(frozen=True)
class QuizInfo:
    """What an attempt needs to know of a quiz, whichever kind it is."""

    kind: str
    quiz_id: str
    module_id: str | None
    pass_mark: int
    time_limit_minutes: int
    # A refresher test's modules (the ones an edition changed); empty for the others.
    module_ids: tuple[str, ...] = ()


def quiz_info(course: Course, kind: str, module_id: str | None = None) -> QuizInfo | None:
    if kind == FINAL:
        exam = course.final_exam
        if exam is None:
            return None
        return QuizInfo(FINAL, exam.id, None, exam.pass_mark, exam.time_limit_minutes)
    module = course.module(module_id or "")
    if module is None or module.quiz is None:
        return None
    quiz = module.quiz
    return QuizInfo(MODULE, quiz.id, module.id, quiz.pass_mark, quiz.time_limit_minutes)


def refresher_info(course: Course, module_ids: list[str]) -> QuizInfo | None:
    """The refresher test of this edition over these modules: the final exam's pass mark
    and time limit, questions drawn from these modules only (see `_draw`). One per
    learner and edition: it completes the edition as the final exam would."""
    exam = course.final_exam
    known = tuple(m for m in module_ids if course.module(m) is not None)
    if exam is None or not known:
        return None
    return QuizInfo(
        REFRESHER, f"refresher-{course.edition}", None, exam.pass_mark,
        exam.time_limit_minutes, known,
    )  # fmt: skip


def refresher_pool(course: Course, module_ids: tuple[str, ...]) -> list[Question]:
    """What a refresher test over these modules draws from: their quiz questions and their
    questions in the final exam's pool."""
    found: dict[str, Question] = {}
    for module_id in module_ids:
        module = course.module(module_id)
        if module is not None and module.quiz is not None:
            found.update((q.id, q) for q in module.quiz.questions)
    if course.final_exam is not None:
        found.update((q.id, q) for q in course.final_exam.pool if q.module_id in module_ids)
    return list(found.values())
