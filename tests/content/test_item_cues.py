"""No give-away cues in the real question bank: the key is rarely the longest option, no
option position or length rank holds too many keys, and true/false keys are balanced.
Then the cue computation itself, on tiny made-up items, so a broken count is caught."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from course.config import PROJECT_ROOT
from course.core.content import (
    TRUE_FALSE_OPTIONS,
    Course,
    FinalExam,
    Module,
    Option,
    Question,
    Quiz,
    load_course,
)
from course.modules.quizzes import cues

COURSE = load_course(PROJECT_ROOT / "content")
REPORTS = cues.reports(COURSE)
LANGS = ("kk", "ru")
LONGEST_MAX = 0.34  # chance is about 1 in 4 (1 in 3 for three options)
SHARE_MAX = 0.40  # of keys in one position, or with one length rank
TRUE_SHARE = (0.35, 0.65)


def _why(found: cues.CueReport, lang: str, rank: int | None = None) -> str:
    lines = cues.describe(found)
    if rank is not None:
        items = [c.question_id for c in cues.key_cues(cues.bank(COURSE), lang) if c.rank == rank]
        lines.append(f"keys with length rank {rank}: {', '.join(items)}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the real bank


def test_the_bank_is_big_enough_for_shares_to_mean_something():
    for lang in LANGS:
        assert REPORTS[lang].single >= 40
    assert REPORTS[None].true_false >= 15


@pytest.mark.parametrize("lang", LANGS)
def test_the_key_is_rarely_the_longest_option(lang):
    found = REPORTS[lang]
    assert found.longest_share <= LONGEST_MAX, _why(found, lang, rank=1)


@pytest.mark.parametrize("lang", LANGS)
def test_no_length_rank_holds_too_many_keys(lang):
    found = REPORTS[lang]
    for rank, share in found.rank_shares().items():
        assert share <= SHARE_MAX, _why(found, lang, rank=rank)


def test_no_option_position_holds_too_many_keys():
    found = REPORTS[None]  # the order of options is the same in both languages
    for share in found.position_shares().values():
        assert share <= SHARE_MAX, _why(found, "kk")


def test_true_false_keys_are_balanced():
    found = REPORTS[None]
    low, high = TRUE_SHARE
    assert low <= found.true_share <= high, _why(found, "kk")


# ---------------------------------------------------------------- the computation


def single(qid: str, texts: dict[str, list[str]], key: int, retired=False) -> Question:
    """A single-choice question whose options have these texts; `key` indexes them."""
    ids = "abcdefgh"[: len(texts["kk"])]
    return Question(
        id=qid,
        type="single",
        module_id="m",
        prompt={"kk": "?", "ru": "?"},
        options=tuple(
            Option(o, {lang: texts[lang][i] for lang in texts}) for i, o in enumerate(ids)
        ),
        correct=(ids[key],),
        explanation={"kk": "", "ru": ""},
        legal_basis={"kk": "", "ru": ""},
        retired=retired,
    )


def true_false(qid: str, key: str) -> Question:
    return Question(
        id=qid,
        type="true_false",
        module_id="m",
        prompt={"kk": "?", "ru": "?"},
        options=tuple(Option(o, {"kk": o, "ru": o}) for o in TRUE_FALSE_OPTIONS),
        correct=(key,),
        explanation={"kk": "", "ru": ""},
        legal_basis={"kk": "", "ru": ""},
    )


def course_of(quiz: list[Question], pool: list[Question], retired=()) -> Course:
    text = {"kk": "", "ru": ""}
    module = Module(
        "m", date(2021, 1, 10), text, text, (), Quiz("m-quiz", "m", 80, tuple(quiz), 30, retired)
    )
    exam = FinalExam("final-exam", 1, 80, 0, tuple(pool))
    return Course(1, date(2026, 1, 1), LANGS, text, text, text, text, (module,), exam)


@pytest.mark.parametrize(
    ("lengths", "key", "rank"),
    [
        ([9, 5, 5, 5], 0, 1),  # strictly the longest
        ([9, 9, 5, 5], 0, 2),  # tied for the longest: not the longest
        ([9, 9, 5, 5], 1, 2),
        ([3, 5, 7, 9], 0, 4),  # the shortest
        ([5, 9, 7, 3], 2, 2),
        ([6, 6, 6], 1, 3),  # all equal: every other option is as long
        ([4, 8], 1, 1),
    ],
)
def test_length_rank(lengths, key, rank):
    assert cues.length_rank(lengths, key) == rank


def test_a_key_cue_counts_characters_of_stripped_text_per_language():
    texts = {"kk": ["  қысқа  ", "ең ұзын нұсқа", "орта"], "ru": ["длинный вариант", "ключ", "x"]}
    question = single("q", texts, 1)
    kk = cues.key_cue(cues.BankItem("quiz", question), "kk")
    assert (kk.position, kk.options, kk.key_length, kk.lengths) == (2, 3, 13, (5, 13, 4))
    assert (kk.rank, kk.longest, kk.longest_other) == (1, True, 5)
    ru = cues.key_cue(cues.BankItem("quiz", question), "ru")
    assert (ru.rank, ru.longest, ru.longest_other) == (2, False, 15)


def test_only_single_choice_questions_have_a_key_cue():
    item = cues.BankItem("quiz", true_false("t", "true"))
    assert cues.key_cue(item, "kk") is None


def test_the_bank_is_every_active_quiz_question_and_the_exam_pool():
    old = single("old", {"kk": ["a", "bb"], "ru": ["a", "bb"]}, 1, retired=True)
    course = course_of(
        [single("q1", {"kk": ["a", "b"], "ru": ["a", "b"]}, 0), true_false("t1", "true")],
        [single("f1", {"kk": ["a", "b"], "ru": ["a", "b"]}, 1)],
        retired=(old,),
    )
    assert [(i.quiz_id, i.question.id) for i in cues.bank(course)] == [
        ("m-quiz", "q1"),
        ("m-quiz", "t1"),
        ("final-exam", "f1"),
    ]


def test_a_report_worked_out_by_hand():
    course = course_of(
        [
            # kk: key longest (rank 1); ru: key shortest of three (rank 3); position 1
            single("q1", {"kk": ["ұзын жауап", "иә", "жоқ"], "ru": ["да", "нет", "может"]}, 0),
            # both: key tied for the longest (rank 2); position 2
            single("q2", {"kk": ["бір", "екі", "үш"], "ru": ["раз", "два", "ох"]}, 1),
            # both: key strictly the longest (rank 1); position 2 of 4
            single("q3", {"kk": ["a", "bbbb", "cc", "d"], "ru": ["a", "bbbb", "cc", "d"]}, 1),
            true_false("t1", "true"),
            true_false("t2", "false"),
            replace(  # a multiple-choice question counts nowhere
                single("m1", {"kk": ["ұзынырақ", "b"], "ru": ["длиннее", "b"]}, 0), type="multiple"
            ),
        ],
        [true_false("t3", "false"), true_false("t4", "false")],
    )
    found = cues.reports(course)
    kk, ru, both = found["kk"], found["ru"], found[None]
    assert (kk.single, kk.longest, kk.longest_share) == (3, 2, pytest.approx(2 / 3))
    assert (ru.single, ru.longest, ru.longest_share) == (3, 1, pytest.approx(1 / 3))
    assert (kk.ranks, ru.ranks) == ({1: 2, 2: 1}, {1: 1, 2: 1, 3: 1})
    assert kk.positions == ru.positions == both.positions == {1: 1, 2: 2}
    assert kk.position_shares() == {1: pytest.approx(1 / 3), 2: pytest.approx(2 / 3)}
    # Both languages pooled: each single-choice question once per language.
    assert (both.single, both.longest) == (6, 3)
    assert both.ranks == {1: 3, 2: 2, 3: 1}
    assert both.rank_shares() == {1: 0.5, 2: pytest.approx(1 / 3), 3: pytest.approx(1 / 6)}
    # True/false: 1 of 4 keys is "true", whatever the language.
    for report in (kk, ru, both):
        assert (report.true_false, report.true_keys, report.true_share) == (4, 1, 0.25)
    assert cues.describe(kk) == [
        "kk: key is the longest option in 2 of 3 single-choice items (67%)",
        "kk: key position 1: 33%, 2: 67%",
        "kk: key length rank 1: 67%, 2: 33%",
        "kk: true/false keys 'true' in 1 of 4 (25%)",
    ]


def test_an_empty_bank_has_no_shares():
    found = cues.report([])
    assert (found.longest_share, found.true_share) == (None, None)
    assert (found.position_shares(), found.rank_shares()) == ({}, {})
    assert cues.describe(found)[0].endswith("(-)")
