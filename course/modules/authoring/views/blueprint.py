"""The course editor's blueprint (trainers only, under /<lang>/trainer/) and what its pages
share: who is editing, the bases a form was opened on, saving a page, template helpers."""

from __future__ import annotations

import difflib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    request,
)
from flask_login import current_user

from course.core.access import role_required
from course.core.content import LANGUAGES
from course.core.db import db
from course.core.errors import error_response
from course.core.i18n import LANG_PREFIX, _, current_language
from course.modules.authoring import services
from course.modules.authoring import units as u

bp = Blueprint(
    "authoring", __name__, url_prefix=LANG_PREFIX + "/trainer", template_folder="../templates"
)
MAX_TEXT = 60_000  # characters in one unit: several times the longest lesson


@bp.before_request
@role_required("trainer")
def _trainers_only():
    """Every page here is for trainers and admins (role_required lets admins in), on the
    one server that edits the course (the draft is its files)."""
    try:
        if services.claim_editor(current_user.id):
            db.session.commit()
    except services.EditedElsewhere as e:
        return error_response(
            409,
            _(
                "The course is edited on another server, %(server)s: the draft is kept in "
                "that server's files. Open the course editor there, or ask an "
                "administrator to move the editor to this server.",
                server=e.server.host,
            ),
            "edited_elsewhere",
        )
    if request.endpoint == "authoring.lesson_image":
        # Checked only after the role: nobody else may send a body this large.
        request.max_content_length = current_app.config["AUTHORING_MAX_IMAGE_BYTES"] + 64 * 1024
    return None


def request_author() -> services.Author:
    return services.Author(current_user.id, current_user.full_name)


def sent_bases() -> dict[tuple[str, str], str]:
    """The fingerprints the editor started from, as sent back by the form."""
    found = {}
    for name, value in request.form.items():
        if name.startswith("base:"):
            key, _, lang = name[5:].rpartition(":")
            found[(key, lang)] = value
    return found


def sent_text(key: str, lang: str) -> str | None:
    value = request.form.get(f"text:{key}:{lang}")
    if value is not None and len(value) > MAX_TEXT:
        abort(400, description=_("A text is too long to be saved."))
    return value


def edits_from_form(page_units: list[u.Unit], bases: dict) -> list[services.Edit]:
    edits = []
    for unit in page_units:
        for lang in LANGUAGES:
            text = sent_text(unit.key, lang)
            if text is not None:
                edits.append(services.Edit(unit.key, lang, text, bases.get((unit.key, lang), "")))
    return edits


def conflict_message() -> str:
    return _(
        "Someone else saved a change to this text after you opened it. Your text is kept "
        "below: compare it with the saved one, merge, and save again."
    )


def diff_lines(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """A line diff as (kind, line) pairs: kind is "+", "-", " " or "@"."""
    lines = difflib.unified_diff(
        (before or "").splitlines(), (after or "").splitlines(), lineterm="", n=2
    )
    result = []
    for line in list(lines)[2:]:
        kind = line[:1] if line[:1] in "+- @" else " "
        result.append((kind, line[1:] if kind != "@" else line))
    return result


@bp.app_template_global()
def authoring_diff(before, after):
    return diff_lines(before, after)


@bp.app_template_global()
def fingerprint(text) -> str:
    return u.fingerprint(text)


@bp.app_template_global()
def module_title(module_id: str) -> str:
    """A module's draft title in the page's language (its id while it has none)."""
    d = services.draft()
    if d.module(module_id) is None:
        return module_id
    data = u.load_yaml(d.read(f"{current_language()}/{module_id}/module.yaml"))
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) and title.strip() else module_id


def save_page(d: u.Draft, page: str, neutral=(), bases=None) -> services.Conflict | None:
    """Save the texts (and language-neutral values) of an editor page and commit; on a
    conflict, change nothing and return it for the page to show."""
    bases = sent_bases() if bases is None else bases
    try:
        services.save(
            d,
            request_author(),
            edits_from_form(d.texts_of_page(page), bases),
            list(neutral),
            page=page,
        )
    except services.Conflict as e:
        db.session.rollback()
        return e
    db.session.commit()
    flash(_("The draft is saved. Learners see it after the next edition."), "success")
    return None
