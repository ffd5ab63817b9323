"""Certificate pages, the API, published lists and the offline verifier, end to end."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from course.cli import main
from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.certificates import codes, iin, verification
from course.modules.certificates import services as certificate_services
from tests.support import factories
from tests.support.clients import sign_in
from tests.support.i18n import html_lang, t

IIN = "900101300017"


def test_my_certificate_page_and_the_pdf(app, holder, lang, tmp_path):
    client = holder["client"]
    page = client.get(f"/{lang}/certificate")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html_lang(html) == lang
    assert codes.display(holder["code"]) in html
    assert "<svg" in html
    with client.get(f"/{lang}/certificate/certificate.pdf") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        pdf = response.data
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in (
        "Әсел Қайратқызы Нұрланова",
        "ОҚУДЫ АЯҚТАҒАНЫ ТУРАЛЫ СЕРТИФИКАТ",
        "СЕРТИФИКАТ О ПРОХОЖДЕНИИ ОБУЧЕНИЯ",
        "Сынақ курсы",
        "Тестовый курс",
        codes.display(holder["code"]),
    ):
        assert expected in text, expected
    # The QR, decoded from a 150-dpi rendering, is the signed link; it opens the page.
    link = verification.qr_text_from_pdf(pdf, dpi=150)
    assert link == holder["qr"]
    path = "/" + link.split("/", 3)[3]
    opened = app.test_client().get(path, headers={"Accept-Language": lang})
    assert opened.status_code == 200
    assert "Әсел Қайратқызы Нұрланова" in opened.get_data(as_text=True)
    # Served from storage: the same bytes every time.
    with client.get(f"/{lang}/certificate/certificate.pdf") as again:
        assert again.data == pdf
    assert client.get(f"/{lang}/certificate/print").status_code == 200


def pinned_root(app) -> list[str]:
    """The option that pins the issuer's root, as a verifier copies it from the issuer."""
    with app.app_context():
        return ["--root-fingerprint", certificate_services.root_fingerprint()]


def test_the_offline_verifier_on_the_pdf_and_a_changed_payload(app, holder, tmp_path):
    with holder["client"].get("/kk/certificate/certificate.pdf") as response:
        (tmp_path / "certificate.pdf").write_bytes(response.data)
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(app.test_client().get("/.well-known/course-keys.json").json))
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "certs",
            "verify",
            str(tmp_path / "certificate.pdf"),
            "--keys",
            str(keys_file),
            *pinned_root(app),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output
    assert "Әсел Қайратқызы Нұрланова" in result.output
    prefix, payload = holder["qr"].split("/V1/")
    changed = prefix + "/V1/" + payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
    result = runner.invoke(
        main, ["certs", "verify", changed, "--keys", str(keys_file), *pinned_root(app)]
    )
    assert result.exit_code == 1
    assert "FORGED" in result.output


def test_revocation_on_the_page_the_api_and_the_offline_verifier(app, holder, tmp_path, lang):
    with app.app_context():
        admin = factories.make_user(role="admin")
        db.session.commit()
        admin_email, admin_id = admin.email, admin.id
    staff = app.test_client()
    sign_in(staff, admin_email, factories.PASSWORD)
    display = codes.display(holder["code"])
    response = staff.post(
        f"/{lang}/admin/certificates/{display}",
        data={"action": "revoke", "reason": "exam_misconduct", "note": "copied"},
    )
    assert response.status_code == 302
    public = app.test_client()
    page = public.get(f"/{lang}/verify/{display}").get_data(as_text=True)
    assert t(app, lang, "Revoked") in page
    api = public.get(f"/api/v1/certificates/{display}").json
    assert api["status"] == "revoked"
    assert api["revoked_reason"] == "exam_misconduct"
    (tmp_path / "keys.json").write_text(
        json.dumps(public.get("/.well-known/course-keys.json").json)
    )
    (tmp_path / "status.json").write_text(json.dumps(public.get("/status/1").json))
    result = CliRunner().invoke(
        main,
        [
            "certs",
            "verify",
            holder["qr"],
            "--keys",
            str(tmp_path / "keys.json"),
            "--status",
            str(tmp_path / "status.json"),
            *pinned_root(app),
        ],
    )
    assert result.exit_code == 1
    assert "REVOKED" in result.output
    admin_page = staff.get(f"/{lang}/admin/certificates/{display}")
    assert admin_page.status_code == 200
    assert f"revoke — #{admin_id} — exam_misconduct: copied" in admin_page.get_data(as_text=True)


