"""Refreshers, through the pages in both languages: a trainer publishes an edition that
changes one module and supersedes earlier certificates; each holder is mailed in their own
language; the refresher holds only the changed module's lessons and a short test drawn from
it; passing it issues a certificate of the new edition, and the old one answers "replaced
by" the new code, not "revoked". An organisation sees who at its stations needs a
refresher and reminds them, at most once a day."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from course.core.content.published import course_edition, current_course
from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.campaigns import services as campaigns
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations
from course.modules.organisations.models import Organisation
from course.modules.quizzes import services as quizzes
from course.modules.quizzes.models import Attempt
from course.modules.refreshers.models import RefresherNotice
from tests.support.app import FIXTURE_CONTENT
from tests.support.authoring import client_as, lesson_form
from tests.support.certificates import complete_course, signed_in_holder
from tests.support.clients import sign_in
from tests.support.factories import PASSWORD
from tests.support.i18n import html_lang, t
from tests.support.mail import link_path, outbox
from tests.support.quizzes import answers_for, form_for

NEW_RULE = {
    "kk": "## Бірінші сабақ\n\nЖаңа ереже: байқаушы тек белгіленген аймақтан түсіре алады.",
    "ru": "## Первый урок\n\nНовое правило: наблюдатель снимает только из отведённой зоны.",
}
SUBJECT = "A refresher of the observer course is due"


@pytest.fixture
def app(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # these tests publish: never the fixture
    # No wait between attempts, so that a failed refresher test can be retaken at once.
    return make_app(CONTENT_DIR=str(content), QUIZ_FAILURES_BEFORE_WAIT=0)


def publish_change_to_alpha(app, lang: str, supersedes: bool = True) -> int:
    """A trainer rewrites a lesson of module alpha in both languages and publishes."""
    trainer = client_as(app, "trainer")
    fields = lesson_form(trainer, lang)
    for side in ("kk", "ru"):
        fields[f"text:lesson:alpha/first:body:{side}"] = NEW_RULE[side]
    fields["action"] = "save"
    assert trainer.post(f"/{lang}/trainer/edit/alpha/first", data=fields).status_code == 303
    form = {
        "law_in_force_on": "2026-11-01",
        "review_note": "Заңның жаңа редакциясы бойынша.",
        "reviewed-alpha": "2026-11-20",
    }
    if supersedes:
        form["supersedes"] = "y"
    response = trainer.post(f"/{lang}/trainer/publish", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        return current_course().edition


def refresher_mails(app) -> list:
    return [m for m in outbox(app) if m["Subject"] in {t(app, x, SUBJECT) for x in ("kk", "ru")}]


def take_refresher_test(app, client, user_id: int, lang: str, right: bool = True):
    response = client.post(f"/{lang}/refresher/start")
    assert response.status_code == 303
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        attempt = quizzes.get_attempt(public_id, user_id)
        course = course_edition(attempt.edition)
        modules = {aq.module_id for aq in attempt.questions}
        fields = form_for(
            attempt, course, app.config["SECRET_KEY"], answers_for(attempt, course, right)
        )
    assert client.get(f"/{lang}/attempts/{public_id}").status_code == 200
    response = client.post(f"/{lang}/attempts/{public_id}", data=MultiDict(fields))
    assert response.status_code == 303
    return public_id, modules


def test_a_superseding_edition_mails_each_holder_in_their_language(app, lang):
    kk_holder = signed_in_holder(app)
    with app.app_context():
        ru_holder = complete_course(full_name="Ирина Сергеевна Ли", locale="ru")
        current_holder_code = certificates.current_certificate(ru_holder).code
    before = len(refresher_mails(app))
    edition = publish_change_to_alpha(app, lang)
    mails = refresher_mails(app)[before:]
    assert len(mails) == 2
    with app.app_context():
        to = {
            accounts.get_user(kk_holder["id"]).email: "kk",
            accounts.get_user(ru_holder).email: "ru",
        }
    for mail in mails:
        mail_lang = to[mail["To"]]
        assert mail["Subject"] == t(app, mail_lang, SUBJECT)
        body = mail.get_content()
        assert link_path(mail) == f"/{mail_lang}/refresher"
        assert str(edition) in body
        code = kk_holder["code"] if mail_lang == "kk" else current_holder_code
        assert certificates.display_code(code) in body
    with app.app_context():
        kinds = db.session.scalars(select(RefresherNotice.kind)).all()
        assert kinds == ["edition", "edition"]


def test_an_edition_that_supersedes_nothing_mails_nobody(app, lang):
    signed_in_holder(app)
    before = len(refresher_mails(app))
    publish_change_to_alpha(app, lang, supersedes=False)
    assert len(refresher_mails(app)) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RefresherNotice)) == 0


def test_the_refresher_rereads_the_changed_module_then_its_test_issues_the_new_certificate(
    app, lang
):
    holder = signed_in_holder(app)
    client = holder["client"]
    old_code = holder["code"]
    edition = publish_change_to_alpha(app, lang)

    # The course home and the certificate page lead to the refresher.
    home = client.get(f"/{lang}/course").get_data(as_text=True)
    assert t(app, lang, "Refresher for edition %(edition)s") % {"edition": edition} in home
    mine = client.get(f"/{lang}/certificate").get_data(as_text=True)
    assert t(app, lang, "Take the refresher") in mine

    page = client.get(f"/{lang}/refresher")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html_lang(text) == lang
    assert certificates.display_code(old_code) in text
    with app.app_context():
        course = current_course()
        alpha, beta = course.module("alpha"), course.module("beta")
        titles = {lesson.id: lesson.title[lang] for lesson in alpha.lessons}
        beta_title = beta.lessons[0].title[lang]
    # Only the module the edition changed: both of alpha's lessons, none of beta's.
    for title in titles.values():
        assert title in text
    assert beta_title not in text
    assert client.get(f"/{lang}/refresher/beta/only").status_code == 404

    # The test stays shut until the lessons are read again, whatever the first reading.
    refused = client.post(f"/{lang}/refresher/start")
    assert refused.status_code == 303
    shut = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert t(app, lang, "Reread every lesson of the refresher first; then the test opens.") in shut
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Attempt.kind == "refresher")) == 0

    lesson = client.get(f"/{lang}/refresher/alpha/first").get_data(as_text=True)
    assert NEW_RULE[lang].split("\n\n")[1] in lesson
    step = client.post(f"/{lang}/refresher/alpha/first/read")
    assert step.headers["Location"].endswith("/refresher/alpha/second")
    assert client.post(f"/{lang}/refresher/alpha/second/read").status_code == 303
    ready = client.get(f"/{lang}/refresher").get_data(as_text=True)
    assert t(app, lang, "Start the refresher test") in ready

    # A failed test issues nothing; the old certificate stays valid, still superseded.
    _failed, modules = take_refresher_test(app, client, holder["id"], lang, right=False)
    assert modules == {"alpha"}
    with app.app_context():
        assert certificates.current_certificate(holder["id"]).code == old_code
        status = certificates.public_status(old_code, current_course())
        assert (status.status, status.superseded) == ("valid", True)

    public_id, modules = take_refresher_test(app, client, holder["id"], lang)
    assert modules == {"alpha"}
    result = client.get(f"/{lang}/attempts/{public_id}/result").get_data(as_text=True)
    assert t(app, lang, "Your certificate") in result

    with app.app_context():
        new = certificates.current_certificate(holder["id"])
        assert new.edition == edition
        assert new.code != old_code
        old = certificates.public_status(old_code, current_course())
        assert (old.status, old.replaced_by, old.revoked_at) == ("replaced", new.code, None)
        fresh = certificates.public_status(new.code, current_course())
        assert (fresh.status, fresh.superseded) == ("valid", False)
        new_code = new.code
    # Anyone checking the old code is sent on to the new one.
    verify = app.test_client().get(f"/{lang}/verify/{certificates.display_code(old_code)}")
    verified = verify.get_data(as_text=True)
    assert t(app, lang, "Replaced") in verified
    assert certificates.display_code(new_code) in verified
    assert (
        t(app, lang, "A certificate of the later edition %(edition)s replaced this one:")
        % {"edition": edition}
        in verified
    )
    # And the refresher is no longer due.
    done = client.get(f"/{lang}/refresher").get_data(as_text=True)
    assert t(app, lang, "Start the refresher test") not in done
    assert client.post(f"/{lang}/refresher/start").status_code == 303
    assert client.get(f"/{lang}/refresher/alpha/first").status_code == 404


def test_a_revoked_certificate_gets_no_refresher(app, lang):
    holder = signed_in_holder(app)
    with app.app_context():
        certificate = certificates.current_certificate(holder["id"])
        certificates.revoke(certificate, holder["id"], "holder_request", "")
        db.session.commit()
    before = len(refresher_mails(app))
    publish_change_to_alpha(app, lang)
    assert len(refresher_mails(app)) == before
    page = holder["client"].get(f"/{lang}/refresher").get_data(as_text=True)
    assert t(app, lang, "Start the refresher test") not in page
    assert holder["client"].get(f"/{lang}/refresher/alpha/first").status_code == 404


def test_an_organisation_reminds_its_observers_who_need_a_refresher_once_a_day(app, org, lang):
    with app.app_context():
        election = campaigns.record("kurultai", date(2027, 3, 21), "Сайлау", "Выборы", None)
        organisation = db.session.get(Organisation, org["id"])
        observer = complete_course(full_name="Әлия Бекқызы Жұмабаева", locale="ru")
        link = organisations.request_link(observer, organisation.id)
        organisations.decide_link(organisation, link.id, True)
        campaigns.assign(
            organisation, election.id, observer, "101", "Астана, Мәңгілік Ел 8", "", None,
            current_course(),
        )  # fmt: skip
        db.session.commit()
        election_id = election.id
    head = org["client"]
    stations = f"/{lang}/organisation/papers/stations/{election_id}"
    before = head.get(stations).get_data(as_text=True)
    assert t(app, lang, "needs a refresher") not in before
    publish_change_to_alpha(app, lang)
    page = head.get(stations).get_data(as_text=True)
    assert t(app, lang, "needs a refresher") in page
    mailed = len(refresher_mails(app))

    response = head.post(f"{stations}/reminders", data={"user_id": str(observer)})
    assert response.status_code == 303
    flashed = head.get(stations).get_data(as_text=True)
    assert t(app, lang, "%(num)d reminder sent.") % {"num": 1} in flashed
    [reminder] = refresher_mails(app)[mailed:]
    assert reminder["Subject"] == t(app, "ru", SUBJECT)  # the observer's language
    assert organisation_name(app, org["id"], "ru") in reminder.get_content()
    assert link_path(reminder) == "/ru/refresher"

    # Again the same day, for everyone: nobody is mailed twice.
    again = head.post(f"{stations}/reminders", data={})
    assert again.status_code == 303
    told = head.get(stations).get_data(as_text=True)
    assert (
        t(app, lang, "%(num)d observer was reminded less than a day ago: not reminded again.")
        % {"num": 1}
        in told
    )
    assert len(refresher_mails(app)) == mailed + 1
    assert head.post(f"{stations}/reminders", data={"user_id": "x"}).status_code == 400

    # The observer takes the refresher; then nobody there needs one.
    client = app.test_client()
    with app.app_context():
        email = accounts.get_user(observer).email
    sign_in(client, email, PASSWORD, "ru")
    for lesson_id in ("first", "second"):
        assert client.post(f"/ru/refresher/alpha/{lesson_id}/read").status_code == 303
    take_refresher_test(app, client, observer, "ru")
    after = head.get(stations).get_data(as_text=True)
    assert t(app, lang, "needs a refresher") not in after
    assert head.post(f"{stations}/reminders", data={}).status_code == 303
    assert t(app, lang, "Nobody assigned here needs a refresher.") in head.get(stations).get_data(
        as_text=True
    )


def organisation_name(app, organisation_id: int, lang: str) -> str:
    with app.app_context():
        return db.session.get(Organisation, organisation_id).name(lang)
