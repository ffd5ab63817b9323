"""The campaigns blueprint and what its pages share: who the signed-in person is to their
organisation, and how a PDF of theirs is sent."""

from __future__ import annotations

from flask import Blueprint, abort, make_response
from flask_login import current_user

from course.core.i18n import LANG_PREFIX
from course.modules.organisations import services as organisations

bp = Blueprint("campaigns", __name__, url_prefix=LANG_PREFIX, template_folder="../templates")


def membership(admin: bool):
    """The signed-in person's approved organisation and membership (an admin's, when
    asked), or None."""
    if not current_user.is_authenticated:
        return None
    found = organisations.membership_of(current_user.id)
    if found is None or (admin and found[1].role != "admin"):
        return None
    return found


def staff(admin: bool = False):
    """The signed-in person's approved organisation and membership, or 403."""
    found = membership(admin)
    if found is None:
        abort(403)
    return found


def pdf_response(data: bytes | None, name: str):
    """A PDF of the person's own, kept from caches; 404 when there is none to give."""
    if data is None:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
