"""Who may reach which URL: every URL rule of the app against every kind of visitor.

MATRIX names, for each URL rule and method, who may reach it. The tests then send every
rule as every actor (anonymous, a learner, a verifier of organisation A, organisation B's
admin, a trainer, an admin, and organisation B's API token) and check that whoever is not
allowed gets this app's refusal and whoever is allowed is served, and that nobody ever
gets a server error. A route added without an entry here fails
`test_every_route_is_in_the_matrix`, so a new page cannot ship without someone deciding
who may open it (OWASP ASVS 4.0 V4.1/V4.2).

The second half checks objects: another learner's quiz attempt, another organisation's
observers, tokens, link requests and staff, an invitation for someone else, authoring
revisions, and the holder's certificate downloads.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from course import create_app
from course.core.content.published import current_course
from course.core.db import db
from course.modules.authoring import services as authoring
from course.modules.campaigns import services as campaigns
from course.modules.certificates import codes
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations
from course.modules.organisations.models import Invitation, Membership, ObserverLink
from course.modules.quizzes import services as quizzes
from course.modules.quizzes.models import Attempt
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT, app_config, empty_tables
from tests.support.authoring import lesson_form
from tests.support.certificates import complete_course
from tests.support.clients import sign_in
from tests.support.documents import real_pdf
from tests.support.i18n import t
from tests.support.organisations import valid_bin
from tests.support.quizzes import answers_for, form_for, read_lessons

LANG = "kk"

# ---------------------------------------------------------------- who may reach what

PUBLIC = "public"  # everyone, anonymous visitors included
SIGNED_IN = "signed in"  # any signed-in person, whatever their role
ORG_STAFF = "organisation staff"  # a verifier or admin member of an approved organisation
ORG_ADMIN = "organisation admin"  # the admin member of an approved organisation
TRAINER = "trainer"  # trainers, and site admins (role_required lets admins through)
ADMIN = "admin"
TOKEN = "API token"  # a live bearer token of an approved organisation; a session is no use

ACTORS = ("anonymous", "learner", "verifier_a", "org_admin_b", "trainer", "admin", "token_b")
SIGNED_IN_ACTORS = {"learner", "verifier_a", "org_admin_b", "trainer", "admin"}
ALLOWED = {
    PUBLIC: set(ACTORS),
    SIGNED_IN: SIGNED_IN_ACTORS,
    # A site admin is not an organisation's staff: they read every log at /admin/verifications.
    ORG_STAFF: {"verifier_a", "org_admin_b"},
    ORG_ADMIN: {"org_admin_b"},
    TRAINER: {"trainer", "admin"},
    ADMIN: {"admin"},
    TOKEN: {"token_b"},
}

MATRIX = {
    # -- outside the language tree
    "site.root GET": PUBLIC,
    "site.healthz GET": PUBLIC,
    "certificates_public.published_keys GET": PUBLIC,
    "certificates_public.status_list GET": PUBLIC,
    "certificates_public.did_document GET": PUBLIC,
    "certificates_public.status_context GET": PUBLIC,
    "certificates_public.signed_link GET": PUBLIC,
    "certificates_public.api_certificate GET": PUBLIC,
    "certificates_public.api_identity_check POST": PUBLIC,
    "organisations_api.api_verify POST": TOKEN,
    "organisations_api.openapi GET": PUBLIC,
    "offline_worker.service_worker GET": PUBLIC,
    # -- the audiences' pages the landing page leads to (/<lang>/for/…)
    "site.for_learners GET": PUBLIC,
    "site.for_organisations GET": PUBLIC,
    "site.for_commissions GET": PUBLIC,
    # -- accounts
    "accounts.register GET": PUBLIC,
    "accounts.register POST": PUBLIC,
    "accounts.confirm_registration GET": PUBLIC,
    "accounts.confirm_registration POST": PUBLIC,
    "accounts.sign_in GET": PUBLIC,
    "accounts.sign_in POST": PUBLIC,
    "accounts.sign_out POST": PUBLIC,
    "accounts.forgot_password GET": PUBLIC,
    "accounts.forgot_password POST": PUBLIC,
    "accounts.reset_password GET": PUBLIC,
    "accounts.reset_password POST": PUBLIC,
    "accounts.account GET": SIGNED_IN,
    "accounts.account POST": SIGNED_IN,
    "accounts.privacy_notice GET": PUBLIC,
    # -- learning
    "learning.landing GET": PUBLIC,
    "learning.course_home GET": SIGNED_IN,
    "learning.glossary GET": PUBLIC,
    "learning.module_page GET": SIGNED_IN,
    "learning.lesson_page GET": SIGNED_IN,
    "learning.mark_read POST": SIGNED_IN,
    "learning.media GET": PUBLIC,
    # -- quizzes (an attempt is its owner's only: see the object tests below)
    "quizzes.quiz_page GET": SIGNED_IN,
    "quizzes.start_quiz POST": SIGNED_IN,
    "quizzes.final_exam_page GET": SIGNED_IN,
    "quizzes.start_final_exam POST": SIGNED_IN,
    "quizzes.attempt_page GET": SIGNED_IN,
    "quizzes.attempt_post POST": SIGNED_IN,
    "quizzes.attempt_result GET": SIGNED_IN,
    "quizzes.question_statistics GET": TRAINER,
    # -- certificates (the holder's pages serve the signed-in person's own only)
    "certificates.my_certificate GET": SIGNED_IN,
    "certificates.my_certificate POST": SIGNED_IN,
    "certificates.certificate_pdf GET": SIGNED_IN,
    "certificates.certificate_credential GET": SIGNED_IN,
    "certificates.certificate_print GET": SIGNED_IN,
    "certificates.verify_form GET": PUBLIC,
    "certificates.verify_page GET": PUBLIC,
    "certificates.verify_identity POST": PUBLIC,
    "certificates.admin_lookup GET": ADMIN,
    "certificates.admin_certificate GET": ADMIN,
    "certificates.admin_certificate POST": ADMIN,
    # -- organisations
    "organisations.apply GET": SIGNED_IN,
    "organisations.apply POST": SIGNED_IN,
    "organisations.decide GET": ADMIN,
    "organisations.decide POST": ADMIN,
    "organisations.all_verifications GET": ADMIN,
    "organisations.my_organisation GET": SIGNED_IN,
    "organisations.my_organisation POST": SIGNED_IN,
    "organisations.dashboard GET": ORG_STAFF,
    # Its admin-only actions (tokens, staff, invitations) are in DASHBOARD_ACTIONS.
    "organisations.dashboard POST": ORG_STAFF,
    "organisations.accept_invitation GET": SIGNED_IN,
    "organisations.roster_csv GET": ORG_STAFF,
    "organisations.checklist GET": ORG_STAFF,
    "organisations.organisation_log GET": ORG_STAFF,
    "organisations.bulk_verify POST": ORG_STAFF,
    # -- campaigns: the admins' elections
    "campaigns.elections GET": ADMIN,
    "campaigns.elections POST": ADMIN,
    "campaigns.remove POST": ADMIN,
    # -- campaigns: an organisation's papers (its staff read them, its admins change them)
    "campaigns.papers GET": ORG_STAFF,
    "campaigns.record_accreditation POST": ORG_ADMIN,
    "campaigns.upload_document POST": ORG_ADMIN,
    "campaigns.document_pdf GET": ORG_STAFF,
    "campaigns.accreditation_pdf GET": ORG_STAFF,
    "campaigns.stations GET": ORG_STAFF,
    "campaigns.assign POST": ORG_ADMIN,
    "campaigns.import_stations POST": ORG_ADMIN,
    "campaigns.observer_packet GET": ORG_STAFF,
    "campaigns.remind_refreshers POST": ORG_ADMIN,
    "campaigns.packets_zip GET": ORG_STAFF,
    # An observer's own packets: the signed-in person's assignments only.
    "campaigns.my_packets GET": SIGNED_IN,
    "campaigns.my_packet GET": SIGNED_IN,
    # -- refreshers: the signed-in person's own (none is due to anyone in this world)
    "refreshers.overview GET": SIGNED_IN,
    "refreshers.lesson_page GET": SIGNED_IN,
    "refreshers.mark_read POST": SIGNED_IN,
    "refreshers.start_test POST": SIGNED_IN,
    # -- the security log
    "security.events GET": ADMIN,
    "security.events_csv GET": ADMIN,
    # -- authoring: the whole blueprint is behind one before_request check
    "authoring.overview GET": TRAINER,
    "authoring.translation GET": TRAINER,
    "authoring.module_page GET": TRAINER,
    "authoring.module_page POST": TRAINER,
    "authoring.texts_page GET": TRAINER,
    "authoring.texts_page POST": TRAINER,
    "authoring.lesson_page GET": TRAINER,
    "authoring.lesson_page POST": TRAINER,
    "authoring.lesson_image POST": TRAINER,
    "authoring.draft_media GET": TRAINER,
    "authoring.confirm POST": TRAINER,
    "authoring.history GET": TRAINER,
    "authoring.restore POST": TRAINER,
    "authoring.publish GET": TRAINER,
    "authoring.publish POST": TRAINER,
    "authoring.questions_page GET": TRAINER,
    "authoring.question_page GET": TRAINER,
    "authoring.question_page POST": TRAINER,
    "authoring.new_question GET": TRAINER,
    "authoring.new_question POST": TRAINER,
    "authoring.move_question POST": TRAINER,
    "authoring.retire_question POST": TRAINER,
    # -- offline
    "offline.check GET": PUBLIC,
    "offline.manifest GET": PUBLIC,
    "offline.pocket GET": PUBLIC,
    "offline.pocket_pdf GET": PUBLIC,
    "offline.offline_page GET": PUBLIC,
}

# The dashboard is one URL for every staff action; which member may do what is decided
# by the action, so each action is checked as if it were a route of its own. The values
# are refused by the services (empty name, id 0), so an allowed actor changes nothing.
DASHBOARD_ACTIONS = {
    "token": (ORG_ADMIN, {"name": ""}),
    "invite": (ORG_ADMIN, {"email": ""}),
    "remove": (ORG_ADMIN, {"user": "0"}),
    "revoke_token": (ORG_ADMIN, {"token": "0"}),
    "confirm": (ORG_STAFF, {"link": "0"}),
    "decline": (ORG_STAFF, {"link": "0"}),
}

# Actions whose placeholder (id 0) names nothing: they answer 404 "no such … of yours" by
# design; that those 404s hide other organisations' objects is checked in OTHERS.
NAMES_NOTHING = {
    f"organisations.dashboard POST action={a}"
    for a in ("remove", "revoke_token", "confirm", "decline")
} | {
    "campaigns.remove POST",  # the first allowed request removed the election
    "campaigns.accreditation_pdf GET",  # and with it A's accreditation (tests/campaigns)
    # The removed election's stations: answered 404 by design (tests/campaigns).
    "campaigns.stations GET",
    "campaigns.assign POST",
    "campaigns.import_stations POST",
    "campaigns.observer_packet GET",
    "campaigns.remind_refreshers POST",
    "campaigns.packets_zip GET",
    "campaigns.my_packet GET",  # the learner is assigned nowhere (tests/campaigns)
    # No refresher is due to anyone here, so no lesson is one of theirs (tests/refreshers).
    "refreshers.lesson_page GET",
    "refreshers.mark_read POST",
}

# Query strings and bodies where an empty request would stop at "no such thing" (404)
# before the view does anything (see test_the_matrix_requests_reach_real_objects).
QUERY = {"authoring.history": "page=lesson:alpha/first"}
JSON_BODY = {"organisations_api.api_verify": {"items": [{"code": "ABCD-EFGH-JKMN-P"}]}}
FORMS = {
    # B is approved already: the admin's decision is refused as taken (400).
    "organisations.decide POST": lambda w: {"organisation": w.ids["org_b"], "action": "approve"},
    "authoring.confirm POST": lambda w: {"page": "lesson:alpha/first"},
}


def rule_keys(app: Flask) -> dict[str, object]:
    """Keys "endpoint METHOD" for every method of every URL rule (HEAD and OPTIONS aside)."""
    keys = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):  # files, public
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            keys[f"{rule.endpoint} {method}"] = rule
    return keys


# ---------------------------------------------------------------- the actors and their objects


@dataclass
class World:
    """The app and the people and objects in it, filled in by the `world` fixture."""

    app: Flask
    emails: dict[str, str]  # actor or person → e-mail (all share factories.PASSWORD)
    ids: dict[str, int] = field(default_factory=dict)  # people, organisations, link_p
    values: dict[str, object] = field(default_factory=dict)  # URL variables by name
    token_a: str = ""
    token_b: str = ""
    token_a_id: int = 0
    invitation_a: str = ""  # a live invitation of A for invitee@example.kz
    attempt_y: str = ""  # the observer's open attempt
    revision_id: int = 0
    certificate_x: dict = field(default_factory=dict)  # the learner's
    certificate_w: dict = field(default_factory=dict)  # another holder's

    def client(self, who: str):
        client = self.app.test_client()
        if who in self.emails:
            response = sign_in(client, self.emails[who], factories.PASSWORD)
            assert response.status_code == 302, f"{who} could not sign in"
        return client

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token_b}"} if who == "token_b" else {}


def _organisation(head_id: int, bin_number: str, admin_id: int, name: str):
    application = organisations.Application(
        f"«{name}» қоғамдық бірлестігі",
        f"Общественное объединение «{name}»",
        bin_number,
        "Айгүл Сәтбаева",
        "office@example.kz",
        "+7 701 000 00 00",
        True,
        None,
        None,
    )
    organisation = organisations.apply(head_id, application)
    organisations.approve(organisation, admin_id)
    return organisation


def _certificate_of(user_id: int) -> dict:
    certificate = certificates.current_certificate(user_id)
    return {"code": certificate.code, "pdf": certificate.pdf, "qr_text": certificate.qr_text}


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory) -> Iterator[World]:
    """Everyone and everything the tests need, made once for the module (the function-
    scoped `app` fixture would rebuild it ~20 times). The content is a copy: trainers'
    requests write to the draft."""
    content = tmp_path_factory.mktemp("matrix") / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    app = create_app(
        app_config(
            database_url,
            tmp_path_factory.mktemp("matrix-instance"),
            CONTENT_DIR=str(content),
            # Hundreds of requests from one address: the limits must not answer instead
            # of the access checks (tests/organisations checks the limits themselves).
            VERIFY_RATE_LIMIT="100000 per minute",
            SIGN_IN_RATE_LIMIT="100000 per minute",
            API_RATE_LIMIT="100000 per minute",
        )
    )
    world = World(
        app,
        {
            "learner": "holder-x@example.kz",
            "holder_w": "holder-w@example.kz",
            "observer_y": "observer-y@example.kz",
            "applicant_p": "applicant-p@example.kz",
            "head_a": "head-a@example.kz",
            "verifier_a": "verifier-a@example.kz",
            "org_admin_b": "head-b@example.kz",
            "trainer": "trainer@example.kz",
            "admin": "admin@example.kz",
        },
    )
    emails, ids = world.emails, world.ids
    with app.app_context():
        course = current_course()
        # Two holders, so "your own certificate" can be told from "a certificate".
        ids["learner"] = complete_course(email=emails["learner"])
        ids["holder_w"] = complete_course(email=emails["holder_w"], full_name="Дина Ержанқызы")
        for who in ("observer_y", "applicant_p", "head_a", "verifier_a", "org_admin_b"):
            name = "Жанна Тайная" if who == "observer_y" else "Бақытжан Серікұлы"
            ids[who] = factories.make_user(email=emails[who], full_name=name).id
        for role in ("trainer", "admin"):
            ids[role] = factories.make_user(email=emails[role], role=role).id
        db.session.commit()
        # The observer has an open attempt: the one another learner must not answer.
        read_lessons(ids["observer_y"], course, "alpha")
        world.attempt_y = quizzes.start_attempt(
            ids["observer_y"], course, quizzes.quiz_info(course, quizzes.MODULE, "alpha")
        ).public_id
        org_a = _organisation(ids["head_a"], valid_bin("9001013"), ids["admin"], "Ашық сайлау")
        org_b = _organisation(ids["org_admin_b"], valid_bin("8502034"), ids["admin"], "Адал")
        ids["org_a"], ids["org_b"] = org_a.id, org_b.id
        # A's verifier joins as invited verifiers do; approving made each head its admin.
        organisations.accept_invitation(
            organisations.invite(org_a, emails["verifier_a"], ids["head_a"]), ids["verifier_a"]
        )
        world.invitation_a = organisations.invite(org_a, "invitee@example.kz", ids["head_a"])
        link_y = organisations.request_link(ids["observer_y"], org_a.id)
        organisations.decide_link(org_a, link_y.id, True)
        ids["link_p"] = organisations.request_link(ids["applicant_p"], org_a.id).id
        world.token_a = organisations.create_token(org_a, "A's CRM", ids["head_a"])
        world.token_b = organisations.create_token(org_b, "B's CRM", ids["org_admin_b"])
        world.token_a_id = organisations.tokens(org_a)[0].id
        db.session.commit()
        world.certificate_x = _certificate_of(ids["learner"])
        world.certificate_w = _certificate_of(ids["holder_w"])
        own_attempt = db.session.scalar(
            select(Attempt.public_id).where(
                Attempt.user_id == ids["learner"], Attempt.kind == quizzes.MODULE
            )
        )
    # A real revision, saved through the editor as a trainer would.
    trainer = world.client("trainer")
    fields = lesson_form(trainer, LANG)
    fields["text:lesson:alpha/first:body:ru"] = "## Первый урок\n\nПравка тренера."
    fields["action"] = "save"
    assert trainer.post(f"/{LANG}/trainer/edit/alpha/first", data=fields).status_code == 303
    with app.app_context():
        world.revision_id = authoring.history("lesson:alpha/first")[0].id
        election = campaigns.record(
            "kurultai", date(2026, 8, 23), "Құрылтай сайлауы", "Выборы в Курултай", ids["admin"]
        )
        # A's papers, so that its staff's requests for them reach real PDFs.
        paper = real_pdf()
        campaigns.record_accreditation(
            ids["org_a"], election.id, "17", date(2026, 7, 1), "ОСК", paper, ids["head_a"]
        )
        campaigns.upload_document(ids["org_a"], "charter_extract", paper, ids["head_a"])
        db.session.commit()
        election_id = election.id
    world.values = {
        "lang": LANG,
        "module_id": "alpha",
        "lesson_id": "first",
        "set_id": "alpha",
        "question_id": "a-single",
        "page": "course",
        "target_lang": "ru",
        "name": "diagram.svg",
        # The learner's own (submitted) attempt and certificate: the owner is served,
        # everyone else is told there is no such thing.
        "public_id": own_attempt,
        "typed": codes.display(world.certificate_x["code"]),
        "payload": world.certificate_x["qr_text"].rsplit("/V1/", 1)[1],
        # A's observer: A's staff see the checklist, B's admin gets a 404.
        "user_id": ids["observer_y"],
        "revision_id": world.revision_id,
        "election_id": election_id,
        "kind": "charter_extract",
        "part": 1,
        # Secrets nobody holds: a real invitation would make its opener a verifier.
        "secret": "no-such-invitation",
        "token": "no-such-mailed-token",  # password reset and registration links
    }
    yield world
    with app.app_context():
        db.engine.dispose()
    empty_tables(app)


# ---------------------------------------------------------------- sending and judging


def url_of(world: World, rule, method: str) -> str:
    values = {name: world.values[name] for name in rule.arguments}
    path = world.app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
    query = QUERY.get(rule.endpoint)
    return f"{path}?{query}" if query else path


def send(world: World, client, who: str, key: str, rule, form: dict | None = None):
    method = key.split(" ")[1]
    url = url_of(world, rule, method)
    kwargs = {"headers": world.headers(who)}
    if method == "POST":
        if rule.endpoint in JSON_BODY:
            kwargs["json"] = JSON_BODY[rule.endpoint]
        else:
            kwargs["data"] = form or {}
    response = client.open(url, method=method, **kwargs)
    # Read, then close: a file sent from disk (media) stays open until the response closes.
    response.get_data()
    response.close()
    return url, response


SIGN_IN_REDIRECT = "redirect to sign-in"
SERVED = "served"


def outcome(response) -> str:
    """What kind of answer this is: the app's refusals by name, anything else "served"."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = urlsplit(response.headers.get("Location", ""))
        # Flask-Login's refusal; a page that just sends you to sign in adds no `next`.
        if location.path == f"/{LANG}/sign-in" and "next=" in location.query:
            return SIGN_IN_REDIRECT
    if status == 401 and response.is_json:
        return "401 " + response.json["error"]["code"]
    if status in (401, 403) or status >= 500:
        return str(status)
    if status in (405, 429):
        # Not a refusal of this app's access rules: the request was wrong or throttled,
        # so the access check was never reached.
        return f"{status} (request never judged)"
    return SERVED


