"""Tables of the teaching material: courses, modules, lessons, quiz questions and pack assets.

Identity is the slug path ``course/module/lesson``; positions only order things. Nothing is ever
deleted by a re-import: what a pack no longer has is archived (``archived_at``), so learners'
history stays whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    Select,
    String,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import JSONType, UTCDateTime, db, utcnow

LESSON_KINDS = ("reading", "video", "quiz", "assignment", "session", "scorm")


def pick(texts: dict[str, str] | None, language: str, fallback: str) -> str:
    """The text in ``language``, else in ``fallback``, else any text there is."""
    if not texts:
        return ""
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


class Course(db.Model):
    __tablename__ = "lms_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    version: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    default_language: Mapped[str] = mapped_column(String(5))
    languages: Mapped[list[str]] = mapped_column(JSONType)
    complete_languages: Mapped[list[str]] = mapped_column(JSONType)
    titles: Mapped[dict[str, str]] = mapped_column(JSONType)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSONType)
    audience: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    estimated_hours: Mapped[int] = mapped_column(Integer, default=0)
    sequential: Mapped[bool] = mapped_column(Boolean, default=False)
    self_enrolment: Mapped[bool] = mapped_column(Boolean, default=True)
    serial_prefix: Mapped[str] = mapped_column(String(8))
    certificate_rule: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: slugs of the courses a learner completes before enrolling in this one
    requires: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )

    def title(self, language: str) -> str:
        return pick(self.titles, language, self.default_language)

    def description(self, language: str) -> str:
        return pick(self.descriptions, language, self.default_language)

    def is_complete_in(self, language: str) -> bool:
        return language in self.complete_languages

    def content_language(self, language: str) -> str:
        """The language the course's own texts are shown in for a learner who prefers
        ``language`` (a lesson may have its own translation: see ``Lesson.body_language``)."""
        return language if language in self.complete_languages else self.default_language

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Module(db.Model):
    __tablename__ = "lms_modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    titles: Mapped[dict[str, str]] = mapped_column(JSONType)
    summaries: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    def title(self, language: str) -> str:
        return pick(self.titles, language, self.course.default_language)

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class Lesson(db.Model):
    __tablename__ = "lms_lessons"
    __table_args__ = (UniqueConstraint("module_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("lms_courses.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(ForeignKey("lms_modules.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    titles: Mapped[dict[str, str]] = mapped_column(JSONType)
    #: sanitised HTML of the body, per language
    bodies: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: kind-specific settings: video_url, submission, deliverable, rubric, duration_minutes,
    #: pass_mark, attempts, unshuffled (quiz questions whose choices keep the pack's order),
    #: scorm (the package: see curriculum/scorm.py)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module: Mapped[Module] = relationship(back_populates="lessons")
    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="lesson", order_by="QuizQuestion.position", cascade="all, delete-orphan"
    )

    @hybrid_property
    def completes_course(self) -> bool:
        """A required lesson the learner does themselves: completing the course needs all of
        them. In-person sessions count through the certificate's attendance rule instead (a
        learner may miss a meeting), so they are shown apart as attendance."""
        return self.required and self.kind != "session"

    @completes_course.inplace.expression
    @classmethod
    def _completes_course_expression(cls):
        return and_(cls.required.is_(True), cls.kind != "session")

    @hybrid_property
    def is_required_session(self) -> bool:
        """A required in-person session: counted as attendance, apart from the lessons."""
        return self.required and self.kind == "session"

    @is_required_session.inplace.expression
    @classmethod
    def _is_required_session_expression(cls):
        return and_(cls.required.is_(True), cls.kind == "session")

    def body_language(self, language: str, default: str) -> str:
        """``language`` when this lesson has a body in it, else the course's default."""
        return language if language in (self.bodies or {}) else default

    def content_language(self, course: Course, language: str) -> str:
        """The language this lesson is shown in to a learner who prefers ``language``: its
        body's, or for a quiz (no body; every text exists in each complete language) the
        course's."""
        if self.kind == "quiz":
            return course.content_language(language)
        return self.body_language(language, course.default_language)

    @property
    def slug_path(self) -> str:
        return f"{self.module.course.slug}/{self.module.slug}/{self.slug}"

    @property
    def live_questions(self) -> list[QuizQuestion]:
        """The quiz's questions as the pack has them now (archived ones keep old attempts)."""
        return [q for q in self.questions if q.archived_at is None]

    def title(self, language: str, fallback: str) -> str:
        return pick(self.titles, language, fallback)

    def __repr__(self) -> str:
        return f"<Lesson {self.slug}>"


def live_lessons(course_ids: int | Iterable[int], *columns) -> Select:
    """SELECT the lessons learners see (not archived, in a module not archived) of these
    courses, joined to their module, in course order. ``columns`` default to the ``Lesson``
    entity; callers add their own options (what to load) and filters (a kind)."""
    ids = [course_ids] if isinstance(course_ids, int) else list(course_ids)
    return (
        select(*(columns or (Lesson,)))
        .join(Module, Lesson.module_id == Module.id)
        .where(
            Lesson.course_id.in_(ids), Lesson.archived_at.is_(None), Module.archived_at.is_(None)
        )
        .order_by(Lesson.course_id, Module.position, Lesson.position)
    )


class QuizQuestion(db.Model):
    __tablename__ = "lms_quiz_questions"
    __table_args__ = (UniqueConstraint("lesson_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    prompts: Mapped[dict[str, str]] = mapped_column(JSONType)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lesson: Mapped[Lesson] = relationship(back_populates="questions")
    choices: Mapped[list[QuizChoice]] = relationship(
        back_populates="question", order_by="QuizChoice.position", cascade="all, delete-orphan"
    )


class QuizChoice(db.Model):
    __tablename__ = "lms_quiz_choices"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("lms_quiz_questions.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    texts: Mapped[dict[str, str]] = mapped_column(JSONType)
    correct: Mapped[bool] = mapped_column(Boolean)
    explanations: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[QuizQuestion] = relationship(back_populates="choices")


class CourseAsset(db.Model):
    """An image or file of a pack (``assets/...``), served by the app."""

    __tablename__ = "lms_course_assets"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
