"""Organisations: a valid BIN, the application form's fields, an API token."""

from __future__ import annotations

import re

from course.core.identifiers import check_digit


def valid_bin(prefix: str) -> str:
    """The first 12-digit BIN with a valid check digit that starts with this 7-digit prefix."""
    for n in range(1000):
        first = f"{prefix}{n:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
    raise AssertionError(f"no valid BIN starts with {prefix}")


def application(bin_number: str, **extra) -> dict:
    """The fields of an organisation's application, with extra ones on top."""
    return {
        "name_kk": "«Ашық сайлау» қоғамдық бірлестігі",
        "name_ru": "Общественное объединение «Открытые выборы»",
        "bin": bin_number,
        "contact_name": "Айгүл Сәтбаева",
        "contact_email": "office@example.kz",
        "contact_phone": "+7 701 000 00 00",
        "charter_includes_observation": "y",
        "accreditation_number": "",
        "accreditation_valid_until": "",
        **extra,
    }


def api_token(org: dict) -> str:
    """A new API token, made by the `org` fixture's admin on the organisation's page."""
    page = (
        org["client"]
        .post("/kk/organisation/", data={"action": "token", "name": "CRM"})
        .get_data(as_text=True)
    )
    match = re.search(r'<code class="token">([^<]+)</code>', page)
    assert match, "no new token on the organisation's page"
    return match.group(1)
