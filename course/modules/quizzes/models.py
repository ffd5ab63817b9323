"""Quiz attempts, the questions each one drew, and course completions.

Everything refers to content ids (quiz, module, question, option), never to text, so an
attempt can be answered in either language and graded the same.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.core.db import UTCDateTime, db, utcnow

OPEN, SUBMITTED, EXPIRED = "open", "submitted", "expired"


class Attempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        CheckConstraint("kind IN ('module', 'final', 'refresher')", name="kind"),
        CheckConstraint("status IN ('open', 'submitted', 'expired')", name="status"),
        # At most one open attempt per learner and quiz, even under concurrent starts.
        Index(
            "uq_quiz_attempts_one_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # A learner's attempts at a quiz, newest first (the quiz and result pages); its
        # first column serves "the quizzes this learner passed" too.
        Index("ix_quiz_attempts_user_quiz", "user_id", "quiz_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id in URLs: random, so attempts cannot be enumerated or guessed.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    quiz_id: Mapped[str] = mapped_column(String(64))
    # None for the final exam and a refresher test (which draw from several modules).
    module_id: Mapped[str | None] = mapped_column(String(64))
    edition: Mapped[int]
    pass_mark: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The language the learner submitted in, for per-language item statistics.
    lang: Mapped[str | None] = mapped_column(String(2), default=None)
    correct_count: Mapped[int | None] = mapped_column(default=None)
    question_count: Mapped[int]
    passed: Mapped[bool | None] = mapped_column(default=None)

    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", lazy="selectin"
    )

    @property
    def score_percent(self) -> int | None:
        if self.correct_count is None:
            return None
        return self.correct_count * 100 // self.question_count


class AttemptQuestion(db.Model):
    """One question as this attempt drew it: its place, its option order, the answer."""

    __tablename__ = "quiz_attempt_questions"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(64), index=True)
    module_id: Mapped[str] = mapped_column(String(64))
    option_order: Mapped[list] = mapped_column(JSON)
    # Option ids the learner chose (in their order, for ordering questions); saved drafts too.
    chosen: Mapped[list | None] = mapped_column(JSON, default=None)
    correct: Mapped[bool | None] = mapped_column(default=None)  # set when graded

    attempt: Mapped[Attempt] = relationship(back_populates="questions")


class CourseCompletion(db.Model):
    """The learner completed every module and passed the final exam of this edition."""

    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("user_id", "edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    edition: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    final_attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    final_score: Mapped[int]
