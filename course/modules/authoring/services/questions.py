"""Quiz editing: a question's key and texts in both languages in one save; adding,
reordering and retiring questions. Every change goes through services.save (or, for the
order, the same lock and history), so conflicts, history and alignment work the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from course.core.content import ID_PATTERN, LANGUAGES
from course.core.content.published import editions
from course.core.db import db
from course.core.files import atomic_write
from course.core.refusals import Refusal
from course.modules.authoring import units as u
from course.modules.authoring.models import NEUTRAL, Revision
from course.modules.authoring.services import (
    EDIT,
    Author,
    Edit,
    NeutralEdit,
    SaveResult,
    content_lock,
    save,
)


class QuestionInvalid(Refusal):
    """`reason`: options, correct, ordering, module, scenario — what is wrong with the key."""


@dataclass
class OptionInput:
    id: str | None  # None for a new option
    text: dict[str, str]
    correct: bool = False
    position: int | None = None  # ordering questions: the place in the right order
    remove: bool = False


@dataclass
class QuestionInput:
    type: str
    prompt: dict[str, str]
    explanation: dict[str, str]
    legal_basis: dict[str, str]
    options: list[OptionInput]
    true_false_answer: str | None = None
    module_id: str | None = None  # final exam only
    scenario_id: str | None = None
    scenario: dict[str, str] = field(default_factory=dict)
    bases: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, lang) → fingerprint


def _next_option_id(used: set[str]) -> str:
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if letter not in used:
            return letter
    n = 27
    while f"o{n}" in used:
        n += 1
    return f"o{n}"


def new_question_id(d: u.Draft, qset: u.QuestionSet) -> str:
    used = {q["id"] for s in d.question_sets() for q in d.questions(s)}
    prefix = "fe" if qset.id == u.FINAL_EXAM else qset.id
    n = 1
    while f"{prefix}-{n}" in used:
        n += 1
    return f"{prefix}-{n}"


def save_question(
    d: u.Draft,
    author: Author,
    qset: u.QuestionSet,
    question_id: str,
    given: QuestionInput,
    structure_base: str,
) -> SaveResult:
    old = d.question(qset, question_id)
    structure: dict = {"id": question_id}
    if qset.id == u.FINAL_EXAM:
        if given.module_id not in {m.id for m in d.modules}:
            raise QuestionInvalid("module")
        structure["module"] = given.module_id
    structure["type"] = given.type
    scenario = (given.scenario_id or "").strip()
    if scenario:
        if not ID_PATTERN.match(scenario):
            raise QuestionInvalid("scenario")
        structure["scenario"] = scenario
    kept = [o for o in given.options if not o.remove and (o.id or any(o.text.values()))]
    if given.type == "true_false":
        if given.true_false_answer not in ("true", "false"):
            raise QuestionInvalid("correct")
        structure["correct"] = [given.true_false_answer]
        kept = []
    else:
        used = {o.id for o in kept if o.id}
        for option in kept:
            if option.id is None:
                option.id = _next_option_id(used)
                used.add(option.id)
        if len(kept) < 2:
            raise QuestionInvalid("options")
        structure["options"] = [o.id for o in kept]
        if given.type == "ordering":
            positions = [o.position for o in kept]
            if sorted(p or 0 for p in positions) != list(range(1, len(kept) + 1)):
                raise QuestionInvalid("ordering")
            structure["correct"] = [o.id for o in sorted(kept, key=lambda o: o.position)]
        else:
            correct = [o.id for o in kept if o.correct]
            if not correct or (given.type == "single" and len(correct) != 1):
                raise QuestionInvalid("correct")
            structure["correct"] = correct
    if old and old.get("retired"):
        structure["retired"] = True
    page = f"question:{question_id}"
    edits: list[Edit] = []

    def edit(key: str, texts: dict[str, str]) -> None:
        for lang in LANGUAGES:
            edits.append(Edit(key, lang, texts.get(lang, ""), given.bases.get((key, lang), "")))

    for kind in ("prompt", "explanation", "legal_basis"):
        edit(f"{page}:{kind}", getattr(given, kind))
    for option in kept:
        edit(f"{page}:option:{option.id}", option.text)
    removed = set(old.get("options") or []) - {o.id for o in kept} if old else set()
    for option_id in sorted(removed):
        key = f"{page}:option:{option_id}"
        for lang in LANGUAGES:
            edits.append(Edit(key, lang, None, given.bases.get((key, lang), "")))
    if scenario:
        edit(f"scenario:{qset.id}:{scenario}", given.scenario)
    value = u.dump_yaml(structure)
    neutral = NeutralEdit(f"{page}:structure", value, structure_base, qset.id)
    return save(d, author, edits, [neutral], page=page)


def move_question(d: u.Draft, author: Author, qset: u.QuestionSet, question_id: str, step: int):
    """Move a question up (-1) or down (+1) in its quiz."""
    with content_lock(d.root):
        _move_question(u.Draft(d.root), author, qset, question_id, step)


def _move_question(d: u.Draft, author: Author, qset: u.QuestionSet, question_id: str, step: int):
    text = d.read(qset.structure_file) or ""
    data = u.load_yaml(text) or {}
    items = list(data.get(qset.list_key) or [])
    index = next((i for i, q in enumerate(items) if q.get("id") == question_id), None)
    if index is None or not 0 <= index + step < len(items):
        return
    items[index], items[index + step] = items[index + step], items[index]
    data[qset.list_key] = items
    editions().freeze_served_files()
    atomic_write(d.root / qset.structure_file, u.dump_yaml(data, u.leading_comments(text)))
    db.session.add(
        Revision(
            author_id=author.id,
            author_name=author.name,
            source=EDIT,
            page=f"questions:{qset.id}",
            unit_key=f"questions:{qset.id}:order",
            lang=NEUTRAL,
            before=" ".join(q.get("id", "") for q in u.load_yaml(text).get(qset.list_key) or []),
            after=" ".join(q.get("id", "") for q in items),
        )
    )
    db.session.flush()


def set_retired(
    d: u.Draft, author: Author, qset: u.QuestionSet, question_id: str, retired: bool
) -> SaveResult:
    """Retire a question (it leaves quizzes and pools; its statistics and attempts stay)."""
    found = d.question(qset, question_id)
    if found is None:
        raise KeyError(question_id)
    structure = dict(found)
    structure.pop("retired", None)
    if retired:
        structure["retired"] = True
    key = f"question:{question_id}:structure"
    base = u.fingerprint(u.dump_yaml(found))
    return save(d, author, neutral=[NeutralEdit(key, u.dump_yaml(structure), base)])
