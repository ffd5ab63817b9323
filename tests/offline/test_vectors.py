"""One set of test vectors through both certificate verifiers: Python's (verification.py
with its freshness rule, and `course certs verify`) and the browser's (verify.js, in
Chromium). Each must give every vector the verdict written in it.

The vectors (course/modules/certificates/vectors.py) are made for each run by the real
signing code, not committed: a change to how certificates, lists or proofs are made then
reaches both verifiers at once, and no file of yesterday's signatures can go stale.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from course.cli import main
from course.modules.certificates import cli, codes, keys, vectors, verification
from course.modules.offline import services
from tests.offline.conftest import WITHOUT_ED25519, engine, verifier_module

UNTRUSTED = {"verdict": None, "reason": vectors.UNTRUSTED, "code": None, "superseded": False}


@pytest.fixture(scope="module")
def vector_set(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("vectors")
    # Written out as well, to look at when a vector fails.
    return vectors.write(folder / "vectors.json", vectors.build(folder / "keys"))


def mismatches(vector_set: list[dict], outcomes: dict[str, dict]) -> list[str]:
    """One line per vector whose outcome is not its expected verdict."""
    wrong = []
    for vector in vector_set:
        want = vector["expected"]
        if outcomes[vector["name"]] != want:
            wrong.append(f"  {vector['name']}: expected {want}, got {outcomes[vector['name']]}")
    return wrong


def report(wrong: list[str], runs: int) -> str:
    return f"{len(wrong)} wrong in {runs} runs:\n" + "\n".join(wrong)


def test_the_vectors_cover_every_verdict_and_the_pages_freshness_rule(vector_set):
    assert {v["expected"]["reason"] for v in vector_set} == set(vectors.VERDICTS)
    assert len({v["name"] for v in vector_set}) == len(vector_set)
    assert {v["freshHours"] for v in vector_set} == {7 * 24, 24}
    # The page is configured with these; the vectors' freshHours follow the same numbers.
    assert (vectors.FRESH_DAYS, vectors.ELECTION_DAY_HOURS) == (
        services.FRESH_DAYS,
        services.ELECTION_DAY_HOURS,
    )


def python_outcome(vector: dict) -> dict:
    """Python's verdict in the vectors' words, with the root pinned as the page pins it."""
    key_list, status = vector["keys"], vector["status"]
    if not keys.verify_key_list(key_list, keys.public_from_b64(vector["rootKey"])):
        return UNTRUSTED
    try:
        verdict = verification.verify(vector["text"], key_list, status)
    except verification.UntrustedList:
        return UNTRUSTED
    reason = verdict.status
    now = datetime.fromisoformat(vector["now"])
    if reason == verification.VALID and not verification.is_fresh(
        status, now, vector["freshHours"]
    ):
        reason = vectors.STALE
    code = verdict.claims.code if reason in vectors.SHOWS_CLAIMS else None
    return {
        "verdict": vectors.VERDICTS[reason],
        "reason": reason,
        "code": code,
        "superseded": verdict.superseded,
    }


def test_python_gives_every_vector_its_verdict(vector_set):
    wrong = mismatches(vector_set, {v["name"]: python_outcome(v) for v in vector_set})
    assert not wrong, report(wrong, len(vector_set))


MESSAGE_STATUS = {message: status for status, message in cli.MESSAGES.items()}


def cli_outcome(vector: dict, folder) -> dict:
    """What `course certs verify` says, read as its user reads it: the first line, and
    the root key's fingerprint compared with the one the operator publishes."""
    keys_file = folder / f"{vector['name']}.keys.json"
    status_file = folder / f"{vector['name']}.status.json"
    keys_file.write_text(json.dumps(vector["keys"]), encoding="utf-8")
    status_file.write_text(json.dumps(vector["status"]), encoding="utf-8")
    pinned = keys.fingerprint(keys.public_from_b64(vector["rootKey"]))
    result = CliRunner().invoke(
        main,
        [
            "certs", "verify", vector["text"], "--keys", str(keys_file),
            "--status", str(status_file), "--root-fingerprint", pinned,
            "--now", vector["now"], "--election-days", ",".join(vector["electionDays"]),
        ],
    )  # fmt: skip
    if result.exit_code == 1 and (
        "is not validly signed" in result.output or "not signed by the pinned root" in result.output
    ):
        return UNTRUSTED
    lines = result.output.splitlines()
    status = vectors.STALE if lines[0] == cli.STALE_MESSAGE else MESSAGE_STATUS[lines[0]]
    assert result.exit_code == (0 if status == verification.VALID else 1), result.output
    assert "revocation data as of" in result.output  # the data's age is always said
    claimed = next((line[len("code: ") :] for line in lines if line.startswith("code: ")), None)
    code = codes.normalize(claimed) if claimed and status in vectors.SHOWS_CLAIMS else None
    superseded = any(line.startswith("superseded: ") for line in lines)
    return {
        "verdict": vectors.VERDICTS[status],
        "reason": status,
        "code": code,
        "superseded": superseded,
    }