def expected(who: str, access: str) -> str:
    if who in ALLOWED[access]:
        return SERVED
    if access == TOKEN:
        return "401 bad_token"  # JSON, for a program; a session does not count
    if who not in SIGNED_IN_ACTORS:
        return SIGN_IN_REDIRECT
    return "403"


def requests_for(world: World):
    """Every (key, rule, form, access) to send; signing out last, or the session is gone."""
    keys = rule_keys(world.app)
    items = [
        (key, keys[key], FORMS[key](world) if key in FORMS else None, MATRIX[key])
        for key in sorted(keys)
        if key in MATRIX
    ]
    dashboard = keys["organisations.dashboard POST"]
    for action, (access, form) in DASHBOARD_ACTIONS.items():
        key = f"organisations.dashboard POST action={action}"
        items.append((key, dashboard, {"action": action, **form}, access))
    return sorted(items, key=lambda item: item[0] == "accounts.sign_out POST")


# ---------------------------------------------------------------- the matrix


def test_every_route_is_in_the_matrix(world):
    keys = rule_keys(world.app)
    missing = sorted(set(keys) - set(MATRIX))
    gone = sorted(set(MATRIX) - set(keys))
    assert not missing, "URL rules with no entry in MATRIX (decide who may reach them):\n" + (
        "\n".join(f"  {key}  {keys[key].rule}" for key in missing)
    )
    assert not gone, "MATRIX entries whose rule no longer exists:\n" + "\n".join(gone)
    unfilled = {
        f"{key}: <{name}>"
        for key, rule in keys.items()
        for name in rule.arguments
        if name not in world.values
    }
    assert not unfilled, "URL variables with no value to send:\n" + "\n".join(sorted(unfilled))
    assert set(MATRIX.values()) | {a for a, _ in DASHBOARD_ACTIONS.values()} <= set(ALLOWED)


