"""Verifying a certificate with no network: its signed QR text, a key list, a status list.

The same rules an offline verifier app follows: the key list is signed by its root; the
payload's key id is in it; the Ed25519 signature holds; the issue time is inside the
key's signing window; the key is not withdrawn; the revocation bit is not set. No Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from course.modules.certificates import codes, cose, did, integrity, keys, statuslist

VALID, REVOKED, REPLACED = "valid", "revoked", "replaced"
WITHDRAWN, FORGED, UNKNOWN_KEY = "withdrawn_key", "forged", "unknown_key"
PATH_MARK = re.compile(r"/V1/([A-Z2-7]+)", re.IGNORECASE)


class UntrustedList(ValueError):
    """A key list or status list whose own signature does not hold."""


@dataclass(frozen=True)
class Claims:
    issuer: str
    issued_at: datetime
    code: str
    name: str
    edition: int
    completed: date
    status_index: int
    iin_tag: int | None


@dataclass(frozen=True)
class Verdict:
    status: str
    claims: Claims | None = None
    kid: str | None = None
    checked_status: bool = False  # whether a status list was consulted
    # Valid, but a later edition superseded the one it was earned on (the status list's
    # `supersededBefore`): a refresher is recommended.
    superseded: bool = False


def make_claims(
    issuer: str,
    issued_at: datetime,
    code: str,
    name: str,
    edition: int,
    completed: date,
    status_index: int,
    iin_tag: int | None,
) -> dict:
    private = {"n": name, "e": edition, "d": completed.isoformat(), "s": status_index}
    if iin_tag is not None:
        private["t"] = iin_tag
    return {
        cose.ISS: issuer,
        cose.IAT: int(issued_at.timestamp()),
        cose.CTI: code.encode("ascii"),
        cose.CERTIFICATE_CLAIM: private,
    }


def qr_text(base_url: str, signed: bytes) -> str:
    """An ordinary link, all upper case, so the QR can use its compact alphanumeric mode."""
    return f"{base_url.rstrip('/').upper()}/V1/{cose.b32encode(signed)}"


def payload_of(text: str) -> bytes:
    match = PATH_MARK.search(text.strip())
    return cose.b32decode(match.group(1) if match else text.strip())


def read_claims(raw: dict) -> Claims:
    try:
        private = raw[cose.CERTIFICATE_CLAIM]
        code = raw[cose.CTI].decode("ascii")
        codes.normalize(code)
        return Claims(
            issuer=str(raw[cose.ISS]),
            issued_at=datetime.fromtimestamp(int(raw[cose.IAT]), UTC),
            code=code,
            name=str(private["n"]),
            edition=int(private["e"]),
            completed=date.fromisoformat(private["d"]),
            status_index=int(private["s"]),
            iin_tag=int(private["t"]) if "t" in private else None,
        )
    # OverflowError and OSError: an issue time or a number too large for a date or an
    # int (10**20, infinity); the claims are read before the signature is checked, so
    # anyone can send them.
    except (
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
        OSError,
        codes.CodeError,
    ) as e:
        raise cose.MalformedPayload("claims") from e


def status_bits(status_document: dict, key_list: dict) -> tuple[bytes, bytes | None]:
    """The revocation bits (and the replacement bits) of a status list signed by a listed key."""
    proof = status_document.get("proof") or {}
    kid = str(proof.get("verificationMethod", "")).rsplit("#", 1)[-1]
    entry = next(
        (e for e in keys.entries_of(key_list) if e.kid == kid and e.status != keys.WITHDRAWN), None
    )
    if entry is None or not integrity.verify_proof(status_document, entry.public()):
        raise UntrustedList("status list")
    subject = status_document.get("credentialSubject", {})
    revoked = statuslist.decode(subject["encodedList"])
    replaced = subject.get("replacedList")
    return revoked, statuslist.decode(replaced) if replaced else None


def superseded_before(status_document: dict) -> int:
    """Certificates of editions below this one are superseded (0: none are)."""
    value = (status_document.get("credentialSubject") or {}).get("supersededBefore", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _with_status(claims: Claims, kid: str, key_list: dict, status_document: dict | None) -> Verdict:
    """A genuine certificate's verdict once the status list (if any) has had its say."""
    if status_document is None:
        return Verdict(VALID, claims, kid)
    revoked, replaced = status_bits(status_document, key_list)
    if not 0 <= claims.status_index < len(revoked) * 8:
        # Every index we give lies inside our list: one beyond it is not our list's.
        raise UntrustedList("status list")
    if statuslist.is_set(revoked, claims.status_index):
        replaced_too = replaced is not None and statuslist.is_set(replaced, claims.status_index)
        return Verdict(REPLACED if replaced_too else REVOKED, claims, kid, True)
    superseded = claims.edition < superseded_before(status_document)
    return Verdict(VALID, claims, kid, True, superseded)


