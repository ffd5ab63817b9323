"""The security review's findings, each tried as an attacker would, through the app.

Every test here failed before its fix (issue: "Security: close the holes an attacker
would use first"). The route × role matrix is in test_route_matrix.py, the security log
in test_security_log.py, the property tests in test_fuzz.py.
"""

from __future__ import annotations

import csv
import io
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from course.core.content.published import current_course
from course.core.db import db
from course.core.spreadsheets import FORMULA_STARTS, safe_cell
from course.modules.accounts import services as accounts
from course.modules.accounts.models import PasswordResetToken
from course.modules.certificates import codes, cose, iin, verification
from course.modules.certificates import services as certificates
from course.modules.certificates.keys import Keyring
from course.modules.certificates.models import Certificate
from tests.support import factories
from tests.support.clients import client_for, sign_in
from tests.support.i18n import t
from tests.support.mail import link_path, outbox
from tests.support.organisations import api_token, application, valid_bin

IIN = "900101300017"


def _wrong_iin() -> str:
    return next(
        f"8502034{n:04d}{iin.check_digit(f'8502034{n:04d}')}"
        for n in range(100)
        if iin.check_digit(f"8502034{n:04d}") is not None
    )


# ---------------------------------------------------------------- the Host header


def test_a_forged_host_gets_a_400_and_no_reset_mail(app, client, user):
    response = client.post(
        "/kk/password/forgot", data={"email": user["email"]}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert "Host" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_reset_links_come_from_the_base_url_whatever_the_host(make_app):
    app = make_app(COURSE_BASE_URL="https://observers.example.kz/course")
    with app.app_context():
        factories.make_user(email="victim@example.kz")
        db.session.commit()
    client = app.test_client()
    # "localhost" is trusted (health checks), yet the link must not be built from it.
    response = client.post("/kk/password/forgot", data={"email": "victim@example.kz"})
    assert response.status_code == 302
    [message] = outbox(app)
    body = message.get_content()
    assert "https://observers.example.kz/course/kk/password/reset/" in body
    assert "localhost" not in body


# ---------------------------------------------------------------- sessions


def _cookies(client) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def test_a_copied_session_or_remember_cookie_stops_working_at_sign_out(app, user):
    victim = app.test_client()
    response = victim.post(
        "/kk/sign-in", data={"email": user["email"], "password": user["password"], "remember": "y"}
    )
    assert response.status_code == 302
    stolen = _cookies(victim)
    assert {"session", "remember_token"} <= set(stolen)
    thief = app.test_client()
    for name, value in stolen.items():
        thief.set_cookie(name, value)
    assert thief.get("/kk/account").status_code == 200  # the copy works while signed in
    victim.post("/kk/sign-out")
    for name in ("session", "remember_token"):
        again = app.test_client()
        again.set_cookie(name, stolen[name])
        assert again.get("/kk/account").status_code == 302, name


def test_a_password_reset_ends_other_sessions(app, user):
    other = app.test_client()
    sign_in(other, user["email"], user["password"])
    assert other.get("/kk/account").status_code == 200
    with app.app_context():
        token = accounts.password_reset_token(accounts.get_user(user["id"]))
        db.session.commit()
    app.test_client().post(
        f"/kk/password/reset/{token}",
        data={"password": "a new long secret", "confirm": "a new long secret"},
    )
    assert other.get("/kk/account").status_code == 302


def test_an_idle_session_ends_and_the_remember_cookie_with_it(make_app, user):
    app = make_app(SESSION_IDLE_MINUTES=30)
    client = app.test_client()
    client.post(
        "/kk/sign-in", data={"email": user["email"], "password": user["password"], "remember": "y"}
    )
    assert client.get("/kk/account").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    assert client.get("/kk/account").status_code == 302
    assert "remember_token" not in _cookies(client)
    assert client.get("/kk/account").status_code == 302  # not restored from remember-me
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_session_in_use_does_not_expire(make_app, user):
    app = make_app(SESSION_IDLE_MINUTES=30)
    client = app.test_client()
    sign_in(client, user["email"], user["password"])
    with client.session_transaction() as session:
        session["seen"] -= 29 * 60
    assert client.get("/kk/account").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 29 * 60  # the last request renewed it
    assert client.get("/kk/account").status_code == 200


def test_a_session_ends_after_its_lifetime_however_active(make_app, user):
    app = make_app(SESSION_MAX_HOURS=12)
    client = app.test_client()
    sign_in(client, user["email"], user["password"])
    with client.session_transaction() as session:
        session["since"] -= 12 * 3600 + 60
    assert client.get("/kk/account").status_code == 302
    with app.app_context():
        from course.modules.security import services as security

        [ended] = security.events(security.Filter(kind="session_expired"))
        assert ended.detail == "lifetime"


def test_the_owner_is_told_when_the_password_changes(app, user, lang):
    client = app.test_client()
    sign_in(client, user["email"], user["password"])
    response = client.post(
        f"/{lang}/account",
        data={
            "form": "password",
            "pw-current": user["password"],
            "pw-password": "another long password",
            "pw-confirm": "another long password",
        },
    )
    assert response.status_code == 302
    [message] = outbox(app)
    assert message["To"] == user["email"]
    assert message["Subject"] == t(app, "kk", "Your password was changed")
    assert "/kk/password/forgot" in message.get_content()


# ---------------------------------------------------------------- identity-check locks


def test_anonymous_misses_cannot_lock_out_an_organisations_token(app, holder, org):
    holder["client"].post("/kk/certificate", data={"iin": IIN})
    display = codes.display(holder["code"])
    wrong = _wrong_iin()
    url = f"/api/v1/certificates/{display}/identity-check"
    stranger = app.test_client()
    for _ in range(certificates.MISSES_PER_REQUESTER):
        assert stranger.post(url, json={"iin": wrong}).json["result"] == "no_match"
    locked = stranger.post(url, json={"iin": IIN})
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "locked"
    # Strangers from other addresses together reach the certificate's anonymous limit.
    for n in range(certificates.MISSES_ANONYMOUS_PER_CERTIFICATE):
        other = app.test_client()
        other.post(url, json={"iin": wrong}, environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
    assert (
        app.test_client()
        .post(url, json={"iin": IIN}, environ_base={"REMOTE_ADDR": "192.0.2.200"})
        .status_code
        == 429
    )
    # On election day the organisation still verifies, by token and on its own page.
    token = api_token(org)
    api = app.test_client().post(
        "/api/v1/certificates/verify",
        json={"items": [{"code": display, "iin": IIN}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200
    assert api.json["results"][0]["identity"] == "match"
    bulk = org["client"].post(
        "/kk/organisation/verify", data={"codes": f"{display},{IIN}", "format": "csv"}
    )
    assert ",match" in bulk.get_data(as_text=True)


# ---------------------------------------------------------------- replacing certificates


def test_a_revoked_certificate_is_not_replaced_nor_one_replaced_twice(app, holder, lang):
    admin, admin_id, _ = client_for(app, role="admin")
    display = codes.display(holder["code"])
    first = admin.post(
        f"/{lang}/admin/certificates/{display}",
        data={"action": "replace", "name": "Әсел Нұрланова"},
    )
    assert first.status_code == 302
    twice = admin.post(
        f"/{lang}/admin/certificates/{display}", data={"action": "replace", "name": "Әсел Н."}
    )
    assert twice.status_code == 400
    message = "This certificate was replaced already; correct its replacement instead."
    assert t(app, lang, message) in twice.get_data(as_text=True)
    with app.app_context():
        current = certificates.current_certificate(holder["id"])
        certificates.revoke(current, admin_id, "issued_in_error", "")
        db.session.commit()
        revoked = codes.display(current.code)
    refused = admin.post(
        f"/{lang}/admin/certificates/{revoked}", data={"action": "replace", "name": "Әсел Нұр"}
    )
    assert refused.status_code == 400
    message = "A revoked certificate cannot be replaced: its replacement would be valid."
    assert t(app, lang, message) in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
        assert certificates.public_status(current.code, current_course()).status == "revoked"


# ---------------------------------------------------------------- CSV injection


@pytest.mark.parametrize("prefix", FORMULA_STARTS)
def test_every_formula_prefix_is_neutralised(prefix):
    assert safe_cell(prefix + "HYPERLINK(1)") == "'" + prefix + "HYPERLINK(1)"
    assert safe_cell("a" + prefix) == "a" + prefix
    assert safe_cell("-0.25") == "-0.25"  # a number stays a number


@pytest.mark.parametrize("prefix", ["=", "+", "-"])
def test_the_roster_never_starts_a_cell_with_a_formula(app, org, prefix):
    # Names are letters only; an e-mail's local part may start with = + -, and the roster
    # shows it ("@" and the rest are covered by test_every_formula_prefix_is_neutralised).
    learner, _, _ = client_for(app, full_name="Иван", email=f"{prefix}cmd@example.kz")
    learner.post("/kk/my-organisation", data={"action": "request", "organisation": org["id"]})
    with app.app_context():
        from course.modules.organisations import services as organisations

        [(link, _user)] = organisations.requests(organisations.get(org["id"]))
        link_id = link.id
    org["client"].post("/kk/organisation/", data={"action": "confirm", "link": link_id})
    roster = org["client"].get("/kk/organisation/roster.csv")
    assert roster.status_code == 200
    cells = list(csv.reader(io.StringIO(roster.get_data(as_text=True).lstrip("\ufeff"))))
    assert f"'{prefix}cmd@example.kz" in cells[1]
    assert not any(cell.startswith(FORMULA_STARTS) for row in cells for cell in row)


@pytest.mark.parametrize("prefix", FORMULA_STARTS)
def test_the_bulk_results_never_start_a_cell_with_a_formula(org, prefix):
    typed = f"{prefix}SUM(A1)"
    bulk = org["client"].post(
        "/kk/organisation/verify", data={"codes": f'code\n"{typed}"', "format": "csv"}
    )
    assert bulk.status_code == 200
    cells = list(csv.reader(io.StringIO(bulk.get_data(as_text=True).lstrip("\ufeff"))))
    assert cells[1][2] == "code_format"  # the row was read and reported
    assert not any(cell.startswith(FORMULA_STARTS) for row in cells for cell in row), cells


# ---------------------------------------------------------------- security headers


def test_every_response_carries_the_security_headers(client):
    for path in ("/kk/", "/api/v1/openapi.json", "/static/course.css", "/kk/no-such-page"):
        with client.get(path) as response:
            headers = response.headers
        policy = headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ):
            assert directive in policy, (path, directive)
        assert "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # the base URL is http here


def test_the_camera_is_allowed_only_on_the_offline_check(client):
    assert "camera=(self)" in client.get("/kk/check").headers["Permissions-Policy"]
    assert "camera=(self)" not in client.get("/kk/verify").headers["Permissions-Policy"]


def test_hsts_when_the_base_url_is_https(make_app):
    app = make_app(COURSE_BASE_URL="https://observers.example.kz")
    headers = app.test_client().get("/kk/").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


# ---------------------------------------------------------------- bad input, never a 500


@pytest.mark.parametrize("path", ["/kk/trainer/", "/kk/trainer/publish", "/kk/admin/certificates/"])
def test_anonymous_options_on_trainer_and_admin_pages_is_a_401(client, path):
    response = client.open(path, method="OPTIONS")
    assert response.status_code == 401


def test_deeply_nested_json_is_a_400(app, org):
    deep = "[" * 100_000
    identity = app.test_client().post(
        "/api/v1/certificates/ABCD-EFGH-JKMN-P/identity-check",
        data=deep,
        content_type="application/json",
    )
    # The code is checked first (a typo); a well-formed code then meets the body check.
    code = codes.display(codes.new_code())
    identity = app.test_client().post(
        f"/api/v1/certificates/{code}/identity-check", data=deep, content_type="application/json"
    )
    assert identity.status_code == 400
    assert identity.json["error"]["code"] == "bad_body"
    token = api_token(org)
    bulk = app.test_client().post(
        "/api/v1/certificates/verify",
        data=deep,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bulk.status_code == 400
    assert bulk.json["error"]["code"] == "bad_json"


def test_an_organisation_name_with_a_line_break_is_refused(app, lang):
    client, _, _ = client_for(app)
    data = application(valid_bin("8801013"), name_ru="Открытые выборы\r\nBcc: all@example.kz")
    response = client.post(f"/{lang}/organisations/apply", data=data)
    assert response.status_code == 400
    assert t(app, lang, "Write this on one line, without line breaks.") in response.get_data(
        as_text=True
    )


def test_a_subject_with_a_line_break_stays_one_header(app):
    from course.core.mail import send_mail

    with app.app_context():
        send_mail("x@example.kz", "Шақыру\r\nBcc: all@example.kz", "Мәтін")
    [message] = outbox(app)
    assert message["Subject"] == "Шақыру Bcc: all@example.kz"
    assert message["Bcc"] is None


# ---------------------------------------------------------------- secrets


def test_reset_tokens_are_random_and_kept_only_as_hashes(app, user):
    with app.app_context():
        person = accounts.get_user(user["id"])
        first = accounts.password_reset_token(person)
        second = accounts.password_reset_token(person)
        db.session.commit()
        stored = db.session.scalars(select(PasswordResetToken.token_hash)).all()
    assert first != second
    assert len(first) >= 40
    assert "." not in first
    assert first not in stored
    assert second not in stored
    import hashlib

    assert hashlib.sha256(first.encode()).hexdigest() in stored


def test_a_reset_link_expires(make_app, user):
    app = make_app(PASSWORD_RESET_MAX_AGE=60)
    with app.app_context():
        from datetime import timedelta

        from course.core.db import utcnow

        token = accounts.password_reset_token(accounts.get_user(user["id"]))
        db.session.commit()
        assert accounts.user_for_reset_token(token) is not None
        assert accounts.user_for_reset_token(token, now=utcnow() + timedelta(seconds=61)) is None


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/kk/password/reset/s3cr3tToken", "/kk/password/reset/[redacted]"),
        ("/ru/register/confirm/s3cr3tToken", "/ru/register/confirm/[redacted]"),
        ("/kk/organisation/invitations/s3cr3tToken", "/kk/organisation/invitations/[redacted]"),
        ("/V1/S3CR3TPAYLOAD", "/V1/[redacted]"),
        ("/kk/verify/ABCD-EFGH-JKMN-P", "/kk/verify/[redacted]"),
        (
            "/api/v1/certificates/ABCDEFGHJKMNP/identity-check",
            "/api/v1/certificates/[redacted]/identity-check",
        ),
        ("/api/v1/certificates/verify", "/api/v1/certificates/verify"),
        ("/kk/learn/alpha/first", "/kk/learn/alpha/first"),
    ],
)
def test_the_access_log_never_shows_a_secret(path, shown):
    from course.core.logs import redact_environ

    environ = redact_environ(
        {
            "PATH_INFO": path,
            "QUERY_STRING": "code=ABCD" if "verify" in path else "",
            "HTTP_REFERER": f"http://127.0.0.1:8000{path}",
        }
    )
    assert environ["PATH_INFO"] == shown
    assert environ["RAW_URI"].split("?")[0] == shown
    assert "s3cr3t" not in str(environ).lower()
    assert "S3CR3T" not in str(environ)
    assert "code=ABCD" not in environ["RAW_URI"]


def test_a_secret_in_the_sign_in_pages_next_is_redacted_too():
    from course.core.logs import redact_environ

    # Opening an invitation while signed out sends the browser to sign in, next=the link.
    environ = redact_environ(
        {
            "PATH_INFO": "/kk/sign-in",
            "QUERY_STRING": "next=%2Fkk%2Forganisation%2Finvitations%2FS3CR3T",
        }
    )
    assert "S3CR3T" not in environ["RAW_URI"]
    assert environ["QUERY_STRING"] == "next=/kk/organisation/invitations/[redacted]"


def test_mail_leaves_on_another_thread_after_the_answer(app, client, user, monkeypatch):
    from course.core import mail

    threads = []
    real = mail.send_mail
    monkeypatch.setattr(
        mail, "send_mail", lambda *a: (threads.append(threading.current_thread()), real(*a))
    )
    assert client.post("/kk/password/forgot", data={"email": user["email"]}).status_code == 302
    mail.wait_for_mail()
    assert threads
    assert all(thread is not threading.main_thread() for thread in threads)


# ---------------------------------------------------------------- files


def test_the_database_and_the_outbox_are_private(make_app, tmp_path):
    instance = tmp_path / "private"
    database = instance / "course.sqlite"
    instance.mkdir(mode=0o755)
    from course.config import build_config

    # The default database file, as a fresh install creates it.
    build_config({"INSTANCE_PATH": str(instance), "SECRET_KEY": "x" * 40})
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    app = make_app(INSTANCE_PATH=str(instance))
    with app.app_context():
        from course.core.mail import send_mail

        send_mail("a@example.kz", "Тақырып", "Мәтін")
    box = Path(app.config["MAIL_OUTBOX"])
    assert stat.S_IMODE(box.stat().st_mode) == 0o700
    [message] = box.glob("*.eml")
    assert stat.S_IMODE(message.stat().st_mode) == 0o600


# ---------------------------------------------------------------- keys


def test_withdrawing_the_active_key_leaves_a_working_one_and_invalidates_its_certificates(
    app,
    holder,
    lang,
):
    with app.app_context():
        before = certificates.keyring().active()[0].kid
    result = app.test_cli_runner().invoke(args=["keys", "withdraw", before])
    assert result.exit_code == 0, result.output
    assert "new active signing key" in result.output
    client = app.test_client()
    status = client.get("/status/1")
    assert status.status_code == 200
    assert status.json["proof"]["verificationMethod"].rsplit("#", 1)[-1] != before
    display = codes.display(holder["code"])
    page = client.get(f"/{lang}/verify/{display}")
    assert t(app, lang, "Not valid") in page.get_data(as_text=True)
    assert client.get(f"/api/v1/certificates/{display}").json["status"] == "invalid"
    with app.app_context():
        assert certificates.keyring().active()[0].kid != before


def test_a_qr_signed_by_a_foreign_key_shows_only_the_invalid_verdict(app, holder, lang, tmp_path):
    stranger = Keyring(tmp_path / "stranger")
    with app.app_context():
        from course.core.db import utcnow

        stranger.init(utcnow(), certificates.issuer())
        certificate = certificates.find(holder["code"])
        claims = cose.parse(verification.payload_of(certificate.qr_text)).claims
        base = certificates.issuer()
    _entry, private = stranger.active()
    forged = verification.qr_text(base, cose.sign(claims, private))
    response = app.test_client().get(
        "/" + forged.split("/", 3)[3], headers={"Accept-Language": lang}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert t(app, lang, "This QR code is not a genuine certificate of this course.") in html
    assert t(app, lang, "Valid") not in html
    assert "Әсел" not in html  # nothing of the claims is shown


# ---------------------------------------------------------------- redirects


def test_a_refused_quiz_start_never_redirects_to_another_site(app, user):
    client = app.test_client()
    sign_in(client, user["email"], user["password"])
    evil = client.post("/kk/final-exam/start", headers={"Referer": "https://evil.example/phish"})
    assert evil.status_code == 303
    assert "evil.example" not in evil.headers["Location"]
    assert evil.headers["Location"].endswith("/kk/course")
    ours = client.post(
        "/kk/final-exam/start", headers={"Referer": "http://localhost/kk/final-exam/"}
    )
    assert ours.headers["Location"] == "/kk/final-exam/"


def test_registration_link_from_the_mail_is_on_the_base_url(make_app):
    app = make_app(COURSE_BASE_URL="https://observers.example.kz")
    client = app.test_client()
    client.post(
        "/ru/register",
        data={
            "full_name": "Иван Петров",
            "email": "ivan@example.kz",
            "password": "a long password",
            "confirm": "a long password",
            "consent": "y",
        },
    )
    [message] = outbox(app)
    assert "https://observers.example.kz/ru/register/confirm/" in message.get_content()
    assert link_path(message).startswith("/ru/register/confirm/")
