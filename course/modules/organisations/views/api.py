"""The verification API for organisations' tokens, and its OpenAPI document."""

from __future__ import annotations

from flask import (
    current_app,
    g,
    jsonify,
    request,
)

from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _, api_language
from course.core.links import base_url
from course.extensions import csrf, limiter
from course.modules.organisations import services
from course.modules.organisations.views.blueprint import api


def _error(status: int, code: str, message: str):
    return jsonify({"error": {"status": status, "code": code, "message": message}}), status


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _token_limit_key() -> str:
    return services.token_key(_bearer())


@api.post("/api/v1/certificates/verify")
@csrf.exempt
@limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_token_limit_key)
def api_verify():
    g.lang = api_language()
    owner = services.token_owner(_bearer())
    if owner is None:
        return _error(401, "bad_token", _("The API token is missing, wrong or revoked."))
    organisation, token = owner
    body = request.get_json(silent=True)
    if body is None:
        db.session.commit()
        return _error(400, "bad_json", _("The body must be JSON."))
    if not isinstance(body, dict) or set(body) != {"items"} or not isinstance(body["items"], list):
        db.session.commit()
        return _error(
            400, "unknown_field", _('Send a JSON object with one field, "items": a list.')
        )
    items = body["items"]
    if not items or len(items) > services.MAX_API_ITEMS:
        db.session.commit()
        return _error(
            400, "batch_size", _("Send from 1 to %(num)s items.", num=services.MAX_API_ITEMS)
        )
    parsed = []
    for index, item in enumerate(items):
        if (
            not isinstance(item, dict)
            or not set(item) <= {"code", "iin"}
            or not isinstance(item.get("code"), str)
            or not isinstance(item.get("iin", ""), str)
        ):
            db.session.commit()
            return _error(
                400,
                "unknown_field",
                _('Item %(index)s: use the fields "code" and, optionally, "iin".', index=index),
            )
        parsed.append((index, item["code"], item.get("iin") or None))
    results = services.verify_items(
        organisation, parsed, current_course(), "api", token_id=token.id
    )
    db.session.commit()
    return jsonify({"results": [r.as_json() for r in results]})


@api.get("/api/v1/openapi.json")
def openapi():
    from course.modules.organisations.openapi import document

    return jsonify(document(base_url()))
