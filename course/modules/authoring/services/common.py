"""What every authoring use-case shares: the draft (the content folder trainers edit), the
two languages, the kinds of save."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from course.core.content import LANGUAGES
from course.modules.authoring import units as u

OK, MISSING, OUTDATED = "ok", "missing", "outdated"
EDIT, RESTORE, IMPORT, IMAGE, REVIEW = "edit", "restore", "import", "image", "review"


def other(lang: str) -> str:
    return next(x for x in LANGUAGES if x != lang)


def draft() -> u.Draft:
    return u.Draft(Path(current_app.config["CONTENT_DIR"]))