@pytest.mark.parametrize("who", ACTORS)
def test_each_actor_reaches_exactly_what_the_matrix_allows(world, who):
    client = world.client(who)
    mismatches = []
    for key, rule, form, access in requests_for(world):
        url, response = send(world, client, who, key, rule, form)
        got, want = outcome(response), expected(who, access)
        if got != want:
            method = key.split(" ")[1]
            mismatches.append(
                f"{key} [{access}]: {method} {url} answered {response.status_code} "
                f"({got}), expected {want}"
            )
    assert not mismatches, f"{who}: {len(mismatches)} mismatches\n" + "\n".join(mismatches)


def test_the_matrix_requests_reach_real_objects(world):
    """Each request, sent as the first actor allowed to make it, is not a 404: otherwise
    a wrong placeholder (a module, a code, a revision that does not exist) would make
    every allowed actor "served" by a 404 page and the matrix would check nothing."""
    first = {access: next(a for a in ACTORS if a in allowed) for access, allowed in ALLOWED.items()}
    clients = {who: world.client(who) for who in set(first.values())}
    lost = []
    for key, rule, form, access in requests_for(world):
        who = first[access]
        url, response = send(world, clients[who], who, key, rule, form)
        if response.status_code == 404 and key not in NAMES_NOTHING:
            lost.append(f"{key} as {who}: {key.split(' ')[1]} {url} answered 404")
    assert not lost, "\n".join(lost)


