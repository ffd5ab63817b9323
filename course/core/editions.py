"""Moved to course.core.content.editions; kept only while the offline area moves over."""

from course.core.content.editions import *  # noqa: F403
from course.core.content.editions import Editions, EditionRecord  # noqa: F401
