"""W3C Data Integrity proofs with the `eddsa-jcs-2022` and `eddsa-rdfc-2022`
cryptosuites. No Flask here.

`eddsa-jcs-2022` (the status list, the key list, and the Open Badges credential):
canonicalise with JCS (RFC 8785). `eddsa-rdfc-2022` (the Open Badges credential too, as
1EdTech's validator and most learner wallets accept only that suite): canonicalise with
RDF Dataset Canonicalization over the contexts we ship (jsonld.py). Either way the proof
options and the document are hashed separately, the two hashes signed with Ed25519, the
signature encoded as multibase base58btc. A document with two proofs carries them as an
array (a proof set: each signs the document without the other).

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

from course.modules.certificates import jsonld

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


JCS, RDFC = "eddsa-jcs-2022", "eddsa-rdfc-2022"


def _canonical(suite: str, value: dict, contexts: dict | None) -> bytes:
    if suite == JCS:
        return rfc8785.dumps(value)
    return jsonld.canonical_nquads(value, contexts).encode()


def _hash_data(suite: str, document: dict, proof_options: dict, contexts=None) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(_canonical(suite, proof_options, contexts)).digest()
        + hashlib.sha256(_canonical(suite, unsigned, contexts)).digest()
    )


def make_proof(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    suite: str = JCS,
    contexts: dict | None = None,
) -> dict:
    """One proof of `document` (whatever proofs it already has are not signed).
    `contexts`: JSON-LD contexts to use besides the shipped ones (the tests' vectors)."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": suite,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    config = {**options, "@context": document["@context"]} if "@context" in document else options
    signature = private_key.sign(_hash_data(suite, document, config, contexts))
    # eddsa-jcs-2022 carries the @context in the proof; eddsa-rdfc-2022 hashes it with the
    # proof options but leaves it out of the proof (the Recommendation, §3.2.1 and §3.3.1).
    proof = config if suite == JCS else options
    return {**proof, "proofValue": "z" + b58encode(signature)}


def add_proof(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    suites: tuple[str, ...] = (JCS,),
) -> dict:
    """The document with a proof in each suite: one proof as an object, more as an array."""
    proofs = [
        make_proof(document, private_key, verification_method, created, suite) for suite in suites
    ]
    return {**document, "proof": proofs[0] if len(proofs) == 1 else proofs}


def proofs_of(document: dict) -> list:
    proof = document.get("proof")
    return proof if isinstance(proof, list) else [proof]


def _starts_with(document_context, proof_context) -> bool:
    as_list = lambda value: value if isinstance(value, list) else [value]  # noqa: E731
    document_context, proof_context = as_list(document_context), as_list(proof_context)
    return document_context[: len(proof_context)] == proof_context


def verify_proof(document: dict, public_key: Ed25519PublicKey, contexts=None) -> bool:
    """Every proof of the document is one of our suites and verifies with the key (and there
    is at least one): an altered or unknown proof in a set fails the whole set."""
    proofs = proofs_of(document)
    return bool(proofs) and all(_verify_one(document, p, public_key, contexts) for p in proofs)


def _verify_one(document: dict, proof, public_key: Ed25519PublicKey, contexts) -> bool:
    if not isinstance(proof, dict) or proof.get("cryptosuite") not in (JCS, RDFC):
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        if not _starts_with(document.get("@context"), options["@context"]):
            return False
        document = {**document, "@context": options["@context"]}
    if proof["cryptosuite"] == RDFC and "@context" in document:
        options = {**options, "@context": document["@context"]}
    try:
        public_key.verify(
            b58decode(value[1:]), _hash_data(proof["cryptosuite"], document, options, contexts)
        )
    except (InvalidSignature, ValueError):
        # ValueError: not base58, or (rdfc) not JSON-LD over the contexts we ship.
        return False
    return True
