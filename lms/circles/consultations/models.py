"""Consultations of citizens: a circle asks 1–10 questions about its project and gathers answers
online (a public page reached by a short link or a poster's QR code) and through other channels
(paper, in person, phone, WhatsApp, local radio) that members enter by hand or import as CSV.

``ConsultationAnswer`` is one person's set of answers (with its channel, commune and date);
``ConsultationValue`` holds each chosen choice or written text of it, one row per choice, with
the answer's channel and commune copied in, so that the results are one ``GROUP BY`` over one
covering index whatever the number of answers. Nothing here is ever deleted by a moderator: an
abusive text is hidden (who, when, why), never removed.

Access: the circle's members and its facilitators (the cohort's trainers, administrators) see and
manage its consultations; only facilitators hide texts; anyone may answer an open consultation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from lms.circles.models import Circle, Project
from lms.users.models import User

KINDS = ("single", "multiple", "scale", "text")
CHANNELS = ("online", "in_person", "paper", "phone", "whatsapp", "radio")
#: what members enter by hand or import (online answers come from the public page only)
OFFLINE_CHANNELS = CHANNELS[1:]
STATUSES = ("draft", "open", "closed")
#: French and Arabic are required, English optional
LANGUAGES = ("fr", "ar", "en")
REQUIRED_LANGUAGES = ("fr", "ar")
MAX_QUESTIONS = 10
MIN_CHOICES = 2
MAX_CHOICES = 8
SCALE = ("1", "2", "3", "4", "5")
TEXT_MAX = 500
COMMUNE_MAX = 100
MAX_COMMUNES = 30


def in_language(texts: dict[str, str] | None, language: str) -> str:
    """The text in ``language``, else French, else Arabic, else English."""
    texts = texts or {}
    for code in (language, "fr", "ar", "en"):
        if texts.get(code):
            return texts[code]
    return ""


class Consultation(db.Model):
    __tablename__ = "lms_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circle_projects.id", ondelete="CASCADE"), index=True
    )
    #: the short link's code (``/c/<code>``), unique across the site
    code: Mapped[str] = mapped_column(String(16), unique=True)
    titles: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    intros: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: the communes offered on the forms (an answer may name another one)
    communes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    #: the team milestone (an assignment lesson of the course) the results are attached to
    milestone_lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_lessons.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship()
    questions: Mapped[list[ConsultationQuestion]] = relationship(
        back_populates="consultation",
        order_by="ConsultationQuestion.position",
        cascade="all, delete-orphan",
    )

    @property
    def circle(self) -> Circle:
        return self.project.circle

    def title(self, language: str) -> str:
        return in_language(self.titles, language)

    def intro(self, language: str) -> str:
        return in_language(self.intros, language)

    def state_on(self, today: date) -> str:
        """``draft`` (not published), ``not_yet`` (opens later), ``open`` or ``closed``."""
        if self.status == "draft":
            return "draft"
        if self.status == "closed" or (self.closes_on is not None and today > self.closes_on):
            return "closed"
        if self.opens_on is not None and today < self.opens_on:
            return "not_yet"
        return "open"

    @property
    def editable(self) -> bool:
        """Questions change only before the consultation is published."""
        return self.status == "draft"

    def can_view(self, user) -> bool:
        """Members of the circle, its facilitators and administrators."""
        return self.circle.can_view(user)

    def can_edit(self, user) -> bool:
        """Members manage their circle's consultations; facilitators may too."""
        return self.circle.is_member(user) or self.circle.can_facilitate(user)

    def can_moderate(self, user) -> bool:
        """Hiding an abusive text: the circle's facilitators and administrators."""
        return self.circle.can_facilitate(user)

    def __repr__(self) -> str:
        return f"<Consultation {self.id} {self.code}>"


class ConsultationQuestion(db.Model):
    __tablename__ = "lms_consultation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("lms_consultations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    prompts: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: [{"key": "c1", "texts": {"fr": ..., "ar": ..., "en": ...}}] (single and multiple only)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")

    def prompt(self, language: str) -> str:
        return in_language(self.prompts, language)

    def options(self, language: str) -> list[tuple[str, str]]:
        """(key, label) of every possible answer, in order (scale: 1 to 5)."""
        if self.kind == "scale":
            return [(key, key) for key in SCALE]
        return [(c["key"], in_language(c.get("texts"), language)) for c in self.choices]

    @property
    def keys(self) -> tuple[str, ...]:
        if self.kind == "scale":
            return SCALE
        return tuple(c["key"] for c in self.choices)


class ConsultationAnswer(db.Model):
    """One person's answers, from one channel. ``device_hash`` (online answers) keeps one answer
    per device: a keyed hash of the device's cookie and the consultation, never the cookie."""

    __tablename__ = "lms_consultation_answers"
    __table_args__ = (
        UniqueConstraint("consultation_id", "device_hash"),
        Index("ix_lms_consultation_answers_breakdown", "consultation_id", "channel", "commune"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("lms_consultations.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(20))
    commune: Mapped[str] = mapped_column(String(100), default="")
    answered_on: Mapped[date] = mapped_column(Date)
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: the member who entered it (other channels); None for the public page
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_consultation_imports.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    values: Mapped[list[ConsultationValue]] = relationship(
        back_populates="answer", cascade="all, delete-orphan"
    )
    entered_by: Mapped[User | None] = relationship()


class ConsultationValue(db.Model):
    """A chosen choice (``choice``) or a written text (``text``) of one answer."""

    __tablename__ = "lms_consultation_values"
    __table_args__ = (
        # the results' one GROUP BY reads this index only (an index-only scan)
        Index(
            "ix_lms_consultation_values_tally",
            "consultation_id",
            "question_id",
            "choice",
            "channel",
            "commune",
            "answer_id",
        ),
        Index("ix_lms_consultation_values_texts", "question_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("lms_consultation_answers.id", ondelete="CASCADE"), index=True
    )
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("lms_consultations.id", ondelete="CASCADE")
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("lms_consultation_questions.id", ondelete="CASCADE")
    )
    choice: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    commune: Mapped[str] = mapped_column(String(100), default="")
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    hidden_reason: Mapped[str] = mapped_column(String(200), default="")

    answer: Mapped[ConsultationAnswer] = relationship(back_populates="values")
    hidden_by: Mapped[User | None] = relationship()

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class ConsultationImport(db.Model):
    """An uploaded CSV of answers, parsed and kept until a member confirms it (as a roster
    import): confirming writes exactly the rows the preview showed, all of them or none."""

    __tablename__ = "lms_consultation_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("lms_consultations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: [{"row": 2, "channel", "commune", "date", "values": [[question_id, choice, text]],
    #:   "errors": ["..."]}]
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship()

    @property
    def bad_rows(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row.get("errors")]
