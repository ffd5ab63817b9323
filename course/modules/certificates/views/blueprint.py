"""The certificate area's blueprints (pages under /<lang>/, and public paths without a
language: /V1/…, the API, the published lists) and what their views share."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
)

from course.core.i18n import LANG_PREFIX, _
from course.modules.certificates import codes, iin, verification

bp = Blueprint("certificates", __name__, url_prefix=LANG_PREFIX, template_folder="../templates")
public = Blueprint("certificates_public", __name__, template_folder="../templates")

# Verdicts of a QR whose signature holds under a key we trust.
GENUINE = frozenset({verification.VALID, verification.REVOKED, verification.REPLACED})
NOINDEX = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


def verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def noindex(response):
    response = current_app.make_response(response)
    response.headers.update(NOINDEX)
    return response


def code_error_message(error: codes.CodeError) -> str:
    if error.reason == "typo":
        return _("This code has a typo: one character is wrong or two are swapped. Check the code.")
    return _("A code has 13 characters, like ABCD-EFGH-JKMN-P. Check the code.")


def iin_error_message(error: iin.IINError) -> str:
    if error.reason == "check":
        return _("This IIN has a typo: its check digit does not match. Check the number.")
    return _("An IIN has 12 digits. Check the number.")


def code_or_none(typed: str) -> str | None:
    """The canonical code, or None when what was typed is not one (see _typo_page)."""
    try:
        return codes.normalize(typed)
    except codes.CodeError:
        return None