def test_a_typo_in_a_typed_code_is_caught_before_lookup(app, client, holder, lang):
    code = holder["code"]
    typo = code[:5] + ("Z" if code[5] != "Z" else "Y") + code[6:]
    response = client.get(f"/{lang}/verify", query_string={"code": codes.display(typo)})
    assert response.status_code == 400
    message = "This code has a typo: one character is wrong or two are swapped. Check the code."
    assert t(app, lang, message) in response.get_data(as_text=True)
    api = client.get(f"/api/v1/certificates/{typo}?lang={lang}")
    assert api.status_code == 400
    assert api.json["error"]["code"] == "code_typo"
    forgiving = client.get(
        f"/{lang}/verify", query_string={"code": " " + codes.display(code).lower() + " "}
    )
    assert forgiving.status_code == 302


def test_unknown_codes_answer_in_the_same_shape(client, holder):
    known = client.get(f"/api/v1/certificates/{holder['code']}")
    unknown = client.get(f"/api/v1/certificates/{codes.new_code()}")
    assert unknown.status_code == 404
    assert set(unknown.json) == set(known.json)
    assert unknown.json["status"] == "unknown"
    assert unknown.json["holder"] is None


def test_verify_pages_are_not_indexed(client, holder, lang):
    response = client.get(f"/{lang}/verify/{codes.display(holder['code'])}")
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


def test_identity_check_both_ways_and_the_lock(app, holder, lang):
    holder["client"].post(f"/{lang}/certificate", data={"iin": IIN})
    public = app.test_client()
    display = codes.display(holder["code"])
    match = public.post(f"/{lang}/verify/{display}", data={"iin": IIN})
    assert t(app, lang, "The IIN matches this certificate.") in match.get_data(as_text=True)
    page = match.get_data(as_text=True)
    assert IIN not in page
    wrong = next(
        f"8502034{n:04d}{iin.check_digit(f'8502034{n:04d}')}"
        for n in range(100)
        if iin.check_digit(f"8502034{n:04d}") is not None
    )
    typo = public.post(f"/{lang}/verify/{display}", data={"iin": IIN[:-1] + "8"})
    assert typo.status_code == 400
    for _ in range(5):
        no = public.post(f"/api/v1/certificates/{display}/identity-check", json={"iin": wrong})
        assert no.json["result"] == "no_match"
    locked = public.post(f"/api/v1/certificates/{display}/identity-check", json={"iin": IIN})
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "locked"
    assert public.post(f"/{lang}/verify/{display}", data={"iin": IIN}).status_code == 429


