"""Reading a submitted attempt form into chosen option ids, refusing anything odd. No Flask.

Field names: `q<N>` carries the option values of question N (one for single choice and
true/false, any number for multiple choice); `q<N>-<value>` carries the position (1…n)
given to one item of ordering question N. Anything else — an unknown field, a value not
issued for this attempt, a repeated field, a position out of range or used twice — is
refused as a whole: nothing of the form is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

FIELD = re.compile(r"^q(\d{1,3})(?:-([a-z2-7]{1,32}))?$")
IGNORED_FIELDS = frozenset({"csrf_token", "action"})


@dataclass(frozen=True)
class DrawnQuestion:
    """A question as shown in one attempt: its place, type and option values in order."""

    position: int
    question_id: str
    type: str
    tokens: dict[str, str]  # option value → option id, in display order


class AnswerError(ValueError):
    """`code`: unknown_field, duplicate, forged, ordering, missing; `positions`: questions."""

    def __init__(self, code: str, positions: Iterable[int] = ()):
        self.code = code
        self.positions = sorted(set(positions))
        super().__init__(code, self.positions)


def parse_answers(
    fields: Iterable[tuple[str, str]], questions: Iterable[DrawnQuestion], *, require_all: bool
) -> dict[str, list[str]]:
    """{question id: chosen option ids} for the questions answered; raises AnswerError."""
    by_position = {q.position: q for q in questions}
    values: dict[int, list[str]] = {}
    ordering: dict[int, dict[str, str]] = {}
    for name, value in fields:
        if name in IGNORED_FIELDS:
            continue
        match = FIELD.match(name)
        question = by_position.get(int(match.group(1))) if match else None
        if question is None:
            raise AnswerError("unknown_field")
        token = match.group(2)
        if question.type == "ordering":
            if token is None or token not in question.tokens:
                raise AnswerError("forged", [question.position])
            given = ordering.setdefault(question.position, {})
            if token in given:
                raise AnswerError("duplicate", [question.position])
            given[token] = value.strip()
        else:
            if token is not None:
                raise AnswerError("unknown_field")
            if value not in question.tokens:
                raise AnswerError("forged", [question.position])
            chosen = values.setdefault(question.position, [])
            if value in chosen or (question.type != "multiple" and chosen):
                raise AnswerError("duplicate", [question.position])
            chosen.append(value)

    answers: dict[str, list[str]] = {}
    for position, tokens in values.items():
        question = by_position[position]
        answers[question.question_id] = [question.tokens[t] for t in tokens]
    for position, given in ordering.items():
        question = by_position[position]
        ranked = _ordering(question, given)
        if ranked:
            answers[question.question_id] = ranked
    if require_all:
        missing = [q.position for q in by_position.values() if q.question_id not in answers]
        if missing:
            raise AnswerError("missing", missing)
    return answers


def _ordering(question: DrawnQuestion, given: dict[str, str]) -> list[str]:
    """Option ids in the order of the positions given; empty when nothing was chosen."""
    filled = {token: value for token, value in given.items() if value}
    if not filled:
        return []
    count = len(question.tokens)
    try:
        positions = {token: int(value) for token, value in filled.items()}
    except ValueError:
        raise AnswerError("forged", [question.position]) from None
    if len(filled) != count or sorted(positions.values()) != list(range(1, count + 1)):
        raise AnswerError("ordering", [question.position])
    return [question.tokens[t] for t in sorted(positions, key=positions.get)]
