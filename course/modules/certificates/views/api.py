"""The public API (a certificate's status, the identity check) and the lists verifiers
download (keys, status)."""

from __future__ import annotations

from flask import (
    g,
    jsonify,
    request,
)

from course.core import caching
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _, api_language
from course.extensions import csrf, limiter
from course.modules.certificates import codes, iin, services
from course.modules.certificates.views.blueprint import (
    NOINDEX,
    code_error_message,
    iin_error_message,
    public,
    verify_limit,
)


def _api_error(status: int, code: str, message: str):
    response = jsonify({"error": {"status": status, "code": code, "message": message}})
    response.headers.update(NOINDEX)
    return response, status


def _code_in_path(typed: str):
    """(canonical code, None), or (None, a 400 saying what is wrong), in the asked language."""
    g.lang = api_language()
    try:
        return codes.normalize(typed), None
    except codes.CodeError as e:
        return None, _api_error(400, f"code_{e.reason}", code_error_message(e))


@public.get("/api/v1/certificates/<typed>")
@limiter.limit(verify_limit)
def api_certificate(typed: str):
    code, refused = _code_in_path(typed)
    if refused:
        return refused
    status = services.public_status(code, current_course())
    response = jsonify(status.as_json())
    response.headers.update(NOINDEX)
    return response, 404 if status.status == services.UNKNOWN else 200


@public.post("/api/v1/certificates/<typed>/identity-check")
@csrf.exempt
@limiter.limit(verify_limit)
def api_identity_check(typed: str):
    code, refused = _code_in_path(typed)
    if refused:
        return refused
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"iin"} or not isinstance(body["iin"], str):
        return _api_error(400, "bad_body", _('Send a JSON object with one field, "iin".'))
    certificate = services.find(code)
    if certificate is None:
        return _api_error(404, "unknown", _("No certificate has this code."))
    try:
        matched = services.check_identity(
            certificate, body["iin"], services.requester_at(request.remote_addr)
        )
    except iin.IINError as e:
        return _api_error(400, f"iin_{e.reason}", iin_error_message(e))
    except services.IdentityLocked:
        return _api_error(
            429,
            "locked",
            _locked_message(),
        )
    db.session.commit()
    return jsonify({"code": codes.display(code), "result": "match" if matched else "no_match"})


def _locked_message() -> str:
    return _(
        "Too many IINs that did not match: identity checks of this certificate from here are "
        "paused for 24 hours. Organisations checking with their own account or API token "
        "are not affected."
    )


def _published(document: dict, max_age: int, media_type: str = "application/json"):
    """A document verifiers download, cacheable by anyone for `max_age` seconds, with an
    ETag of its body: a client that has it (If-None-Match) gets a 304. The status list
    changes only when its content does (services.status_list_document), so this holds
    between revocations."""
    response = jsonify(document)
    response.headers["Content-Type"] = media_type
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return caching.conditional(response)


@public.get("/.well-known/course-keys.json")
def published_keys():
    return _published(services.key_list(), 300)


@public.get("/.well-known/did.json")
@public.get("/did.json")
def did_document():
    """The issuer's did:web document (at /did.json too, for a base URL with a path). As
    short-lived in caches as the status list: a withdrawn key must stop verifying soon."""
    return _published(services.did_document(), 30, "application/did+json")


@public.get("/contexts/status-v1.jsonld")
def status_context():
    return _published(services.status_context(), 86400, "application/ld+json")


@public.get("/status/1")
def status_list():
    # Short: a revocation must reach verifiers that sync within a minute.
    return _published(services.status_list_document(), 30)
