"""The issuer as a `did:web` DID: its identifier from the deployment's base URL, and its
DID document listing our signing keys as `Multikey` verification methods. No Flask here.

did:web (W3C CCG did:web method): `https://host[:port]/path` is `did:web:host[%3Aport]:path`,
resolved at `https://host[:port]/path/did.json`, or `/.well-known/did.json` without a
path. A host name change therefore changes the issuer's DID (docs/deploy.md).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from course.modules.certificates import cose, keys
from course.modules.certificates.integrity import b58decode, b58encode

# The multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint).
ED25519_PUB = b"\xed\x01"
CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web(base_url: str) -> str:
    parts = urlsplit(base_url)
    host = quote(parts.netloc.lower(), safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments])


def document_path(base_url: str) -> str:
    """Where a did:web resolver looks for the document, on the base URL's host."""
    path = urlsplit(base_url).path.rstrip("/")
    return f"{path}/did.json" if path else "/.well-known/did.json"


def multikey(public_key) -> str:
    """An Ed25519 public key as Multikey's `publicKeyMultibase` (`z6Mk…`)."""
    return "z" + b58encode(ED25519_PUB + cose.raw_public_key(public_key))


def public_key_of(value: str) -> bytes:
    """The raw 32 bytes of a `z6Mk…` Ed25519 Multikey; ValueError otherwise."""
    if not value.startswith("z"):
        raise ValueError("not base58btc multibase")
    data = b58decode(value[1:])
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]


def method_id(did: str, kid: str) -> str:
    return f"{did}#{kid}"


def document(did: str, entries: list[keys.KeyEntry]) -> dict:
    """The DID document: the active and retired signing keys (withdrawn ones are left
    out, so that nothing they signed verifies), each for `assertionMethod`."""
    listed = [e for e in entries if e.status != keys.WITHDRAWN]
    return {
        "@context": CONTEXTS,
        "id": did,
        "verificationMethod": [
            {
                "id": method_id(did, e.kid),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey(e.public()),
            }
            for e in listed
        ],
        "assertionMethod": [method_id(did, e.kid) for e in listed],
    }
