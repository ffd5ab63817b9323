"""Account forms; every label and message is translated (lazy, since forms are built at import)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from course.core.i18n import LANGUAGE_NAMES, _l
from course.modules.accounts.names import MAX_NAME_LENGTH, InvalidName, normalize_name
from course.modules.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

_NAME_ERRORS = {
    "empty": _l("Enter your full name."),
    "too_long": _l("The name is too long."),
    "characters": _l("Use only Kazakh, Russian or Latin letters, spaces, hyphens and apostrophes."),
    "too_short": _l("Enter your full name as on your identity document."),
}


def legal_name(form, field) -> None:
    try:
        field.data = normalize_name(field.data or "")
    except InvalidName as e:
        raise ValidationError(_NAME_ERRORS[e.reason]) from e


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Password"),
            description=_l("At least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
            validators=[
                DataRequired(_l("Choose a password.")),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                    message=_l(
                        "The password must have %(min)d to %(max)d characters.",
                        min=MIN_PASSWORD_LENGTH,
                        max=MAX_PASSWORD_LENGTH,
                    ),
                ),
            ],
        ),
        PasswordField(
            _l("Repeat the password"),
            validators=[
                DataRequired(_l("Repeat the password.")),
                EqualTo("password", message=_l("The passwords do not match.")),
            ],
        ),
    )


def _name_field() -> StringField:
    return StringField(
        _l("Full name, as on your identity document"),
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=MAX_NAME_LENGTH, message=_l("The name is too long.")),
            legal_name,
        ],
    )


class RegistrationForm(FlaskForm):
    full_name = _name_field()
    email = _email_field()
    password, confirm = _new_password_fields()
    consent = BooleanField(
        _l("I agree to the processing of my personal data as the privacy notice describes."),
        validators=[InputRequired(_l("Registration needs your consent to the privacy notice."))],
    )


class SignInForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("The password is too long.")),
        ],
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class NameForm(FlaskForm):
    full_name = _name_field()


class LanguageForm(FlaskForm):
    locale = RadioField(
        _l("Language of e-mails and of the start page"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validators=[InputRequired(_l("Choose a language."))],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_PASSWORD_LENGTH, message=_l("The password is too long.")),
        ],
    )
    password, confirm = _new_password_fields()
