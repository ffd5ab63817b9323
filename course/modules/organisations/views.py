"""Organisation pages (apply, decide, staff, observers, roster, bulk verification, log)
and the verification API for organisations' tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from course.core import spreadsheets
from course.core.access import role_required
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import LANG_PREFIX, _, preferred_language
from course.core.links import absolute_url, base_url
from course.core.mail import send_mail_after_commit
from course.extensions import csrf, limiter
from course.modules.organisations import services
from course.modules.organisations.forms import ApplicationForm

bp = Blueprint("organisations", __name__, url_prefix=LANG_PREFIX, template_folder="templates")
api = Blueprint("organisations_api", __name__)


def _refused_message(reason: str) -> str:
    return {
        "bin": _("A BIN has 12 digits and a valid check digit. Check the number."),
        "bin_taken": _("An organisation with this BIN has applied already."),
        "decided": _("This application has been decided already."),
        "reason": _("Give the reason for the rejection."),
        "invitation": _("This invitation does not work: it was used already or is not valid."),
        "invitation_email": _("This invitation was sent to another e-mail address."),
        "email": _("Enter a valid e-mail address."),
        "self": _("You cannot remove yourself."),
        "not_member": _("This person is not on your staff."),
        "organisation": _("Choose an organisation from the list."),
        "linked": _("You have named an organisation already. Withdraw that request first."),
        "link": _("There is no such request for your organisation."),
        "token_name": _("Give the token a name."),
        "token": _("There is no such token of your organisation."),
    }.get(reason, _("The request could not be understood. Please try again."))


# ---------------------------------------------------------------- applying


@bp.route("/organisations/apply", methods=["GET", "POST"])
@login_required
def apply():
    form = ApplicationForm()
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        data["accreditation_number"] = data["accreditation_number"] or None
        data["accreditation_valid_until"] = data["accreditation_valid_until"] or None
        try:
            services.apply(current_user.id, services.Application(**data))
        except services.Refused as e:
            db.session.rollback()
            form.bin.errors.append(_refused_message(e.reason))
            return render_template("organisations/apply.html", form=form), 409
        db.session.commit()
        flash(_("Thank you. An administrator will review the application."), "success")
        return redirect(url_for("learning.course_home"))
    return render_template("organisations/apply.html", form=form), 400 if form.errors else 200


@bp.route("/admin/organisations", methods=["GET", "POST"])
@role_required("admin")
def decide():
    if request.method == "POST":
        organisation = services.get(request.form.get("organisation", type=int) or 0)
        if organisation is None:
            abort(404)
        reason = request.form.get("reason", "")

        def act() -> None:
            if request.form.get("action") == "approve":
                services.approve(organisation, current_user.id)
            else:
                services.reject(organisation, current_user.id, reason)

        return _act(act, _decide_page, ".decide")
    return _decide_page()


def _decide_page() -> str:
    return render_template(
        "organisations/decide.html", pending=services.pending(), approved=services.approved()
    )


# Refusals that mean "no such object of yours": another organisation's token, request or
# staff member answers as if it did not exist.
NOT_YOURS = frozenset({"token", "link", "not_member", "invitation_email"})


def _act(action, page, endpoint: str):
    """Do it and go back to the page, or say on that page (with a 4xx) why it was refused."""
    try:
        action()
    except services.Refused as e:
        db.session.rollback()
        flash(_refused_message(e.reason), "error")
        return page(), 404 if e.reason in NOT_YOURS else 400
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(endpoint))


@bp.get("/admin/verifications")
@role_required("admin")
def all_verifications():
    return render_template("organisations/log.html", entries=services.log(None), organisation=None)


# ---------------------------------------------------------------- the learner's side


@bp.route("/my-organisation", methods=["GET", "POST"])
@login_required
def my_organisation():
    if request.method == "POST":
        chosen = request.form.get("organisation", type=int) or 0

        def act() -> None:
            if request.form.get("action") == "withdraw":
                services.withdraw_link(current_user.id)
            else:
                services.request_link(current_user.id, chosen)

        return _act(act, _my_organisation_page, ".my_organisation")
    return _my_organisation_page()


def _my_organisation_page() -> str:
    link = services.link_of(current_user.id)
    return render_template(
        "organisations/mine.html",
        link=link,
        organisation=services.get(link.organisation_id) if link else None,
        organisations=services.approved(),
    )


# ---------------------------------------------------------------- staff pages


def _staff(admin: bool = False):
    """The current user's organisation and role, or 403."""
    found = services.membership_of(current_user.id)
    if found is None or (admin and found[1].role != "admin"):
        abort(403)
    return found


