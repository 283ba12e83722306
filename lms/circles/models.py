"""Circles (teams of a cohort's learners, facilitated by the cohort's trainers), their members,
their project and the project's allies.

Access rules live here as ``can_*`` / ``is_*`` methods; the other circle areas (consultations,
indicators, journal, public page) build on them. Membership is never deleted: a learner who
leaves keeps her row with ``left_at`` set, so what she contributed stays attributed to her.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import UTCDateTime, db, utcnow
from lms.cohorts.models import Cohort
from lms.users.models import User

#: members of a circle formed by a trainer, and the default cap of a self-formed circle
MIN_MEMBERS = 2
MAX_MEMBERS = 12

STAGES = ("charter", "diagnosis", "prototype", "pilot", "presented")
OUTCOMES = ("continued", "stopped")
#: the stages the members move the project through themselves; a facilitator of the cohort sets
#: (or confirms) "presented" and what followed, and moves a project back from it
WORKING_STAGES = STAGES[:4]
THEMES = (
    "employment",
    "training",
    "entrepreneurship",
    "mobility",
    "digital",
    "environment",
    "culture",
    "health",
    "other",
)
ALLY_KINDS = (
    "commune",
    "province",
    "association",
    "cooperative",
    "company",
    "public_agency",
    "donor",
)


def _is_staff_of(cohort: Cohort, user) -> bool:
    return bool(user.is_authenticated and (user.is_admin or cohort.is_trainer(user)))


class CircleSettings(db.Model):
    """How circles form in a cohort: whether learners may create or join circles themselves
    (with a circle's code) and how many members a self-formed circle may have."""

    __tablename__ = "lms_circle_settings"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    self_formation: Mapped[bool] = mapped_column(Boolean, default=False)
    max_members: Mapped[int] = mapped_column(Integer, default=6)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cohort: Mapped[Cohort] = relationship()


class Circle(db.Model):
    __tablename__ = "lms_circles"
    __table_args__ = (UniqueConstraint("cohort_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("lms_cohorts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    #: the short code a learner types to join (self-formation); unique across the site
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: formed by a trainer, or created by a learner (self-formation)
    self_formed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    memberships: Mapped[list[CircleMember]] = relationship(
        back_populates="circle",
        order_by="CircleMember.joined_at, CircleMember.id",
        cascade="all, delete-orphan",
    )
    project: Mapped[Project | None] = relationship(
        back_populates="circle", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def members(self) -> list[CircleMember]:
        """The current members (not those who left)."""
        return [m for m in self.memberships if m.left_at is None]

    def membership_of(self, user) -> CircleMember | None:
        if not getattr(user, "is_authenticated", False):
            return None
        return next((m for m in self.members if m.user_id == user.id), None)

    def is_member(self, user) -> bool:
        return self.membership_of(user) is not None

    def can_facilitate(self, user) -> bool:
        """The cohort's trainers and administrators: they see, review and manage the circle."""
        return _is_staff_of(self.cohort, user)

    def can_view(self, user) -> bool:
        """The circle's own page (members, facilitators, administrators)."""
        return self.is_member(user) or self.can_facilitate(user)

    def lock(self) -> None:
        """Hold the circle's row until the transaction ends, and read its members again: who
        joins, hands in or reviews for it waits for the others (PostgreSQL's ``FOR UPDATE``;
        SQLite lets one writer at a time anyway)."""
        db.session.execute(select(Circle.id).where(Circle.id == self.id).with_for_update())
        db.session.expire(self, ["memberships"])

    def __repr__(self) -> str:
        return f"<Circle {self.id} {self.name!r}>"


class CircleMember(db.Model):
    """One membership of a learner in a circle; leaving sets ``left_at`` (never deleted).
    ``cohort_id`` is copied from the circle so that the database keeps a learner in at most one
    circle per cohort at a time (a partial unique index on the current memberships)."""

    __tablename__ = "lms_circle_members"
    __table_args__ = (
        Index(
            "uq_lms_circle_members_current",
            "cohort_id",
            "user_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circles.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    #: the member agrees to the project being published (the public page needs every member's)
    consents_to_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the public page may show her first name
    show_first_name: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when she last answered (None: she has not said yet, which is not the same as "no")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    circle: Mapped[Circle] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    @property
    def active(self) -> bool:
        return self.left_at is None

    @property
    def first_name(self) -> str:
        return (self.user.name or "").split()[0] if self.user.name.strip() else ""


class Project(db.Model):
    """The one project a circle carries, from its charter to its presentation."""

    __tablename__ = "lms_circle_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circles.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    #: the title in the other language of the sheet (Arabic if the title is French, or French)
    second_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # the public problem statement, in the course's method
    problem_who: Mapped[str] = mapped_column(Text, default="")
    problem_what: Mapped[str] = mapped_column(Text, default="")
    problem_where: Mapped[str] = mapped_column(Text, default="")
    problem_how_many: Mapped[str] = mapped_column(Text, default="")
    problem_why: Mapped[str] = mapped_column(Text, default="")
    #: what the circle tried (prototype, pilot), for the public page
    tried: Mapped[str] = mapped_column(Text, default="")
    province: Mapped[str] = mapped_column(String(100), default="")
    commune: Mapped[str] = mapped_column(String(100), default="")
    theme: Mapped[str] = mapped_column(String(40), default="employment")
    stage: Mapped[str] = mapped_column(String(20), default="charter")
    #: after the presentation: continued or stopped (with a reason)
    outcome: Mapped[str | None] = mapped_column(String(20))
    stop_reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    circle: Mapped[Circle] = relationship(back_populates="project")
    published_by: Mapped[User | None] = relationship()
    allies: Mapped[list[ProjectAlly]] = relationship(
        back_populates="project", order_by="ProjectAlly.id", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def stage_index(self) -> int:
        return STAGES.index(self.stage) if self.stage in STAGES else 0

    def reached(self, stage: str) -> bool:
        """The project is at ``stage`` or beyond (certificate rules)."""
        return self.stage_index >= STAGES.index(stage)

    def can_edit(self, user) -> bool:
        """The circle's current members, its facilitators and administrators."""
        return self.circle.is_member(user) or self.circle.can_facilitate(user)

    def stages_settable_by(self, user) -> tuple[str, ...]:
        """The stages ``user`` may give the project: a facilitator any; a member the working
        stages up to the next one (back as far as she likes), none once it is presented."""
        if self.circle.can_facilitate(user):
            return STAGES
        if self.stage not in WORKING_STAGES:
            return (self.stage,)
        return WORKING_STAGES[: self.stage_index + 2]

    def can_set_outcome(self, user) -> bool:
        """Continued or stopped, after the presentation: a facilitator's decision."""
        return self.circle.can_facilitate(user)

    def can_view(self, user) -> bool:
        """Members, facilitators and administrators; anyone else only once published."""
        return self.is_published or self.can_edit(user)

    def can_publish(self, user) -> bool:
        return self.circle.can_facilitate(user)

    @property
    def members_not_agreeing(self) -> list[CircleMember]:
        """Current members who have not said yes (a learner who joined once it was published)."""
        return [m for m in self.circle.members if not m.consents_to_publish]

    @property
    def everyone_agrees(self) -> bool:
        """Every current member has said yes to publishing (the condition to publish)."""
        members = self.circle.members
        return bool(members) and all(m.consents_to_publish for m in members)

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title!r}>"


class ProjectAlly(db.Model):
    """An organisation that supports the project, with an optional letter of support."""

    __tablename__ = "lms_circle_project_allies"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("lms_circle_projects.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    contact_role: Mapped[str] = mapped_column(String(200), default="")
    commitment: Mapped[str] = mapped_column(Text, default="")
    #: the letter of support (PDF or photo), stored through ``lms.uploads``
    letter_name: Mapped[str | None] = mapped_column(String(255))
    letter_type: Mapped[str | None] = mapped_column(String(20))
    letter_size: Mapped[int | None] = mapped_column(Integer)
    letter_path: Mapped[str | None] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="allies")

    def can_edit(self, user) -> bool:
        return self.project.can_edit(user)

    def can_view(self, user) -> bool:
        return self.project.can_view(user)
