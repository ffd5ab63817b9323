"""The admin's form for recording an election."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from course.core.i18n import _l

DATE_MESSAGE = _l("Write the date as YYYY-MM-DD, e.g. 2027-03-31.")


def kind_labels() -> dict:
    return {
        "kurultai": _l("Election to the Kurultai"),
        "presidential": _l("Presidential election"),
        "maslikhat": _l("Elections to maslikhats"),
        "akim": _l("Elections of akims"),
        "referendum": _l("Referendum"),
    }


class VotingDayField(DateField):
    """A YYYY-MM-DD date whose parse error is our own translated sentence."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError(DATE_MESSAGE) from e


class ElectionForm(FlaskForm):
    kind = SelectField(
        _l("Kind of election"),
        choices=[SelectChoice(k, label) for k, label in kind_labels().items()],
    )
    day = VotingDayField(
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
