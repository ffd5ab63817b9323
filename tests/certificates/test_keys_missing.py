"""A server whose configured keys folder is empty (a mount that failed) answers the pages
that need the keys with a translated 503, never a 500, and mints no new root."""

from __future__ import annotations

import pytest

from tests.support.i18n import html_lang, t

MESSAGE = (
    "Certificates cannot be issued or checked on this server right now: its signing keys "
    "are not in place. The operator has been told; please try later."
)


@pytest.mark.parametrize(
    "path",
    ["/{lang}/check", "/{lang}/for/commissions", "/.well-known/course-keys.json", "/status/1"],
)
def test_pages_that_need_the_keys_say_so_when_the_keys_folder_is_empty(
    make_app, tmp_path, lang, path
):
    empty = tmp_path / "keys"
    empty.mkdir()
    app = make_app(KEYS_DIR=str(empty))
    response = app.test_client().get(path.format(lang=lang))
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    if "{lang}" in path:  # a page in the visitor's language
        assert html_lang(body) == lang
        assert t(app, lang, MESSAGE) in body.replace("&#39;", "'")
    else:  # a data document: the same page, in the site's default language
        assert t(app, "kk", MESSAGE) in body.replace("&#39;", "'")
    assert list(empty.iterdir()) == []  # no new root minted in the configured folder
