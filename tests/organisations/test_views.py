"""Organisations end to end: apply, approve, invite, confirm, roster, bulk, API, log."""

from __future__ import annotations

import csv
import io
import re

import pytest

from course.core.db import db
from course.modules.certificates import codes
from course.modules.certificates import services as certificates
from course.modules.organisations import services
from tests.support import factories
from tests.support.certificates import complete_course
from tests.support.clients import client_for
from tests.support.i18n import html_lang, t
from tests.support.mail import outbox
from tests.support.organisations import api_token, application, valid_bin

BIN = "900101300017"  # the check digit rule is the IIN's
OTHER_BIN = "850203400127"


def test_application_is_validated_in_the_page_language(app, lang):
    client, _, _ = client_for(app)
    bad = client.post(f"/{lang}/organisations/apply", data=application("123456789012"))
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert html_lang(html) == lang
    assert t(app, lang, "A BIN has 12 digits and a valid check digit. Check the number.") in html
    date = client.post(
        f"/{lang}/organisations/apply",
        data=application(valid_bin("8502034"), accreditation_valid_until="31.03.2027"),
    )
    assert date.status_code == 400
    with app.app_context():
        assert services.pending() == []


def test_rejection_needs_a_reason(app):
    client, _, _ = client_for(app)
    client.post("/kk/organisations/apply", data=application(valid_bin("7707070")))
    admin, _, _ = client_for(app, role="admin")
    with app.app_context():
        organisation_id = services.pending()[0].id
    refused = admin.post(
        "/ru/admin/organisations",
        data={"organisation": organisation_id, "action": "reject", "reason": ""},
    )
    assert refused.status_code == 400
    assert t(app, "ru", "Give the reason for the rejection.") in refused.get_data(as_text=True)
    with app.app_context():
        assert services.get(organisation_id).status == "pending"
    admin.post(
        "/kk/admin/organisations",
        data={
            "organisation": organisation_id,
            "action": "reject",
            "reason": "no observation in the Charter",
        },
    )
    with app.app_context():
        assert services.get(organisation_id).status == "rejected"


def test_invite_a_verifier_by_email(app, org):
    assert (
        org["client"]
        .post("/kk/organisation/", data={"action": "invite", "email": "verifier@example.kz"})
        .status_code
        == 302
    )
    [message] = outbox(app)
    link = re.search(r"https?://\S+", message.get_content()).group(0)
    invited, _, _ = client_for(app, email="verifier@example.kz")
    accepted = invited.get("/" + link.split("/", 3)[3])
    assert accepted.status_code == 302
    assert invited.get("/kk/organisation/").status_code == 200
    # A verifier is not the organisation's admin: no staff or token management.
    assert (
        invited.post("/kk/organisation/", data={"action": "token", "name": "x"}).status_code == 403
    )


def test_observers_are_confirmed_and_the_roster_exports(app, org, lang):
    learners = []
    for n in range(2):
        client, user_id, _ = client_for(app, full_name=f"Бақытжан Серікұлы {'АБ'[n]}")
        assert (
            client.post(
                f"/{lang}/my-organisation", data={"action": "request", "organisation": org["id"]}
            ).status_code
            == 302
        )
        learners.append(user_id)
    page = org["client"].get(f"/{lang}/organisation/").get_data(as_text=True)
    assert "Бақытжан Серікұлы А" in page
    with app.app_context():
        links = [link for link, _user in services.requests(services.get(org["id"]))]
    for link in links:
        org["client"].post(f"/{lang}/organisation/", data={"action": "confirm", "link": link.id})
    roster = org["client"].get(f"/{lang}/organisation/roster.csv")
    assert roster.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(roster.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"Бақытжан Серікұлы А", "Бақытжан Серікұлы Б"}
    checklist = org["client"].get(f"/{lang}/organisation/observers/{learners[0]}/checklist")
    assert checklist.status_code == 200
    assert t(app, lang, "Checklist for the polling station") in checklist.get_data(as_text=True)