@bp.route("/organisation/", methods=["GET", "POST"])
@login_required
def dashboard():
    organisation, membership = _staff()
    course = current_course()
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "token":
            _staff(admin=True)
            try:
                secret = services.create_token(
                    organisation, request.form.get("name", ""), current_user.id
                )
            except services.Refused as e:
                flash(_refused_message(e.reason), "error")
                return _dashboard_page(organisation, membership, course), 400
            db.session.commit()
            return render_template("organisations/token.html", secret=secret)
        if action not in ("confirm", "decline", "invite", "remove", "revoke_token"):
            abort(400)
        if action not in ("confirm", "decline"):
            _staff(admin=True)
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

        return _act(act, lambda: _dashboard_page(organisation, membership, course), ".dashboard")
    return _dashboard_page(organisation, membership, course)


def _dashboard_page(organisation, membership, course) -> str:
    status = request.args.get("status") or None
    return render_template(
        "organisations/dashboard.html",
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
            message=_refused_message(e.reason),
        ), status
    db.session.commit()
    flash(_("You now verify certificates for %(name)s.", name=organisation.name(g.lang)), "success")
    return redirect(url_for(".dashboard"))


@bp.get("/organisation/roster.csv")
@login_required
def roster_csv():
    organisation, _membership = _staff()
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
                _display(r.certificate_code),
                r.certificate_status,
            ]
            for r in rows
        ),
    )


def _display(code: str | None) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}" if code else ""


@bp.get("/organisation/observers/<int:user_id>/checklist")
@login_required
def checklist(user_id: int):
    organisation, _membership = _staff()
    row = services.observer_of(organisation, user_id, current_course())
    if row is None:
        abort(404)
    code = _display(row.certificate_code)
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
    organisation, _membership = _staff()
    return render_template(
        "organisations/log.html", entries=services.log(organisation), organisation=organisation
    )


# ---------------------------------------------------------------- bulk verification


def _bulk_items():
    upload = request.files.get("file")
    text = upload.read().decode("utf-8-sig", errors="replace") if upload and upload.filename else ""
    text = text or request.form.get("codes", "")
    items, unreadable = services.parse_bulk(text)
    return items, unreadable


@bp.post("/organisation/verify")
@login_required
def bulk_verify():
    organisation, _membership = _staff()
    items, unreadable = _bulk_items()
    if not items and not unreadable:
        flash(_("Paste codes or choose a CSV file."), "error")
        return redirect(url_for(".dashboard")), 303
    if len(items) + len(unreadable) > services.MAX_BULK_ROWS:
        flash(_("At most %(num)s rows at a time.", num=services.MAX_BULK_ROWS), "error")
        return redirect(url_for(".dashboard")), 303
    course = current_course()
    if request.form.get("format") == "csv":
        results = services.verify_items(
            organisation, items, course, "bulk", user_id=current_user.id
        )
        db.session.commit()
        return _results_csv(results, unreadable)
    return Response(
        stream_with_context(_stream_results(organisation, items, unreadable, course)),
        mimetype="text/html",
    )


def _stream_results(organisation, items, unreadable, course):
    """The page in pieces: a progress line per thousand rows, then the table."""
    page = current_app.jinja_env.get_template("organisations/bulk.html").module
    yield page.head(g.lang, len(items), unreadable)
    results = []
    for start in range(0, len(items), 1000):
        chunk = items[start : start + 1000]
        results.extend(
            services.verify_items(organisation, chunk, course, "bulk", user_id=current_user.id)
        )
        db.session.commit()
        yield page.progress(len(results), len(items))
    yield page.table(results, g.lang)


def _results_csv(results, unreadable):
    header = ["row", "code", "status", "holder", "edition", "completed_on", "identity"]
    rows = [
        [
            r.row,
            _display(r.code) or r.typed,
            r.status,
            r.holder or "",
            r.edition or "",
            r.completed_on or "",
            r.identity or "",
        ]
        for r in results
    ]
    rows += [[row, "", "row_unreadable", "", "", "", ""] for row in unreadable]
    return spreadsheets.csv_response("verification.csv", header, rows)


# ---------------------------------------------------------------- the API


def _api_lang() -> str:
    wanted = request.args.get("lang")
    return wanted if wanted in ("kk", "ru") else preferred_language()


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
    g.lang = _api_lang()
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
