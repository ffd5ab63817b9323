"""Catalogs are tested like code: complete, not fuzzy, placeholders and tags kept, current."""

from __future__ import annotations

import re

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from course.cli import extract_args
from course.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TAG = re.compile(r"</?\w+[^>]*>")
NPLURALS = {"kk": 2, "ru": 3}


def catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def messages(cat):
    return [m for m in cat if m.id]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_message_is_translated_and_not_fuzzy(lang):
    cat = catalog(lang)
    assert cat.num_plurals == NPLURALS[lang]
    missing = [
        m.id
        for m in messages(cat)
        if m.fuzzy
        or not m.string
        or (isinstance(m.string, tuple) and (len(m.string) != NPLURALS[lang] or not all(m.string)))
    ]
    assert missing == []
    assert not cat.obsolete


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_placeholders_and_tags_match_the_msgid(lang):
    for m in messages(catalog(lang)):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected_placeholders = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for s in strings:
            assert sorted(set(PLACEHOLDER.findall(s))) == expected_placeholders, m.id
            assert sorted(TAG.findall(s)) == sorted(TAG.findall(ids[0])), m.id


def test_committed_template_matches_a_fresh_extraction(tmp_path):
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(extract_args(fresh))
    with open(fresh, "rb") as f:
        fresh_ids = {m.id for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        committed_ids = {m.id for m in read_po(f) if m.id}
    assert fresh_ids == committed_ids, "run `course i18n update` and translate the new strings"
    for lang in ("kk", "ru"):
        assert {m.id for m in messages(catalog(lang))} == committed_ids


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_compiled_catalog_is_current(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    source = {_key(m.id): _key(m.string) for m in messages(catalog(lang))}
    assert compiled == source, "run `course i18n compile`"


def test_kazakh_catalog_is_in_kazakh():
    text = " ".join(
        s
        for m in messages(catalog("kk"))
        for s in (m.string if isinstance(m.string, tuple) else (m.string,))
    )
    # Һ is rare in Kazakh and absent from these strings; the other eight letters must appear.
    assert set("әғқңөұүі") <= set(text.lower())
