"""Our eddsa-jcs-2022 code on the W3C Recommendation's own test vectors, so that a
credential refused elsewhere is a fault of the credential, not of the suite."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from course.modules.certificates import integrity, jsonld

VECTORS = Path(__file__).parents[1] / "fixtures" / "w3c-vc-di-eddsa"
ED25519_PUB = b"\xed\x01"  # multicodec prefixes of a Multikey
ED25519_PRIV = b"\x80\x26"


def _load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def _keys() -> tuple[Ed25519PrivateKey, Ed25519PublicKey]:
    pair = _load("keyPair.json")
    public = integrity.b58decode(pair["publicKeyMultibase"][1:])
    private = integrity.b58decode(pair["privateKeyMultibase"][1:])
    assert public[:2] == ED25519_PUB
    assert private[:2] == ED25519_PRIV
    return (
        Ed25519PrivateKey.from_private_bytes(private[2:]),
        Ed25519PublicKey.from_public_bytes(public[2:]),
    )


def test_the_w3c_signed_credential_verifies():
    _private, public = _keys()
    assert integrity.verify_proof(_load("signedJCS.json"), public)


def test_signing_the_w3c_credential_gives_the_w3c_proof():
    private, _public = _keys()
    signed = _load("signedJCS.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    config = _load("proofConfigJCS.json")
    ours = integrity.add_proof(unsigned, private, config["verificationMethod"], config["created"])
    assert ours["proof"] == signed["proof"]  # Ed25519 is deterministic: byte for byte


def test_the_hashes_are_the_recommendations():
    signed = _load("signedJCS.json")
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    combined = (
        hashlib.sha256(rfc8785.dumps(options)).digest()
        + hashlib.sha256(rfc8785.dumps(unsigned)).digest()
    )
    assert combined.hex() == (VECTORS / "combinedHashJCS.txt").read_text().strip()


def test_a_changed_document_or_a_context_the_proof_does_not_begin_is_refused():
    _private, public = _keys()
    signed = _load("signedJCS.json")
    changed = {**signed, "name": "Another Credential"}
    assert not integrity.verify_proof(changed, public)
    other_context = {**signed, "@context": ["https://www.w3.org/ns/credentials/v2"]}
    assert not integrity.verify_proof(other_context, public)


# eddsa-rdfc-2022: the same key, the vectors' example context given as the W3C publishes it.
RDFC = VECTORS / "eddsa-rdfc-2022"
EXAMPLES = {
    "https://www.w3.org/ns/credentials/examples/v2": {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
}


def test_rdfc_canonicalises_the_w3c_credential_as_the_recommendation_does():
    signed = _load("eddsa-rdfc-2022/signedDataInt.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    expected = (RDFC / "canonDocDataInt.txt").read_text(encoding="utf-8")
    assert jsonld.canonical_nquads(unsigned, EXAMPLES) == expected
    config = _load("eddsa-rdfc-2022/proofConfigDataInt.json")
    expected_proof = (RDFC / "proofCanonDataInt.txt").read_text(encoding="utf-8")
    assert jsonld.canonical_nquads(config, EXAMPLES) == expected_proof


def test_rdfc_signing_gives_the_w3c_proof_and_it_verifies():
    private, public = _keys()
    signed = _load("eddsa-rdfc-2022/signedDataInt.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    config = _load("eddsa-rdfc-2022/proofConfigDataInt.json")
    ours = integrity.make_proof(
        unsigned, private, config["verificationMethod"], config["created"], integrity.RDFC, EXAMPLES
    )
    assert ours == signed["proof"]  # no @context in an rdfc proof, and byte for byte
    assert integrity.verify_proof(signed, public, EXAMPLES)
    assert not integrity.verify_proof({**signed, "name": "Another"}, public, EXAMPLES)


def test_an_unshipped_context_is_never_fetched():
    signed = _load("eddsa-rdfc-2022/signedDataInt.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    with pytest.raises(jsonld.ContextNotShipped):
        jsonld.canonical_nquads(unsigned)
    _private, public = _keys()
    assert not integrity.verify_proof(signed, public)  # refused, not looked up


def test_a_proof_set_needs_every_proof_to_hold():
    private, public = _keys()
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Сертификат"}
    both = integrity.add_proof(
        document, private, "did:example:1#k", "2026-12-02T00:00:00+00:00",
        suites=(integrity.RDFC, integrity.JCS),
    )  # fmt: skip
    assert [p["cryptosuite"] for p in both["proof"]] == [integrity.RDFC, integrity.JCS]
    assert integrity.verify_proof(both, public)
    broken = json.loads(json.dumps(both))
    broken["proof"][1]["proofValue"] = both["proof"][0]["proofValue"]
    assert not integrity.verify_proof(broken, public)
    assert not integrity.verify_proof({**both, "proof": []}, public)
