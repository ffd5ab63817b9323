"""Offline: the certificate verifier that works with no network, the observer's pocket
reference, and the service worker that keeps them (and opened lessons) on the device.

The verifier's JavaScript lives here, in static/ (served at /offline/static/), as ES
modules: encoding.js (base32, base64url, base58, hex, UTF-8), cbor.js (CBOR and the
strict COSE_Sign1 reading), proofs.js (JCS, SHA-256, Ed25519 with its vendored fallback,
eddsa-jcs-2022 proofs), verify.js (the pure verdict: `verifyText`) and check.js (the
page). course/modules/certificates/vectors.py makes the test vectors that both it and
the Python verifier must pass (tests/offline/test_vectors.py)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from datetime import date

    from course.modules.offline import views

    for day in filter(None, (d.strip() for d in app.config["COURSE_ELECTION_DAYS"].split(","))):
        try:
            date.fromisoformat(day)
        except ValueError as e:
            raise RuntimeError(f"COURSE_ELECTION_DAYS: '{day}' is not a YYYY-MM-DD date") from e

    app.register_blueprint(views.bp)
    app.register_blueprint(views.worker)
