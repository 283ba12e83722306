"""The SCORM runtime's data: one row per learner, lesson and attempt.

The package itself is the lesson's (``Lesson.settings["scorm"]``, files under the instance folder:
``curriculum/scorm.py``). An attempt keeps the CMI data the runtime commits: the whole CMI object
as the runtime last sent it (``cmi``), and apart the values the LMS reads (resume, completion,
score, time). An attempt belongs to one package version (``package_sha256``): when the lesson's
package changes, the learner's next visit starts a new attempt, since the old suspend data means
nothing to the new content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from curriculum.models import Lesson
from lms.learning.models import Enrolment


class ScormAttempt(db.Model):
    __tablename__ = "lms_scorm_attempts"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enrolments.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    package_sha256: Mapped[str] = mapped_column(String(64))
    #: "1.2" or "2004": the data model of ``cmi``
    version: Mapped[str] = mapped_column(String(8))
    #: the whole CMI object of the last commit (interactions, objectives... kept for reports)
    cmi: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    suspend_data: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(1000), default="")
    #: SCORM 1.2 cmi.core.lesson_status (passed, completed, failed, incomplete, browsed...)
    lesson_status: Mapped[str] = mapped_column(String(20), default="")
    #: SCORM 2004 cmi.completion_status and cmi.success_status
    completion_status: Mapped[str] = mapped_column(String(20), default="")
    success_status: Mapped[str] = mapped_column(String(20), default="")
    score_raw: Mapped[float | None] = mapped_column(Float)
    score_min: Mapped[float | None] = mapped_column(Float)
    score_max: Mapped[float | None] = mapped_column(Float)
    score_scaled: Mapped[float | None] = mapped_column(Float)
    #: the score in percent, as progress records it
    score: Mapped[int | None] = mapped_column(Integer)
    #: the last session's time as the runtime reported it, and the attempt's total in seconds
    session_time: Mapped[str] = mapped_column(String(40), default="")
    session_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: seconds of the sessions before the current one
    earlier_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: the current session (a key the lesson page gives each launch of the player) and its last
    #: commit's sequence number: a commit that arrives late (a retry) never overwrites a newer one
    session_key: Mapped[str] = mapped_column(String(40), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: the HTML page of the package the last commit came from (a multi-page package starts a new
    #: SCORM session time on each page: the earlier pages' time is kept in ``earlier_seconds``)
    page_key: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: when the runtime made the stored state (the device's clock, never later than the server's):
    #: a commit of another session made before it (another device's, sent late) changes nothing
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    commits: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship()
    lesson: Mapped[Lesson] = relationship()

    @property
    def total_seconds(self) -> int:
        return self.earlier_seconds + self.session_seconds

    @property
    def started(self) -> bool:
        """Whether the content has recorded anything (the next launch resumes it)."""
        return self.commits > 0

    def can_view(self, user) -> bool:
        """The learner, the cohort's trainers, administrators."""
        return self.enrolment.can_view(user)
