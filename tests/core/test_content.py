"""The content loader and checker, on the test course and on broken copies of it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from course.config import PROJECT_ROOT
from course.core.content import ContentError, check_content, load_course
from tests.support.app import FIXTURE_CONTENT


@pytest.fixture
def copy(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(root: Path) -> list[str]:
    return [str(p) for p in check_content(root)]


def test_fixture_course_loads_with_structure_from_one_place():
    course = load_course(FIXTURE_CONTENT)
    assert course.edition == 3
    assert [m.id for m in course.modules] == ["alpha", "beta"]
    assert [x.id for x in course.lessons] == ["first", "second", "only"]
    quiz = course.module("alpha").quiz
    assert quiz.pass_mark == 75
    assert [q.id for q in quiz.questions] == ["a-single", "a-multi", "a-tf", "a-order"]
    order = quiz.questions[3]
    assert order.correct == ("z", "x", "y")
    assert quiz.questions[1].scenario["kk"].startswith("Сайлау учаскесінде")
    assert quiz.questions[2].option("false").text == {"kk": "Дұрыс емес", "ru": "Неверно"}
    assert course.final_exam.size == 2


def test_real_course_content_is_valid():
    assert messages(PROJECT_ROOT / "content") == []


def test_markdown_is_rendered_once_at_load_and_sanitised():
    lesson = load_course(FIXTURE_CONTENT).lesson("alpha", "second")
    for lang in ("kk", "ru"):
        html = lesson.html[lang]
        assert "<script" not in html
        assert 'href="javascript' not in html
        assert "&lt;script&gt;" in html  # raw HTML is shown as text, never run


def test_content_links_become_page_urls():
    html = load_course(FIXTURE_CONTENT).lesson("alpha", "first").html["ru"]
    assert 'href="second"' in html
    assert 'href="../beta/only#top"' in html
    assert 'src="../../media/diagram.svg"' in html
    assert 'alt="Схема: план избирательного участка"' in html


def test_neighbours_cross_module_boundaries():
    course = load_course(FIXTURE_CONTENT)
    second = course.lesson("alpha", "second")
    previous, following = course.neighbours(second)
    assert previous.id == "first"
    assert following.id == "only"
    assert course.neighbours(course.lesson("alpha", "first"))[0] is None


def test_missing_translation_is_named_with_file(copy):
    (copy / "ru" / "alpha" / "second.md").unlink()
    assert "content/ru/alpha/second.md:0: lesson 'second' is missing in 'ru'" in messages(copy)


def test_missing_question_text_in_one_language(copy):
    edit(copy / "kk" / "alpha" / "quiz.yaml", "  a-tf:", "  a-tf-gone:")
    found = messages(copy)
    assert any(
        m.startswith("content/kk/alpha/quiz.yaml:") and "'a-tf' has no text" in m for m in found
    )
    assert "content/kk/alpha/quiz.yaml:14: unknown question 'a-tf-gone'" in found


def test_duplicate_lesson_id_names_file_and_line(copy):
    edit(copy / "course.yaml", "lessons: [first, second]", "lessons: [first, second, first]")
    assert "content/course.yaml:7: duplicate lesson id 'first'" in messages(copy)


def test_duplicate_module_id_names_line(copy):
    edit(copy / "course.yaml", "  - id: beta", "  - id: alpha")
    assert "content/course.yaml:9: duplicate module id 'alpha'" in messages(copy)


def test_duplicate_question_id_across_quizzes(copy):
    edit(copy / "quizzes" / "final-exam.yaml", "id: f-alpha", "id: a-single")
    found = messages(copy)
    assert "content/quizzes/final-exam.yaml:6: duplicate question id 'a-single'" in found


def test_duplicate_key_in_a_language_file(copy):
    path = copy / "ru" / "alpha" / "quiz.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  a-tf:\n    prompt: again\n", encoding="utf-8"
    )
    assert "content/ru/alpha/quiz.yaml:23: duplicate key or id 'a-tf'" in messages(copy)


def test_broken_link_names_file_and_line(copy):
    edit(copy / "kk" / "alpha" / "first.md", "(second.md)", "(secnd.md)")
    assert "content/kk/alpha/first.md:13: broken link 'secnd.md'" in messages(copy)


def test_image_without_alt_text_or_file(copy):
    edit(copy / "ru" / "alpha" / "first.md", "![Схема: план избирательного участка]", "![]")
    edit(copy / "kk" / "alpha" / "first.md", "diagram.svg", "nothing.svg")
    found = messages(copy)
    assert "content/ru/alpha/first.md:11: image '../../media/diagram.svg' has no alt text" in found
    assert (
        "content/kk/alpha/first.md:11: image '../../media/nothing.svg' not found in media/" in found
    )
    assert any("show different images" in m for m in found)


def test_structure_drift_between_languages(copy):
    edit(copy / "ru" / "alpha" / "first.md", "minutes: 4", "minutes: 5")
    edit(copy / "kk" / "alpha" / "first.md", "id: first", "id: second")
    found = messages(copy)
    assert (
        "content/ru/alpha/first.md:4: 'minutes' differs between languages: 4 (kk), 5 (ru)" in found
    )
    assert "content/kk/alpha/first.md:2: 'id' must be 'first'" in found


def test_stray_lesson_file_is_reported(copy):
    (copy / "kk" / "alpha" / "extra.md").write_text("---\nid: extra\n---\ntext\n", encoding="utf-8")
    assert "content/kk/alpha/extra.md:0: lesson not listed in course.yaml" in messages(copy)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("correct: [b]", "correct: [d]", "'correct' must name distinct ids from 'options'"),
        ("correct: [b]", "correct: [a, b]", "a single question has exactly one correct option"),
        ("correct: [z, x, y]", "correct: [z, x]", "lists every option once"),
        ("type: single", "type: essay", "'type' must be one of"),
    ],
)
def test_answer_key_errors(copy, old, new, expected):
    edit(copy / "quizzes" / "alpha.yaml", old, new)
    found = messages(copy)
    assert any(m.startswith("content/quizzes/alpha.yaml:") and expected in m for m in found), found


def test_final_exam_rules(copy):
    edit(copy / "quizzes" / "final-exam.yaml", "size: 2", "size: 5")
    found = messages(copy)
    assert "content/quizzes/final-exam.yaml:2: 'size' 5 exceeds the pool (2)" in found


def test_invalid_yaml_names_the_line(copy):
    edit(copy / "kk" / "beta" / "module.yaml", "summary:", "summary: [unclosed")
    found = messages(copy)
    assert any(m.startswith("content/kk/beta/module.yaml:") and "invalid YAML" in m for m in found)


def test_load_course_raises_with_every_problem(copy):
    (copy / "ru" / "beta" / "only.md").unlink()
    edit(copy / "kk" / "alpha" / "first.md", "(second.md)", "(nowhere.md)")
    with pytest.raises(ContentError) as info:
        load_course(copy)
    assert len(info.value.problems) == 2


def test_export_shape():
    data = load_course(FIXTURE_CONTENT).to_export()
    assert data["edition"] == 3
    assert data["languages"] == ["kk", "ru"]
    module = data["modules"][0]
    assert set(module) >= {"id", "title", "status_as_of", "lessons", "quiz"}
    assert module["title"] == {"kk": "Бірінші модуль", "ru": "Первый модуль"}
    lesson = module["lessons"][0]
    assert set(lesson) >= {"id", "title", "body"}
    assert lesson["body"]["kk"].startswith("## Бірінші сабақ")  # Markdown source
    question = module["quiz"]["questions"][1]
    assert set(question) >= {
        "id",
        "type",
        "scenario",
        "prompt",
        "options",
        "correct",
        "explanation",
        "legal_basis",
    }
    assert question["correct"] == ["a", "c"]
    assert question["scenario"]["ru"] == "На избирательном участке стоит наблюдатель."
    assert module["quiz"]["questions"][0]["scenario"] is None
    assert data["final_exam"]["size"] == 2
    assert [q["id"] for q in data["final_exam"]["pool"]] == ["f-alpha", "f-beta"]


def test_glossary_terms_and_links():
    course = load_course(FIXTURE_CONTENT)
    assert [g.id for g in course.glossary] == ["observer", "ballot"]
    assert course.glossary[0].term == {"kk": "байқаушы", "ru": "наблюдатель"}
    html = course.lesson("beta", "only").html["kk"]
    assert re.search(r'<a href="../glossary#observer"[^>]*>байқаушы</a>', html)


def test_unknown_glossary_term_and_missing_definition(copy):
    edit(copy / "ru" / "beta" / "only.md", "(glossary:observer)", "(glossary:observr)")
    edit(copy / "kk" / "glossary.yaml", "  ballot:", "  ballots:")
    found = messages(copy)
    assert "content/ru/beta/only.md:7: unknown glossary term 'observr'" in found
    assert any("term 'ballot' has no text in 'kk'" in m for m in found)
    assert any("unknown term 'ballots'" in m for m in found)
