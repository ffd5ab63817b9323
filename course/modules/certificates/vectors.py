"""Shared test vectors for the two certificate verifiers: Python's (verification.py and
`course certs verify`) and the browser's (course/modules/offline/static/verify.js).

They are made by the real code, with no Flask and no database: a Keyring in a
temporary folder (its keys are random, so every build is new), cose.sign, the
eddsa-jcs-2022 proofs and the Bitstring status list. Each vector is a JSON object:

    name, about    what it is and why
    text           the QR's text
    keys           the root-signed key list (/.well-known/course-keys.json)
    status         the signed status list (/status/1)
    rootKey        the root public key the verifier pins (raw, base64url)
    now            the verifier's clock (ISO 8601)
    electionDays   days (YYYY-MM-DD, Kazakhstan's date) the operator configured
    freshHours     how old the status list may be at `now`: 7 × 24, or 24 on an election day
    expected       {"verdict", "reason", "code"}: the verdict both verifiers must give

The reasons are verification.py's statuses (valid, revoked, replaced, withdrawn_key,
forged, unknown_key), STALE for a genuine certificate whose status list is older than
`freshHours`, and UNTRUSTED when a list's own signature does not hold (no verdict on the
certificate then). The expected verdicts are written here by hand, not computed by
either verifier. `python -m course.modules.certificates.vectors FILE` writes a set.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cbor2

from course.modules.certificates import codes, cose, did, integrity, keys, statuslist, verification

STALE = "stale"
UNTRUSTED = "untrusted_list"
GREEN, AMBER, RED = "green", "amber", "red"
VERDICTS = {
    verification.VALID: GREEN,
    STALE: AMBER,
    verification.REVOKED: RED,
    verification.REPLACED: RED,
    verification.WITHDRAWN: RED,
    verification.FORGED: RED,
    verification.UNKNOWN_KEY: RED,
    UNTRUSTED: None,
}
# Verdicts that show the signed claims (the page shows the holder's name and code).
SHOWS_CLAIMS = frozenset(
    {verification.VALID, STALE, verification.REVOKED, verification.REPLACED, verification.WITHDRAWN}
)

# The offline page's freshness rule (course/modules/offline/services.py holds the values
# the page is configured with; a test keeps these equal to them).
FRESH_DAYS = verification.FRESH_DAYS
ELECTION_DAY_HOURS = verification.ELECTION_DAY_HOURS
KAZAKHSTAN = verification.KAZAKHSTAN

ISSUER = "https://observer-course.example"
EDITION = 3
COMPLETED = date(2027, 2, 9)
NAME = "Әсел Қайратқызы Нұрланова"


fresh_hours = verification.fresh_hours


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# The keys' story: a first key that later leaked, a second that retired, the active third.
INIT = _at("2027-01-04T09:00:00")
WITHDRAWN_SIGNS = _at("2027-01-05T09:00:00")
ROTATE_1 = _at("2027-01-11T09:00:00")
WITHDRAW_1 = _at("2027-01-12T09:00:00")
RETIRED_SIGNS = _at("2027-01-20T09:00:00")
ROTATE_2 = _at("2027-02-01T09:00:00")
LATE_SIGNS = _at("2027-02-05T09:00:00")  # the second key, after its window closed
ISSUE = _at("2027-02-10T09:00:00")
STATUS_AT = _at("2027-03-01T06:00:00")
# 2027-03-21, a Sunday, as an election day. 20:00 UTC on the 20th is already 01:00 on the
# 21st in Kazakhstan: a verifier going by the UTC date would wrongly allow a week.
ELECTION_DAYS = ("2027-03-21",)
ELECTION_STALE_NOW = _at("2027-03-20T20:00:00")
ELECTION_FRESH_NOW = _at("2027-03-21T05:00:00")

# Status-list indexes, one per certificate.
VALID_AT, REVOKED_AT, REPLACED_AT, WITHDRAWN_AT = 1001, 1002, 1003, 1004
RETIRED_AT, LATE_AT, STRANGER_AT = 1005, 1006, 1007


def _sign(private, when: datetime, index: int, name: str = NAME) -> tuple[bytes, str]:
    code = codes.new_code()
    claims = verification.make_claims(ISSUER, when, code, name, EDITION, COMPLETED, index, None)
    return cose.sign(claims, private), code


def _status_list(
    entry: keys.KeyEntry,
    private,
    signed_at: datetime,
    revoked=(),
    replaced=(),
    size: int = statuslist.LIST_SIZE,
    superseded_before: int | None = None,
) -> dict:
    """A status list shaped as certificates/services/lists.py publishes it at /status/1."""
    issuer_did = did.did_web(ISSUER)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", f"{ISSUER}/contexts/status-v1.jsonld"],
        "id": f"{ISSUER}/status/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": signed_at.isoformat(),
        "credentialSubject": {
            "id": f"{ISSUER}/status/1#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(set(revoked) | set(replaced), size=size),
            "replacedList": statuslist.encode(set(replaced), size=size),
        },
    }
    if superseded_before:
        document["credentialSubject"]["supersededBefore"] = superseded_before
    method = did.method_id(issuer_did, entry.kid)
    return integrity.add_proof(document, private, method, signed_at.isoformat())


def _parts(signed: bytes) -> list:
    """[protected, unprotected, payload, signature] of a COSE_Sign1."""
    return list(cbor2.loads(signed).value)


def _message(parts: list, tag: int = cose.COSE_SIGN1_TAG) -> bytes:
    return cbor2.dumps(cbor2.CBORTag(tag, parts))


def build(folder: Path | None = None) -> list[dict]:
    """The vectors, with their keys made in `folder` (a temporary one by default)."""
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            return build(Path(tmp))
    ours = keys.Keyring(folder / "ours")
    ours.init(INIT, ISSUER)
    first, first_key = ours.active()
    withdrawn, withdrawn_code = _sign(first_key, WITHDRAWN_SIGNS, WITHDRAWN_AT)
    ours.rotate(ROTATE_1, ISSUER)
    _second, second_key = ours.active()
    ours.withdraw(first.kid, WITHDRAW_1, ISSUER)
    retired, retired_code = _sign(second_key, RETIRED_SIGNS, RETIRED_AT)
    ours.rotate(ROTATE_2, ISSUER)
    third, third_key = ours.active()
    late, _ = _sign(second_key, LATE_SIGNS, LATE_AT)
    valid, valid_code = _sign(third_key, ISSUE, VALID_AT)
    revoked, revoked_code = _sign(third_key, ISSUE, REVOKED_AT)
    replaced, replaced_code = _sign(third_key, ISSUE, REPLACED_AT)
    key_list = ours.published()
    root = key_list["root_key"]
    status = _status_list(third, third_key, STATUS_AT, revoked=[REVOKED_AT], replaced=[REPLACED_AT])

    # Another root with keys of its own: a certificate, key list and status list of theirs.
    stranger = keys.Keyring(folder / "stranger")
    stranger.init(INIT, ISSUER)
    their_entry, their_key = stranger.active()
    theirs, _ = _sign(their_key, ISSUE, STRANGER_AT)
    their_status = _status_list(their_entry, their_key, STATUS_AT)

    def vector(name, about, signed, reason, code=None, *, now=None, **given) -> dict:
        now = now or STATUS_AT + timedelta(hours=2)
        election_days = list(given.get("election_days", ()))
        return {
            "name": name,
            "about": about,
            "text": signed if isinstance(signed, str) else verification.qr_text(ISSUER, signed),
            "keys": given.get("key_list", key_list),
            "status": given.get("status", status),
            "rootKey": root,
            "now": now.isoformat(),
            "electionDays": election_days,
            "freshHours": fresh_hours(now, election_days),
            "expected": {
                "verdict": VERDICTS[reason],
                "reason": reason,
                "code": code if reason in SHOWS_CLAIMS else None,
                # Valid, but a later edition superseded the certificate's.
                "superseded": given.get("superseded", False),
            },
        }

    protected, _unprotected, payload, signature = _parts(valid)
    changed_claims = cbor2.loads(payload)
    changed_claims[cose.CERTIFICATE_CLAIM]["n"] = "Иван Иванов"
    bad_signature = bytes([signature[0] ^ 1]) + signature[1:]
    changed_keys = json.loads(json.dumps(key_list))
    changed_keys["keys"][0]["status"] = keys.ACTIVE  # the withdrawn key, back in use
    changed_status = json.loads(json.dumps(status))
    changed_status["credentialSubject"]["encodedList"] = statuslist.encode(set())
    eight_days, a_day_and_more = timedelta(days=8), timedelta(hours=25)

    return [
        vector("valid", "signed by the active key, data two hours old", valid, "valid", valid_code),
        vector(
            "valid_retired_key",
            "signed by a retired key inside its window: it keeps verifying",
            retired,
            "valid",
            retired_code,
        ),
        vector(
            "forged_signature",
            "the valid certificate with one bit of its signature changed",
            _message([protected, {}, payload, bad_signature]),
            "forged",
        ),
        vector(
            "forged_payload",
            "the valid certificate with another name in its payload",
            _message([protected, {}, cbor2.dumps(changed_claims), signature]),
            "forged",
        ),
        vector(
            "forged_cose_tag",
            "the valid certificate's parts under tag 17 (COSE_Mac0), not 18",
            _message([protected, {}, payload, signature], tag=17),
            "forged",
        ),
        vector(
            "forged_cose_five_elements",
            "a fifth element after the signature",
            _message([protected, {}, payload, signature, b""]),
            "forged",
        ),
        vector(
            "forged_cose_unprotected_header",
            "a key id in the unprotected header (outside the signature, which still holds)",
            _message([protected, {cose.KID: bytes.fromhex(third.kid)}, payload, signature]),
            "forged",
        ),
        vector(
            "forged_cose_payload_not_bytes",
            "the claims as a map where the signed payload's bytes belong",
            _message([protected, {}, cbor2.loads(payload), signature]),
            "forged",
        ),
        vector(
            "forged_cose_trailing_bytes",
            "the valid certificate with a zero byte after it",
            valid + b"\0",
            "forged",
        ),
        vector(
            "not_a_certificate",
            "a link of the right shape with no certificate in it",
            f"{ISSUER.upper()}/V1/NOTACERTIFICATE",
            "forged",
        ),
        vector(
            "valid_superseded",
            "valid, but the status list says editions below the next one are superseded",
            valid,
            "valid",
            valid_code,
            status=_status_list(third, third_key, STATUS_AT, superseded_before=EDITION + 1),
            superseded=True,
        ),
        vector(
            "valid_superseding_own_edition",
            "a status list superseding editions below this very one: not superseded",
            valid,
            "valid",
            valid_code,
            status=_status_list(third, third_key, STATUS_AT, superseded_before=EDITION),
        ),
        vector("revoked", "revoked in the status list", revoked, "revoked", revoked_code),
        vector(
            "replaced",
            "revoked and marked replaced (a corrected certificate exists)",
            replaced,
            "replaced",
            replaced_code,
        ),
        vector(
            "withdrawn_key",
            "signed by the first key, withdrawn after a leak",
            withdrawn,
            "withdrawn_key",
            withdrawn_code,
        ),
        vector(
            "unknown_key",
            "signed by another root's signing key, which our key list does not have",
            theirs,
            "unknown_key",
        ),
        vector(
            "outside_key_window",
            "signed by the retired second key four days after its window closed",
            late,
            "forged",
        ),
        vector(
            "stale",
            "genuine, but the status list is eight days old: amber",
            valid,
            STALE,
            valid_code,
            now=STATUS_AT + eight_days,
        ),
        vector(
            "fresh_after_a_day",
            "the status list 25 hours old on an ordinary day: still green",
            valid,
            "valid",
            valid_code,
            now=STATUS_AT + a_day_and_more,
        ),
        vector(
            "revoked_and_stale",
            "revoked in an eight-day-old status list: old data cannot make it better",
            revoked,
            "revoked",
            revoked_code,
            now=STATUS_AT + eight_days,
        ),
        vector(
            "election_day_stale",
            "election day (by Kazakhstan's date, not UTC's), the status list 25 hours old",
            valid,
            STALE,
            valid_code,
            now=ELECTION_STALE_NOW,
            election_days=ELECTION_DAYS,
            status=_status_list(third, third_key, ELECTION_STALE_NOW - a_day_and_more),
        ),
        vector(
            "election_day_fresh",
            "election day, the status list 20 hours old",
            valid,
            "valid",
            valid_code,
            now=ELECTION_FRESH_NOW,
            election_days=ELECTION_DAYS,
            status=_status_list(third, third_key, ELECTION_FRESH_NOW - timedelta(hours=20)),
        ),
        vector(
            "untrusted_key_list",
            "the key list changed after the root signed it (the leaked key made active)",
            valid,
            UNTRUSTED,
            key_list=changed_keys,
        ),
        vector(
            "key_list_of_another_root",
            "another root's certificate, key list and status list, all validly signed: "
            "only the pinned root tells them apart",
            theirs,
            UNTRUSTED,
            key_list=stranger.published(),
            status=their_status,
        ),
        vector(
            "untrusted_status_list",
            "the status list's bits changed after it was signed",
            valid,
            UNTRUSTED,
            status=changed_status,
        ),
        vector(
            "short_status_list",
            "a signed status list of 128 entries, shorter than the certificate's index",
            valid,
            UNTRUSTED,
            status=_status_list(third, third_key, STATUS_AT, size=128),
        ),
    ]


def write(path: Path, vectors: list[dict] | None = None) -> list[dict]:
    vectors = build() if vectors is None else vectors
    path.write_text(json.dumps(vectors, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return vectors


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m course.modules.certificates.vectors FILE.json")
    made = write(Path(sys.argv[1]))
    print(f"{len(made)} vectors written to {sys.argv[1]}")
