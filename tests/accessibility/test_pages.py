"""Every page type, in Kazakh and in Russian, at a phone's size (360×740) and a desktop's
(1280×800): axe finds no serious or critical WCAG 2.1 A/AA violation, `<html lang>` is the
page's language, and a screenshot of each is kept.

The pages are grouped by who sees them; each group signs its people in through the form."""

from __future__ import annotations

from datetime import date

import pytest

from course.core.content.published import current_course
from course.core.db import db
from course.modules.authoring import services as authoring
from course.modules.campaigns import services as campaigns
from course.modules.certificates import codes
from course.modules.organisations import services as organisations
from tests.accessibility.people import holder, learner_before_the_exam, learner_in_progress
from tests.accessibility.scanning import Scanner, answer_every_question, sign_in
from tests.support import factories
from tests.support.authoring import make_person
from tests.support.clients import client_for
from tests.support.mail import link_path, outbox
from tests.support.organisations import application, valid_bin

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def mailed_link(live, lang: str) -> str:
    """The link of the last message sent, in this language."""
    path = link_path(outbox(live.app)[-1])
    return f"{live.url}/{lang}/{path.split('/', 2)[2]}"


def open_attempt(page, scanner: Scanner, name: str) -> None:
    """Start the attempt with the quiz page's button, and scan it."""
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/attempts/" in page.url
    scanner.scan(page, name)


def submit_answers(page, scanner: Scanner, name: str) -> None:
    """Answer every question of the attempt on the page, submit, and scan the result."""
    answer_every_question(page)
    with page.expect_navigation():
        page.click("button[value=submit]")
    assert page.url.endswith("/result")
    scanner.scan(page, name)


def public(live, contexts, scanner: Scanner) -> None:
    genuine = holder(live.app)
    code = genuine["code"]
    page = contexts().new_page()
    lang, base = scanner.lang, live.url
    for path, name in [
        ("/", "landing"),
        ("/register", "registration"),
        ("/sign-in", "sign-in"),
        ("/password/forgot", "forgot-password"),
        ("/privacy", "privacy"),
        ("/verify", "verification-form"),
        (f"/verify/{codes.display(code)}", "verification-result"),
        ("/check", "offline-check"),
        ("/offline", "offline-page"),
        ("/pocket", "pocket-reference"),
        ("/for/learners", "for-learners"),
        ("/for/organisations", "for-organisations"),
        ("/for/commissions", "for-commissions"),
    ]:
        scanner.visit(page, f"{base}/{lang}{path}", name)
    # The offline check with a verdict, and its log of checks on this device.
    page.goto(f"{base}/{lang}/check")
    page.wait_for_selector('#data-state[data-state="fresh"]')
    page.fill("#qr-text", genuine["qr"])
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#verdict:not([hidden])")
    assert page.get_attribute("#verdict", "data-verdict") == "green"
    scanner.scan(page, "offline-check-verdict")
    unknown = codes.display(codes.new_code())
    scanner.visit(page, f"{base}/{lang}/verify/{unknown}", "verification-unknown", status=404)
    scanner.visit(page, f"{base}/{lang}/no-such-page", "not-found", status=404)
    # A refused form: the errors are announced and tied to their fields.
    page.goto(f"{base}/{lang}/register")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    scanner.scan(page, "registration-refused")
    page.fill("#full_name", "Жанна Ивановна Петрова")
    page.fill("#email", f"new-{lang}@example.kz")
    page.fill("#password", factories.PASSWORD)
    page.fill("#confirm", factories.PASSWORD)
    page.check("#consent")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    scanner.scan(page, "registration-sent")
    scanner.visit(page, mailed_link(live, lang), "registration-confirm")
    # Forgetting the password: the mailed link's page.
    page.goto(f"{base}/{lang}/password/forgot")
    page.fill("#email", genuine["email"])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    scanner.scan(page, "forgot-password-sent")
    scanner.visit(page, mailed_link(live, lang), "password-reset")


