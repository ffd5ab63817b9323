"""The admin's form for recording an election; an organisation's forms for its
accreditation and its documents."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from course.config import TIMEZONE
from course.core.fields import DATE_MESSAGE, IsoDateField
from course.core.i18n import _l


def kind_labels() -> dict:
    return {
        "kurultai": _l("Election to the Kurultai"),
        "presidential": _l("Presidential election"),
        "maslikhat": _l("Elections to maslikhats"),
        "akim": _l("Elections of akims"),
        "referendum": _l("Referendum"),
    }


class ElectionForm(FlaskForm):
    kind = SelectField(
        _l("Kind of election"),
        choices=[SelectChoice(k, label) for k, label in kind_labels().items()],
    )
    day = IsoDateField(
        _l("Voting day"), validators=[InputRequired(DATE_MESSAGE)], format="%Y-%m-%d"
    )
    name_kk = StringField(
        _l("Name in Kazakh"),
        validators=[DataRequired(_l("Give the name in Kazakh.")), Length(max=300)],
    )
    name_ru = StringField(
        _l("Name in Russian"),
        validators=[DataRequired(_l("Give the name in Russian.")), Length(max=300)],
    )


PDF_ONLY = {"accept": ".pdf,application/pdf"}  # the browser's file picker; checked on upload


def document_labels() -> dict:
    return {
        "charter_extract": _l("Extract of the Charter (election observation among its goals)"),
        "head_powers": _l("Document certifying the powers of the organisation's head"),
    }


class AccreditationForm(FlaskForm):
    election = SelectField(_l("Election"), coerce=int, validate_choice=True)
    number = StringField(
        _l("Number of the accreditation decision"),
        validators=[DataRequired(_l("Give the decision's number.")), Length(max=60)],
    )
    decided_on = IsoDateField(
        _l("Date of the decision"), validators=[InputRequired(DATE_MESSAGE)], format="%Y-%m-%d"
    )
    commission = StringField(
        _l("Commission that accredited the organisation"),
        validators=[DataRequired(_l("Name the commission.")), Length(max=300)],
    )
    scan = FileField(
        _l("Scan of the decision (PDF)"),
        validators=[FileRequired(_l("Choose the PDF file of the decision."))],
        render_kw=PDF_ONLY,
    )

    def validate_decided_on(self, field) -> None:
        if field.data and field.data > datetime.now(ZoneInfo(TIMEZONE)).date():
            raise ValidationError(_l("The decision's date cannot be in the future."))


class DocumentForm(FlaskForm):
    kind = SelectField(
        _l("Document"),
        choices=[SelectChoice(k, label) for k, label in document_labels().items()],
    )
    file = FileField(
        _l("PDF file"),
        validators=[FileRequired(_l("Choose the PDF file of the document."))],
        render_kw=PDF_ONLY,
    )


class AssignmentForm(FlaskForm):
    observer = SelectField(_l("Observer"), coerce=int, validate_choice=True)
    station = StringField(
        _l("Polling station number"),
        validators=[DataRequired(_l("Give the polling station's number.")), Length(max=20)],
    )
    address = StringField(
        _l("Polling station address"),
        validators=[DataRequired(_l("Give the polling station's address.")), Length(max=300)],
    )
    coordinator = StringField(_l("Coordinator (optional)"), validators=[Length(max=200)])


class AssignmentsFileForm(FlaskForm):
    file = FileField(
        _l("CSV file: iin_or_code,station,address[,coordinator]"),
        validators=[FileRequired(_l("Choose the CSV file."))],
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )
