"""The organisation application form."""

from __future__ import annotations

import unicodedata
from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from course.core.i18n import _l
from course.modules.organisations.services import valid_bin


def bin_number(form, field) -> None:
    number = valid_bin(field.data or "")
    if number is None:
        raise ValidationError(_l("A BIN has 12 digits and a valid check digit. Check the number."))
    field.data = number


def iso_date(form, field) -> None:
    try:
        field.data = date.fromisoformat((field.data or "").strip())
    except ValueError as e:
        raise ValidationError(_l("Write the date as YYYY-MM-DD, e.g. 2027-03-31.")) from e


def one_line(form, field) -> None:
    """No line breaks or other control characters: names go into e-mail subjects and
    CSV cells, where a CR or LF would start a new header or row."""
    if any(unicodedata.category(ch) == "Cc" for ch in field.data or ""):
        raise ValidationError(_l("Write this on one line, without line breaks."))


def _text(label, message, length=200):
    return StringField(
        label,
        validators=[
            DataRequired(message),
            Length(max=length, message=_l("This field is too long.")),
            one_line,
        ],
    )


class ApplicationForm(FlaskForm):
    name_kk = _text(_l("Name of the organisation in Kazakh"), _l("Enter the name in Kazakh."))
    name_ru = _text(_l("Name of the organisation in Russian"), _l("Enter the name in Russian."))
    bin = StringField(
        _l("BIN (business identification number)"),
        validators=[DataRequired(_l("Enter the BIN.")), Length(max=20), bin_number],
    )
    contact_name = _text(_l("Contact person"), _l("Enter the contact person's name."))
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    contact_phone = _text(_l("Contact phone"), _l("Enter a phone number."), 40)
    charter_includes_observation = BooleanField(
        _l("The organisation's Charter includes election observation among its activities")
    )
    accreditation_number = StringField(
        _l("Accreditation number, if any"), validators=[Optional(), Length(max=60)]
    )
    accreditation_valid_until = StringField(
        _l("Accreditation valid until (YYYY-MM-DD)"), validators=[Optional(), iso_date]
    )
