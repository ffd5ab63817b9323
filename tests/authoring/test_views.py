"""The trainer area through the test client, in both languages: access, the side-by-side
editor, preview and sanitising, conflicts, publishing, quizzes, images, history."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from course.core.content import load_course
from course.core.content.published import current_course, editions
from course.core.content.store import PublishedEdition
from course.core.db import db
from course.modules.authoring import services
from course.modules.authoring.models import Revision
from course.modules.quizzes import services as quizzes
from course.modules.quizzes.models import Attempt
from tests.support.authoring import client_as, form_fields, lesson_form
from tests.support.certificates import complete_course
from tests.support.clients import sign_in
from tests.support.i18n import html_lang, t
from tests.support.quizzes import answers_for, form_for

BODY = "lesson:alpha/first:body"
PAGES = [
    "/{lang}/trainer/",
    "/{lang}/trainer/translation",
    "/{lang}/trainer/modules/alpha",
    "/{lang}/trainer/edit/alpha/first",
    "/{lang}/trainer/quizzes/alpha",
    "/{lang}/trainer/quizzes/alpha/a-multi",
    "/{lang}/trainer/quizzes/final-exam",
    "/{lang}/trainer/quizzes/alpha/new",
    "/{lang}/trainer/publish",
    "/{lang}/trainer/history?page=lesson:alpha/first",
    "/{lang}/trainer/texts/course",
    "/{lang}/trainer/texts/glossary",
]


def body_field(lang):
    return f"text:{BODY}:{lang}"


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(app, url):
    response = app.test_client().get(url.format(lang="kk"))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["learner", "verifier"])
@pytest.mark.parametrize("url", PAGES)
def test_learners_and_verifiers_are_refused(app, role, url):
    assert client_as(app, role).get(url.format(lang="ru")).status_code == 403


@pytest.mark.parametrize("role", ["trainer", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_trainers_and_admins_see_every_page_in_the_page_language(app, role, url, lang):
    response = client_as(app, role).get(url.format(lang=lang))
    assert response.status_code == 200
    assert html_lang(response.get_data(as_text=True)) == lang


def test_learners_cannot_post_to_the_editor(app, content):
    client = client_as(app, "learner")
    before = (content / "ru/alpha/first.md").read_bytes()
    response = client.post("/ru/trainer/edit/alpha/first", data={body_field("ru"): "x"})
    assert response.status_code == 403
    assert (content / "ru/alpha/first.md").read_bytes() == before


@pytest.mark.parametrize(
    "url",
    [
        "/kk/trainer/edit/alpha/..%2F..%2Fcourse",
        "/kk/trainer/edit/alpha/nope",
        "/kk/trainer/edit/..%2Fkk/first",
        "/kk/trainer/modules/..",
        "/kk/trainer/quizzes/..%2Fcourse",
        "/kk/trainer/quizzes/alpha/..%2F..%2Fcourse",
        "/kk/trainer/media/..%2Fcourse.yaml",
        "/kk/trainer/media/../course.yaml",
        "/kk/trainer/history?page=lesson:../../course",
    ],
)
def test_paths_come_from_ids_never_from_the_url(trainer_client, url):
    assert trainer_client.get(url).status_code == 404


# ---------------------------------------------------------------- the lesson editor


def test_the_editor_shows_both_languages_side_by_side(app, trainer_client, lang):
    page = trainer_client.get(f"/{lang}/trainer/edit/alpha/first").get_data(as_text=True)
    assert 'lang="kk"' in page
    assert 'lang="ru"' in page
    fields = form_fields(page)
    assert "Қазақ тіліндегі мәтін" in fields[body_field("kk")]
    assert "Текст на русском языке" in fields[body_field("ru")]
    assert t(app, lang, "Save draft") in page
    assert t(app, lang, "Preview") in page


def test_preview_renders_both_texts_sanitised_without_saving(app, trainer_client, content, lang):
    fields = lesson_form(trainer_client, lang)
    fields[body_field("kk")] = "## Алдын ала қарау\n\n<script>alert(1)</script>"
    fields[body_field("ru")] = (
        "## Предпросмотр\n\n[ссылка](javascript:alert(1)) ![x](x.png)<img src=x onerror=alert(1)>"
    )
    fields["action"] = "preview"
    before = (content / "kk/alpha/first.md").read_bytes()
    response = trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Алдын ала қарау</h2>" in page
    assert "<h2>Предпросмотр</h2>" in page
    assert "<script>alert" not in page
    # The javascript: link stays as plain text, never as a link.
    assert 'href="javascript' not in page
    assert "<a href" not in page.split('aria-label="', 2)[-1].split("</section>")[1]
    assert "onerror=" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert (content / "kk/alpha/first.md").read_bytes() == before


def test_done_when_a_rule_is_fixed_flagged_translated_previewed_and_published(
    app, trainer_client, content, lang
):
    # 1. A trainer fixes a rule in the Russian lesson.
    fields = lesson_form(trainer_client, lang)
    fields[body_field("ru")] = "## Первый урок\n\nНовое правило: снимать можно только из зоны."
    fields["action"] = "save"
    response = trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    assert response.status_code == 303
    # 2. The Kazakh page is flagged, on the editor and on the translation status page.
    page = trainer_client.get(f"/{lang}/trainer/edit/alpha/first").get_data(as_text=True)
    kk_column = page.split(f'for="{body_field("kk")}"')[1].split("</label>")[1][:200]
    assert t(app, lang, "needs update") in kk_column
    status = trainer_client.get(f"/{lang}/trainer/translation").get_data(as_text=True)
    assert BODY in status
    assert t(app, lang, "needs update") in status
    # Publishing is refused meanwhile.
    refused = trainer_client.post(
        f"/{lang}/trainer/publish",
        data={"law_in_force_on": "2026-11-01", "review_note": "Проверено по закону."},
    )
    assert refused.status_code == 400
    assert BODY in refused.get_data(as_text=True)
    # 3. The trainer updates the Kazakh text and previews both.
    fields = lesson_form(trainer_client, lang)
    fields[body_field("kk")] = "## Бірінші сабақ\n\nЖаңа ереже: тек аймақтан түсіруге болады."
    fields["action"] = "preview"
    preview = trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    assert "Жаңа ереже: тек аймақтан түсіруге болады." in preview.get_data(as_text=True)
    assert "Новое правило: снимать можно только из зоны." in preview.get_data(as_text=True)
    fields["action"] = "save"
    assert trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields).status_code == 303
    status = trainer_client.get(f"/{lang}/trainer/translation").get_data(as_text=True)
    assert t(app, lang, "Both languages are complete and in step.") in status
    # Learners still see edition 3.
    with app.app_context():
        assert current_course().edition == 3
        assert "Новое правило" not in current_course().lesson("alpha", "first").body["ru"]
    # 4. Publish edition 4 with a review note.
    response = trainer_client.post(
        f"/{lang}/trainer/publish",
        data={
            "law_in_force_on": "2026-11-01",
            "review_note": "Сверено с постановлением ЦИК.",
            "reviewed-alpha": "2026-11-02",
        },
    )
    assert response.status_code == 303
    page = trainer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Сверено с постановлением ЦИК." in page
    with app.app_context():
        assert current_course().edition == 4
        assert "Новое правило" in current_course().lesson("alpha", "first").body["ru"]
        [record] = [r for r in editions().records() if r.number == 4]
        assert record.published_by == "Гүлнар Серікқызы Әлиева"
    # A learner reads the new text.
    learner = client_as(app, "learner")
    lesson = learner.get("/ru/learn/alpha/first").get_data(as_text=True)
    assert "Новое правило: снимать можно только из зоны." in lesson
    # With the review date the trainer gave for the changed module, at the top.
    top = lesson.split('class="muted review-dates"')[1].split("</p>")[0]
    assert "2 ноября 2026" in top


def test_publishing_is_refused_while_a_translation_is_missing(app, trainer_client, content, lang):
    fields = lesson_form(trainer_client, lang)
    fields[body_field("kk")] = ""
    fields["action"] = "save"
    assert trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields).status_code == 303
    response = trainer_client.post(
        f"/{lang}/trainer/publish",
        data={
            "law_in_force_on": "2026-11-01",
            "review_note": "Проверено.",
            "reviewed-alpha": "2026-11-02",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert t(app, lang, "missing") in page
    assert t(app, lang, "Not published: fix what is listed below first.") in page
    with app.app_context():
        assert editions().numbers() == [3]  # the edition frozen before the save, no other
        assert db.session.scalar(select(func.count()).select_from(PublishedEdition)) == 1
        assert current_course().edition == 3


def test_a_publish_form_without_a_review_note_is_refused(app, trainer_client, lang):
    response = trainer_client.post(f"/{lang}/trainer/publish", data={"law_in_force_on": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert t(app, lang, "Write what the legal review checked.") in page
    assert t(app, lang, "Write the date as YYYY-MM-DD, e.g. 2027-03-31.") in page


def test_a_second_conflicting_save_is_refused_and_keeps_its_text(app, trainer, content, lang):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        sign_in(client, trainer["email"], trainer["password"])
    mine, theirs = lesson_form(first, lang), lesson_form(second, lang)
    mine[body_field("ru")] = "## Первый урок\n\nПравка первого тренера."
    theirs[body_field("ru")] = "## Первый урок\n\nПравка второго тренера."
    mine["action"] = theirs["action"] = "save"
    assert first.post(f"/{lang}/trainer/edit/alpha/first", data=mine).status_code == 303
    response = second.post(f"/{lang}/trainer/edit/alpha/first", data=theirs)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert t(app, lang, "Not saved.") in page
    # Their text is in the editor for them to merge; the first save is on disk.
    assert form_fields(page)[body_field("ru")].endswith("Правка второго тренера.")
    assert "Правка первого тренера." in (content / "ru/alpha/first.md").read_text("utf-8")
    # Saving again from the page that showed the conflict works: the merge is theirs.
    merged = form_fields(page)
    merged["minutes"], merged["status_as_of"], merged["action"] = "4", "2021-01-10", "save"
    assert second.post(f"/{lang}/trainer/edit/alpha/first", data=merged).status_code == 303
    assert "Правка второго тренера." in (content / "ru/alpha/first.md").read_text("utf-8")


def test_bad_meta_fields_get_a_translated_400_and_nothing_is_saved(
    app, trainer_client, content, lang
):
    fields = lesson_form(trainer_client, lang)
    fields["minutes"] = "0"
    fields["status_as_of"] = "10.01.2021"
    fields[body_field("ru")] = "## Не сохранится\n\nТекст."
    fields["action"] = "save"
    before = (content / "ru/alpha/first.md").read_bytes()
    response = trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert t(app, lang, "The reading time is 1 to 240 minutes.") in page
    assert "Не сохранится" in page  # kept in the form
    assert (content / "ru/alpha/first.md").read_bytes() == before


def test_a_form_sent_without_its_buttons_is_refused(trainer_client, lang):
    fields = lesson_form(trainer_client, lang)
    assert trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields).status_code == 400


def test_confirm_marks_the_other_language_up_to_date(trainer_client, app, lang):
    fields = lesson_form(trainer_client, lang)
    fields[body_field("kk")] += " Қате түзетілді."
    fields["action"] = "save"
    trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    response = trainer_client.post(
        "/kk/trainer/confirm/ru".replace("/kk/", f"/{lang}/"), data={"page": "lesson:alpha/first"}
    )
    assert response.status_code == 303
    with app.app_context():
        d = services.draft()
        assert services.states([d.units[BODY]])[(BODY, "ru")] == services.OK


def test_history_shows_who_changed_what_and_restores_it(app, trainer_client, content, lang):
    fields = lesson_form(trainer_client, lang)
    fields[body_field("ru")] = "## Первый урок\n\nИсправленный текст."
    fields["action"] = "save"
    trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    page = trainer_client.get(f"/{lang}/trainer/history?page=lesson:alpha/first").get_data(
        as_text=True
    )
    assert "Гүлнар Серікқызы Әлиева" in page
    assert '<span class="add">+ Исправленный текст.</span>' in page
    assert (
        '<span class="del">- Текст на русском языке, достаточно длинный для проверки.</span>'
        in page
    )
    with app.app_context():
        rev_id = db.session.scalar(select(Revision.id))
    base = re.search(r'name="base" value="([^"]+)"', page).group(1)
    response = trainer_client.post(
        f"/{lang}/trainer/revisions/{rev_id}/restore", data={"base": base}
    )
    assert response.status_code == 303
    assert "достаточно длинный" in (content / "ru/alpha/first.md").read_text("utf-8")
    # A stale restore (the text changed since the history page was opened) is refused.
    fields = lesson_form(trainer_client, lang)
    fields[body_field("ru")] = "## Первый урок\n\nЕщё одна правка."
    fields["action"] = "save"
    trainer_client.post(f"/{lang}/trainer/edit/alpha/first", data=fields)
    response = trainer_client.post(
        f"/{lang}/trainer/revisions/{rev_id}/restore", data={"base": base}
    )
    assert response.status_code == 303
    assert "history" in response.headers["Location"]
    assert "Ещё одна правка." in (content / "ru/alpha/first.md").read_text("utf-8")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_an_uploaded_image_needs_both_descriptions_and_real_image_content(
    app, trainer_client, content, lang
):
    page = trainer_client.get(f"/{lang}/trainer/edit/alpha/first").get_data(as_text=True)
    bases = {k: v for k, v in form_fields(page).items() if k.startswith(f"base:{BODY}")}
    url = f"/{lang}/trainer/edit/alpha/first/image"
    fake = {
        "image": (io.BytesIO(b"GIF89a<script>"), "photo.gif"),
        "alt_kk": "Сурет",
        "alt_ru": "Фото",
    }
    response = trainer_client.post(url, data={**bases, **fake}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert t(
        app, lang, "This file is not a PNG, JPEG, WebP or GIF image we can show."
    ) in response.get_data(as_text=True)
    no_alt = {"image": (io.BytesIO(_png()), "a.png"), "alt_kk": "Сурет", "alt_ru": ""}
    response = trainer_client.post(
        url, data={**bases, **no_alt}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert t(app, lang, "Describe the image in Russian.") in response.get_data(as_text=True)
    good = {
        "image": (io.BytesIO(_png()), "../../etc/passwd.png"),
        "alt_kk": "Сурет",
        "alt_ru": "Фото",
    }
    response = trainer_client.post(url, data={**bases, **good}, content_type="multipart/form-data")
    assert response.status_code == 303
    stored = [p.name for p in (content / "media").iterdir() if p.suffix == ".png"]
    assert len(stored) == 1
    assert re.fullmatch(r"[0-9a-f]{20}\.png", stored[0])
    assert f"![Фото](../../media/{stored[0]})" in (content / "ru/alpha/first.md").read_text("utf-8")
    with trainer_client.get(f"/{lang}/trainer/media/{stored[0]}") as image:
        assert image.data == _png()


def test_an_image_larger_than_the_limit_is_refused(make_app, content, lang):
    app = make_app(CONTENT_DIR=str(content), AUTHORING_MAX_IMAGE_BYTES=1000)
    client = client_as(app, "trainer")
    data = {
        "image": (io.BytesIO(_png() + b"\0" * 2000), "a.png"),
        "alt_kk": "Сурет",
        "alt_ru": "Фото",
    }
    response = client.post(
        f"/{lang}/trainer/edit/alpha/first/image", data=data, content_type="multipart/form-data"
    )
    assert response.status_code in (400, 413)
    assert not [p for p in (content / "media").iterdir() if p.suffix == ".png"]


# ---------------------------------------------------------------- the quiz editor


def test_a_new_question_is_written_in_both_languages_in_one_form(
    app, trainer_client, content, lang
):
    data = MultiDict(
        {
            "type": "multiple",
            "scenario_id": "",
            "text:prompt:kk": "Байқаушы нені жасай алады?",
            "text:prompt:ru": "Что может делать наблюдатель?",
            "text:explanation:kk": "Заң бойынша.",
            "text:explanation:ru": "По закону.",
            "text:legal_basis:kk": "20-1-бап.",
            "text:legal_basis:ru": "Ст. 20-1.",
            "option_rows": "3",
            "text:opt-0:kk": "Қарау",
            "text:opt-0:ru": "Смотреть",
            "opt-0-correct": "1",
            "text:opt-1:kk": "Бюллетень толтыру",
            "text:opt-1:ru": "Заполнять бюллетени",
            "text:opt-2:kk": "Шағым жазу",
            "text:opt-2:ru": "Писать жалобу",
            "opt-2-correct": "1",
        }
    )
    response = trainer_client.post(f"/{lang}/trainer/quizzes/alpha/new", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/trainer/quizzes/alpha/alpha-1")
    question = load_course(content).question("alpha-1")
    assert question.correct == ("a", "c")
    assert question.options[1].text["ru"] == "Заполнять бюллетени"
    listing = trainer_client.get(f"/{lang}/trainer/quizzes/alpha").get_data(as_text=True)
    assert "alpha-1" in listing


def test_a_question_without_a_right_answer_is_refused_in_the_page_language(
    app, trainer_client, content, lang
):
    data = {
        "type": "single",
        "text:prompt:kk": "Сұрақ?",
        "text:prompt:ru": "Вопрос?",
        "option_rows": "2",
        "text:opt-0:kk": "А",
        "text:opt-0:ru": "А",
        "text:opt-1:kk": "Б",
        "text:opt-1:ru": "Б",
    }
    before = (content / "quizzes/alpha.yaml").read_bytes()
    response = trainer_client.post(f"/{lang}/trainer/quizzes/alpha/new", data=data)
    assert response.status_code == 400
    assert t(
        app, lang, "Mark the right answer: exactly one for this type, at least one for several."
    ) in response.get_data(as_text=True)
    assert "Вопрос?" in response.get_data(as_text=True)
    assert (content / "quizzes/alpha.yaml").read_bytes() == before


def test_editing_a_question_round_trips_through_its_form(app, trainer_client, content, lang):
    page = trainer_client.get(f"/{lang}/trainer/quizzes/alpha/a-multi").get_data(as_text=True)
    fields = form_fields(page)
    fields["type"] = "multiple"
    fields["scenario_id"] = "a-scene"
    fields["opt-0-correct"] = fields["opt-2-correct"] = "1"
    fields["text:opt-1:ru"] = "Изменённый вариант"
    response = trainer_client.post(f"/{lang}/trainer/quizzes/alpha/a-multi", data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    question = load_course(content).question("a-multi")
    assert question.options[1].text["ru"] == "Изменённый вариант"
    assert question.correct == ("a", "c")
    assert question.scenario["kk"] == "Сайлау учаскесінде байқаушы тұр."
    page = trainer_client.get(f"/{lang}/trainer/quizzes/alpha/a-multi").get_data(as_text=True)
    # The Kazakh option is now flagged: its Russian counterpart changed.
    option_kk = page.split('name="text:opt-1:kk"')[0].rsplit("<label", 1)[1]
    assert t(app, lang, "needs update") in option_kk


def test_retiring_and_moving_questions(app, trainer_client, content, lang):
    response = trainer_client.post(
        f"/{lang}/trainer/quizzes/alpha/a-tf/retire", data={"retire": "1"}
    )
    assert response.status_code == 303
    response = trainer_client.post(
        f"/{lang}/trainer/quizzes/alpha/a-order/move", data={"direction": "up"}
    )
    assert response.status_code == 303
    course = load_course(content)
    assert [q.id for q in course.module("alpha").quiz.questions] == [
        "a-single",
        "a-multi",
        "a-order",
    ]
    assert course.question("a-tf").retired
    page = trainer_client.get(f"/{lang}/trainer/quizzes/alpha").get_data(as_text=True)
    assert t(app, lang, "retired") in page
    assert (
        trainer_client.post(
            f"/{lang}/trainer/quizzes/alpha/a-tf/move", data={"direction": "sideways"}
        ).status_code
        == 400
    )


def test_item_statistics_are_shown_next_to_each_question(app, trainer_client, lang):
    with app.app_context():
        complete_course()
    page = trainer_client.get(f"/{lang}/trainer/quizzes/alpha").get_data(as_text=True)
    assert page.count(t(app, lang, "facility")) == 4
    question = trainer_client.get(f"/{lang}/trainer/quizzes/alpha/a-single").get_data(as_text=True)
    assert "100%" in question


# ---------------------------------------------------------------- learners and editions


def test_a_learner_mid_quiz_finishes_on_the_edition_it_started_on(app, trainer_client, lang):
    learner = client_as(app, "learner")
    for path in ("alpha/first", "alpha/second", "beta/only"):
        learner.post(f"/{lang}/learn/{path}/read")
    started = learner.post(f"/{lang}/quiz/alpha/start")
    public_id = started.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        course_then = current_course()
        answers = form_for(
            attempt, course_then, app.config["SECRET_KEY"], answers_for(attempt, course_then)
        )
    # Meanwhile a trainer changes the right answer of a question and publishes edition 4.
    page = trainer_client.get(f"/{lang}/trainer/quizzes/alpha/a-single").get_data(as_text=True)
    fields = form_fields(page)
    fields["type"] = "single"
    fields["opt-0-correct"] = "1"  # a, where edition 3 says b
    assert (
        trainer_client.post(f"/{lang}/trainer/quizzes/alpha/a-single", data=fields).status_code
        == 303
    )
    assert (
        trainer_client.post(
            f"/{lang}/trainer/publish",
            data={
                "law_in_force_on": "2026-11-01",
                "review_note": "Проверено.",
                "reviewed-alpha": "2026-11-02",
            },
        ).status_code
        == 303
    )
    with app.app_context():
        assert current_course().question("a-single").correct == ("a",)
    # The learner's attempt still shows and grades edition 3's questions.
    assert learner.get(f"/{lang}/attempts/{public_id}").status_code == 200
    response = learner.post(f"/{lang}/attempts/{public_id}", data=MultiDict(answers))
    assert response.status_code == 303
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        assert (attempt.edition, attempt.correct_count, attempt.passed) == (3, 4, True)
        assert quizzes.passed_quiz_ids(attempt.user_id) == {"alpha-quiz"}


def test_course_wide_texts_and_the_glossary_are_edited_side_by_side(
    app, trainer_client, content, lang
):
    page = trainer_client.get(f"/{lang}/trainer/texts/glossary").get_data(as_text=True)
    fields = form_fields(page)
    key = next(k for k in fields if k.startswith("text:glossary:") and k.endswith(":definition:ru"))
    fields[key] = "Новое определение термина."
    assert trainer_client.post(f"/{lang}/trainer/texts/glossary", data=fields).status_code == 303
    term = key.split(":")[2]
    assert (
        load_course(content)
        .glossary[[g.id for g in load_course(content).glossary].index(term)]
        .definition["ru"]
        == "Новое определение термина."
    )
    status = trainer_client.get(f"/{lang}/trainer/translation").get_data(as_text=True)
    assert f"glossary:{term}:definition" in status
    assert f"/{lang}/trainer/texts/glossary" in status
    assert trainer_client.get(f"/{lang}/trainer/texts/nothing").status_code == 404


# ---------------------------------------------------------------- one editing server

EDITED_ELSEWHERE = (
    "The course is edited on another server, %(server)s: the draft is kept in that "
    "server's files. Open the course editor there, or ask an administrator to move the "
    "editor to this server."
)


def test_the_editor_works_on_one_server_and_another_refuses_naming_it(
    make_app, app, trainer, trainer_client, content, tmp_path, lang
):
    # The first server whose editor is used takes it.
    assert trainer_client.get(f"/{lang}/trainer/").status_code == 200
    with app.app_context():
        assert services.editing_server() == services.this_server()
    here = app.test_cli_runner().invoke(args=["content", "editor"])
    assert "(this server)" in here.output
    other = make_app(
        CONTENT_DIR=str(content), INSTANCE_PATH=str(tmp_path / "other"), COURSE_SERVER_NAME="b"
    )
    elsewhere = other.test_client()
    sign_in(elsewhere, trainer["email"], trainer["password"])
    with app.app_context():
        name = services.this_server().host
    for path in (f"/{lang}/trainer/", f"/{lang}/trainer/publish"):
        refused = elsewhere.get(path)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 409, path
        assert html_lang(page) == lang
        assert t(other, lang, EDITED_ELSEWHERE, server=name) in page.replace("&#39;", "'")
    before = (content / "ru/alpha/first.md").read_text("utf-8")
    fields = lesson_form(trainer_client, lang)
    fields[body_field("ru")] = "## Правка\n\nНа другом сервере."
    fields["action"] = "save"
    assert elsewhere.post(f"/{lang}/trainer/edit/alpha/first", data=fields).status_code == 409
    assert (content / "ru/alpha/first.md").read_text("utf-8") == before
    assert trainer_client.get(f"/{lang}/trainer/").status_code == 200
    # An administrator moves the editor: released, then taken by the next server used.
    released = other.test_cli_runner().invoke(args=["content", "editor", "--release"])
    assert released.exit_code == 0, released.output
    assert f"released: {name}" in released.output
    assert elsewhere.get(f"/{lang}/trainer/").status_code == 200
    assert trainer_client.get(f"/{lang}/trainer/").status_code == 409
    moved = app.test_cli_runner().invoke(args=["content", "editor"])
    assert "the course is edited on b (" in moved.output
    assert "(this server)" not in moved.output


def test_a_po_import_on_a_server_that_does_not_edit_is_refused(
    make_app, app, trainer_client, content, tmp_path
):
    assert trainer_client.get("/kk/trainer/").status_code == 200
    other = make_app(CONTENT_DIR=str(content), INSTANCE_PATH=str(tmp_path / "other"))
    po = tmp_path / "kk.po"
    exported = other.test_cli_runner().invoke(
        args=["content", "export", "--format", "po", "--lang", "kk", "-o", str(po)]
    )
    assert exported.exit_code == 0, exported.output
    result = other.test_cli_runner().invoke(args=["content", "import", str(po)])
    assert result.exit_code != 0
    assert "edited on another server" in result.output
