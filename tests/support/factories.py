"""Plain functions that make test data with sensible defaults."""

from __future__ import annotations

import itertools

from course.modules.accounts import services as accounts

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(**overrides):
    """Inside an app context: register a new person (not committed); `role` sets the role."""
    n = next(_counter)
    values = {
        "email": f"learner{n}@example.kz",
        "full_name": "Әсел Қайратқызы Нұрланова",
        "password": PASSWORD,
        "locale": "kk",
    }
    role = overrides.pop("role", None)
    values.update(overrides)
    user = accounts.register(**values)
    if role:
        user.role = role
    return user