def test_options_never_fails_with_a_server_error(world):
    """An anonymous OPTIONS request to any URL; a CORS preflight or a scanner sends these.
    login_required lets OPTIONS through, so any check after it must cope with nobody."""
    client = world.app.test_client()
    failures = []
    for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):  # files, public
            continue
        url = url_of(world, rule, sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
        status = client.options(url).status_code
        if status >= 500:
            failures.append(f"OPTIONS {url} ({rule.endpoint}) answered {status}")
    assert not failures, f"{len(failures)} URLs fail on OPTIONS:\n" + "\n".join(failures)


# ---------------------------------------------------------------- objects of others


def _attempt_state(world: World) -> tuple:
    with world.app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == world.attempt_y))
        return attempt.status, [aq.chosen for aq in attempt.questions]


def _token_a_state(world: World):
    with world.app.app_context():
        return next(
            x.revoked_at for x in organisations.tokens(organisations.get(world.ids["org_a"]))
        )


def _link_p_state(world: World) -> str:
    with world.app.app_context():
        return db.session.get(ObserverLink, world.ids["link_p"]).status


def _verifier_a_state(world: World) -> bool:
    with world.app.app_context():
        return (
            db.session.scalar(
                select(Membership).where(
                    Membership.user_id == world.ids["verifier_a"],
                    Membership.organisation_id == world.ids["org_a"],
                )
            )
            is not None
        )


