"""COSE_Sign1 (RFC 9052) with Ed25519, on cbor2 and cryptography. No Flask here.

The signed payload of a certificate's QR: CWT claims (RFC 8392) plus one private claim
with the certificate's own fields. The signature covers
`["Signature1", protected, b"", payload]`; the protected header carries the algorithm
(EdDSA, -8) and an 8-byte key id (the first 8 bytes of SHA-256 of the raw public key).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

COSE_SIGN1_TAG = 18
ALG, KID = 1, 4
EDDSA = -8
# CWT claim keys (RFC 8392)
ISS, EXP, IAT, CTI = 1, 4, 6, 7
# A private claim (below -65536: private use) holding the certificate's fields.
CERTIFICATE_CLAIM = -70000


class MalformedPayload(ValueError):
    """Not a COSE_Sign1 of ours (garbled, truncated, or another format)."""


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(raw_public_key(public_key)).digest()[:8]


@dataclass(frozen=True)
class Signed:
    """A parsed COSE_Sign1: its key id, claims, and what the signature covers."""

    kid: bytes
    claims: dict
    signature: bytes
    to_be_signed: bytes

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(self.signature, self.to_be_signed)
        except InvalidSignature:
            return False
        return True


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(claims: dict, private_key: Ed25519PrivateKey) -> bytes:
    protected = cbor2.dumps({ALG: EDDSA, KID: key_id(private_key.public_key())})
    payload = cbor2.dumps(claims)
    signature = private_key.sign(_sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def parse(data: bytes) -> Signed:
    try:
        message = cbor2.loads(data)
        if isinstance(message, cbor2.CBORTag):
            if message.tag != COSE_SIGN1_TAG:
                raise MalformedPayload("tag")
            message = message.value
        protected_bytes, _unprotected, payload, signature = message
        protected = cbor2.loads(protected_bytes)
        claims = cbor2.loads(payload)
    except MalformedPayload:
        raise
    except Exception as e:  # cbor2 raises many kinds on garbage; all mean "not ours"
        raise MalformedPayload(str(e)) from e
    if (
        not isinstance(protected, dict)
        or protected.get(ALG) != EDDSA
        or not isinstance(protected.get(KID), bytes)
        or not isinstance(claims, dict)
        or not isinstance(signature, bytes)
    ):
        raise MalformedPayload("header")
    return Signed(protected[KID], claims, signature, _sig_structure(protected_bytes, payload))


def b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def b32decode(text: str) -> bytes:
    text = text.strip().upper()
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (ValueError, base64.binascii.Error) as e:
        raise MalformedPayload("base32") from e
