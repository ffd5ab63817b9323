"""The organisation's own pages: the dashboard (observers, staff, invitations, tokens), the
roster as CSV, an observer's checklist, the verification log."""

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
from flask_login import current_user, login_required

from course.core import spreadsheets
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _
from course.core.links import absolute_url
from course.core.mail import send_mail_after_commit
from course.modules.organisations import services
from course.modules.organisations.views.blueprint import (
    NOT_YOURS,
    act_or_refuse,
    bp,
    display_code,
    refused_message,
    staff_or_403,
)


@bp.route("/organisation/", methods=["GET", "POST"])
@login_required
def dashboard():
    organisation, membership = staff_or_403()
    course = current_course()
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "token":
            staff_or_403(admin=True)
            try:
                secret = services.create_token(
                    organisation, request.form.get("name", ""), current_user.id
                )
            except services.Refused as e:
                flash(refused_message(e.reason), "error")
                return _dashboard_page(organisation, membership, course), 400
            db.session.commit()
            return render_template("organisations/token.html", secret=secret)
        if action not in ("confirm", "decline", "invite", "remove", "revoke_token"):
            abort(400)
        if action not in ("confirm", "decline"):
            staff_or_403(admin=True)
        form = request.form

        def act() -> None:
            if action in ("confirm", "decline"):
                services.decide_link(
                    organisation, form.get("link", type=int) or 0, action == "confirm"
                )
            elif action == "invite":
                _send_invitation(organisation, form.get("email", ""))
            elif action == "remove":
                services.remove_member(
                    organisation, form.get("user", type=int) or 0, current_user.id
                )
            else:
                services.revoke_token(
                    organisation, form.get("token", type=int) or 0, current_user.id
                )

        return act_or_refuse(
            act, lambda: _dashboard_page(organisation, membership, course), ".dashboard"
        )
    return _dashboard_page(organisation, membership, course)


def _dashboard_page(organisation, membership, course) -> str:
    status = request.args.get("status") or None
    return render_template(
        "organisations/dashboard.html",
        display_code=display_code,
        organisation=organisation,
        membership=membership,
        rows=services.roster(organisation, course, status),
        status=status,
        requests=services.requests(organisation),
        staff=services.staff(organisation) if membership.role == "admin" else [],
        tokens=services.tokens(organisation) if membership.role == "admin" else [],
    )


def _send_invitation(organisation, email: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as e:
        raise services.Refused("email") from e
    secret = services.invite(organisation, email, current_user.id)
    link = absolute_url("organisations.accept_invitation", secret=secret)
    send_mail_after_commit(
        email,
        _("Invitation to verify certificates for %(name)s", name=organisation.name(g.lang)),
        _(
            "%(name)s invites you to verify observers' certificates on its behalf.\n\n"
            "Sign in or register with this e-mail address, then open:\n\n%(link)s",
            name=organisation.name(g.lang),
            link=link,
        ),
    )


@bp.get("/organisation/invitations/<secret>")
@login_required
def accept_invitation(secret: str):
    try:
        organisation = services.accept_invitation(secret, current_user.id)
    except services.Refused as e:
        db.session.rollback()
        status = 404 if e.reason in NOT_YOURS else 400
        return render_template(
            "errors/error.html",
            status=status,
            title=_("Page not found") if status == 404 else _("Bad request"),
            message=refused_message(e.reason),
        ), status
    db.session.commit()
    flash(_("You now verify certificates for %(name)s.", name=organisation.name(g.lang)), "success")
    return redirect(url_for(".dashboard"))


@bp.get("/organisation/roster.csv")
@login_required
def roster_csv():
    organisation, _membership = staff_or_403()
    rows = services.roster(organisation, current_course(), request.args.get("status") or None)
    header = [
        _("Name"),
        _("E-mail"),
        _("Lessons read"),
        _("Course"),
        _("Certificate code"),
        _("Certificate"),
    ]
    return spreadsheets.csv_response(
        "roster.csv",
        header,
        (
            [
                r.name,
                r.email,
                f"{r.lessons_read}/{r.lessons_total}",
                r.course_status,
                display_code(r.certificate_code),
                r.certificate_status,
            ]
            for r in rows
        ),
    )


@bp.get("/organisation/observers/<int:user_id>/checklist")
@login_required
def checklist(user_id: int):
    organisation, _membership = staff_or_403()
    row = services.observer_of(organisation, user_id, current_course())
    if row is None:
        abort(404)
    code = display_code(row.certificate_code)
    return render_template(
        "organisations/checklist.html",
        organisation=organisation,
        row=row,
        code=code,
        verify_url=absolute_url("certificates.verify_page", typed=code) if code else None,
    )


@bp.get("/organisation/log")
@login_required
def organisation_log():
    organisation, _membership = staff_or_403()
    return render_template(
        "organisations/log.html", entries=services.log(organisation), organisation=organisation
    )
