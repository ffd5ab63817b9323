"""`course stats cues` and the key ranks in `course stats questions`, on the fixture course."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from course.cli import main
from course.core.content.published import current_course
from course.core.db import db
from course.modules.quizzes import services
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT
from tests.support.clients import sign_in
from tests.support.quizzes import answers_for, form_for


@pytest.fixture
def content(tmp_path):
    """The fixture course, with option texts of known lengths for a-single (key b)."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    for lang, texts in {
        "kk": ("бір", "ұзынырақ жауап", "үш"),  # the key is the longest: rank 1
        "ru": ("самый длинный ответ", "ключ", "три"),  # the key is second: rank 2
    }.items():
        path = root / lang / "alpha" / "quiz.yaml"
        old = path.read_text(encoding="utf-8")
        line = next(x for x in old.splitlines() if x.strip().startswith("options: {a:"))
        a, b, c = texts
        new = line.split("{")[0] + f"{{a: {a}, b: {b}, c: {c}}}"
        path.write_text(old.replace(line, new, 1), encoding="utf-8")
    return root


def test_cues_lists_every_single_choice_and_true_false_key_as_csv(content):
    result = CliRunner().invoke(main, ["stats", "cues", "--path", str(content), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["question"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert list(rows) == ["a-single", "a-tf", "f-alpha", "f-beta"]  # no multiple or ordering
    single = rows["a-single"]
    assert (single["quiz"], single["type"], single["key"]) == ("alpha-quiz", "single", "b")
    assert (single["options"], single["key_position"]) == ("3", "2")
    assert (single["key_length_kk"], single["longest_other_kk"], single["key_rank_kk"]) == (
        "14",
        "3",
        "1",
    )
    assert (single["key_length_ru"], single["longest_other_ru"], single["key_rank_ru"]) == (
        "4",
        "19",
        "2",
    )
    # f-alpha's two options are equally long: a tie is not the longest (rank 2).
    assert (rows["f-alpha"]["key_rank_kk"], rows["f-alpha"]["key_rank_ru"]) == ("2", "2")
    assert (rows["a-tf"]["key"], rows["a-tf"]["key_rank_kk"]) == ("false", "")
    assert rows["f-beta"]["key"] == "true"


def test_cues_table_ends_with_the_totals_per_language_and_overall(content):
    result = CliRunner().invoke(main, ["stats", "cues", "--path", str(content)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.match(
        r"quiz\s+question\s+type\s+key\s+options\s+key_position\s+key_length_kk", lines[0]
    )
    assert re.match(
        r"alpha-quiz\s+a-single\s+single\s+b\s+3\s+2\s+14\s+3\s+1\s+4\s+19\s+2$", lines[1]
    )
    totals = lines[lines.index("") + 1 :]
    assert totals == [
        "kk: key is the longest option in 1 of 2 single-choice items (50%)",
        "kk: key position 1: 50%, 2: 50%",
        "kk: key length rank 1: 50%, 2: 50%",
        "kk: true/false keys 'true' in 1 of 2 (50%)",
        "ru: key is the longest option in 0 of 2 single-choice items (0%)",
        "ru: key position 1: 50%, 2: 50%",
        "ru: key length rank 2: 100%",
        "ru: true/false keys 'true' in 1 of 2 (50%)",
        "both languages: key is the longest option in 1 of 4 single-choice items (25%)",
        "both languages: key position 1: 50%, 2: 50%",
        "both languages: key length rank 1: 25%, 2: 75%",
        "both languages: true/false keys 'true' in 1 of 2 (50%)",
    ]


def test_cues_on_invalid_content_lists_the_problems_and_fails(content):
    (content / "ru" / "alpha" / "quiz.yaml").unlink()
    result = CliRunner().invoke(main, ["stats", "cues", "--path", str(content)])
    assert result.exit_code == 1
    assert "quiz.yaml" in result.output


def test_question_statistics_show_each_key_rank_and_the_totals(app, client):
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        email, user_id = user.email, user.id
    sign_in(client, email, factories.PASSWORD)
    for path in ("alpha/first", "alpha/second", "beta/only"):
        client.post(f"/kk/learn/{path}/read")
    response = client.post("/kk/quiz/alpha/start")
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        attempt = services.get_attempt(public_id, user_id)
        course = current_course()
        secret = app.config["SECRET_KEY"]
        form = form_for(attempt, course, secret, answers_for(attempt, course))
    client.post(f"/kk/attempts/{public_id}", data=MultiDict(form))

    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "questions", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["question"]: r for r in csv.DictReader(io.StringIO(result.output))}
    # The fixture's three options read "Нұсқа A/B/C": all as long, so the key ranks 3rd.
    assert (rows["a-single"]["key_rank_kk"], rows["a-single"]["key_rank_ru"]) == ("3", "3")
    assert rows["a-tf"]["key_rank_kk"] == rows["a-multi"]["key_rank_ru"] == ""
    table = runner.invoke(args=["stats", "questions"])
    assert table.exit_code == 0, table.output
    assert "key_rank_kk" in table.output.splitlines()[0]
    assert "kk: key is the longest option in 0 of 2 single-choice items (0%)" in table.output