def _invitation_state(world: World):
    with world.app.app_context():
        return db.session.scalar(
            select(Invitation.accepted_at).where(Invitation.email == "invitee@example.kz")
        )


def _submit_y(world: World) -> list:
    """All of the observer's questions answered right: what a cheat would send."""
    with world.app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == world.attempt_y))
        course = current_course()
        return form_for(
            attempt, course, world.app.config["SECRET_KEY"], answers_for(attempt, course)
        )


NO_ATTEMPT = "There is no such attempt of yours. Start the quiz again from its page."
NOT_FOUND = "There is no page at this address."


@dataclass(frozen=True)
class Other:
    """Someone reaching another person's (or organisation's) object: a 404 with this
    message. With `made_up`, an id that names nothing must get the same answer."""

    who: str
    method: str
    path: str  # formatted with the world's ids, attempt_y and invitation_a
    message: str  # msgid of the text the answer shows
    form: object = None  # a dict, or a function of the world for forms built from it
    made_up: tuple[str, object] | None = None  # (path, form)
    state: object = None  # a function of the world: what must not change


MADE_UP_ATTEMPT = "0" * 32

OTHERS = {
    "learner opens another learner's attempt": Other(
        who="learner",
        method="GET",
        path="/kk/attempts/{attempt_y}",
        message=NOT_FOUND,
        made_up=(f"/kk/attempts/{MADE_UP_ATTEMPT}", None),
        state=_attempt_state,
    ),
    "learner opens another learner's attempt result": Other(
        who="learner",
        method="GET",
        path="/kk/attempts/{attempt_y}/result",
        message=NOT_FOUND,
        made_up=(f"/kk/attempts/{MADE_UP_ATTEMPT}/result", None),
        state=_attempt_state,
    ),
    "learner submits right answers to another learner's attempt": Other(
        who="learner",
        method="POST",
        path="/kk/attempts/{attempt_y}",
        form=_submit_y,
        message=NO_ATTEMPT,
        made_up=(f"/kk/attempts/{MADE_UP_ATTEMPT}", _submit_y),
        state=_attempt_state,
    ),
    "organisation B opens A's observer checklist": Other(
        who="org_admin_b",
        method="GET",
        path="/kk/organisation/observers/{observer_y}/checklist",
        message=NOT_FOUND,
        made_up=("/kk/organisation/observers/999999/checklist", None),
    ),
    "organisation B revokes A's token": Other(
        who="org_admin_b",
        method="POST",
        path="/kk/organisation/",
        form=lambda w: {"action": "revoke_token", "token": w.token_a_id},
        message="There is no such token of your organisation.",
        made_up=("/kk/organisation/", {"action": "revoke_token", "token": 999999}),
        state=_token_a_state,
    ),
    "organisation B confirms a request made to A": Other(
        who="org_admin_b",
        method="POST",
        path="/kk/organisation/",
        form=lambda w: {"action": "confirm", "link": w.ids["link_p"]},
        message="There is no such request for your organisation.",
        made_up=("/kk/organisation/", {"action": "confirm", "link": 999999}),
        state=_link_p_state,
    ),
    "organisation B declines a request made to A": Other(
        who="org_admin_b",
        method="POST",
        path="/kk/organisation/",
        form=lambda w: {"action": "decline", "link": w.ids["link_p"]},
        message="There is no such request for your organisation.",
        made_up=("/kk/organisation/", {"action": "decline", "link": 999999}),
        state=_link_p_state,
    ),
    "organisation B removes A's verifier": Other(
        who="org_admin_b",
        method="POST",
        path="/kk/organisation/",
        form=lambda w: {"action": "remove", "user": w.ids["verifier_a"]},
        message="This person is not on your staff.",
        made_up=("/kk/organisation/", {"action": "remove", "user": 999999}),
        state=_verifier_a_state,
    ),
    # Unlike a made-up secret ("does not work"), this says the invitation is for another
    # address: the person holding the secret is most likely the invitee signed in with
    # another account, and the secret (24 random bytes) cannot be guessed.
    "learner accepts an invitation for another e-mail": Other(
        who="learner",
        method="GET",
        path="/kk/organisation/invitations/{invitation_a}",
        message="This invitation was sent to another e-mail address.",
        state=_invitation_state,
    ),
}


