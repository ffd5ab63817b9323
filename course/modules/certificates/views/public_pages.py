"""Public verification: the form, a certificate's page with the IIN check, and the signed
QR opened as a link."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from course.core import caching
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _, preferred_language
from course.extensions import limiter
from course.modules.certificates import codes, iin, services, verification
from course.modules.certificates.views.blueprint import (
    GENUINE,
    bp,
    code_error_message,
    code_or_none,
    iin_error_message,
    noindex,
    public,
    verify_limit,
)


@bp.get("/verify")
@limiter.limit(verify_limit)
def verify_form():
    typed = request.args.get("code", "").strip()
    if not typed:
        # The empty form is the same for everyone of a role in a language: kept.
        page = caching.shared_page(
            lambda: render_template("certificates/verify_form.html", error=None, typed="")
        )
        return noindex(page)
    code = code_or_none(typed)
    if code is None:
        return _typo_page(typed)
    return redirect(url_for(".verify_page", typed=codes.display(code)))


def _typo_page(typed: str):
    """The form again, saying what is wrong with the typed code: a 400, before any lookup."""
    try:
        codes.normalize(typed)
    except codes.CodeError as e:
        error = code_error_message(e)
    page = render_template("certificates/verify_form.html", error=error, typed=typed)
    return noindex((page, 400))


def _verify_response(
    code: str,
    identity: str | None = None,
    status_code: int = 200,
    signature=None,
    certificate=None,
):
    """The verification page; `certificate` when the view has looked it up already."""
    course = current_course()
    if certificate is None:
        certificate = services.find(code)
    status = services.status_of(certificate, code, course, show_name=identity == "match")
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
    return noindex((page, status_code))


@bp.get("/verify/<typed>")
@limiter.limit(verify_limit)
def verify_page(typed: str):
    code = code_or_none(typed)
    if code is None:
        return _typo_page(typed)
    return _verify_response(code)


@bp.post("/verify/<typed>")
@limiter.limit(verify_limit)
def verify_identity(typed: str):
    code = code_or_none(typed)
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
        flash(iin_error_message(e), "error")
        return _verify_response(code, None, 400, certificate=certificate)
    except services.IdentityLocked:
        return _verify_response(code, "locked", 429, certificate=certificate)
    db.session.commit()
    return _verify_response(code, "match" if matched else "no_match", certificate=certificate)


@public.get("/V1/<payload>")
@limiter.limit(verify_limit)
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
        return noindex((page, 400))
    return _verify_response(signed.claims.code, signature=signed.status)
