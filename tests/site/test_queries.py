"""What the audiences' pages cost the database: nothing for a visitor who is signed out
(the fingerprint comes from the key folder, the rest from the published course)."""

from __future__ import annotations

import pytest

from tests.support.queries import queries_of


@pytest.fixture
def app(make_app):
    # The check for newly published editions (one small query a second) would otherwise
    # land in the counts below.
    return make_app(EDITIONS_CHECK_SECONDS=3600)


@pytest.mark.parametrize("page", ["learners", "organisations", "commissions"])
def test_signed_out_audience_pages_make_no_query(app, client, lang, page):
    path = f"/{lang}/for/{page}"
    client.get(path)  # the first one may look up the editions
    response, seen = queries_of(app, client, path)
    assert response.status_code == 200
    assert seen.count == 0, f"{path}:\n{seen}"
