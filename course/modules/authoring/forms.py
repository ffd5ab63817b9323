"""Forms of the trainer area. The per-language texts are read by views.py from fields named
after unit keys (`text:<key>:<lang>`), since which units a page shows depends on content."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from course.core.content import ID_PATTERN
from course.core.fields import DATE_MESSAGE, IsoDateField
from course.core.i18n import _, _l


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token is needed."""


class LessonMetaForm(FlaskForm):
    minutes = IntegerField(
        _l("Reading time, minutes"),
        validators=[
            InputRequired(_l("Give the reading time in minutes.")),
            NumberRange(1, 240, _l("The reading time is 1 to 240 minutes.")),
        ],
    )
    status_as_of = IsoDateField(
        _l("The law this page reflects, as of"),
        validators=[InputRequired(DATE_MESSAGE)],
        format="%Y-%m-%d",
    )


class ModuleMetaForm(FlaskForm):
    status_as_of = IsoDateField(
        _l("The law this module reflects, as of"),
        validators=[InputRequired(DATE_MESSAGE)],
        format="%Y-%m-%d",
    )


QUESTION_TYPES = [
    SelectChoice("single", _l("One right answer")),
    SelectChoice("multiple", _l("Several right answers")),
    SelectChoice("true_false", _l("True or false")),
    SelectChoice("ordering", _l("Put in order")),
]


class QuestionMetaForm(FlaskForm):
    type = SelectField(_l("Type of question"), choices=QUESTION_TYPES)
    module = SelectField(_l("Module"), choices=[], validate_choice=False)
    scenario_id = StringField(
        _l("Scenario id (optional; questions with the same id share the scenario)"),
        validators=[
            Optional(),
            Regexp(ID_PATTERN.pattern, message=_l("Use lower-case Latin letters, digits, dashes.")),
        ],
    )
    true_false_answer = SelectField(
        _l("The right answer"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("true", _l("True")),
            SelectChoice("false", _l("False")),
        ],
        validators=[Optional()],
    )


class PublishForm(FlaskForm):
    law_in_force_on = IsoDateField(
        _l("Checked against the law in force on"),
        validators=[InputRequired(DATE_MESSAGE)],
        format="%Y-%m-%d",
    )
    review_note = TextAreaField(
        _l("Legal-review note: what was checked, against which acts"),
        validators=[
            DataRequired(_l("Write what the legal review checked.")),
            Length(max=2000, message=_l("This field is too long.")),
        ],
    )
    supersedes = BooleanField(
        _l("Earlier certificates: mark them “superseded — refresher recommended”")
    )


def publish_form(
    needed: list[tuple[str, str]], offered: list[tuple[str, str]], today: date
) -> PublishForm:
    """The publish form with a review date for each module given as (id, title): required
    (today offered) for the modules that changed, optional for the others."""

    class Form(PublishForm):
        pass

    for required, modules in ((True, needed), (False, offered)):
        for module_id, title in modules:
            setattr(
                Form,
                review_field(module_id),
                IsoDateField(
                    _("“%(module)s”: reviewed on", module=title),
                    validators=[
                        InputRequired(DATE_MESSAGE) if required else Optional(),
                        NotAfter(today),
                    ],
                    format="%Y-%m-%d",
                    default=today if required else None,
                ),
            )
    return Form()


def review_field(module_id: str) -> str:
    return f"reviewed-{module_id}"


class NotAfter:
    """A date no later than `day` (a review cannot have happened tomorrow)."""

    def __init__(self, day: date):
        self.day = day

    def __call__(self, form, field) -> None:
        if field.data and field.data > self.day:
            raise ValidationError(_("A review date cannot be in the future."))


class ImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG, WebP or GIF)"), validators=[FileRequired()])
    alt_kk = StringField(
        _l("Description of the image in Kazakh (alt text)"),
        validators=[DataRequired(_l("Describe the image in Kazakh.")), Length(max=300)],
    )
    alt_ru = StringField(
        _l("Description of the image in Russian (alt text)"),
        validators=[DataRequired(_l("Describe the image in Russian.")), Length(max=300)],
    )