def learner(live, contexts, scanner: Scanner) -> None:
    lang, base = scanner.lang, live.url
    page = sign_in(contexts(), base, lang, holder(live.app)["email"])
    for path, name in [
        ("/course", "course-home"),
        ("/learn/alpha/", "module"),
        ("/learn/alpha/first", "lesson"),
        ("/learn/glossary", "glossary"),
        ("/certificate", "certificate"),
        ("/account", "account"),
        ("/my-organisation", "my-organisation"),
        ("/organisations/apply", "organisation-application"),
        ("/quiz/alpha/", "quiz-passed"),
    ]:
        scanner.visit(page, f"{base}/{lang}{path}", name)
    result = page.get_attribute("main a[href$='/result']", "href")
    scanner.visit(page, base + result, "quiz-result-passed")
    scanner.visit(page, f"{base}/{lang}/final-exam/", "final-exam-passed")
    result = page.get_attribute("main a[href$='/result']", "href")
    scanner.visit(page, base + result, "final-exam-result")
    scanner.visit(page, f"{base}/{lang}/certificate/print", "certificate-print")

    page = sign_in(contexts(), base, lang, learner_before_the_exam(live.app))
    scanner.visit(page, f"{base}/{lang}/final-exam/", "final-exam")
    open_attempt(page, scanner, "final-exam-attempt")

    page = sign_in(contexts(), base, lang, learner_in_progress(live.app))
    scanner.visit(page, f"{base}/{lang}/course", "course-home-in-progress")
    scanner.visit(page, f"{base}/{lang}/certificate", "certificate-none")
    scanner.visit(page, f"{base}/{lang}/learn/beta/only", "lesson-unread")
    scanner.visit(page, f"{base}/{lang}/quiz/alpha/", "quiz")
    open_attempt(page, scanner, "quiz-attempt")
    with page.expect_navigation():
        page.click("button[value=submit]")
    scanner.scan(page, "quiz-attempt-refused")
    submit_answers(page, scanner, "quiz-result")


def organisation(live, contexts, scanner: Scanner) -> None:
    lang, base, app = scanner.lang, live.url, live.app
    head, _head_id, head_email = client_for(app)
    head.post(f"/{lang}/organisations/apply", data=application(valid_bin("9001013")))
    admin, _admin_id, _ = client_for(app, role="admin")
    with app.app_context():
        organisation_id = organisations.pending()[0].id
    admin.post(
        f"/{lang}/admin/organisations",
        data={"organisation": organisation_id, "action": "approve"},
    )
    genuine = holder(app)
    observers, emails = [], []
    for name in ("Бақытжан Серікұлы Омаров", "Жанна Ивановна Петрова"):
        client, user_id, email = client_for(app, full_name=name)
        client.post(
            f"/{lang}/my-organisation", data={"action": "request", "organisation": organisation_id}
        )
        observers.append(user_id)
        emails.append(email)
    with app.app_context():
        links = [link.id for link, _u in organisations.requests(organisations.get(organisation_id))]
    head.post(f"/{lang}/organisation/", data={"action": "confirm", "link": links[0]})

    page = sign_in(contexts(), base, lang, head_email)
    scanner.visit(page, f"{base}/{lang}/organisation/", "organisation-roster")
    page.fill("#codes", f"{codes.display(genuine['code'])}\nnot-a-code")
    with page.expect_navigation():
        page.click("form[action$='/organisation/verify'] button[value=html]")
    scanner.scan(page, "organisation-bulk-check")
    scanner.visit(page, f"{base}/{lang}/organisation/log", "organisation-log")
    scanner.visit(
        page,
        f"{base}/{lang}/organisation/observers/{observers[0]}/checklist",
        "organisation-checklist",
    )
    with app.app_context():
        try:
            campaigns.record("kurultai", date(2026, 8, 23), "Құрылтай", "Курултай", None)
            db.session.commit()
        except campaigns.ElectionExists:
            db.session.rollback()  # recorded by the other language's run
    scanner.visit(page, f"{base}/{lang}/organisation/papers", "organisation-papers")
    with app.app_context():
        election_id = campaigns.elections()[0].id
        campaigns.assign(
            organisations.get(organisation_id),
            election_id,
            observers[0],
            "101",
            "Астана, Абай даңғылы, 10",
            "",
            None,
            current_course(),
        )
        db.session.commit()
    scanner.visit(
        page, f"{base}/{lang}/organisation/papers/stations/{election_id}", "organisation-stations"
    )
    # The assigned observer's own packets.
    page = sign_in(contexts(), base, lang, emails[0])
    scanner.visit(page, f"{base}/{lang}/my-packets", "my-packets")


