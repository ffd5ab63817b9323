"""COSE_Sign1 (RFC 9052) with Ed25519, on cbor2 and cryptography. No Flask here.

The signed payload of a certificate's QR: CWT claims (RFC 8392) plus one private claim
with the certificate's own fields. The signature covers
`["Signature1", protected, b"", payload]`; the protected header carries the algorithm
(EdDSA, -8) and an 8-byte key id (the first 8 bytes of SHA-256 of the raw public key).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Mapping
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


def _decode_whole(data: bytes):
    """The one CBOR item that `data` is, with nothing after it; raises MalformedPayload.

    `cbor2.loads` stops after the first item and ignores the rest, so bytes added to a
    genuine message would pass unseen. The decoder may read ahead from a seekable file,
    but it seeks back to the end of the item it decoded, so `fp.read()` returns exactly
    what follows. (Re-encoding and comparing lengths would be wrong: CBOR allows longer
    encodings of the same length or number than the ones cbor2 writes.)
    """
    fp = io.BytesIO(data)
    item = cbor2.CBORDecoder(fp).decode()
    if fp.read():
        raise MalformedPayload("trailing bytes")
    return item


def parse(data: bytes) -> Signed:
    """A COSE_Sign1 of ours, strictly: tag 18, four elements, an empty unprotected map.

    The unprotected header is outside the signature, so anything in it could have been
    put there by anyone: ours is always empty, and a message with more is refused.
    """
    try:
        message = _decode_whole(data)
        if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
            raise MalformedPayload("tag")
        # Inside a tag cbor2 gives an array as a tuple and a map as a frozendict.
        if not isinstance(message.value, list | tuple) or len(message.value) != 4:
            raise MalformedPayload("structure")
        protected_bytes, unprotected, payload, signature = message.value
        if (
            not isinstance(protected_bytes, bytes)
            or not isinstance(unprotected, Mapping)
            or unprotected
            or not isinstance(payload, bytes)
            or not isinstance(signature, bytes)
        ):
            raise MalformedPayload("structure")
        protected = _decode_whole(protected_bytes)
        claims = _decode_whole(payload)
    except MalformedPayload:
        raise
    except Exception as e:  # cbor2 raises many kinds on garbage; all mean "not ours"
        raise MalformedPayload(str(e)) from e
    if (
        not isinstance(protected, dict)
        or protected.get(ALG) != EDDSA
        or not isinstance(protected.get(KID), bytes)
        or not isinstance(claims, dict)
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