def verify(text: str, key_list: dict, status_document: dict | None = None) -> Verdict:
    if not keys.verify_key_list(key_list):
        raise UntrustedList("key list")
    try:
        signed = cose.parse(payload_of(text))
        claims = read_claims(signed.claims)
    except cose.MalformedPayload:
        return Verdict(FORGED)
    kid = signed.kid.hex()
    candidates = [e for e in keys.entries_of(key_list) if e.kid == kid]
    if not candidates:
        return Verdict(UNKNOWN_KEY, claims, kid)
    entry = next((e for e in candidates if signed.verify(e.public())), None)
    if entry is None:
        return Verdict(FORGED, None, kid)
    if entry.status == keys.WITHDRAWN:
        return Verdict(WITHDRAWN, claims, kid)
    if not entry.covers(claims.issued_at):
        return Verdict(FORGED, None, kid)
    return _with_status(claims, kid, key_list, status_document)


FRESH_DAYS = 7
ELECTION_DAY_HOURS = 24
KAZAKHSTAN = ZoneInfo("Asia/Almaty")


def fresh_hours(now: datetime, election_days: list[str] | tuple[str, ...] = ()) -> int:
    """How old revocation data may be at `now`: a day on Kazakhstan's election days
    (YYYY-MM-DD in Kazakhstan's calendar), a week otherwise."""
    today = now.astimezone(KAZAKHSTAN).date().isoformat()
    return ELECTION_DAY_HOURS if today in election_days else FRESH_DAYS * 24


def signed_at(status_document: dict) -> datetime | None:
    """When the status list was signed (its `validFrom`), or None if it does not say."""
    try:
        signed = datetime.fromisoformat(status_document["validFrom"])
    except (KeyError, TypeError, ValueError):
        return None
    return signed if signed.tzinfo is not None else None


def is_fresh(status_document: dict, now: datetime, fresh_hours: float) -> bool:
    """The status list was signed at most `fresh_hours` before `now`.

    The offline verifier's rule (course/modules/offline/static/verify.js): a genuine,
    unrevoked certificate is only green while its revocation data is this recent."""
    signed = signed_at(status_document)
    if signed is None:
        return False  # no signed time: nothing says the list is recent
    return now - signed <= timedelta(hours=fresh_hours)


def qr_text_from_pdf(data: bytes, dpi: int = 150) -> str | None:
    """The text of the first QR code on the PDF's first page, rendered at `dpi`."""
    import pypdfium2
    import zxingcpp

    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[0].render(scale=dpi / 72).to_pil()
    finally:
        pdf.close()
    for barcode in zxingcpp.read_barcodes(image):
        if barcode.format == zxingcpp.BarcodeFormat.QRCode:
            return barcode.text
    return None


def verify_credential(
    document: dict, key_list: dict, status_document: dict | None = None
) -> Verdict:
    """An Open Badges 3.0 credential of ours: its proofs (eddsa-rdfc-2022 and
    eddsa-jcs-2022, by one of our keys, every one of them verifying), key and status."""
    if not keys.verify_key_list(key_list):
        raise UntrustedList("key list")
    methods = {
        str(p.get("verificationMethod", "")) if isinstance(p, dict) else ""
        for p in integrity.proofs_of(document)
    }
    if len(methods) != 1:
        return Verdict(FORGED)
    kid = methods.pop().rsplit("#", 1)[-1]
    candidates = [e for e in keys.entries_of(key_list) if e.kid == kid]
    if not candidates:
        return Verdict(UNKNOWN_KEY, None, kid)
    entry = next((e for e in candidates if integrity.verify_proof(document, e.public())), None)
    if entry is None:
        return Verdict(FORGED, None, kid)
    if entry.status == keys.WITHDRAWN:
        return Verdict(WITHDRAWN, None, kid)
    try:
        subject = document["credentialSubject"]
        code = document["id"].rsplit("/", 1)[-1]
        index = int(document["credentialStatus"]["statusListIndex"])
        claims = Claims(
            issuer=str(document["issuer"]["id"]),
            issued_at=datetime.fromisoformat(document["validFrom"]),
            code=code,
            name=str(subject.get("name", "")),
            edition=int(subject["achievement"]["id"].rsplit("-", 1)[-1]),
            completed=datetime.fromisoformat(document["validFrom"]).date(),
            status_index=index,
            iin_tag=None,
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return Verdict(FORGED, None, kid)
    if claims.issuer != did.did_web(str(key_list.get("issuer", ""))):
        # Signed by our key but naming another issuer: not a credential we issued.
        return Verdict(FORGED, None, kid)
    if not entry.covers(claims.issued_at):
        return Verdict(FORGED, None, kid)
    return _with_status(claims, kid, key_list, status_document)
