"""Account pages: register, sign in and out, reset a password, the account page, privacy."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from course.core.db import db
from course.core.i18n import LANG_PREFIX, _
from course.core.links import local_path
from course.extensions import limiter
from course.modules.accounts import privacy, services
from course.modules.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    NameForm,
    RegistrationForm,
    ResetPasswordForm,
    SignInForm,
)
from course.modules.security import services as security

bp = Blueprint("accounts", __name__, url_prefix=LANG_PREFIX, template_folder="templates")


def _form_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


# Password guessing and sign-up floods are slowed per address; reading the forms is not.
limit_posts = limiter.limit(_form_limit, methods=["POST"])


def _status(form) -> int:
    """200 for a fresh form, 400 when a submitted form was refused."""
    return 400 if form.errors else 200


@bp.route("/register", methods=["GET", "POST"])
@limit_posts
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.course_home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        started = services.start_registration(
            form.email.data, form.full_name.data, form.password.data, g.lang
        )
        db.session.commit()
        services.send_registration_mail(started, g.lang)
        # The same page whether or not the address has an account: only its owner,
        # reading the mail, learns which.
        return render_template("accounts/check_email.html", email=started.email)
    return render_template("accounts/register.html", form=form), _status(form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limit_posts
def confirm_registration(token: str):
    """GET shows a button, POST makes the account: mail scanners that open links must
    not register anyone."""
    again = url_for("accounts.register")
    if services.pending_registration(token) is None:
        return render_template("accounts/reset_invalid.html", again_url=again), 400
    if request.method == "POST":
        user = services.confirm_registration(token)
        if user is None:
            db.session.rollback()
            return render_template("accounts/reset_invalid.html", again_url=again), 400
        db.session.commit()
        _start_session(user, remember=False)
        db.session.commit()
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(url_for("learning.course_home", lang=user.locale))
    return render_template("accounts/confirm_registration.html")


def _start_session(user, remember: bool) -> None:
    """Sign in with a fresh CSRF token (one seen before sign-in must not carry over)."""
    session.pop("csrf_token", None)
    login_user(user, remember=remember)
    session["seen"] = session["since"] = int(time.time())
    security.record("sign_in", actor_id=user.id, subject=f"user:{user.id}")


@bp.route("/sign-in", methods=["GET", "POST"])
@limit_posts
def sign_in():
    next_url = local_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("learning.course_home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            security.record_now(
                "sign_in_failed", subject=f"email:{services.normalize_email(form.email.data)}"
            )
            form.password.errors.append(_("The e-mail or the password is wrong."))
            return render_template("accounts/sign_in.html", form=form, next_url=next_url), 401
        _start_session(user, remember=form.remember.data)
        db.session.commit()  # the event, and a rehashed password if the KDF settings changed
        return redirect(next_url or url_for("learning.course_home", lang=user.locale))
    return render_template("accounts/sign_in.html", form=form, next_url=next_url), _status(form)


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        services.sign_out(current_user)
        security.record("sign_out", actor_id=current_user.id, subject=f"user:{current_user.id}")
        db.session.commit()
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("learning.landing"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_posts
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer either way, so the form does not reveal who has an account.
        flash(
            _("If an account uses this e-mail, we have sent it a link to choose a new password."),
            "success",
        )
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgot_password.html", form=form), _status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        changed = services.reset_password(token, form.password.data)
        if changed is None:
            db.session.rollback()
            return render_template("accounts/reset_invalid.html"), 400
        db.session.commit()
        services.send_password_changed(changed)
        logout_user()
        flash(_("Your password has been changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form), _status(form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    name_form = NameForm(prefix="name", full_name=current_user.full_name)
    language_form = LanguageForm(prefix="lang", locale=current_user.locale)
    password_form = ChangePasswordForm(prefix="pw")
    forms = {"name": name_form, "language": language_form, "password": password_form}
    if request.method == "POST":
        which = request.form.get("form")
        form = forms.get(which)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            if which == "name":
                try:
                    services.change_name(current_user, name_form.full_name.data)
                except services.NameLocked:
                    abort(403)
                message = _("Your name has been saved.")
            elif which == "language":
                services.set_locale(current_user, language_form.locale.data)
                message = _("Your language has been saved.")
            else:
                if not services.check_password(current_user, password_form.current.data):
                    password_form.current.errors.append(_("The current password is wrong."))
                    return render_template("accounts/account.html", **forms), 400
                services.set_password(current_user, password_form.password.data)
                security.record(
                    "password_changed", actor_id=current_user.id, subject=f"user:{current_user.id}"
                )
                message = _("Your password has been changed.")
            db.session.commit()
            if which == "password":
                user = current_user._get_current_object()  # not the proxy: login_user keeps it
                login_user(user)  # the session id changed with the password
                session["seen"] = session["since"] = int(time.time())
                services.send_password_changed(user)
            flash(message, "success")
            return redirect(url_for("accounts.account"))
        return render_template("accounts/account.html", **forms), 400
    return render_template("accounts/account.html", **forms)


@bp.get("/privacy")
def privacy_notice():
    return render_template(
        "accounts/privacy.html", notice=privacy.notice(g.lang), version=services.CONSENT_VERSION
    )
