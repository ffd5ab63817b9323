"""The course editor's pages: the overview, translation status and publishing
(overview.py), module and course-wide texts (texts.py), lessons and images (lessons.py),
history (history.py), quizzes (quizzes.py). The blueprint lives in blueprint.py;
importing this package registers every route on it."""

from course.modules.authoring.views import history, lessons, overview, quizzes, texts
from course.modules.authoring.views.blueprint import bp

__all__ = ["bp", "history", "lessons", "overview", "quizzes", "texts"]
