"""Quizzes: read a module's lessons, and fill in an attempt's answers and form."""

from __future__ import annotations

from course.modules.learning import services as learning
from course.modules.quizzes import services


def read_lessons(user_id: int, course, *module_ids: str) -> None:
    """Mark every lesson of these modules (of every module if none is named) read."""
    for module in course.modules:
        if not module_ids or module.id in module_ids:
            for lesson in module.lessons:
                learning.mark_read(user_id, lesson)


def wrong_answer(question) -> list[str]:
    """A wrong answer to the question: the reversed order, or one option that is not right."""
    if question.type == "ordering":
        return list(reversed(question.correct))
    return [next(o.id for o in question.options if o.id not in question.correct)]


def answers_for(attempt, course, right: bool | set = True) -> dict[str, list[str]]:
    """{question id: option ids}: all right, all wrong, or right only for the ids in a set."""
    result = {}
    for aq in attempt.questions:
        question = course.question(aq.question_id)
        good = right if isinstance(right, bool) else aq.question_id in right
        result[aq.question_id] = list(question.correct) if good else wrong_answer(question)
    return result


def form_for(attempt, course, secret: str, answers: dict[str, list[str]], action="submit"):
    """The fields a browser would send for these answers."""
    fields = [("action", action)]
    for dq in services.drawn_questions(attempt, course, secret):
        chosen = answers.get(dq.question_id)
        if chosen is None:
            continue
        token_of = {option_id: token for token, option_id in dq.tokens.items()}
        if dq.type == "ordering":
            fields += [(f"q{dq.position}-{token_of[o]}", str(chosen.index(o) + 1)) for o in chosen]
        else:
            fields += [(f"q{dq.position}", token_of[o]) for o in chosen]
    return fields