def refresher(live, contexts, scanner: Scanner) -> None:
    """A holder whose certificate a new edition superseded: the refresher, one of its
    lessons before and after reading, its test and the test's result."""
    lang, base, app = scanner.lang, live.url, live.app
    email = holder(app)["email"]
    with app.app_context():
        today = date(2026, 12, 2)
        author = authoring.Author(None, "Тренер Тест")
        authoring.publish(authoring.draft(), author, today, "Тексеру.", True, today)
        db.session.commit()
    page = sign_in(contexts(), base, lang, email)
    scanner.visit(page, f"{base}/{lang}/refresher", "refresher")
    scanner.visit(page, f"{base}/{lang}/refresher/alpha/first", "refresher-lesson")
    for path in ("alpha/first", "alpha/second", "beta/only"):
        page.goto(f"{base}/{lang}/refresher/{path}")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    scanner.visit(page, f"{base}/{lang}/refresher/alpha/first", "refresher-lesson-read")
    scanner.visit(page, f"{base}/{lang}/refresher", "refresher-ready")
    open_attempt(page, scanner, "refresher-attempt")
    submit_answers(page, scanner, "refresher-result")


def trainer(live, contexts, scanner: Scanner) -> None:
    lang, base = scanner.lang, live.url
    page = sign_in(contexts(), base, lang, make_person(live.app, "trainer")["email"])
    for path, name in [
        ("/trainer/", "editor-overview"),
        ("/trainer/modules/alpha", "editor-module"),
        ("/trainer/edit/alpha/first", "editor-lesson"),
        ("/trainer/quizzes/alpha", "editor-questions"),
        ("/trainer/quizzes/alpha/a-order", "editor-question"),
        ("/trainer/quizzes/alpha/new", "editor-new-question"),
        ("/trainer/quizzes/final-exam", "editor-final-exam"),
        ("/trainer/texts/glossary", "editor-glossary"),
        ("/trainer/texts/course", "editor-texts"),
        ("/trainer/translation", "editor-translation"),
        ("/trainer/publish", "editor-publish"),
        ("/trainer/history?page=lesson:alpha/first", "editor-history"),
        ("/trainer/questions", "question-statistics"),
    ]:
        scanner.visit(page, f"{base}/{lang}{path}", name)


def admin(live, contexts, scanner: Scanner) -> None:
    lang, base, app = scanner.lang, live.url, live.app
    code = holder(app)["code"]
    applicant, _id, _ = client_for(app)
    applicant.post(f"/{lang}/organisations/apply", data=application(valid_bin("6606066")))
    page = sign_in(contexts(), base, lang, make_person(app, "admin")["email"])
    for path, name in [
        ("/admin/organisations", "admin-organisations"),
        ("/admin/certificates/", "admin-certificate-lookup"),
        (f"/admin/certificates/{code}", "admin-certificate"),
        ("/admin/verifications", "admin-verifications"),
        ("/admin/security", "admin-security-log"),
    ]:
        scanner.visit(page, f"{base}/{lang}{path}", name)


AUDIENCES = {
    "public": public,
    "learner": learner,
    "organisation": organisation,
    "refresher": refresher,
    "trainer": trainer,
    "admin": admin,
}


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_no_serious_violations(live, contexts, axe_source, screenshots, lang, audience):
    scanner = Scanner(axe_source, screenshots, lang)
    AUDIENCES[audience](live, contexts, scanner)
    print(f"{audience} [{lang}]: {len(scanner.scanned)} scans")
    assert not scanner.found, scanner.report()
