"""The holder's pages: the certificate with its QR, IIN and private mode; the PDF, the
printable page, the Open Badges credential."""

from __future__ import annotations

import io

import segno
from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _
from course.core.links import absolute_url
from course.modules.certificates import codes, iin, services
from course.modules.certificates.views.blueprint import bp, iin_error_message


def _holder_choice(certificate, which: str) -> tuple[str | None, int, bool]:
    """Apply one of the page's forms: (the error shown or None, its status, whether to
    commit anyway: a refused IIN is still a counted identity check)."""
    typed = request.form.get("iin", "").strip()
    try:
        if which == "identity":
            services.set_identity(
                certificate,
                typed or None,
                request.form.get("private_mode") == "on",
                offline_tag=request.form.get("offline_tag") == "on",
            )
        elif which == "tag_off":
            services.remove_offline_tag(certificate)
        elif which == "tag_on":
            requester = services.holder_requester(current_user.id)
            services.put_offline_tag(certificate, typed, requester)
        else:
            abort(400)
    except iin.IINError as e:
        return iin_error_message(e), 400, False
    except services.AlreadySet:
        return _("An IIN was added already; it cannot be changed."), 400, False
    except services.NoIIN:
        return _("Add your IIN first: the offline check is made from it."), 400, False
    except services.IINMismatch:
        message = _("This IIN is not the one on record for your certificate. Nothing was changed.")
        return message, 400, True
    except services.IdentityLocked:
        message = _("Too many IINs that did not match the one on record. Try again in 24 hours.")
        return message, 429, False
    return None, 200, True


@bp.route("/certificate", methods=["GET", "POST"])
@login_required
def my_certificate():
    course = current_course()
    certificate = services.current_certificate(current_user.id)
    if certificate is None:
        return render_template("certificates/none.html"), 200
    error, status_code, which = None, 200, "identity"
    if request.method == "POST":
        which = request.form.get("form", "identity")
        error, status_code, keep = _holder_choice(certificate, which)
        if keep:
            db.session.commit()
        else:
            db.session.rollback()
        if error is None:
            flash(_("Saved."), "success")
            return redirect(url_for(".my_certificate"))
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
        failed=which,
        status=services.status_of(certificate, certificate.code, course, show_name=True),
        course=course,
    )
    return page, status_code


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
        superseded=services.public_status(certificate.code, course).superseded,
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