def test_one_organisation_never_sees_anothers_observers_or_log(app, org):
    learner, learner_id, _ = client_for(app, full_name="Жанна Тайная")
    learner.post("/kk/my-organisation", data={"action": "request", "organisation": org["id"]})
    with app.app_context():
        [(link, _user)] = services.requests(services.get(org["id"]))
    org["client"].post("/kk/organisation/", data={"action": "confirm", "link": link.id})
    checked = codes.new_code()
    org["client"].post(
        "/kk/organisation/verify", data={"codes": codes.display(checked), "format": "csv"}
    )
    other, _, _ = client_for(app)
    other.post("/kk/organisations/apply", data=application(valid_bin("6606066")))
    with app.app_context():
        other_id = services.pending()[0].id
    org["admin"].post(
        "/kk/admin/organisations", data={"organisation": other_id, "action": "approve"}
    )
    assert "Жанна Тайная" not in other.get("/kk/organisation/").get_data(as_text=True)
    assert other.get(f"/kk/organisation/observers/{learner_id}/checklist").status_code == 404
    assert "Жанна Тайная" not in other.get("/kk/organisation/roster.csv").get_data(as_text=True)
    assert checked not in other.get("/kk/organisation/log").get_data(as_text=True)
    assert checked in org["client"].get("/kk/organisation/log").get_data(as_text=True)
    # Deciding another organisation's request is refused.
    learner2, _, _ = client_for(app)
    learner2.post("/kk/my-organisation", data={"action": "request", "organisation": org["id"]})
    with app.app_context():
        [(link2, _u)] = services.requests(services.get(org["id"]))
    other.post("/kk/organisation/", data={"action": "confirm", "link": link2.id})
    with app.app_context():
        assert services.requests(services.get(org["id"]))  # still waiting


def _certificates(app, count: int, revoke: int) -> list[str]:
    made = []
    with app.app_context():
        admin = factories.make_user(role="admin")
        db.session.commit()
        for n in range(count):
            user_id = complete_course()
            certificate = certificates.current_certificate(user_id)
            if n < revoke:
                certificates.revoke(certificate, admin.id, "issued_in_error", "")
            made.append(certificate.code)
        db.session.commit()
    return made


