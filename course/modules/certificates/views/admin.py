"""Admins: look up a certificate, revoke it or replace it with a corrected name."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from course.core.access import role_required
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _
from course.modules.certificates import codes, services
from course.modules.certificates.views.blueprint import bp, code_error_message, code_or_none


@bp.route("/admin/certificates/<typed>", methods=["GET", "POST"])
@role_required("admin")
def admin_certificate(typed: str):
    code = code_or_none(typed)
    certificate = services.find(code) if code else None
    if certificate is None:
        abort(404)
    course = current_course()
    error = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "revoke":
            reason = request.form.get("reason", "")
            note = request.form.get("note", "").strip()
            if reason not in services.REVOCATION_REASONS or len(note) > 500:
                error = _("Choose a reason from the list; the note may have up to 500 characters.")
            else:
                services.revoke(certificate, current_user.id, reason, note)
        elif action == "replace":
            try:
                replacement = services.replace_name(
                    certificate, current_user.id, request.form.get("name", "")
                )
            except ValueError:
                error = _(
                    "Use only Kazakh, Russian or Latin letters, spaces, hyphens and apostrophes."
                )
            except services.CannotReplace as e:
                error = (
                    _("A revoked certificate cannot be replaced: its replacement would be valid.")
                    if e.reason == "revoked"
                    else _(
                        "This certificate was replaced already; correct its replacement instead."
                    )
                )
            else:
                db.session.commit()
                return redirect(
                    url_for(".admin_certificate", typed=codes.display(replacement.code))
                )
        else:
            abort(400)
        if error is None:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".admin_certificate", typed=codes.display(code)))
        db.session.rollback()
    page = render_template(
        "certificates/admin.html",
        certificate=certificate,
        course=course,
        display=codes.display(code),
        status=services.status_of(certificate, code, course, show_name=True),
        audit=services.audit_of(certificate),
        reasons=services.REVOCATION_REASONS,
        error=error,
    )
    return page, 400 if error else 200


@bp.get("/admin/certificates/")
@role_required("admin")
def admin_lookup():
    typed = request.args.get("code", "")
    if typed:
        try:
            return redirect(
                url_for(".admin_certificate", typed=codes.display(codes.normalize(typed)))
            )
        except codes.CodeError as e:
            flash(code_error_message(e), "error")
    return render_template("certificates/admin_lookup.html")
