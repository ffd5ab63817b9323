"""Fixtures the security tests share with the areas they attack: a certificate holder,
an approved organisation."""

from tests.certificates.test_views import holder  # noqa: F401 - a fixture, used by name
from tests.organisations.test_views import org  # noqa: F401 - a fixture, used by name