def _send_other(world: World, case: Other, path: str, form) -> object:
    client = world.client(case.who)
    data = MultiDict(form(world) if callable(form) else form)
    values = {"attempt_y": world.attempt_y, "invitation_a": world.invitation_a, **world.ids}
    return client.open(path.format(**values), method=case.method, data=data)


@pytest.mark.parametrize("name", OTHERS)
def test_another_users_object_is_refused_and_left_alone(world, name):
    case = OTHERS[name]
    before = case.state(world) if case.state else None
    response = _send_other(world, case, case.path, case.form)
    assert response.status_code == 404, f"{case.method} {response.request.path}"
    assert t(world.app, LANG, case.message) in response.get_data(as_text=True)
    if case.state:
        assert case.state(world) == before, "the refused request changed something"
    if case.made_up:
        # Indistinguishable from an id that names nothing: no probing for what exists.
        made_up = _send_other(world, case, *case.made_up)
        assert made_up.status_code == 404
        assert t(world.app, LANG, case.message) in made_up.get_data(as_text=True)


def test_the_owners_reach_the_objects_the_others_were_refused(world):
    """Without this the refusals above could be 404s for ids that were simply wrong."""
    observer = world.client("observer_y")
    assert observer.get(f"/kk/attempts/{world.attempt_y}").status_code == 200
    verifier = world.client("verifier_a")
    checklist = verifier.get(f"/kk/organisation/observers/{world.ids['observer_y']}/checklist")
    assert checklist.status_code == 200
    assert "Жанна Тайная" in checklist.get_data(as_text=True)
    api = world.app.test_client().post(
        "/api/v1/certificates/verify",
        json={"items": [{"code": "ABCD-EFGH-JKMN-P"}]},
        headers={"Authorization": f"Bearer {world.token_a}"},
    )
    assert api.status_code == 200  # A's token was not revoked by B
    assert _link_p_state(world) == "requested"
    assert _invitation_state(world) is None
    assert _verifier_a_state(world)


