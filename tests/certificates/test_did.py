"""The issuer's did:web document and the JSON-LD of what we sign: every term defined."""

from __future__ import annotations

import json

import pytest
from pyld import jsonld as pyld

from course.modules.certificates import did, jsonld, keys
from course.modules.certificates import services as certificates

UNDEFINED = "urn:undefined-term:"


@pytest.mark.parametrize(
    ("base", "expected", "path"),
    [
        ("https://sailau.kz", "did:web:sailau.kz", "/.well-known/did.json"),
        ("https://Sailau.kz:8443", "did:web:sailau.kz%3A8443", "/.well-known/did.json"),
        ("https://ngo.kz/observers/course", "did:web:ngo.kz:observers:course", None),
    ],
)
def test_the_did_follows_the_base_url(base, expected, path):
    assert did.did_web(base) == expected
    assert did.document_path(base) == (path or "/observers/course/did.json")


def test_a_multikey_round_trips_and_has_the_ed25519_prefix(app):
    with app.app_context():
        entry, _private = certificates.keyring().active()
    value = did.multikey(entry.public())
    assert value.startswith("z6Mk")
    assert did.public_key_of(value) == keys.unb64(entry.public_key)
    with pytest.raises(ValueError, match="Multikey"):
        did.public_key_of("z" + value[2:])


def test_the_did_document_lists_current_and_retired_keys_and_drops_withdrawn(app):
    client = app.test_client()
    first = client.get("/.well-known/did.json")
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/did+json"
    document = first.json
    assert document["id"] == did.did_web(app.config["COURSE_BASE_URL"])
    assert document["@context"] == did.CONTEXTS
    [method] = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == document["id"]
    assert document["assertionMethod"] == [method["id"]]
    old_kid = method["id"].rsplit("#", 1)[1]

    with app.app_context():
        new = certificates.rotate_key()
    after_rotation = client.get("/.well-known/did.json").json
    assert [m["id"].rsplit("#", 1)[1] for m in after_rotation["verificationMethod"]] == [
        old_kid,
        new.kid,
    ]
    assert client.get("/did.json").json == after_rotation

    with app.app_context():
        certificates.withdraw_key(old_kid)
    after_withdrawal = client.get("/.well-known/did.json").json
    assert old_kid not in json.dumps(after_withdrawal)
    assert after_withdrawal["assertionMethod"] == [f"{document['id']}#{new.kid}"]


def _expanded(document: dict, extra: dict) -> str:
    def load(url, options=None):
        context = extra[url] if url in extra else jsonld.shipped(url)
        return {"contextUrl": None, "documentUrl": url, "document": context}

    # What JSON-LD safe mode refuses is a term no context defines: a trailing @vocab
    # catches every such term under a marker IRI instead of letting expansion drop it.
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["@context"] = [*unsigned["@context"], {"@vocab": UNDEFINED}]
    return json.dumps(pyld.expand(unsigned, {"documentLoader": load}))


def test_every_term_of_the_credential_and_the_status_list_is_defined(holder, app):
    """No term is left to a catch-all vocabulary (which JSON-LD safe mode refuses)."""
    credential = holder["client"].get("/kk/certificate/credential.json").json
    client = app.test_client()
    status = client.get("/status/1").json
    context_url = status["@context"][1]
    extra = {context_url: client.get("/contexts/status-v1.jsonld").json}
    for document in (credential, status):
        expanded = _expanded(document, extra)
        assert UNDEFINED not in expanded, expanded
    assert f"{context_url}#replacedList" in _expanded(status, extra)
    # The check bites: a term we never defined is caught.
    assert UNDEFINED in _expanded({**credential, "nickname": "x"}, extra)
