"""What verifying costs the database, and the two documents the offline verifier downloads
answering If-None-Match: the status list is signed again only when it changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from course.core.db import db
from course.modules.certificates import codes, services, statuslist
from course.modules.certificates.services import lists
from tests.support import factories
from tests.support.queries import queries_of


@pytest.fixture
def app(make_app):
    # The check for newly published editions (one small query a second) stays out.
    return make_app(EDITIONS_CHECK_SECONDS=3600, VERIFY_RATE_LIMIT="10000 per minute")


def test_verifying_a_code_is_one_query(app, holder):
    public = app.test_client()
    display = codes.display(holder["code"])
    for path in (f"/kk/verify/{display}", f"/api/v1/certificates/{display}"):
        public.get(path)  # the first request may look up the editions
        response, seen = queries_of(app, public, path)
        assert response.status_code == 200, path
        assert seen.count == 1, f"{path}:\n{seen}"  # the certificate, by its unique code
    # Signed in, the user's own lookup comes on top, and nothing else.
    response, seen = queries_of(app, holder["client"], f"/ru/verify/{display}")
    assert response.status_code == 200
    assert seen.count == 2, seen


def test_the_status_list_is_signed_again_only_when_it_changes(app, holder):
    client = app.test_client()
    first = client.get("/status/1")
    second = client.get("/status/1")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data  # the same signature, the same validFrom
    etag = first.headers["ETag"]
    assert second.headers["ETag"] == etag
    unchanged = client.get("/status/1", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    with app.app_context():
        admin = factories.make_user(role="admin")
        db.session.flush()
        certificate = services.current_certificate(holder["id"])
        index = certificate.status_index
        services.revoke(certificate, admin.id, "issued_in_error", "Тест.")
        db.session.commit()
    changed = client.get("/status/1", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    encoded = changed.json["credentialSubject"]["encodedList"]
    assert statuslist.is_set(statuslist.decode(encoded), index)


def test_a_status_list_older_than_an_hour_is_signed_again(app, holder, monkeypatch):
    client = app.test_client()
    first = client.get("/status/1").json
    signed_at = datetime.fromisoformat(first["validFrom"])
    later = signed_at + lists.RESIGN_AFTER + timedelta(seconds=5)
    monkeypatch.setattr(lists, "utcnow", lambda: later)
    again = client.get("/status/1").json
    assert datetime.fromisoformat(again["validFrom"]) == later.replace(microsecond=0)
    assert again["proof"]["proofValue"] != first["proof"]["proofValue"]
    assert again["credentialSubject"] == first["credentialSubject"]


def test_a_new_signing_key_signs_the_status_list_at_once(app, holder):
    client = app.test_client()
    before = client.get("/status/1").json["proof"]["verificationMethod"]
    with app.app_context():
        services.rotate_key()
        db.session.commit()
    after = client.get("/status/1").json["proof"]["verificationMethod"]
    assert after != before


def test_the_key_list_answers_if_none_match(app):
    client = app.test_client()
    response = client.get("/.well-known/course-keys.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(
        "/.well-known/course-keys.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    with app.app_context():
        services.rotate_key()  # the list is signed again with the new key in it
        db.session.commit()
    changed = client.get(
        "/.well-known/course-keys.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert changed.status_code == 200
    assert len(changed.json["keys"]) == len(response.json["keys"]) + 1
