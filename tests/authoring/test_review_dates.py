"""Review dates in the course editor: publishing asks one for each changed module and
writes it into the draft and the edition; the overview lists the modules due for review."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from course.core.content import load_course
from course.core.content.editions import today_in
from course.core.content.published import current_course
from course.core.db import db
from course.modules.authoring import services
from course.modules.authoring.models import Revision
from tests.support.authoring import lesson_form
from tests.support.i18n import html_lang, t

PUBLISH = {"law_in_force_on": "2026-11-01", "review_note": "Сверено с законом."}


def _change_alpha(client, lang):
    fields = lesson_form(client, lang)
    for key in list(fields):
        if key.startswith("text:") and key.endswith(":kk") and "body" in key:
            fields[key] += "\n\nҚосымша сөйлем."
        if key.startswith("text:") and key.endswith(":ru") and "body" in key:
            fields[key] += "\n\nДополнительная фраза."
    fields["action"] = "save"
    assert client.post(f"/{lang}/trainer/edit/alpha/first", data=fields).status_code == 303


def test_the_publish_form_asks_a_review_date_for_each_changed_module(
    app, trainer_client, content, lang
):
    page = trainer_client.get(f"/{lang}/trainer/publish").get_data(as_text=True)
    # Nothing changed yet: a date may be recorded, none is asked.
    assert 'name="reviewed-alpha"' in page.split("<details", 1)[1]
    _change_alpha(trainer_client, lang)
    page = trainer_client.get(f"/{lang}/trainer/publish").get_data(as_text=True)
    assert html_lang(page) == lang
    today = today_in("Asia/Almaty").isoformat()
    assert f'name="reviewed-alpha" type="date" value="{today}"' in page or (
        'name="reviewed-alpha"' in page and f'value="{today}"' in page
    )
    assert 'name="reviewed-alpha"' in page.split("<details", 1)[0]
    assert 'name="reviewed-beta"' in page.split("<details", 1)[1]  # beta did not change

    # A date in the future, or none, is refused in the page's language; nothing published.
    future = (today_in("Asia/Almaty") + timedelta(days=3)).isoformat()
    refused = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-alpha": future}
    )
    assert refused.status_code == 400
    assert t(app, lang, "A review date cannot be in the future.") in refused.get_data(as_text=True)
    refused = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-alpha": ""}
    )
    assert refused.status_code == 400
    with app.app_context():
        assert current_course().edition == 3
    assert "reviewed: 2026-01-15" in (content / "course.yaml").read_text(encoding="utf-8")

    response = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-alpha": "2026-11-20"}
    )
    assert response.status_code == 303
    with app.app_context():
        course = current_course()
        assert course.edition == 4
        assert course.module("alpha").reviewed == date(2026, 11, 20)
        assert course.module("beta").reviewed is None
        [revision] = db.session.scalars(
            select(Revision).where(Revision.unit_key == "module:alpha:reviewed")
        ).all()
        assert (revision.source, revision.before, revision.after) == (
            "review",
            "2026-01-15",
            "2026-11-20",
        )
    # The draft carries it too, so the next edition keeps it.
    assert load_course(content).module("alpha").reviewed == date(2026, 11, 20)
    history = trainer_client.get(f"/{lang}/trainer/history?page=module:alpha")
    assert t(app, lang, "recorded a review when publishing") in history.get_data(as_text=True)


def test_a_first_review_date_is_written_under_the_law_date(app, trainer_client, content, lang):
    fields = lesson_form(trainer_client, lang, "beta", "only")
    for key in list(fields):
        if key.startswith("text:") and "body" in key:
            fields[key] += "\n\n2026."
    fields["action"] = "save"
    assert trainer_client.post(f"/{lang}/trainer/edit/beta/only", data=fields).status_code == 303
    response = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-beta": "2026-11-21"}
    )
    assert response.status_code == 303
    text = (content / "course.yaml").read_text(encoding="utf-8")
    assert "    status_as_of: 2023-03-19\n    reviewed: 2026-11-21\n    lessons: [only]" in text
    assert "reviewed: 2026-01-15" in text  # alpha's untouched
    # Restoring the version before it takes the line out again: "not recorded".
    with app.app_context():
        revision = db.session.scalar(
            select(Revision).where(Revision.unit_key == "module:beta:reviewed")
        )
        base = services.current_fingerprint(services.draft(), revision.unit_key, revision.lang)
        revision_id = revision.id
    restored = trainer_client.post(
        f"/{lang}/trainer/revisions/{revision_id}/restore", data={"base": base}
    )
    assert restored.status_code == 303
    text = (content / "course.yaml").read_text(encoding="utf-8")
    assert "    status_as_of: 2023-03-19\n    lessons: [only]" in text
    assert load_course(content).module("beta").reviewed is None


def test_the_overview_lists_the_modules_due_for_review(app, trainer_client, lang):
    page = trainer_client.get(f"/{lang}/trainer/").get_data(as_text=True)
    section = page.split('id="due-for-review"', 1)[1].split("<h2", 1)[0]
    assert t(app, lang, "no review recorded") in section  # beta
    assert "constitution-2026" not in section  # the change's text, not its id
    assert {"kk": "Жаңа Конституция күшіне енді.", "ru": "Вступила в силу новая Конституция."}[
        lang
    ] in section
    assert section.count("<li>") == 2


def test_a_new_law_date_needs_a_review_date_and_unchanged_modules_may_have_one(
    app, trainer_client, content, lang
):
    # beta's text is unchanged, but its law date moves on: that needs a review date.
    structure = content / "course.yaml"
    structure.write_text(
        structure.read_text(encoding="utf-8").replace(
            "status_as_of: 2023-03-19", "status_as_of: 2026-07-01"
        ),
        encoding="utf-8",
    )
    page = trainer_client.get(f"/{lang}/trainer/publish").get_data(as_text=True)
    required, optional = page.split("<details", 1)
    assert 'name="reviewed-beta"' in required
    assert 'name="reviewed-alpha"' in optional  # offered, not asked
    refused = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-beta": "", "reviewed-alpha": ""}
    )
    assert refused.status_code == 400  # beta's is missing; alpha's may be left empty
    response = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-beta": "2026-11-25"}
    )
    assert response.status_code == 303
    with app.app_context():
        course = current_course()
        assert course.module("beta").reviewed == date(2026, 11, 25)
        assert course.module("alpha").reviewed == date(2026, 1, 15)  # left as it was
    # Next time, alpha's optional date is recorded when given.
    response = trainer_client.post(
        f"/{lang}/trainer/publish", data={**PUBLISH, "reviewed-alpha": "2026-11-30"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert current_course().module("alpha").reviewed == date(2026, 11, 30)
