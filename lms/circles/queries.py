"""Read side of circles: one circle loaded and authorised, a learner's circles, a cohort's
circles and learners without one, a circle's milestones, late milestones, team work waiting."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from curriculum.db import db
from curriculum.models import Lesson, Module
from lms.access import authorized
from lms.cohorts.models import Cohort
from lms.cohorts.queries import managed_cohorts_filter
from lms.errors import NotFound
from lms.learning.models import Enrolment
from lms.users.models import User

from .milestone_models import MilestoneDue, TeamSubmission
from .models import Circle, CircleMember, CircleSettings, Project, ProjectAlly


def _circle_statement():
    return select(Circle).options(
        joinedload(Circle.cohort).joinedload(Cohort.course),
        joinedload(Circle.cohort).selectinload(Cohort.trainers),
        selectinload(Circle.memberships).joinedload(CircleMember.user),
        joinedload(Circle.project).selectinload(Project.allies),
    )


def circle_by_id(circle_id: int) -> Circle:
    circle = db.session.scalars(_circle_statement().where(Circle.id == circle_id)).first()
    if circle is None:
        raise NotFound()
    return circle


def visible_circle(circle_id: int, user) -> Circle:
    """The circle (404 if none) for its members, facilitators and administrators (403)."""
    return authorized(circle_by_id(circle_id), "can_view", user)


def editable_project(circle_id: int, user) -> Project:
    circle = circle_by_id(circle_id)
    return authorized(circle.project, "can_edit", user)


def facilitated_circle(circle_id: int, user) -> Circle:
    return authorized(circle_by_id(circle_id), "can_facilitate", user)


def ally_of(project: Project, ally_id: int) -> ProjectAlly:
    ally = next((a for a in project.allies if a.id == ally_id), None)
    if ally is None:
        raise NotFound()
    return ally


def member_of(circle: Circle, member_id: int) -> CircleMember:
    member = next((m for m in circle.memberships if m.id == member_id), None)
    if member is None:
        raise NotFound()
    return member


@dataclass
class LearnerCohort:
    """A cohort the learner is in, her current circle in it, and whether she may form one."""

    cohort: Cohort
    circle: Circle | None
    self_formation: bool
    max_members: int


def my_cohorts(user) -> list[LearnerCohort]:
    enrolments = db.session.scalars(
        select(Enrolment)
        .options(joinedload(Enrolment.cohort).joinedload(Cohort.course))
        .where(
            Enrolment.user_id == user.id,
            Enrolment.cohort_id.is_not(None),
            Enrolment.status != "withdrawn",
        )
    ).all()
    cohort_ids = [e.cohort_id for e in enrolments]
    circles = {
        c.cohort_id: c
        for c in db.session.scalars(
            _circle_statement()
            .join(CircleMember)
            .where(CircleMember.user_id == user.id, CircleMember.left_at.is_(None))
        ).unique()
    }
    settings = {
        s.cohort_id: s
        for s in db.session.scalars(
            select(CircleSettings).where(CircleSettings.cohort_id.in_(cohort_ids))
        )
    }
    found = []
    for enrolment in enrolments:
        if enrolment.cohort.archived_at is not None:
            continue
        s = settings.get(enrolment.cohort_id)
        found.append(
            LearnerCohort(
                cohort=enrolment.cohort,
                circle=circles.get(enrolment.cohort_id),
                self_formation=bool(s and s.self_formation),
                max_members=s.max_members if s else 6,
            )
        )
    return found


def cohort_circles(cohort: Cohort) -> list[Circle]:
    return list(
        db.session.scalars(
            _circle_statement().where(Circle.cohort_id == cohort.id).order_by(Circle.name)
        ).unique()
    )


def learners_without_circle(cohort: Cohort) -> list[User]:
    in_circle = select(CircleMember.user_id).where(
        CircleMember.cohort_id == cohort.id, CircleMember.left_at.is_(None)
    )
    return list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status != "withdrawn",
                User.id.not_in(in_circle),
            )
            .order_by(User.name, User.id)
        ).unique()
    )


def team_lessons(course_id: int) -> list[Lesson]:
    lessons = db.session.scalars(
        select(Lesson)
        .join(Lesson.module)
        .where(
            Lesson.course_id == course_id,
            Lesson.kind == "assignment",
            Lesson.archived_at.is_(None),
        )
        .order_by(Module.position, Lesson.position)
    )
    return [lesson for lesson in lessons if lesson.settings.get("team")]


@dataclass
class Milestone:
    lesson: Lesson
    submission: TeamSubmission | None
    due_on: date | None

    @property
    def accepted(self) -> bool:
        return self.submission is not None and self.submission.accepted

    def late(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and not self.accepted


def dues_of(cohort: Cohort) -> dict[int, date]:
    rows = db.session.scalars(select(MilestoneDue).where(MilestoneDue.cohort_id == cohort.id))
    return {row.lesson_id: row.due_on for row in rows}


def milestones_of(circle: Circle) -> list[Milestone]:
    lessons = team_lessons(circle.cohort.course_id)
    submissions = {
        s.lesson_id: s
        for s in db.session.scalars(
            select(TeamSubmission)
            .options(joinedload(TeamSubmission.submitted_by))
            .where(TeamSubmission.circle_id == circle.id)
        ).unique()
    }
    dues = dues_of(circle.cohort)
    return [
        Milestone(lesson, submissions.get(lesson.id), dues.get(lesson.id)) for lesson in lessons
    ]


@dataclass
class LateMilestone:
    circle: Circle
    lesson: Lesson
    due_on: date
    status: str | None


def late_milestones(cohort: Cohort, today: date) -> list[LateMilestone]:
    """Team milestones past their due date and not accepted, per circle of the cohort."""
    dues = dues_of(cohort)
    if not dues:
        return []
    lessons = {lesson.id: lesson for lesson in team_lessons(cohort.course_id)}
    circles = db.session.scalars(
        select(Circle).where(Circle.cohort_id == cohort.id).order_by(Circle.name)
    ).all()
    status = {
        (s.circle_id, s.lesson_id): s.status
        for s in db.session.scalars(
            select(TeamSubmission).where(TeamSubmission.circle_id.in_([c.id for c in circles]))
        )
    }
    late = []
    for lesson_id, due_on in sorted(dues.items(), key=lambda item: item[1]):
        if due_on >= today or lesson_id not in lessons:
            continue
        for circle in circles:
            current = status.get((circle.id, lesson_id))
            if current != "accepted":
                late.append(LateMilestone(circle, lessons[lesson_id], due_on, current))
    return late


def team_review_queue(user) -> list[TeamSubmission]:
    """Team work handed in and waiting, in the cohorts ``user`` trains (one item per circle)."""
    statement = (
        select(TeamSubmission)
        .join(TeamSubmission.circle)
        .join(Cohort, Cohort.id == Circle.cohort_id)
        .options(
            joinedload(TeamSubmission.circle).joinedload(Circle.cohort),
            joinedload(TeamSubmission.lesson).joinedload(Lesson.module),
            joinedload(TeamSubmission.submitted_by),
        )
        .where(TeamSubmission.status == "submitted")
        .order_by(TeamSubmission.submitted_at, TeamSubmission.id)
    )
    if not user.is_admin:
        statement = statement.where(managed_cohorts_filter(user))
    return list(db.session.scalars(statement).unique())


def member_project(user_id: int, cohort_id: int | None) -> Project | None:
    """The project of the learner's circle in the cohort (her current circle, else the last
    one she was in): what a certificate rule with ``project_stage`` reads."""
    if cohort_id is None:
        return None
    return db.session.scalar(
        select(Project)
        .join(Circle, Circle.id == Project.circle_id)
        .join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(CircleMember.user_id == user_id, CircleMember.cohort_id == cohort_id)
        .order_by(CircleMember.left_at.is_not(None), CircleMember.joined_at.desc())
        .limit(1)
    )


def completed_member_enrolments(project: Project) -> list[Enrolment]:
    """The completed enrolments, in the circle's course, of the project's current members: those
    whose certificate may wait for the project's stage."""
    circle = project.circle
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(CircleMember, CircleMember.user_id == Enrolment.user_id)
            .where(
                CircleMember.circle_id == circle.id,
                CircleMember.left_at.is_(None),
                Enrolment.course_id == circle.cohort.course_id,
                Enrolment.status == "completed",
            )
            .order_by(Enrolment.id)
        )
    )


@dataclass
class VersionChange:
    """What a hand-in changed since the one before: the text's lines (``+``, ``-`` or `` ``:
    added, removed, kept) and the file added or removed."""

    previous: int
    lines: list[tuple[str, str]] = field(default_factory=list)
    file_added: str | None = None
    file_removed: str | None = None


def version_changes(submission: TeamSubmission | None) -> dict[int, VersionChange]:
    """For each hand-in after the first (by version row id): what changed since the previous."""
    changes: dict[int, VersionChange] = {}
    before = None
    for version in submission.versions if submission else []:
        if version.kind != "submitted":
            continue
        if before is not None:
            change = VersionChange(previous=before.version)
            for line in difflib.ndiff(before.text.splitlines(), version.text.splitlines()):
                if line[:1] in "+- ":
                    change.lines.append((line[:1], line[2:]))
            if version.file_path != before.file_path:
                change.file_added, change.file_removed = version.file_name, before.file_name
            changes[version.id] = change
        before = version
    return changes
