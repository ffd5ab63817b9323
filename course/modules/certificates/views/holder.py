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
            services.set_identity(certificate, request.form.get("iin", "").strip() or None, private)
        except iin.IINError as e:
            error = iin_error_message(e)
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
        status=services.status_of(certificate, certificate.code, course, show_name=True),
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