def test_organisation_b_sees_none_of_as_observers_or_log(world):
    checked = codes.new_code()
    verifier = world.client("verifier_a")
    verifier.post(
        "/kk/organisation/verify", data={"codes": codes.display(checked), "format": "csv"}
    )
    assert checked in verifier.get("/kk/organisation/log").get_data(as_text=True)
    assert "Жанна Тайная" in verifier.get("/kk/organisation/roster.csv").get_data(as_text=True)
    other = world.client("org_admin_b")
    assert checked not in other.get("/kk/organisation/log").get_data(as_text=True)
    assert "Жанна Тайная" not in other.get("/kk/organisation/roster.csv").get_data(as_text=True)
    assert "Жанна Тайная" not in other.get("/kk/organisation/").get_data(as_text=True)


# ---------------------------------------------------------------- the holder's certificate

HOLDER_PAGES = (
    "/kk/certificate/certificate.pdf",
    "/kk/certificate/credential.json",
    "/kk/certificate/print",
)


def test_holder_downloads_are_always_the_signed_in_persons_own(world):
    x, w = world.certificate_x, world.certificate_w
    assert x["pdf"] != w["pdf"]
    # Parameters a curious holder might add to ask for someone else's: all ignored.
    tamper = f"?code={w['code']}&typed={codes.display(w['code'])}&user_id={world.ids['holder_w']}"
    for who, own, theirs in (("learner", x, w), ("holder_w", w, x)):
        client = world.client(who)
        for suffix in ("", tamper):
            pdf = client.get(f"/kk/certificate/certificate.pdf{suffix}")
            assert pdf.status_code == 200
            assert pdf.data == own["pdf"]
            credential = client.get(f"/kk/certificate/credential.json{suffix}")
            assert credential.status_code == 200
            text = json.dumps(credential.json)
            assert own["code"] in text
            assert theirs["code"] not in text
            assert codes.display(theirs["code"]) not in text
            printed = client.get(f"/kk/certificate/print{suffix}").get_data(as_text=True)
            assert codes.display(own["code"]) in printed
            assert codes.display(theirs["code"]) not in printed


