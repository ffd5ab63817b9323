"""Form fields more than one area uses."""

from __future__ import annotations

from wtforms import DateField

from course.core.i18n import _l

DATE_MESSAGE = _l("Write the date as YYYY-MM-DD, e.g. 2027-03-31.")


class IsoDateField(DateField):
    """A YYYY-MM-DD date whose parse error is our own translated sentence (WTForms' own is
    English only)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError(DATE_MESSAGE) from e
