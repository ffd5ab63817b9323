"""Account pages through the test client, in both languages."""

from __future__ import annotations

import re

import pytest

from course.core.db import db
from course.modules.accounts import services
from course.modules.accounts.models import User
from tests.support import factories
from tests.support.clients import sign_in
from tests.support.i18n import html_lang, t
from tests.support.mail import link_path, outbox

GOOD = {
    "full_name": "Әсел Қайратқызы Нұрланова",
    "email": "asel@example.kz",
    "password": "a long password",
    "confirm": "a long password",
    "consent": "y",
}


def count_users(app) -> int:
    with app.app_context():
        return services.count_users()


def register_and_confirm(app, client, data=GOOD, lang="kk"):
    """Register through the form, open the link from the e-mail and press the button."""
    response = client.post(f"/{lang}/register", data=data)
    assert response.status_code == 200
    [message] = [m for m in outbox(app) if m["To"] == data["email"].lower()][-1:]
    path = link_path(message)
    assert f"/{lang}/register/confirm/" in path
    assert client.get(path).status_code == 200
    return client.post(path)


def test_register_in_kazakh_confirms_the_email_then_signs_in_and_keeps_consent(app, client):
    response = client.post("/kk/register", data=GOOD)
    assert response.status_code == 200
    assert t(app, "kk", "Check your e-mail") in response.get_data(as_text=True)
    assert count_users(app) == 0  # no account until the owner of the address confirms
    assert client.get("/kk/course").status_code == 302
    [message] = outbox(app)
    assert message["To"] == "asel@example.kz"
    assert message["Subject"] == t(app, "kk", "Confirm your e-mail to finish registering")
    path = link_path(message)
    assert client.get(path).status_code == 200
    assert count_users(app) == 0  # opening the link (a mail scanner) makes nothing
    done = client.post(path)
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/kk/course")
    assert client.get("/kk/course").status_code == 200
    with app.app_context():
        user = services.find_by_email("asel@example.kz")
        assert user.full_name == "Әсел Қайратқызы Нұрланова"
        assert user.locale == "kk"
        assert user.consent_version == services.CONSENT_VERSION
    client.post("/kk/sign-out")
    assert client.post(path).status_code == 400  # the link works once
    assert count_users(app) == 1


def test_a_registration_link_that_is_forged_or_expired_is_refused(app, client, lang):
    assert client.get(f"/{lang}/register/confirm/not-a-token").status_code == 400
    client.post(f"/{lang}/register", data=GOOD)
    path = link_path(outbox(app)[0])
    with app.app_context():
        from datetime import timedelta

        from course.core.db import utcnow

        later = utcnow() + services.REGISTRATION_LINK_VALID + timedelta(minutes=1)
        assert services.confirm_registration(path.rsplit("/", 1)[1], now=later) is None
        db.session.rollback()
    response = client.get(path)
    assert response.status_code == 200  # still valid now