@pytest.mark.slow
def test_bulk_csv_of_a_thousand_rows(app, org, lang):
    genuine = _certificates(app, 3, revoke=1)
    lines = ["code,iin"]
    lines += [codes.display(c) for c in genuine]
    lines += [codes.display(codes.new_code()) for _ in range(989)]
    lines += [
        "not-a-code",
        "ABCD",
        genuine[1][:5] + ("Z" if genuine[1][5] != "Z" else "Y") + genuine[1][6:],
    ]
    lines += [f"{codes.display(genuine[2])},12345", "a,b,c", ""]
    lines += [codes.display(codes.new_code()) for _ in range(3)]
    body = "\n".join(lines)
    response = org["client"].post(
        f"/{lang}/organisation/verify",
        data={"file": (io.BytesIO(body.encode()), "codes.csv"), "format": "csv"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1000
    by_row = {int(r["row"]): r for r in rows}
    assert by_row[2]["status"] == "revoked"
    assert by_row[3]["status"] == "valid"
    assert by_row[994]["status"] == "code_format"
    assert by_row[996]["status"] == "code_typo"
    assert by_row[997]["status"] == "iin_format"
    assert by_row[998]["status"] == "row_unreadable"
    assert sum(1 for r in rows if r["status"] == "unknown") == 992
    html = org["client"].post(
        f"/{lang}/organisation/verify", data={"codes": "\n".join(lines[1:50]), "format": "html"}
    )
    page = html.get_data(as_text=True)
    assert html_lang(page) == lang
    assert t(app, lang, "Checked %(done)s of %(total)s.", done=49, total=49) in page


def test_api_with_a_token_and_its_revocation(app, org):
    genuine = _certificates(app, 2, revoke=1)
    token = api_token(org)
    with app.app_context():
        stored = services.tokens(services.get(org["id"]))[0]
        assert token not in (stored.token_hash, stored.prefix)
    api = app.test_client()
    items = [
        {"code": codes.display(genuine[0])},
        {"code": genuine[1].lower()},
        {"code": "nope"},
        {"code": codes.display(codes.new_code())},
    ]
    response = api.post(
        "/api/v1/certificates/verify",
        json={"items": items},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json["results"]] == [
        "revoked",
        "valid",
        "code_format",
        "unknown",
    ]
    assert [r["index"] for r in response.json["results"]] == [0, 1, 2, 3]
    with app.app_context():
        assert services.tokens(services.get(org["id"]))[0].last_used_at is not None
    org["client"].post("/kk/organisation/", data={"action": "revoke_token", "token": stored.id})
    refused = api.post(
        "/api/v1/certificates/verify?lang=ru",
        json={"items": items},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "bad_token"
    assert refused.json["error"]["message"] == t(
        app, "ru", "The API token is missing, wrong or revoked."
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "bad_json"),
        ({"items": [{"code": "X"}], "extra": 1}, "unknown_field"),
        ({"items": [{"code": "X", "name": "Y"}]}, "unknown_field"),
        ({"items": [{"code": 5}]}, "unknown_field"),
        ({"items": []}, "batch_size"),
        ({"items": [{"code": "X"}] * 1001}, "batch_size"),
    ],
)
def test_api_refuses_bad_requests(app, org, body, code):
    token = api_token(org)
    headers = {"Authorization": f"Bearer {token}"}
    if isinstance(body, str):
        response = app.test_client().post(
            "/api/v1/certificates/verify",
            data=body,
            content_type="application/json",
            headers=headers,
        )
    else:
        response = app.test_client().post("/api/v1/certificates/verify", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)


def test_api_without_a_token(client):
    response = client.post("/api/v1/certificates/verify", json={"items": [{"code": "X"}]})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "bad_token"


def test_admin_sees_every_log(app, org):
    checked = codes.new_code()
    org["client"].post(
        "/kk/organisation/verify", data={"codes": codes.display(checked), "format": "csv"}
    )
    assert checked in org["admin"].get("/kk/admin/verifications").get_data(as_text=True)
    learner, _, _ = client_for(app)
    assert learner.get("/kk/admin/verifications").status_code == 403
    assert learner.get("/kk/organisation/").status_code == 403


def test_api_rate_limit_is_per_token(make_app):
    app = make_app(API_RATE_LIMIT="2 per minute")
    _client, user_id, _ = client_for(app)
    with app.app_context():
        application_ = services.Application(
            "Ұйым",
            "Организация",
            valid_bin("5505055"),
            "К",
            "o@example.kz",
            "+7",
            True,
            None,
            None,
        )
        organisation = services.apply(user_id, application_)
        services.approve(organisation, user_id)
        first = services.create_token(organisation, "one", user_id)
        second = services.create_token(organisation, "two", user_id)
        db.session.commit()
    api = app.test_client()
    body = {"items": [{"code": "X"}]}

    def call(token):
        return api.post(
            "/api/v1/certificates/verify", json=body, headers={"Authorization": f"Bearer {token}"}
        )

    assert [call(first).status_code for _ in range(2)] == [200, 200]
    limited = call(first)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert call(second).status_code == 200  # another token has its own budget


def test_rate_limits_are_shared_through_redis(make_app):
    """Two app processes (two apps here) share one counter when a shared store is set."""
    import redis

    store = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(store).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")
    one = make_app(RATELIMIT_STORAGE_URI=store, VERIFY_RATE_LIMIT="3 per minute")
    two = make_app(RATELIMIT_STORAGE_URI=store, VERIFY_RATE_LIMIT="3 per minute")
    statuses = [app.test_client().get("/kk/verify").status_code for app in (one, two, one, two)]
    assert statuses == [200, 200, 200, 429]
    redis.Redis.from_url(store).flushdb()


def test_an_invitation_expires_after_a_week(app, org):
    from datetime import timedelta

    from course.modules.organisations.models import Invitation

    with app.app_context():
        secret = services.invite(services.get(org["id"]), "late@example.kz", org["user_id"])
        for invitation in db.session.query(Invitation):
            invitation.created_at -= timedelta(days=8)
        db.session.commit()
    late, _, _ = client_for(app, email="late@example.kz")
    response = late.get(f"/ru/organisation/invitations/{secret}")
    assert response.status_code == 400
    message = "This invitation does not work: it was used already or is not valid."
    assert t(app, "ru", message) in response.get_data(as_text=True)
    assert late.get("/ru/organisation/").status_code == 403


def test_api_logs_what_was_typed_without_control_characters(app, org):
    token = api_token(org)
    body = {"items": [{"code": "AB\x00CD\x07"}]}
    response = app.test_client().post(
        "/api/v1/certificates/verify", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json["results"][0]["status"] == "code_format"
    with app.app_context():
        [entry] = services.log(services.get(org["id"]))
        assert entry.code == "ABCD"
