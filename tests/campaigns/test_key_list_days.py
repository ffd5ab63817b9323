"""The election days in the root-signed key list (/.well-known/course-keys.json): signed
again when an admin records or removes an election, kept by a key rotation, and, when the
root key is kept off the server, named there once `course keys sign-list` has run."""

from __future__ import annotations

from course.modules.campaigns import services as campaigns
from course.modules.certificates import keys
from course.modules.certificates import services as certificates
from tests.support.clients import client_for
from tests.support.i18n import t

FORM = {
    "kind": "maslikhat",
    "day": "2027-03-21",
    "name_kk": "Мәслихат депутаттарының сайлауы",
    "name_ru": "Выборы депутатов маслихатов",
}
ROOT_AWAY = (
    "The root key is not on this server, so the published key list does not "
    "name this change yet: sign the list again where the root key is kept "
    "(course keys sign-list --root-key FILE)."
)
UNPUBLISHED = (
    "The published key list does not name the election days as recorded here: sign it "
    "again where the root key is kept (course keys sign-list --root-key FILE)."
)


def _key_list(app) -> dict:
    listed = app.test_client().get("/.well-known/course-keys.json").json
    with app.app_context():
        assert keys.verify_key_list(listed, certificates.keyring().root_public())
    return listed


def test_recording_an_election_signs_the_key_list_again_with_its_day(make_app, lang):
    app = make_app(COURSE_ELECTION_DAYS="2026-08-23")
    admin, _, _ = client_for(app, role="admin")
    assert admin.post(f"/{lang}/admin/elections", data=FORM).status_code == 303
    assert _key_list(app)["election_days"] == ["2026-08-23", "2027-03-21"]
    with app.app_context():
        [election] = campaigns.elections()
        assert certificates.published_election_days() == ("2026-08-23", "2027-03-21")
        election_id = election.id
    # A rotation knows nothing of elections: it keeps the days the list named.
    with app.app_context():
        certificates.rotate_key()
    assert _key_list(app)["election_days"] == ["2026-08-23", "2027-03-21"]
    assert admin.post(f"/{lang}/admin/elections/{election_id}/remove").status_code == 303
    assert _key_list(app)["election_days"] == ["2026-08-23"]


def test_with_the_root_key_away_the_admin_is_told_and_sign_list_publishes(make_app, lang):
    app = make_app()
    admin, _, _ = client_for(app, role="admin")
    with app.app_context():
        ring = certificates.keyring()
    before = _key_list(app)
    away = ring.folder.parent / "root-away.pem"
    (ring.folder / "root.pem").rename(away)

    response = admin.post(f"/{lang}/admin/elections", data=FORM, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert t(app, lang, ROOT_AWAY) in page
    assert t(app, lang, UNPUBLISHED) in page
    assert _key_list(app) == before  # unchanged, still genuine

    result = app.test_cli_runner().invoke(args=["keys", "sign-list", "--root-key", str(away)])
    assert result.exit_code == 0, result.output
    assert _key_list(app)["election_days"] == ["2027-03-21"]
    page = admin.get(f"/{lang}/admin/elections").get_data(as_text=True)
    assert t(app, lang, UNPUBLISHED) not in page
