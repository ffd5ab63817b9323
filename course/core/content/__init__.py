"""The course as files: load `content/`, validate it, and serve it as frozen objects.

The package, one file per responsibility:

    layout.py      where each part lives in a content folder; the front-matter pattern
    model.py       the frozen course objects (Course, Module, Lesson, Quiz, Question …)
    yamllines.py   YAML that remembers lines, so problems name file and line
    reading.py     reading files and typed values, collecting problems
    loader.py      the whole course: structure, texts, lessons, links, glossary, pocket
    quizzes.py     module quizzes and the final exam
    problems.py    Problem and ContentError
    export.py      the public JSON export
    markdown.py    Markdown rendered and sanitised once, at load
    review.py      when a module is due for review (its age, recorded changes in the law)
    editions.py    published editions: frozen copies learners see, cached per worker (no Flask)
    records.py     an edition as kept: its record, the store's interface, publishing's errors
    archive.py     a content folder as one .tar.gz and back (no Flask)
    store.py       the editions' table in the database (the source of truth)
    published.py   the app's current edition (`current_course`), bound in create_app

Structure and answer keys exist once, so they cannot drift between languages; every text
file is checked against that structure. Nothing imported here needs Flask: the loader is
used by the CLI before any app exists, and by tests without one (import `published` for
the app's view of the course).
"""

from course.core.content.loader import check_content, load_course
from course.core.content.model import (
    DEFAULT_EXAM_MINUTES,
    DEFAULT_PASS_MARK,
    DEFAULT_QUIZ_MINUTES,
    ID_PATTERN,
    LANGUAGES,
    QUESTION_TYPES,
    TRUE_FALSE_OPTIONS,
    TRUE_FALSE_TEXT,
    Course,
    FinalExam,
    GlossaryTerm,
    LegalChange,
    Lesson,
    Localized,
    Module,
    Option,
    Pocket,
    Question,
    Quiz,
)
from course.core.content.problems import ContentError, Problem

__all__ = [
    "DEFAULT_EXAM_MINUTES",
    "DEFAULT_PASS_MARK",
    "DEFAULT_QUIZ_MINUTES",
    "ID_PATTERN",
    "LANGUAGES",
    "QUESTION_TYPES",
    "TRUE_FALSE_OPTIONS",
    "TRUE_FALSE_TEXT",
    "ContentError",
    "Course",
    "FinalExam",
    "GlossaryTerm",
    "LegalChange",
    "Lesson",
    "Localized",
    "Module",
    "Option",
    "Pocket",
    "Problem",
    "Question",
    "Quiz",
    "check_content",
    "load_course",
]
