"""Certificate pages: the holder's own, public verification, the API, published lists, admin."""

from __future__ import annotations

import io

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from course.core.access import role_required
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import LANG_PREFIX, _, preferred_language
from course.core.links import absolute_url
from course.extensions import csrf, limiter
from course.modules.certificates import codes, iin, services, verification

bp = Blueprint("certificates", __name__, url_prefix=LANG_PREFIX, template_folder="templates")
public = Blueprint("certificates_public", __name__, template_folder="templates")

# Verdicts of a QR whose signature holds under a key we trust.
GENUINE = frozenset({verification.VALID, verification.REVOKED, verification.REPLACED})
NOINDEX = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _noindex(response):
    response = current_app.make_response(response)
    response.headers.update(NOINDEX)
    return response


def _code_error_message(error: codes.CodeError) -> str:
    if error.reason == "typo":
        return _("This code has a typo: one character is wrong or two are swapped. Check the code.")
    return _("A code has 13 characters, like ABCD-EFGH-JKMN-P. Check the code.")


def _iin_error_message(error: iin.IINError) -> str:
    if error.reason == "check":
        return _("This IIN has a typo: its check digit does not match. Check the number.")
    return _("An IIN has 12 digits. Check the number.")


# ---------------------------------------------------------------- the holder


@bp.route("/certificate", methods=["GET", "POST"])
@login_required
def my_certificate():
    course = current_course()
    certificate = services.current_certificate(current_user.id)
    if certificate is None:
        return render_template("certificates/none.html"), 200
    error = None
    if request.method == "POST":
        private = request.form.get("private_mode") == "on"
        try:
            services.set_identity(
                certificate, request.form.get("iin", "").strip() or None, private, course
            )
        except iin.IINError as e:
            error = _iin_error_message(e)
        except services.AlreadySet:
            error = _("An IIN was added already; it cannot be changed.")
        if error is None:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".my_certificate"))
        db.session.rollback()
    qr_svg = segno.make(certificate.qr_text, error="q", boost_error=False).svg_inline(
        scale=3, omitsize=True
    )
    share = absolute_url("certificates.verify_page", typed=codes.display(certificate.code))
    page = render_template(
        "certificates/mine.html",
        certificate=certificate,
        display=codes.display(certificate.code),
        qr_svg=qr_svg,
        share=share,
        error=error,
        status=services.public_status(certificate.code, course, show_name=True),
        course=course,
    )
    return page, 400 if error else 200


def _own_certificate():
    certificate = services.current_certificate(current_user.id)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/certificate/certificate.pdf")
@login_required
def certificate_pdf():
    certificate = _own_certificate()
    return send_file(
        io.BytesIO(certificate.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"certificate-{codes.display(certificate.code)}.pdf",
    )


@bp.get("/certificate/print")
@login_required
def certificate_print():
    certificate = _own_certificate()
    course = current_course()
    qr_svg = segno.make(certificate.qr_text, error="q", boost_error=False).svg_inline(
        scale=3, omitsize=True
    )
    return render_template(
        "certificates/print.html",
        certificate=certificate,
        display=codes.display(certificate.code),
        qr_svg=qr_svg,
        course=course,
    )


@bp.get("/certificate/credential.json")
@login_required
def certificate_credential():
    certificate = _own_certificate()
    document = services.open_badge(certificate, current_course())
    response = jsonify(document)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="certificate-{codes.display(certificate.code)}.json"'
    )
    return response


# ---------------------------------------------------------------- public verification


@bp.get("/verify")
@limiter.limit(_verify_limit)
def verify_form():
    typed = request.args.get("code", "").strip()
    if not typed:
        return _noindex(render_template("certificates/verify_form.html", error=None, typed=""))
    code = _code_or_none(typed)
    if code is None:
        return _typo_page(typed)
    return redirect(url_for(".verify_page", typed=codes.display(code)))


def _code_or_none(typed: str) -> str | None:
    """The canonical code, or None when what was typed is not one (see _typo_page)."""
    try:
        return codes.normalize(typed)
    except codes.CodeError:
        return None


def _typo_page(typed: str):
    """The form again, saying what is wrong with the typed code: a 400, before any lookup."""
    try:
        codes.normalize(typed)
    except codes.CodeError as e:
        error = _code_error_message(e)
    page = render_template("certificates/verify_form.html", error=error, typed=typed)
    return _noindex((page, 400))


