"""Test clients: sign one in, make a signed-in client for a new person, read a CSRF token."""

from __future__ import annotations

import re

from course.core.db import db
from tests.support import factories


def sign_in(client, email: str, password: str, lang: str = "kk"):
    """Post the sign-in form; the response is not followed."""
    return client.post(
        f"/{lang}/sign-in", data={"email": email, "password": password}, follow_redirects=False
    )


def client_for(app, **user):
    """A client signed in as a new person made with these fields: (client, user id, e-mail)."""
    with app.app_context():
        made = factories.make_user(**user)
        db.session.commit()
        email_, user_id = made.email, made.id
    client = app.test_client()
    sign_in(client, email_, factories.PASSWORD)
    return client, user_id, email_


def csrf_token_from(html: str) -> str:
    """The value of the page's first CSRF token field; fails if there is none."""
    match = re.search(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
