"""Our Open Badges 3.0 credential checked by software we did not write:

- Digital Bazaar's Data Integrity stack for JavaScript (`@digitalbazaar/vc`,
  `data-integrity`, `eddsa-rdfc-2022-cryptosuite`, `eddsa-jcs-2022-cryptosuite`,
  `vc-bitstring-status-list`), run under Node.js by tests/interop/verify.mjs, resolving
  our did:web document and status list from the live test server and nothing else;
  first proven on the W3C vc-di-eddsa test vectors, so that a refusal is ours;
- 1EdTech's Open Badges 3.0 AchievementCredential JSON Schema, with the `jsonschema`
  library.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from course.core.db import db
from course.modules.certificates import did, jsonld
from course.modules.certificates import services as certificates
from tests.support import factories
from tests.support.certificates import signed_in_holder
from tests.support.live import start

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures"
VECTORS = FIXTURES / "w3c-vc-di-eddsa"
SCHEMA = FIXTURES / "1edtech-ob-v3p0" / "achievementcredential.json"
# The W3C examples context the vectors use (its published content).
EXAMPLES = {
    "https://www.w3.org/ns/credentials/examples/v2": {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
}
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


@pytest.fixture(scope="session")
def node():
    """Node.js with the verifiers installed from tests/interop/package-lock.json."""
    executable = shutil.which("node")
    npm = shutil.which("npm")
    if not executable or not npm:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are needed for the independent verifiers")
        pytest.skip("Node.js is not installed")
    if not (HERE / "node_modules" / "@digitalbazaar" / "vc").exists():
        subprocess.run(  # noqa: S603 - a fixed command line
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return executable


def independent_verify(node: str, tmp_path: Path, credential: dict, **request) -> dict:
    path = tmp_path / f"request-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps({"credential": credential, **request}), encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - our script, our arguments
        [node, str(HERE / "verify.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("suite", "vector"),
    [
        ("eddsa-rdfc-2022", "eddsa-rdfc-2022/signedDataInt.json"),
        ("eddsa-jcs-2022", "signedJCS.json"),
    ],
)
def test_the_independent_verifier_accepts_the_w3c_vectors_and_refuses_them_altered(
    node, tmp_path, suite, vector
):
    signed = json.loads((VECTORS / vector).read_text(encoding="utf-8"))
    options = {"suite": suite, "contexts": EXAMPLES, "purpose": "assertion"}
    assert independent_verify(node, tmp_path, signed, **options)["verified"] is True
    altered = {**signed, "name": "Another Credential"}
    result = independent_verify(node, tmp_path, altered, **options)
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


@pytest.fixture
def served(make_app):
    """`course serve`'s app on a live port, a holder of a certificate, and what an
    independent verifier needs to reach it (our did:web and the server, nothing else)."""
    live = start(make_app)
    holder = signed_in_holder(live.app)
    response = holder["client"].get("/kk/certificate/credential.json")
    assert response.status_code == 200
    issuer = did.did_web(live.url)
    request = {
        "contexts": {jsonld.OPEN_BADGES_V3: jsonld.shipped(jsonld.OPEN_BADGES_V3)},
        "didWeb": {issuer: f"{live.url}/.well-known/did.json"},
        "allowFetch": [f"{live.url}/"],
        "checkStatus": True,
    }
    yield {"live": live, "holder": holder, "credential": response.json, "request": request}
    live.stop()


def revoke(app, code: str) -> None:
    with app.app_context():
        admin = factories.make_user(role="admin")
        certificate = certificates.find(code)
        certificates.revoke(certificate, admin.id, certificates.REVOCATION_REASONS[0], "тест")
        db.session.commit()


def test_our_credential_verifies_with_both_suites_and_its_status_bit_follows_revocation(
    node, tmp_path, served
):
    credential, request = served["credential"], served["request"]
    assert [p["cryptosuite"] for p in credential["proof"]] == list(SUITES)
    assert credential["issuer"]["id"] == did.did_web(served["live"].url)
    for suite in SUITES:
        result = independent_verify(node, tmp_path, credential, suite=suite, **request)
        assert result["verified"] is True, (suite, result)
        assert result["status"] == {"verified": True, "bit": 0, "errors": []}, suite

    revoke(served["live"].app, served["holder"]["code"])
    for suite in SUITES:
        result = independent_verify(node, tmp_path, credential, suite=suite, **request)
        # The proof still holds and the (re-signed) status list verifies; its bit for
        # this credential is now set: the library reports it, the verifier refuses.
        assert result["proofVerified"] is True, (suite, result)
        assert result["status"] == {"verified": True, "bit": 1, "errors": []}, suite


@pytest.mark.parametrize("suite", SUITES)
def test_an_altered_credential_is_refused_by_the_independent_verifier(
    node, tmp_path, served, suite
):
    credential = served["credential"]
    altered = json.loads(json.dumps(credential))
    altered["credentialSubject"]["name"] = "Басқа Адам"
    result = independent_verify(node, tmp_path, altered, suite=suite, **served["request"])
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


def test_a_withdrawn_key_leaves_our_did_document_and_its_credentials_stop_verifying(
    node, tmp_path, served
):
    live = served["live"]
    credential = served["credential"]
    kid = credential["proof"][0]["verificationMethod"].rsplit("#", 1)[1]
    with live.app.app_context():
        certificates.withdraw_key(kid)
        document = certificates.did_document()
    assert kid not in json.dumps(document)
    assert len(document["assertionMethod"]) == 1  # the replacement made by the withdrawal
    result = independent_verify(
        node, tmp_path, credential, suite="eddsa-rdfc-2022", **served["request"]
    )
    assert result["verified"] is False
    assert any("is not in the DID document" in e for e in result["errors"]), result


def test_our_credential_passes_1edtechs_json_schema(served):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    credential = served["credential"]
    assert list(validator.iter_errors(credential)) == []
    # The schema does bite: without the required issuer, or with an IdentityObject
    # carrying a property it does not define, the credential fails.
    without_issuer = {k: v for k, v in credential.items() if k != "issuer"}
    assert not validator.is_valid(without_issuer)
    identity = {**credential["credentialSubject"]["identifier"][0], "email": "a@b.kz"}
    subject = {**credential["credentialSubject"], "identifier": [identity]}
    assert not validator.is_valid({**credential, "credentialSubject": subject})
