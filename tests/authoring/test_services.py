"""Authoring services on a copy of the fixture course: drafts, alignment, conflicts,
history, publishing and retiring, without HTTP."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from course.core.content import load_course
from course.core.content.published import current_course, editions
from course.core.db import db
from course.modules.authoring import services
from course.modules.authoring import units as u
from course.modules.authoring.models import Revision
from course.modules.authoring.services import questions
from tests.support.certificates import complete_course

AUTHOR = services.Author(None, "Тренер Тест")
BODY = "lesson:alpha/first:body"


def body_edit(d, lang: str, text: str) -> services.Edit:
    return services.Edit(BODY, lang, text, u.fingerprint(d.units[BODY].text[lang]))


def state(d, key: str, lang: str) -> str:
    return services.states([d.units[key]])[(key, lang)]


def test_a_change_in_one_language_flags_the_other_until_it_is_updated(app):
    with app.app_context():
        d = services.draft()
        services.save(d, AUTHOR, [body_edit(d, "ru", "## Новое правило\n\nТекст изменён.")])
        d = services.draft()
        assert state(d, BODY, "kk") == services.OUTDATED
        assert state(d, BODY, "ru") == services.OK
        # A typo fixed again on the Russian side keeps the Kazakh side flagged.
        services.save(d, AUTHOR, [body_edit(d, "ru", "## Новое правило\n\nТекст изменён!")])
        d = services.draft()
        assert state(d, BODY, "kk") == services.OUTDATED
        # Updating the Kazakh text brings both in step.
        services.save(d, AUTHOR, [body_edit(d, "kk", "## Жаңа ереже\n\nМәтін өзгерді!")])
        d = services.draft()
        assert state(d, BODY, "kk") == state(d, BODY, "ru") == services.OK


def test_confirming_clears_the_flag_without_changing_the_text(app):
    with app.app_context():
        d = services.draft()
        kk_before = d.units[BODY].text["kk"]
        services.save(d, AUTHOR, [body_edit(d, "ru", d.units[BODY].text["ru"] + " Опечатка.")])
        d = services.draft()
        assert services.confirm(d, "lesson:alpha/first", "kk") == 1
        d = services.draft()
        assert state(d, BODY, "kk") == services.OK
        assert d.units[BODY].text["kk"] == kk_before


def test_both_languages_saved_together_stay_in_step(app):
    with app.app_context():
        d = services.draft()
        services.save(
            d,
            AUTHOR,
            [body_edit(d, "kk", "## Жаңа\n\nМәтін."), body_edit(d, "ru", "## Новый\n\nТекст.")],
        )
        d = services.draft()
        assert state(d, BODY, "kk") == state(d, BODY, "ru") == services.OK


def test_the_second_of_two_conflicting_saves_is_refused_and_keeps_its_text(app, content):
    with app.app_context():
        opened = services.draft()  # both trainers open the same page
        services.save(opened, AUTHOR, [body_edit(opened, "ru", "## Первая правка\n\nТекст.")])
        with pytest.raises(services.Conflict) as refused:
            services.save(opened, AUTHOR, [body_edit(opened, "ru", "## Вторая правка\n\nТекст.")])
        db.session.rollback()
        [item] = refused.value.items
        assert item.yours == "## Вторая правка\n\nТекст."
        assert item.current == "## Первая правка\n\nТекст."
        assert "Первая правка" in (content / "ru/alpha/first.md").read_text("utf-8")


def test_different_units_of_one_file_save_without_conflict(app, content):
    with app.app_context():
        opened = services.draft()
        prompt = "question:a-single:prompt"
        explanation = "question:a-single:explanation"
        for key, text in ((prompt, "Новый вопрос?"), (explanation, "Новое объяснение.")):
            edit = services.Edit(key, "ru", text, u.fingerprint(opened.units[key].text["ru"]))
            services.save(opened, AUTHOR, [edit])
        d = services.draft()
        assert d.units[prompt].text["ru"] == "Новый вопрос?"
        assert d.units[explanation].text["ru"] == "Новое объяснение."


def test_drafts_stay_private_until_published(app, content):
    with app.app_context():
        published_text = current_course().lesson("alpha", "first").body["ru"]
        d = services.draft()
        services.save(d, AUTHOR, [body_edit(d, "ru", "## Черновик\n\nНе для слушателей.")])
        assert current_course().edition == 3
        assert current_course().lesson("alpha", "first").body["ru"] == published_text
        # The edition learners see was frozen before the first draft write.
        assert editions().numbers() == [3]


def test_history_records_each_change_and_restores_an_earlier_version(app, content):
    with app.app_context():
        d = services.draft()
        original = d.units[BODY].text["ru"]
        services.save(
            d, services.Author(None, "Первый"), [body_edit(d, "ru", "## Правка\n\nТекст.")]
        )
        db.session.commit()
        [rev] = services.history("lesson:alpha/first")
        assert (rev.author_name, rev.lang, rev.before, rev.after) == (
            "Первый",
            "ru",
            original,
            "## Правка\n\nТекст.",
        )
        d = services.draft()
        services.restore(d, AUTHOR, rev, services.current_fingerprint(d, BODY, "ru"))
        db.session.commit()
        assert services.draft().units[BODY].text["ru"] == original
        assert [r.source for r in services.history("lesson:alpha/first")] == ["restore", "edit"]
        assert load_course(content).lesson("alpha", "first").body["ru"].strip() == original


def test_publishing_is_refused_while_a_translation_is_missing(app, content):
    with app.app_context():
        d = services.draft()
        key = "question:a-single:explanation"
        services.save(
            d, AUTHOR, [services.Edit(key, "kk", "", u.fingerprint(d.units[key].text["kk"]))]
        )
        with pytest.raises(services.PublishBlocked) as blocked:
            services.publish(services.draft(), AUTHOR, _date(), "Тексерілді.", False, _date())
        assert [(g.unit.key, g.lang, g.state) for g in blocked.value.gaps] == [
            (key, "kk", services.MISSING)
        ]
        assert current_course().edition == 3


def test_publishing_is_refused_while_a_translation_is_outdated(app):
    with app.app_context():
        d = services.draft()
        services.save(d, AUTHOR, [body_edit(d, "ru", "## Изменено\n\nТекст.")])
        with pytest.raises(services.PublishBlocked) as blocked:
            services.publish(services.draft(), AUTHOR, _date(), "Тексерілді.", False, _date())
        assert [(g.unit.key, g.lang, g.state) for g in blocked.value.gaps] == [
            (BODY, "kk", services.OUTDATED)
        ]


def test_publishing_is_refused_while_the_content_check_fails(app):
    with app.app_context():
        d = services.draft()
        services.save(
            d,
            AUTHOR,
            [
                body_edit(d, "kk", "[сілтеме](nowhere.md)"),
                body_edit(d, "ru", "[ссылка](nowhere.md)"),
            ],
        )
        with pytest.raises(services.PublishBlocked) as blocked:
            services.publish(services.draft(), AUTHOR, _date(), "Проверено.", False, _date())
        assert any("broken link 'nowhere.md'" in str(p) for p in blocked.value.problems)


def test_publishing_makes_the_next_edition_with_its_review_record(app, content):
    with app.app_context():
        d = services.draft()
        services.save(
            d,
            AUTHOR,
            [body_edit(d, "kk", "## Жаңа\n\nМәтін."), body_edit(d, "ru", "## Новое\n\nТекст.")],
        )
        course = services.publish(
            services.draft(),
            AUTHOR,
            _date(2026, 11, 1),
            "Сверено с законом.",
            True,
            _date(2026, 11, 27),
        )
        assert course.edition == 4
        assert current_course().edition == 4
        assert current_course().lesson("alpha", "first").body["ru"].strip() == "## Новое\n\nТекст."
        record = editions().records()[0]
        assert (record.number, record.published_by, record.review_note) == (
            4,
            "Тренер Тест",
            "Сверено с законом.",
        )
        assert record.law_in_force_on == _date(2026, 11, 1)
        assert record.changed_modules == ("alpha",)
        assert editions().superseding_edition() == 4
        # The working copy says which edition it became.
        assert "edition: 4" in (content / "course.yaml").read_text("utf-8")
        # The earlier edition is kept for attempts that started on it.
        assert (
            editions().get(3).lesson("alpha", "first").body["ru"]
            != course.lesson("alpha", "first").body["ru"]
        )


def test_a_retired_question_leaves_the_quiz_but_is_still_found_by_id(app):
    with app.app_context():
        questions.set_retired(
            services.draft(), AUTHOR, services.draft().question_set("alpha"), "a-tf", True
        )
        course = services.publish(services.draft(), AUTHOR, _date(), "Проверено.", False, _date())
        assert "a-tf" not in [q.id for q in course.module("alpha").quiz.questions]
        assert course.question("a-tf").retired
        questions.set_retired(
            services.draft(), AUTHOR, services.draft().question_set("alpha"), "a-tf", False
        )
        course = services.publish(services.draft(), AUTHOR, _date(), "Проверено.", False, _date())
        assert "a-tf" in [q.id for q in course.module("alpha").quiz.questions]


def _question_input(**overrides) -> questions.QuestionInput:
    values = {
        "type": "single",
        "prompt": {"kk": "Байқаушы не істей алады?", "ru": "Что может наблюдатель?"},
        "explanation": {"kk": "Түсіндірме.", "ru": "Объяснение."},
        "legal_basis": {"kk": "Заң, 20-1-бап.", "ru": "Закон, ст. 20-1."},
        "options": [
            questions.OptionInput(None, {"kk": "Қарау", "ru": "Смотреть"}, correct=True),
            questions.OptionInput(None, {"kk": "Санау", "ru": "Считать"}),
        ],
    }
    values.update(overrides)
    return questions.QuestionInput(**values)


def test_a_new_question_is_added_in_both_languages_and_published(app):
    with app.app_context():
        d = services.draft()
        qset = d.question_set("alpha")
        new_id = questions.new_question_id(d, qset)
        questions.save_question(d, AUTHOR, qset, new_id, _question_input(), "")
        course = services.publish(services.draft(), AUTHOR, _date(), "Проверено.", False, _date())
        question = course.question(new_id)
        assert question.module_id == "alpha"
        assert question.correct == ("a",)
        assert [o.text["kk"] for o in question.options] == ["Қарау", "Санау"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"options": [questions.OptionInput(None, {"kk": "Бір", "ru": "Один"}, correct=True)]},
            "options",
        ),
        (
            {
                "options": [
                    questions.OptionInput(None, {"kk": "А", "ru": "А"}),
                    questions.OptionInput(None, {"kk": "Б", "ru": "Б"}),
                ]
            },
            "correct",
        ),
        ({"type": "ordering"}, "ordering"),
        ({"type": "true_false"}, "correct"),
        ({"scenario_id": "Not An Id"}, "scenario"),
    ],
)
def test_an_invalid_answer_key_is_refused_and_nothing_is_written(app, content, change, reason):
    with app.app_context():
        before = (content / "quizzes/alpha.yaml").read_text("utf-8")
        d = services.draft()
        with pytest.raises(questions.QuestionInvalid) as refused:
            questions.save_question(
                d, AUTHOR, d.question_set("alpha"), "alpha-9", _question_input(**change), ""
            )
        assert refused.value.reason == reason
        assert (content / "quizzes/alpha.yaml").read_text("utf-8") == before


def test_removing_an_option_removes_its_texts(app, content):
    with app.app_context():
        d = services.draft()
        qset = d.question_set("alpha")
        page = "question:a-single"
        old = d.question(qset, "a-single")
        options = [
            questions.OptionInput(
                o,
                {lang: d.units[f"{page}:option:{o}"].text[lang] for lang in ("kk", "ru")},
                correct=o == "b",
                remove=o == "c",
            )
            for o in old["options"]
        ]
        bases = {
            (x.key, lang): u.fingerprint(x.text[lang])
            for x in d.texts_of_page(page)
            for lang in ("kk", "ru")
        }
        given = _question_input(
            options=options,
            prompt={lang: d.units[f"{page}:prompt"].text[lang] for lang in ("kk", "ru")},
            explanation={lang: d.units[f"{page}:explanation"].text[lang] for lang in ("kk", "ru")},
            legal_basis={lang: d.units[f"{page}:legal_basis"].text[lang] for lang in ("kk", "ru")},
            bases=bases,
        )
        structure_base = services.current_fingerprint(d, f"{page}:structure", "--")
        questions.save_question(d, AUTHOR, qset, "a-single", given, structure_base)
        course = load_course(content)
        assert [o.id for o in course.question("a-single").options] == ["a", "b"]


def test_moving_a_question_changes_the_quiz_order(app, content):
    with app.app_context():
        d = services.draft()
        questions.move_question(d, AUTHOR, d.question_set("alpha"), "a-multi", -1)
        ids = [q.id for q in load_course(content).module("alpha").quiz.questions]
        assert ids[:2] == ["a-multi", "a-single"]


def _png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_an_image_is_checked_by_content_and_shown_in_both_languages(app, content):
    with app.app_context():
        d = services.draft()
        bases = {lang: u.fingerprint(d.units[BODY].text[lang]) for lang in ("kk", "ru")}
        name = services.add_image(
            d, AUTHOR, "alpha", "first", _png(), {"kk": "Сурет", "ru": "Рисунок"}, bases, 100_000
        )
        assert name.endswith(".png")
        assert (content / "media" / name).read_bytes() == _png()
        course = load_course(content)  # still valid: alt text and the same image in both
        assert f"../../media/{name}" in course.lesson("alpha", "first").body["kk"]
        assert 'alt="Рисунок"' in course.lesson("alpha", "first").html["ru"]


@pytest.mark.parametrize(
    ("data", "alt", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, {"kk": "Сурет", "ru": "Рисунок"}, "type"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            {"kk": "Сурет", "ru": "Рисунок"},
            "type",
        ),
        (None, {"kk": "Сурет", "ru": ""}, "alt"),
        ("big", {"kk": "Сурет", "ru": "Рисунок"}, "size"),
    ],
)
def test_an_unacceptable_image_is_refused(app, content, data, alt, reason):
    with app.app_context():
        d = services.draft()
        data = (
            _png()
            if data is None
            else (_png((900, 900)) + b"\0" * 200_000 if data == "big" else data)
        )
        bases = {lang: u.fingerprint(d.units[BODY].text[lang]) for lang in ("kk", "ru")}
        with pytest.raises(services.ImageRefused) as refused:
            services.add_image(d, AUTHOR, "alpha", "first", data, alt, bases, 100_000)
        assert refused.value.reason == reason
        assert sorted(p.name for p in (content / "media").iterdir()) == ["diagram.svg"]
        assert db.session.query(Revision).count() == 0


def test_superseding_edition_marks_earlier_certificates(app):
    with app.app_context():
        from course.modules.certificates import services as certificates

        user_id = complete_course()
        certificate = certificates.current_certificate(user_id)
        assert not certificates.public_status(certificate.code, current_course()).superseded
        services.publish(services.draft(), AUTHOR, _date(), "Проверено.", False, _date())
        assert not certificates.public_status(certificate.code, current_course()).superseded
        subject = certificates.status_list_document()["credentialSubject"]
        assert "supersededBefore" not in subject
        services.publish(services.draft(), AUTHOR, _date(), "Проверено.", True, _date())
        status = certificates.public_status(certificate.code, current_course())
        assert status.superseded
        assert status.status == "valid"
        # The signed status list says so too, for the offline verifiers: editions below
        # the superseding one (the certificate's included) are superseded.
        subject = certificates.status_list_document()["credentialSubject"]
        assert subject["supersededBefore"] > certificate.edition


def _date(*parts):
    from datetime import date

    return date(*parts) if parts else date(2026, 11, 27)


def test_publishing_without_any_draft_save_keeps_the_previous_edition_readable(app):
    with app.app_context():
        services.publish(services.draft(), AUTHOR, _date(), "Проверено.", False, _date())
        assert editions().numbers() == [3, 4]
        assert editions().get(3).edition == 3
        assert [r.number for r in editions().records()] == [4, 3]