def _verify_response(
    code: str, identity: str | None = None, status_code: int = 200, signature=None
):
    course = current_course()
    status = services.public_status(code, course, show_name=identity == "match")
    page = render_template(
        "certificates/verify.html",
        status=status,
        display=codes.display(code),
        course=course,
        identity=identity,
        signature=signature,
        root_fingerprint=services.root_fingerprint(),
    )
    if status.status == services.UNKNOWN and status_code == 200:
        status_code = 404
    return _noindex((page, status_code))


@bp.get("/verify/<typed>")
@limiter.limit(_verify_limit)
def verify_page(typed: str):
    code = _code_or_none(typed)
    if code is None:
        return _typo_page(typed)
    return _verify_response(code)


@bp.post("/verify/<typed>")
@limiter.limit(_verify_limit)
def verify_identity(typed: str):
    code = _code_or_none(typed)
    if code is None:
        return _typo_page(typed)
    certificate = services.find(code)
    if certificate is None:
        return _verify_response(code, "unknown", 404)
    try:
        matched = services.check_identity(
            certificate, request.form.get("iin", ""), services.requester_at(request.remote_addr)
        )
    except iin.IINError as e:
        flash(_iin_error_message(e), "error")
        return _verify_response(code, None, 400)
    except services.IdentityLocked:
        return _verify_response(code, "locked", 429)
    db.session.commit()
    return _verify_response(code, "match" if matched else "no_match")


@public.get("/V1/<payload>")
@limiter.limit(_verify_limit)
def signed_link(payload: str):
    """A phone camera opens the QR as a link: check its signature and show the page."""
    g.lang = preferred_language(current_user.locale if current_user.is_authenticated else None)
    try:
        signed = verification.verify(payload, services.key_list())
    except verification.UntrustedList:
        abort(503)
    if signed.claims is None or signed.status not in GENUINE:
        # Only the verdict: a status block under it would look like a valid certificate.
        if signed.status == verification.WITHDRAWN:
            error = _(
                "This QR code was signed with a key that has been withdrawn: "
                "the certificate is not valid."
            )
        else:
            error = _("This QR code is not a genuine certificate of this course.")
        page = render_template("certificates/verify_form.html", error=error, typed="")
        return _noindex((page, 400))
    return _verify_response(signed.claims.code, signature=signed.status)


# ---------------------------------------------------------------- the API


def _api_error(status: int, code: str, message: str):
    response = jsonify({"error": {"status": status, "code": code, "message": message}})
    response.headers.update(NOINDEX)
    return response, status


@public.get("/api/v1/certificates/<typed>")
@limiter.limit(_verify_limit)
def api_certificate(typed: str):
    g.lang = _api_lang()
    try:
        code = codes.normalize(typed)
    except codes.CodeError as e:
        return _api_error(400, f"code_{e.reason}", _code_error_message(e))
    status = services.public_status(code, current_course())
    response = jsonify(status.as_json())
    response.headers.update(NOINDEX)
    return response, 404 if status.status == services.UNKNOWN else 200


@public.post("/api/v1/certificates/<typed>/identity-check")
@csrf.exempt
@limiter.limit(_verify_limit)
def api_identity_check(typed: str):
    g.lang = _api_lang()
    try:
        code = codes.normalize(typed)
    except codes.CodeError as e:
        return _api_error(400, f"code_{e.reason}", _code_error_message(e))
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
        return _api_error(400, f"iin_{e.reason}", _iin_error_message(e))
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


def _api_lang() -> str:
    wanted = request.args.get("lang")
    return wanted if wanted in ("kk", "ru") else preferred_language()


@public.get("/.well-known/course-keys.json")
def published_keys():
    response = jsonify(services.key_list())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@public.get("/status/1")
def status_list():
    response = jsonify(services.status_list_document())
    # Short: a revocation must reach verifiers that sync within a minute.
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


# ---------------------------------------------------------------- admin


@bp.route("/admin/certificates/<typed>", methods=["GET", "POST"])
@role_required("admin")
def admin_certificate(typed: str):
    code = _code_or_none(typed)
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
                    certificate, current_user.id, request.form.get("name", ""), course
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
        status=services.public_status(code, course, show_name=True),
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
            flash(_code_error_message(e), "error")
    return render_template("certificates/admin_lookup.html")