def test_register_page_is_in_the_page_language(app, client, lang):
    response = client.get(f"/{lang}/register")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert t(app, lang, "Create account") in html
    assert f'href="/{lang}/privacy"' in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Enter your full name."),
        ({"full_name": "Ж" * 201}, "full_name", "The name is too long."),
        (
            {"full_name": "Robert'); DROP TABLE users;--"},
            "full_name",
            "Use only Kazakh, Russian or Latin letters, spaces, hyphens and apostrophes.",
        ),
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
        ({"email": "a" * 250 + "@x.kz"}, "email", "The e-mail address is too long."),
        ({"password": "short", "confirm": "short"}, "password", None),
        ({"confirm": "another long password"}, "confirm", "The passwords do not match."),
        ({"consent": None}, "consent", "Registration needs your consent to the privacy notice."),
    ],
)
def test_register_refuses_bad_input_in_the_page_language(app, client, lang, change, field, message):
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = client.post(f"/{lang}/register", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert f'id="{field}-error"' in html
    if message:
        assert t(app, lang, message) in html
    assert count_users(app) == 0  # nothing half-written


def test_registering_a_known_email_answers_the_same_and_tells_the_owner(app, client, lang):
    assert register_and_confirm(app, client).status_code == 302
    client.post("/kk/sign-out")
    client.get(f"/{lang}/register")  # shows (and so clears) the flashed messages
    stranger = {"password": "a stranger's password", "confirm": "a stranger's password"}
    fresh = client.post(f"/{lang}/register", data={**GOOD, **stranger, "email": "new@example.kz"})
    known = client.post(f"/{lang}/register", data={**GOOD, **stranger, "email": "ASEL@example.kz"})
    assert known.status_code == fresh.status_code == 200
    # The page differs only by the address it names.
    assert known.get_data(as_text=True).replace("asel@example.kz", "new@example.kz") == (
        fresh.get_data(as_text=True)
    )
    assert count_users(app) == 1
    warning = [m for m in outbox(app) if m["To"] == "asel@example.kz"][-1]
    assert warning["Subject"] == t(app, "kk", "Someone tried to register with your e-mail")
    assert "/kk/sign-in" in warning.get_content()
    # Nothing changed for the owner; the stranger's password opens nothing.
    assert sign_in(client, "asel@example.kz", "a stranger's password").status_code == 401
    assert sign_in(client, "asel@example.kz", "a long password").status_code == 302


def test_sign_in_and_out(client, user):
    response = sign_in(client, user["email"], user["password"])
    assert response.status_code == 302
    assert client.get("/kk/account").status_code == 200
    assert client.post("/kk/sign-out").status_code == 302
    assert client.get("/kk/account").status_code == 302


def test_wrong_password_is_401_in_the_page_language(app, client, user, lang):
    response = sign_in(client, user["email"], "not the password", lang)
    assert response.status_code == 401
    assert t(app, lang, "The e-mail or the password is wrong.") in response.get_data(as_text=True)
    assert client.get(f"/{lang}/account").status_code == 302


def test_sign_in_goes_back_to_a_local_next_page_only(client, user):
    local = client.post(
        "/ru/sign-in?next=/ru/learn/alpha/first",
        data={"email": user["email"], "password": user["password"]},
    )
    assert local.headers["Location"] == "/ru/learn/alpha/first"
    client.post("/ru/sign-out")
    evil = client.post(
        "/ru/sign-in?next=//evil.example/x",
        data={"email": user["email"], "password": user["password"]},
    )
    assert evil.headers["Location"].endswith("/kk/course")  # the user's own language


def test_protected_page_redirects_to_sign_in_in_the_same_language(client, lang):
    response = client.get(f"/{lang}/course")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/{lang}/sign-in?next=")


def test_password_reset_by_one_time_link_in_the_learners_language(app, client):
    with app.app_context():
        factories.make_user(email="reset@example.kz", locale="ru")
        db.session.commit()
    response = client.post("/kk/password/forgot", data={"email": "reset@example.kz"})
    assert response.status_code == 302
    [message] = outbox(app)
    assert message["To"] == "reset@example.kz"
    assert message["Subject"] == t(app, "ru", "Reset your password")
    link = re.search(r"http://\S+", message.get_content()).group(0)
    assert "/ru/password/reset/" in link
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    done = client.post(
        "/" + path, data={"password": "brand new password", "confirm": "brand new password"}
    )
    assert done.status_code == 302
    assert sign_in(client, "reset@example.kz", "brand new password").status_code == 302
    client.post("/kk/sign-out")
    again = client.get("/" + path)  # used once: no longer valid
    assert again.status_code == 400
    assert t(app, "ru", "This link does not work") in again.get_data(as_text=True)


def test_password_reset_does_not_reveal_who_has_an_account(app, client):
    response = client.post("/ru/password/forgot", data={"email": "nobody@example.kz"})
    assert response.status_code == 302
    assert outbox(app) == []


def test_forged_reset_token_is_refused(client):
    assert client.get("/kk/password/reset/not-a-token").status_code == 400


def test_account_page_changes_name_and_language(app, signed_in, user, lang):
    response = signed_in.post(
        f"/{lang}/account", data={"form": "name", "name-full_name": "Қасым Жомартұлы"}
    )
    assert response.status_code == 302
    response = signed_in.post(f"/{lang}/account", data={"form": "language", "lang-locale": "ru"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user["id"])
        assert saved.full_name == "Қасым Жомартұлы"
        assert saved.locale == "ru"


def test_account_page_refuses_bad_input(app, signed_in, user, lang):
    bad_name = signed_in.post(f"/{lang}/account", data={"form": "name", "name-full_name": ""})
    assert bad_name.status_code == 400
    assert t(app, lang, "Enter your full name.") in bad_name.get_data(as_text=True)
    bad_lang = signed_in.post(f"/{lang}/account", data={"form": "language", "lang-locale": "en"})
    assert bad_lang.status_code == 400
    wrong = signed_in.post(
        f"/{lang}/account",
        data={
            "form": "password",
            "pw-current": "not it at all",
            "pw-password": "a new long password",
            "pw-confirm": "a new long password",
        },
    )
    assert wrong.status_code == 400
    assert t(app, lang, "The current password is wrong.") in wrong.get_data(as_text=True)
    assert signed_in.post(f"/{lang}/account", data={"form": "nonsense"}).status_code == 400
    with app.app_context():
        saved = db.session.get(User, user["id"])
        assert saved.locale == "kk"
        assert services.check_password(saved, user["password"])


def test_changing_the_password_signs_out_other_sessions(app, user):
    first, second = app.test_client(), app.test_client()
    sign_in(first, user["email"], user["password"])
    sign_in(second, user["email"], user["password"])
    response = first.post(
        "/kk/account",
        data={
            "form": "password",
            "pw-current": user["password"],
            "pw-password": "a new long password",
            "pw-confirm": "a new long password",
        },
    )
    assert response.status_code == 302
    assert first.get("/kk/account").status_code == 200
    assert second.get("/kk/account").status_code == 302


def test_locked_name_is_shown_but_not_editable(app, signed_in, user, lang):
    with app.app_context():
        services.lock_name(db.session.get(User, user["id"]))
        db.session.commit()
    page = signed_in.get(f"/{lang}/account").get_data(as_text=True)
    assert 'name="name-full_name"' not in page
    assert "Әсел Қайратқызы Нұрланова" in page
    response = signed_in.post(
        f"/{lang}/account", data={"form": "name", "name-full_name": "Басқа Адам"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, user["id"]).full_name == "Әсел Қайратқызы Нұрланова"


def test_privacy_notice_in_both_languages(app, client, lang):
    response = client.get(f"/{lang}/privacy")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert html.count("<h2>") == 7
    marker = {"kk": "дербес деректер", "ru": "персональн"}[lang]
    assert marker in html.lower()


def test_sign_in_attempts_are_rate_limited(make_app, lang):
    app = make_app(SIGN_IN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "nobody@example.kz", "wrong password", lang).status_code == 401
    limited = sign_in(client, "nobody@example.kz", "wrong password", lang)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert t(app, lang, "Too many requests") in limited.get_data(as_text=True)
    assert client.get(f"/{lang}/sign-in").status_code == 200  # reading the form is not limited


def test_form_fields_carry_no_none_attributes(client, lang):
    # WTForms writes a None attribute out as the word "None" (aria-describedby="None"):
    # on a fresh form (no errors, some hints) and on a refused one (errors on every field).
    for url in (f"/{lang}/register", f"/{lang}/sign-in"):
        fresh = client.get(url)
        assert fresh.status_code == 200
        page = fresh.get_data(as_text=True)
        assert html_lang(page) == lang
        assert '<input autocomplete="email" id="email"' in page
        assert "aria-invalid" not in page
        assert '="None"' not in page
        refused = client.post(url, data={})
        assert refused.status_code == 400
        page = refused.get_data(as_text=True)
        assert 'aria-describedby="email-error"' in page
        assert '<p class="error" id="email-error">' in page
        assert '="None"' not in page