@pytest.mark.parametrize("body", [None, [], {"iin": 1}, {"iin": IIN, "extra": 1}, "not json"])
def test_identity_check_api_refuses_bad_bodies(client, holder, body):
    url = f"/api/v1/certificates/{holder['code']}/identity-check"
    response = (
        client.post(url, data=body, content_type="text/plain")
        if isinstance(body, str)
        else client.post(url, json=body)
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_body"


def test_private_mode_shows_initials_until_an_iin_matches(app, holder, lang):
    holder["client"].post(f"/{lang}/certificate", data={"iin": IIN, "private_mode": "on"})
    public = app.test_client()
    display = codes.display(holder["code"])
    page = public.get(f"/{lang}/verify/{display}").get_data(as_text=True)
    assert "Әсел Қайратқызы Нұрланова" not in page
    assert "Ә. Қ. Н." in page
    assert public.get(f"/api/v1/certificates/{display}").json["holder"] == "Ә. Қ. Н."
    matched = public.post(f"/{lang}/verify/{display}", data={"iin": IIN}).get_data(as_text=True)
    assert "Әсел Қайратқызы Нұрланова" in matched


def test_rate_limit_is_a_translated_429_with_retry_after(make_app, lang):
    app = make_app(VERIFY_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.get(f"/{lang}/verify").status_code == 200
    response = client.get(f"/{lang}/verify")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert t(app, lang, "Too many requests") in response.get_data(as_text=True)


def test_published_lists_verify(app, holder):
    client = app.test_client()
    key_list = client.get("/.well-known/course-keys.json").json
    status = client.get("/status/1")
    assert status.headers["Cache-Control"].startswith("public")
    assert verification.verify(holder["qr"], key_list, status.json).status == "valid"
    assert "BitstringStatusListCredential" in status.json["type"]


def test_name_is_locked_after_the_certificate(app, holder, lang):
    response = holder["client"].get(f"/{lang}/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert html_lang(page) == lang
    assert "<p><strong>Әсел Қайратқызы Нұрланова</strong></p>" in page
    locked = (
        "Your name is printed on a certificate and can no longer be changed here. If it is "
        "wrong, write to the administrator: a corrected certificate will replace the old one."
    )
    assert t(app, lang, locked) in page
    assert 'name="name-full_name"' not in page
    assert 'name="lang-locale"' in page  # the rest of the account page is there
    # Posting the name form anyway is refused and changes nothing.
    changed = holder["client"].post(
        f"/{lang}/account", data={"form": "name", "name-full_name": "Басқа Адам Есімі"}
    )
    assert changed.status_code == 403
    with app.app_context():
        assert accounts.get_user(holder["id"]).full_name == "Әсел Қайратқызы Нұрланова"


def test_open_badge_download_verifies_offline(app, holder, tmp_path):
    response = holder["client"].get("/kk/certificate/credential.json")
    assert response.status_code == 200
    (tmp_path / "badge.json").write_text(response.get_data(as_text=True))
    (tmp_path / "keys.json").write_text(
        json.dumps(app.test_client().get("/.well-known/course-keys.json").json)
    )
    result = CliRunner().invoke(
        main,
        [
            "certs",
            "verify",
            str(tmp_path / "badge.json"),
            "--keys",
            str(tmp_path / "keys.json"),
            *pinned_root(app),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output


def test_no_certificate_yet(app, client, user, lang):
    sign_in(client, user["email"], user["password"])
    response = client.get(f"/{lang}/certificate")
    assert response.status_code == 200
    assert client.get(f"/{lang}/certificate/certificate.pdf").status_code == 404


def test_admin_pages_are_for_admins_only(holder, lang):
    assert holder["client"].get(f"/{lang}/admin/certificates/{holder['code']}").status_code == 403


def test_issue_sends_an_email_with_the_link(app, holder):
    import email
    import email.policy
    from pathlib import Path

    [message] = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in Path(app.config["MAIL_OUTBOX"]).glob("*.eml")
    ]
    assert message["Subject"] == t(app, "kk", "Your certificate of completed training")
    body = message.get_content()
    assert "/kk/certificate" in body
    assert codes.display(holder["code"]) in body


def test_a_superseded_certificate_says_so_on_every_page(make_app, tmp_path, lang):
    """After an edition that supersedes earlier certificates: the holder's page, the
    printable page and the public verification page say "superseded — refresher
    recommended" in the page's language; the certificate stays valid."""
    import shutil
    from datetime import date

    from course.modules.authoring import services as authoring
    from tests.support.app import FIXTURE_CONTENT
    from tests.support.certificates import signed_in_holder

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # this test publishes: never the fixture
    app = make_app(CONTENT_DIR=str(content))
    holder = signed_in_holder(app)

    label = "Superseded — refresher recommended"
    pages = (f"/{lang}/certificate", f"/{lang}/certificate/print")
    public = f"/{lang}/verify/{codes.display(holder['code'])}"
    for path in pages:
        assert t(app, lang, label) not in holder["client"].get(path).get_data(as_text=True)
    with app.app_context():
        today = date(2026, 12, 2)
        author = authoring.Author(None, "Тренер Тест")
        authoring.publish(authoring.draft(), author, today, "Тексеру.", True, today)
    for path in pages:
        page = holder["client"].get(path).get_data(as_text=True)
        assert t(app, lang, label) in page, path
    verify_page = app.test_client().get(public).get_data(as_text=True)
    assert t(app, lang, label) in verify_page
    assert t(app, lang, "Valid") in verify_page
