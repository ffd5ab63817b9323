"""Authoring: people with a role, and the course editor's forms read as a browser would."""

from __future__ import annotations

import html
import re

from werkzeug.datastructures import MultiDict

from course.core.db import db
from tests.support import factories
from tests.support.clients import sign_in


def make_person(app, role: str) -> dict:
    """A new person with this role: {"id", "email", "password"}."""
    with app.app_context():
        made = factories.make_user(role=role, full_name="Гүлнар Серікқызы Әлиева")
        db.session.commit()
        return {"id": made.id, "email": made.email, "password": factories.PASSWORD}


def client_as(app, role: str):
    """A test client signed in as a new person with this role."""
    person = make_person(app, role)
    client = app.test_client()
    sign_in(client, person["email"], person["password"])
    return client


def form_fields(page: str) -> MultiDict:
    """Every field of the page's first form with a "Save draft" button, as it would be sent."""
    fields = MultiDict()
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        fields.add(html.unescape(name), html.unescape(value))
    for name, value in re.findall(
        r'<input type="(?:text|number)" id="[^"]*" name="([^"]+)" value="([^"]*)"', page
    ):
        fields.add(html.unescape(name), html.unescape(value))
    for name, value in re.findall(
        r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        fields.add(html.unescape(name), html.unescape(value))
    return fields


def lesson_form(client, lang: str, module_id: str = "alpha", lesson_id: str = "first"):
    """The lesson editor's fields as the page fills them in, ready to post back."""
    page = client.get(f"/{lang}/trainer/edit/{module_id}/{lesson_id}").get_data(as_text=True)
    fields = form_fields(page)
    for name in ("minutes", "status_as_of"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        fields[name] = match.group(1)
    return fields
