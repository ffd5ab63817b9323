"""Signed payloads, the key list and the status list, verified with no network."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from course.modules.certificates import codes, cose, keys, statuslist, verification
from course.modules.certificates.keys import Keyring
from tests.support.certificates import signed_status_list

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
ISSUER = "http://127.0.0.1:8000"


@pytest.fixture
def keyring(tmp_path):
    ring = Keyring(tmp_path / "keys")
    assert ring.init(NOW - timedelta(days=1), ISSUER)
    return ring


def issue(keyring, name="Әсел Қайратқызы Нұрланова", index=12345, when=NOW, tag=None):
    _entry, private = keyring.active()
    code = codes.new_code()
    claims = verification.make_claims(ISSUER, when, code, name, 2, date(2026, 11, 20), index, tag)
    return verification.qr_text(ISSUER, cose.sign(claims, private)), code


def status_document(keyring, revoked=(), replaced=()):
    return signed_status_list(keyring, ISSUER, NOW, revoked, replaced)


def test_a_genuine_payload_is_valid_and_carries_its_claims(keyring):
    text, code = issue(keyring, tag=517)
    assert text.startswith("HTTP://127.0.0.1:8000/V1/")
    assert text == text.upper()
    verdict = verification.verify(text, keyring.published())
    assert verdict.status == "valid"
    assert verdict.claims.code == code
    assert verdict.claims.name == "Әсел Қайратқызы Нұрланова"
    assert verdict.claims.iin_tag == 517


def test_any_one_changed_character_is_forged(keyring):
    text, _code = issue(keyring)
    prefix, payload = text.split("/V1/")
    seen = set()
    for position in range(0, len(payload), 7):
        replacement = "A" if payload[position] != "A" else "B"
        tampered = prefix + "/V1/" + payload[:position] + replacement + payload[position + 1 :]
        status = verification.verify(tampered, keyring.published()).status
        seen.add(status)
        assert status != "valid", position
    assert "forged" in seen


def test_unknown_and_withdrawn_keys(keyring, tmp_path):
    stranger = Keyring(tmp_path / "other")
    stranger.init(NOW - timedelta(days=1), ISSUER)
    text, _ = issue(stranger)
    assert verification.verify(text, keyring.published()).status == "unknown_key"
    mine, _ = issue(keyring)
    kid = keyring.active()[0].kid
    with pytest.raises(keys.KeyringError):
        keyring.withdraw(kid, NOW, ISSUER)  # the active key: nothing could be signed after it
    keyring.rotate(NOW, ISSUER)
    keyring.withdraw(kid, NOW, ISSUER)
    assert verification.verify(mine, keyring.published()).status == "withdrawn_key"


def test_a_retired_key_still_verifies_but_not_outside_its_window(keyring):
    old_text, _ = issue(keyring, when=NOW)
    keyring.rotate(NOW + timedelta(days=1), ISSUER)
    assert verification.verify(old_text, keyring.published()).status == "valid"
    # The retired key, still on disk, signing after its window closed: refused.
    retired = next(e for e in keyring.entries() if e.status == keys.RETIRED)
    private = keys.load_private(keyring.folder / f"signing-{retired.kid}.pem")
    late = verification.make_claims(
        ISSUER, NOW + timedelta(days=2), codes.new_code(), "Иван", 2, date(2026, 11, 20), 1, None
    )
    text = verification.qr_text(ISSUER, cose.sign(late, private))
    assert verification.verify(text, keyring.published()).status == "forged"


def test_a_forged_key_list_is_refused(keyring):
    published = keyring.published()
    published["keys"][0]["status"] = "active"
    published["updated"] = "2030-01-01T00:00:00+00:00"
    text, _ = issue(keyring)
    with pytest.raises(verification.UntrustedList):
        verification.verify(text, published)


def test_revoked_and_replaced_from_the_status_list(keyring):
    text, _ = issue(keyring, index=99)
    other, _ = issue(keyring, index=100)
    document = status_document(keyring, revoked=[99], replaced=[100])
    assert verification.verify(text, keyring.published(), document).status == "revoked"
    assert verification.verify(other, keyring.published(), document).status == "replaced"
    fresh = status_document(keyring)
    assert verification.verify(text, keyring.published(), fresh).status == "valid"
    fresh["credentialSubject"]["encodedList"] = statuslist.encode([])  # not what was signed
    document["credentialSubject"]["encodedList"] = statuslist.encode([])
    with pytest.raises(verification.UntrustedList):
        verification.verify(text, keyring.published(), document)


def test_status_list_is_small():
    import random

    revoked = random.Random(3).sample(range(1_000_000), 1000)
    encoded = statuslist.encode(revoked, size=1_000_000)
    assert len(encoded) < 3_500  # about 2.2 KB of gzip, as base64url
    bits = statuslist.decode(encoded)
    assert all(statuslist.is_set(bits, i) for i in revoked[:50])
