"""The privacy notice learners consent to, one Markdown file per language, rendered once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from course.core.content import markdown

_FOLDER = Path(__file__).parent / "privacy"


@cache
def notice(lang: str) -> str:
    return markdown.render((_FOLDER / f"{lang}.md").read_text(encoding="utf-8")).html
