"""Account pages: register, sign in and out, reset a password, the account page, privacy."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from course.core.db import db
from course.core.i18n import LANG_PREFIX, _
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

bp = Blueprint("accounts", __name__, url_prefix=LANG_PREFIX, template_folder="templates")


def _form_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


# Password guessing and sign-up floods are slowed per address; reading the forms is not.
limit_posts = limiter.limit(_form_limit, methods=["POST"])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect would help phishing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


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
        try:
            user = services.register(
                form.email.data, form.full_name.data, form.password.data, g.lang
            )
        except services.EmailTaken:
            db.session.rollback()
            form.email.errors.append(
                _("An account with this e-mail already exists. Sign in or reset your password.")
            )
            return render_template("accounts/register.html", form=form), 409
        db.session.commit()
        login_user(user)
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(url_for("learning.course_home"))
    return render_template("accounts/register.html", form=form), _status(form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limit_posts
def sign_in():
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("learning.course_home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The e-mail or the password is wrong."))
            return render_template("accounts/sign_in.html", form=form, next_url=next_url), 401
        db.session.commit()  # a rehashed password, if the KDF settings changed
        login_user(user, remember=form.remember.data)
        return redirect(next_url or url_for("learning.course_home", lang=user.locale))
    return render_template("accounts/sign_in.html", form=form, next_url=next_url), _status(form)


@bp.post("/sign-out")
def sign_out():
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("learning.landing"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_posts
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None:
            token = services.password_reset_token(user)
            link = url_for("accounts.reset_password", token=token, lang=user.locale, _external=True)
            services.send_password_reset(user, link)
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
        services.set_password(user, form.password.data)
        db.session.commit()
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
                message = _("Your password has been changed.")
            db.session.commit()
            if which == "password":
                login_user(current_user)  # the session id changed with the password
            flash(message, "success")
            return redirect(url_for("accounts.account"))
        return render_template("accounts/account.html", **forms), 400
    return render_template("accounts/account.html", **forms)


@bp.get("/privacy")
def privacy_notice():
    return render_template(
        "accounts/privacy.html", notice=privacy.notice(g.lang), version=services.CONSENT_VERSION
    )