@pytest.mark.parametrize("who", ["observer_y", "verifier_a", "trainer"])
def test_a_person_without_a_certificate_gets_404_not_someone_elses(world, who):
    client = world.client(who)
    for path in HOLDER_PAGES:
        response = client.get(path)
        assert response.status_code == 404, path
    page = client.get("/kk/certificate").get_data(as_text=True)
    assert codes.display(world.certificate_x["code"]) not in page
    assert codes.display(world.certificate_w["code"]) not in page


# ---------------------------------------------------------------- authoring revisions


def test_revisions_are_only_for_trainers(world):
    trainer = world.client("trainer")
    history = trainer.get("/kk/trainer/history?page=lesson:alpha/first")
    assert history.status_code == 200
    page = history.get_data(as_text=True)
    assert "Правка тренера." in page
    # The base a trainer's restore form carries, so the refusals below are of a request
    # that would have worked for a trainer.
    with world.app.app_context():
        base = authoring.current_fingerprint(authoring.draft(), "lesson:alpha/first:body", "ru")
    restore = f"/kk/trainer/revisions/{world.revision_id}/restore"
    lesson = Path(world.app.config["CONTENT_DIR"]) / "ru" / "alpha" / "first.md"
    before = lesson.read_text("utf-8")
    for who in ("learner", "verifier_a", "org_admin_b"):
        client = world.client(who)
        assert client.get("/kk/trainer/history?page=lesson:alpha/first").status_code == 403
        assert client.post(restore, data={"base": base}).status_code == 403, who
    anonymous = world.app.test_client()
    assert outcome(anonymous.post(restore, data={"base": base})) == SIGN_IN_REDIRECT
    assert lesson.read_text("utf-8") == before
    with world.app.app_context():
        assert authoring.history("lesson:alpha/first")[0].id == world.revision_id
    assert trainer.post(restore, data={"base": base}).status_code == 303
    assert "Правка тренера." not in lesson.read_text("utf-8")
