"""Where each part of the course lives in a content folder, relative to its root.

    course.yaml                      language-neutral: edition, modules, lesson order
    glossary.yaml                    language-neutral: the glossary's term ids
    quizzes/<module>.yaml            language-neutral: question ids, types, options, keys
    quizzes/final-exam.yaml          language-neutral: the final exam's pool and rules
    media/                           images, shared by both languages
    <lang>/course.yaml               course title, tagline, description
    <lang>/glossary.yaml             terms and definitions
    <lang>/pocket.md                 the pocket reference (front matter + Markdown)
    <lang>/<module>/module.yaml      module title and summary
    <lang>/<module>/<lesson>.md      a lesson: front matter + Markdown
    <lang>/<module>/quiz.yaml        the texts of the module's quiz
    <lang>/final-exam.yaml           the texts of the final exam's pool

The loader and the course editor both find files through these functions, and both read
front matter with FRONT_MATTER, so they cannot disagree about the layout.
"""

from __future__ import annotations

import re

STRUCTURE = "course.yaml"
GLOSSARY = "glossary.yaml"
MEDIA = "media"
FINAL_EXAM = "final-exam"
# A Markdown file's front matter: YAML between two `---` lines at the very top.
FRONT_MATTER = re.compile(r"---\n(.*?\n)---\n", re.S)


def course_text(lang: str) -> str:
    return f"{lang}/course.yaml"


def glossary_text(lang: str) -> str:
    return f"{lang}/glossary.yaml"


def pocket(lang: str) -> str:
    return f"{lang}/pocket.md"


def module_text(lang: str, module_id: str) -> str:
    return f"{lang}/{module_id}/module.yaml"


def lesson(lang: str, module_id: str, lesson_id: str) -> str:
    return f"{lang}/{module_id}/{lesson_id}.md"


def quiz_structure(set_id: str) -> str:
    """A module quiz's structure (`set_id` = the module id), or the final exam's."""
    return f"quizzes/{set_id}.yaml"


def quiz_text(lang: str, module_id: str) -> str:
    return f"{lang}/{module_id}/quiz.yaml"


def final_exam_text(lang: str) -> str:
    return f"{lang}/{FINAL_EXAM}.yaml"
