"""The security event log (what is recorded, the admins' page and CSV, append-only) and
the client address behind proxies (TRUSTED_PROXIES)."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.certificates import codes
from course.modules.certificates import services as certificates
from course.modules.security import services as security
from course.modules.security.models import SecurityEvent
from tests.support.app import FIXTURE_CONTENT
from tests.support.clients import client_for, sign_in
from tests.support.i18n import t
from tests.support.organisations import api_token


def kinds(app) -> list[str]:
    with app.app_context():
        return [e.kind for e in reversed(security.events(security.Filter()))]


def test_the_account_events_are_recorded_with_who_and_from_where(app, user):
    client = app.test_client()
    sign_in(client, user["email"], "wrong password")
    client.post(
        "/kk/sign-in",
        data={"email": user["email"], "password": user["password"]},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    client.post("/kk/sign-out")
    client.post("/kk/password/forgot", data={"email": user["email"]})
    client.post("/kk/password/forgot", data={"email": "nobody@example.kz"})
    assert kinds(app) == [
        "sign_in_failed",
        "sign_in",
        "sign_out",
        "password_reset_requested",
        "password_reset_requested",
    ]
    with app.app_context():
        [signed_in] = security.events(security.Filter(kind="sign_in"))
        assert signed_in.actor_id == user["id"]
        assert signed_in.address == "203.0.113.9"
        [failed] = security.events(security.Filter(kind="sign_in_failed"))
        assert failed.actor_id is None
        assert failed.subject == f"email:{user['email']}"
        token = accounts.password_reset_token(accounts.get_user(user["id"]))
        db.session.commit()
    client.post(
        f"/kk/password/reset/{token}",
        data={"password": "another long one", "confirm": "another long one"},
    )
    assert kinds(app)[-1] == "password_reset_used"


def test_roles_organisations_tokens_revocations_and_keys_are_recorded(app, org, holder):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "add",
            "trainer@example.kz",
            "--name",
            "Жанар Серікқызы",
            "--role",
            "trainer",
        ],
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    token = api_token(org)
    with app.app_context():
        from course.modules.organisations import services as organisations

        [stored] = organisations.tokens(organisations.get(org["id"]))
        stored_id = stored.id
    org["client"].post("/kk/organisation/", data={"action": "revoke_token", "token": stored_id})
    admin, admin_id, _ = client_for(app, role="admin")
    admin.post(
        f"/kk/admin/certificates/{codes.display(holder['code'])}",
        data={"action": "revoke", "reason": "issued_in_error", "note": ""},
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    with app.app_context():
        retired = next(e.kid for e in certificates.keyring().entries() if e.status == "retired")
    assert runner.invoke(args=["keys", "withdraw", retired]).exit_code == 0
    recorded = kinds(app)
    for kind in (
        "role_changed",
        "organisation_approved",
        "token_created",
        "token_revoked",
        "certificate_revoked",
        "key_rotated",
        "key_withdrawn",
    ):
        assert kind in recorded, kind
    with app.app_context():
        [revoked] = security.events(security.Filter(kind="certificate_revoked"))
        assert revoked.actor_id == admin_id
        assert revoked.subject == f"certificate:{holder['code']}"
        [made] = security.events(security.Filter(kind="token_created"))
        assert token not in (made.detail or "")  # never the secret itself
        assert token[:10] in made.detail


def test_publishing_is_recorded(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # publishing must not touch the fixture
    app = make_app(CONTENT_DIR=str(content))
    trainer, trainer_id, _ = client_for(app, role="trainer")
    response = trainer.post(
        "/kk/trainer/publish",
        data={"law_in_force_on": "2026-11-01", "review_note": "Сверено с постановлением ЦИК."},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    with app.app_context():
        [published] = security.events(security.Filter(kind="edition_published"))
        assert published.actor_id == trainer_id
        assert published.subject.startswith("edition:")


def test_admins_filter_the_log_and_export_it_as_csv(app, user, lang):
    client = app.test_client()
    sign_in(client, user["email"], "wrong password")
    sign_in(client, user["email"], user["password"])
    admin, _, _ = client_for(app, role="admin")
    page = admin.get(f"/{lang}/admin/security?kind=sign_in_failed")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert t(app, lang, "Failed sign-in") in html
    assert f"email:{user['email']}" in html
    assert t(app, lang, "Signed in") + "</td>" not in html  # filtered out
    today = datetime.now(ZoneInfo("Asia/Almaty")).date().isoformat()  # the page's calendar
    export = admin.get(f"/{lang}/admin/security.csv?since={today}&until={today}")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == t(app, lang, "Time")
    assert {row[2] for row in rows[1:]} >= {"sign_in_failed", "sign_in"}
    bad = admin.get(f"/{lang}/admin/security?since=yesterday")
    assert bad.status_code == 400
    assert t(app, lang, "Write the date as YYYY-MM-DD, e.g. 2027-03-31.") in bad.get_data(
        as_text=True
    )
    assert admin.get(f"/{lang}/admin/security?kind=nonsense").status_code == 400


@pytest.mark.parametrize("role", ["learner", "trainer", "verifier"])
def test_only_admins_read_the_log(app, role):
    client, _, _ = client_for(app, role=role)
    assert client.get("/kk/admin/security").status_code == 403
    assert client.get("/kk/admin/security.csv").status_code == 403
    assert app.test_client().get("/kk/admin/security").status_code == 302


def test_the_log_is_append_only(app, user):
    with app.app_context():
        security.record("sign_in", actor_id=user["id"])
        db.session.commit()
        event = db.session.scalars(db.select(SecurityEvent)).one()
        event.kind = "sign_out"
        with pytest.raises(security.NotAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(db.select(SecurityEvent)).one())
        with pytest.raises(security.NotAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalars(db.select(SecurityEvent.kind)).all() == ["sign_in"]


# ---------------------------------------------------------------- behind proxies


def _forwarded(client, address: str):
    return client.get("/kk/verify", headers={"X-Forwarded-For": address})


def test_a_client_cannot_choose_its_address_without_trusted_proxies(make_app):
    app = make_app(VERIFY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [_forwarded(client, f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # one real client, whatever it claims


def test_behind_one_proxy_limits_count_the_real_client(make_app):
    app = make_app(VERIFY_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    assert [_forwarded(client, f"198.51.100.{n}").status_code for n in range(3)] == [200] * 3
    same = [_forwarded(client, "203.0.113.5").status_code for _ in range(3)]
    assert same == [200, 200, 429]
    # A client that sends its own header through the proxy: the proxy's entry counts.
    spoofed = client.get("/kk/verify", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.5"})
    assert spoofed.status_code == 429
