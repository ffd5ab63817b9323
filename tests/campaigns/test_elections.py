"""The admins' elections: recorded in both languages, refused when wrong or twice, and
their voting days are election days for the offline check."""

from __future__ import annotations

import html
import json
import re
from datetime import date

from sqlalchemy import select

from course.core.db import db
from course.modules.campaigns import services
from course.modules.campaigns.models import Election
from course.modules.security import services as security
from tests.support.clients import client_for
from tests.support.i18n import html_lang, t

FORM = {
    "kind": "kurultai",
    "day": "2026-08-23",
    "name_kk": "Құрылтай депутаттарының сайлауы",
    "name_ru": "Выборы депутатов Курултая",
}


def _check_config(client, lang: str) -> dict:
    page = client.get(f"/{lang}/check").get_data(as_text=True)
    found = re.search(
        r'<script type="application/json" id="verifier-config">(.*?)</script>', page, re.S
    )
    assert found, "the check page's settings are missing"
    return json.loads(html.unescape(found.group(1)))


def test_an_admin_records_an_election_and_its_day_becomes_an_election_day(make_app, lang):
    app = make_app(COURSE_ELECTION_DAYS="2027-03-21")
    admin, admin_id, _ = client_for(app, role="admin")
    page = admin.get(f"/{lang}/admin/elections").get_data(as_text=True)
    assert html_lang(page) == lang
    assert t(app, lang, "No election is recorded yet.") in page
    assert _check_config(admin, lang)["electionDays"] == ["2027-03-21"]

    response = admin.post(f"/{lang}/admin/elections", data=FORM)
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Құрылтай депутаттарының сайлауы" in page
    assert "Выборы депутатов Курултая" in page
    assert t(app, lang, "Election to the Kurultai") in page
    # Both the recorded day and the configured one, sorted.
    assert _check_config(admin, lang)["electionDays"] == ["2026-08-23", "2027-03-21"]
    with app.app_context():
        [event] = security.events(security.Filter(kind="election_recorded"))
        assert event.actor_id == admin_id

    # Twice the same kind on the same day: refused, in the page's language, nothing added.
    again = admin.post(f"/{lang}/admin/elections", data=FORM)
    assert again.status_code == 409
    assert t(app, lang, "An election of this kind is recorded on this day already.") in (
        html.unescape(again.get_data(as_text=True))
    )
    with app.app_context():
        [election] = db.session.scalars(select(Election)).all()
        assert (election.kind, election.day) == ("kurultai", date(2026, 8, 23))
        election_id = election.id

    removed = admin.post(f"/{lang}/admin/elections/{election_id}/remove")
    assert removed.status_code == 303
    assert _check_config(admin, lang)["electionDays"] == ["2027-03-21"]
    assert admin.post(f"/{lang}/admin/elections/{election_id}/remove").status_code == 404


def test_a_wrong_form_is_refused_with_its_reasons_in_the_page_language(make_app, lang):
    app = make_app()
    admin, _, _ = client_for(app, role="admin")
    response = admin.post(
        f"/{lang}/admin/elections",
        data={**FORM, "day": "23.08.2026", "name_ru": " ", "kind": "coronation"},
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert t(app, lang, "Write the date as YYYY-MM-DD, e.g. 2027-03-31.") in page
    assert t(app, lang, "Give the name in Russian.") in page
    with app.app_context():
        assert services.elections() == []


def test_only_admins_reach_the_elections(make_app):
    app = make_app()
    trainer, _, _ = client_for(app, role="trainer")
    assert trainer.get("/kk/admin/elections").status_code == 403
    assert trainer.post("/kk/admin/elections", data=FORM).status_code == 403
    with app.app_context():
        assert services.elections() == []
