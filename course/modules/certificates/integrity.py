"""W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite. No Flask here.

Used for the Open Badges 3.0 credential, the revocation status list and the published
key list: canonicalise with JCS (RFC 8785), hash the proof options and the document
separately, sign the two hashes with Ed25519, encode as multibase base58btc.

As the W3C Recommendation (Data Integrity EdDSA Cryptosuites v1.0, §3.3) says: when the
document has an `@context`, the proof options — and so the proof — carry the same
`@context`; a verifier hashes the proof minus `proofValue`, after checking that the
document's `@context` begins with the proof's. The W3C test vectors check this
(tests/certificates/test_integrity.py).
"""

from __future__ import annotations

import hashlib

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = B58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        number = number * 58 + B58.index(ch)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(rfc8785.dumps(proof_options)).digest()
        + hashlib.sha256(rfc8785.dumps(unsigned)).digest()
    )


def add_proof(
    document: dict, private_key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict:
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in document:
        options["@context"] = document["@context"]
    signature = private_key.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


def _starts_with(document_context, proof_context) -> bool:
    as_list = lambda value: value if isinstance(value, list) else [value]  # noqa: E731
    document_context, proof_context = as_list(document_context), as_list(proof_context)
    return document_context[: len(proof_context)] == proof_context


def verify_proof(document: dict, public_key: Ed25519PublicKey) -> bool:
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != "eddsa-jcs-2022":
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        if not _starts_with(document.get("@context"), options["@context"]):
            return False
        document = {**document, "@context": options["@context"]}
    try:
        public_key.verify(b58decode(value[1:]), _hash_data(document, options))
    except (InvalidSignature, ValueError):
        return False
    return True