def test_course_certs_verify_gives_every_vector_its_verdict(vector_set, tmp_path):
    outcomes = {v["name"]: cli_outcome(v, tmp_path) for v in vector_set}
    wrong = mismatches(vector_set, outcomes)
    assert not wrong, report(wrong, len(vector_set))


# Runs in the page: every vector through verifyText, as the page calls it.
RUN_VECTORS = """async ({ url, vectors, freshDays, electionDayHours }) => {
    const verifier = await import(url);
    const outcomes = {};
    for (const v of vectors) {
        const now = Date.parse(v.now);
        let outcome;
        try {
            const result = await verifier.verifyText(
                v.text,
                { keys: v.keys, status: v.status },
                { now, freshHours: v.freshHours, rootKey: v.rootKey }
            );
            const code = result.claims ? result.claims.code : null;
            const superseded = Boolean(result.superseded);
            outcome = { verdict: result.verdict, reason: result.reason, code, superseded };
        } catch (error) {
            outcome = error instanceof verifier.UntrustedList
                ? { verdict: null, reason: "untrusted_list", code: null, superseded: false }
                : { error: String(error) };
        }
        const config = { electionDays: v.electionDays, freshDays, electionDayHours };
        outcomes[v.name] = { outcome, freshHours: verifier.freshHoursOn(now, config) };
    }
    return outcomes;
}"""


@pytest.mark.browser
def test_the_browser_gives_every_vector_its_verdict(live, phone, vector_set):
    """verify.js with WebCrypto's Ed25519, then with the noble-ed25519 fallback."""
    arg = {
        "url": verifier_module(live, "verify.js"),
        "vectors": vector_set,
        "freshDays": services.FRESH_DAYS,
        "electionDayHours": services.ELECTION_DAY_HOURS,
    }
    wrong = []
    for ed25519 in ("webcrypto", "noble"):
        page = phone.new_page()
        if ed25519 == "noble":
            page.add_init_script(WITHOUT_ED25519)
        page.goto(f"{live.url}/kk/check")
        results = page.evaluate(RUN_VECTORS, arg)
        assert engine(page, live) == ed25519
        outcomes = {name: result["outcome"] for name, result in results.items()}
        wrong += [f"  {ed25519}:{line}" for line in mismatches(vector_set, outcomes)]
        wrong += [
            f"  {ed25519}:  {v['name']}: freshHours {results[v['name']]['freshHours']}, expected "
            f"{v['freshHours']} (election days {v['electionDays']}, now {v['now']})"
            for v in vector_set
            if results[v["name"]]["freshHours"] != v["freshHours"]
        ]
        page.close()
    assert not wrong, report(wrong, 2 * len(vector_set))


W3C = Path(__file__).parents[1] / "fixtures" / "w3c-vc-di-eddsa"
VERIFY_W3C = """async ({ proofs, encoding, signed, key }) => {
    const { verifyProof } = await import(proofs);
    const { fromBase58 } = await import(encoding);
    // A Multikey: multibase "z", base58btc, then the Ed25519 multicodec prefix 0xed 0x01.
    const publicKey = fromBase58(key.slice(1)).slice(2);
    const changed = { ...signed, name: "Another Credential" };
    return [await verifyProof(signed, publicKey), await verifyProof(changed, publicKey)];
}"""


@pytest.mark.browser
def test_the_browser_verifies_the_w3c_test_vector(live, phone):
    """The browser's eddsa-jcs-2022 on the Recommendation's own signed credential."""
    page = phone.new_page()
    page.goto(f"{live.url}/kk/check")
    genuine, changed = page.evaluate(
        VERIFY_W3C,
        {
            "proofs": verifier_module(live, "proofs.js"),
            "encoding": verifier_module(live, "encoding.js"),
            "signed": json.loads((W3C / "signedJCS.json").read_text(encoding="utf-8")),
            "key": json.loads((W3C / "keyPair.json").read_text(encoding="utf-8"))[
                "publicKeyMultibase"
            ],
        },
    )
    assert genuine is True
    assert changed is False
