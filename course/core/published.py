"""Moved to course.core.content.published; kept only while the offline area moves over."""

from course.core.content.published import course_edition, current_course, editions

__all__ = ["course_edition", "current_course", "editions"]
