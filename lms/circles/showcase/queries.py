"""Reads of the public project page, its sheet and the showcase, each in a fixed number of
queries whatever the number of members, allies, indicators, values and answers:

1. the project with its circle, cohort, course and members (joined, one row per member);
2. its allies;
3. its indicators and their values (one outer join);
4. its accepted team milestones and their lessons;
5. its closed consultations and their questions (one outer join);
6. the consultations' figures: chosen choices per question, respondents per question and answers
   per channel, as one ``UNION ALL`` of three ``GROUP BY`` (index scans, never the answers);
7. a few written answers per text question (a window function), hidden ones left out.

The showcase is one query of the published projects (filtered in SQL) and one of the filters'
choices. Only what a visitor may see is read: published projects, closed consultations, visible
texts, the first names of the members who said so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import func, literal, null, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from curriculum.db import db
from curriculum.models import Course
from lms.access import authorized
from lms.circles.consultations.charts import BarChart, bar_chart, percent
from lms.circles.consultations.csv_export import channel_label
from lms.circles.consultations.models import (
    CHANNELS,
    Consultation,
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationValue,
)
from lms.circles.indicators.charts import line_chart
from lms.circles.indicators.models import Indicator, IndicatorValue
from lms.circles.milestone_models import TeamSubmission
from lms.circles.models import STAGES, THEMES, Circle, CircleMember, Project
from lms.cohorts.models import Cohort

#: written answers shown per text question on the public page
TEXTS_SHOWN = 3


def _project_statement():
    return (
        select(Project)
        .join(Project.circle)
        .join(Circle.cohort)
        .join(Cohort.course)
        .outerjoin(Circle.memberships)
        .outerjoin(CircleMember.user)
        .options(
            contains_eager(Project.circle)
            .contains_eager(Circle.cohort)
            .contains_eager(Cohort.course),
            contains_eager(Project.circle)
            .contains_eager(Circle.memberships)
            .contains_eager(CircleMember.user),
            selectinload(Project.allies),
        )
        .order_by(CircleMember.joined_at, CircleMember.id)
    )


def project_for(project_id: int, user) -> Project:
    """The project, for anyone once published; before that only for its circle's members and
    facilitators (a preview). Anyone else gets a 404: an unpublished project is not known."""
    project = db.session.scalars(_project_statement().where(Project.id == project_id)).unique()
    return authorized(project.first(), "can_view", user, hide=True)


# -- the public page -----------------------------------------------------------------------------


@dataclass
class PublicIndicator:
    indicator: Indicator
    values: list[IndicatorValue]
    chart: Markup

    @property
    def latest(self) -> IndicatorValue | None:
        return self.values[-1] if self.values else None


@dataclass
class PublicQuestion:
    question: ConsultationQuestion
    respondents: int = 0
    #: (label, count, percent)
    options: list[tuple[str, int, int]] = field(default_factory=list)
    chart: BarChart | None = None
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class PublicConsultation:
    consultation: Consultation
    total: int
    #: (channel label, count)
    channels: list[tuple[str, int]]
    questions: list[PublicQuestion]


@dataclass
class PublicPage:
    project: Project
    first_names: list[str]
    indicators: list[PublicIndicator]
    milestones: list[str]
    consultations: list[PublicConsultation]


def first_names(project: Project) -> list[str]:
    """The first names of the current members who agreed to show theirs."""
    return [m.first_name for m in project.circle.members if m.show_first_name and m.first_name]


def _indicators(project: Project) -> list[PublicIndicator]:
    rows = db.session.execute(
        select(Indicator, IndicatorValue)
        .outerjoin(IndicatorValue, IndicatorValue.indicator_id == Indicator.id)
        .where(Indicator.project_id == project.id)
        .order_by(Indicator.id, IndicatorValue.measured_on, IndicatorValue.id)
    ).all()
    grouped: dict[int, tuple[Indicator, list[IndicatorValue]]] = {}
    for indicator, value in rows:
        _item, values = grouped.setdefault(indicator.id, (indicator, []))
        if value is not None:
            values.append(value)
    found = []
    for indicator, values in grouped.values():
        label = f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name
        points = [(v.measured_on, v.value) for v in values]
        found.append(PublicIndicator(indicator, values,
                                     line_chart(points, indicator.baseline, indicator.target, label)))  # fmt: skip
    return found


def _milestones(project: Project, language: str) -> list[str]:
    course = project.circle.cohort.course
    lessons = db.session.scalars(
        select(TeamSubmission)
        .options(joinedload(TeamSubmission.lesson))
        .where(TeamSubmission.circle_id == project.circle_id, TeamSubmission.status == "accepted")
        .order_by(TeamSubmission.reviewed_at, TeamSubmission.id)
    ).all()
    return [s.lesson.title(course.content_language(language), course.default_language)
            for s in lessons]  # fmt: skip


def closed_filter(today: date):
    """Consultations that are over: closed by hand, or past their closing date (never drafts)."""
    return or_(
        Consultation.status == "closed",
        (Consultation.status == "open") & (Consultation.closes_on < today),
    )


def _consultations(project: Project, today: date) -> list[Consultation]:
    rows = db.session.execute(
        select(Consultation, ConsultationQuestion)
        .outerjoin(ConsultationQuestion, ConsultationQuestion.consultation_id == Consultation.id)
        .where(Consultation.project_id == project.id, closed_filter(today))
        .order_by(Consultation.id, ConsultationQuestion.position, ConsultationQuestion.id)
    ).all()
    found: dict[int, tuple[Consultation, list[ConsultationQuestion]]] = {}
    for consultation, question in rows:
        _item, questions = found.setdefault(consultation.id, (consultation, []))
        if question is not None:
            questions.append(question)
    return [(c, qs) for c, qs in found.values()]


def _figures(consultation_ids: list[int]):
    """(kind, id, key, count) rows: ``choice`` (question id, choice), ``respondents`` (question
    id) and ``channel`` (consultation id, channel)."""
    values = ConsultationValue
    choices = (
        select(literal("choice"), values.question_id, values.choice, func.count())
        .where(values.consultation_id.in_(consultation_ids), values.choice.is_not(None))
        .group_by(values.question_id, values.choice)
    )
    respondents = (
        select(literal("respondents"), values.question_id, null(),
               func.count(func.distinct(values.answer_id)))
        .where(values.consultation_id.in_(consultation_ids), values.choice.is_not(None))
        .group_by(values.question_id)
    )  # fmt: skip
    channels = (
        select(literal("channel"), ConsultationAnswer.consultation_id, ConsultationAnswer.channel,
               func.count())
        .where(ConsultationAnswer.consultation_id.in_(consultation_ids))
        .group_by(ConsultationAnswer.consultation_id, ConsultationAnswer.channel)
    )  # fmt: skip
    return db.session.execute(union_all(choices, respondents, channels)).all()


def _texts(question_ids: list[int]) -> dict[int, list[str]]:
    if not question_ids:
        return {}
    rank = func.row_number().over(
        partition_by=ConsultationValue.question_id, order_by=ConsultationValue.id.desc()
    )
    ranked = (
        select(ConsultationValue.question_id, ConsultationValue.text, rank.label("rank"))
        .where(ConsultationValue.question_id.in_(question_ids),
               ConsultationValue.text.is_not(None), ConsultationValue.hidden_at.is_(None))
        .subquery()
    )  # fmt: skip
    found: dict[int, list[str]] = defaultdict(list)
    for question_id, text in db.session.execute(
        select(ranked.c.question_id, ranked.c.text)
        .where(ranked.c.rank <= TEXTS_SHOWN)
        .order_by(ranked.c.question_id, ranked.c.rank)
    ):
        found[question_id].append(text)
    return found


def _public_consultations(project: Project, language: str, today: date, rtl: bool):
    consultations = _consultations(project, today)
    if not consultations:
        return []
    figures = _figures([c.id for c, _questions in consultations])
    chosen: dict[int, dict[str, int]] = defaultdict(dict)
    respondents: dict[int, int] = {}
    channels: dict[int, dict[str, int]] = defaultdict(dict)
    for kind, item_id, key, count in figures:
        if kind == "choice":
            chosen[item_id][key] = count
        elif kind == "respondents":
            respondents[item_id] = count
        else:
            channels[item_id][key] = count
    texts = _texts([q.id for _c, qs in consultations for q in qs if q.kind == "text"])
    found = []
    for consultation, questions in consultations:
        by_channel = channels.get(consultation.id, {})
        items = []
        for question in questions:
            item = PublicQuestion(question, texts=texts.get(question.id, []))
            if question.kind != "text":
                counts = chosen.get(question.id, {})
                item.respondents = respondents.get(question.id, 0)
                item.options = [(label, counts.get(key, 0), percent(counts.get(key, 0),
                                                                     item.respondents))
                                for key, label in question.options(language)]  # fmt: skip
                item.chart = bar_chart([(label, n) for label, n, _p in item.options],
                                       item.respondents, rtl)  # fmt: skip
                if question.kind == "scale" and item.respondents:
                    total = sum(int(k) * n for k, n in counts.items())
                    item.mean = round(total / item.respondents, 1)
            items.append(item)
        found.append(PublicConsultation(
            consultation, sum(by_channel.values()),
            [(channel_label(c), by_channel[c]) for c in CHANNELS if by_channel.get(c)], items,
        ))  # fmt: skip
    return found


def public_page(project: Project, language: str, today: date, rtl: bool = False) -> PublicPage:
    return PublicPage(
        project=project,
        first_names=first_names(project),
        indicators=_indicators(project),
        milestones=_milestones(project, language),
        consultations=_public_consultations(project, language, today, rtl),
    )


# -- the showcase --------------------------------------------------------------------------------


@dataclass
class Filters:
    theme: str = ""
    province: str = ""
    stage: str = ""
    programme: str = ""

    @classmethod
    def read(cls, args) -> Filters:
        """Unknown values are ignored (a filter that names nothing shows everything)."""
        theme, stage = args.get("theme", ""), args.get("stage", "")
        return cls(
            theme=theme if theme in THEMES else "",
            province=args.get("province", "").strip()[:100],
            stage=stage if stage in STAGES else "",
            programme=args.get("programme", "").strip()[:200],
        )

    @property
    def active(self) -> bool:
        return any((self.theme, self.province, self.stage, self.programme))


@dataclass
class Showcase:
    #: (course, [(province, [projects])]) in the course's and the province's order
    programmes: list[tuple[Course, list[tuple[str, list[Project]]]]]
    provinces: list[str]
    courses: list[Course]
    total: int


def _published():
    return (
        select(Project)
        .join(Project.circle)
        .join(Circle.cohort)
        .join(Cohort.course)
        .where(Project.published_at.is_not(None))
    )


def showcase(filters: Filters) -> Showcase:
    statement = _published().options(
        contains_eager(Project.circle).contains_eager(Circle.cohort).contains_eager(Cohort.course)
    )
    if filters.theme:
        statement = statement.where(Project.theme == filters.theme)
    if filters.stage:
        statement = statement.where(Project.stage == filters.stage)
    if filters.province:
        statement = statement.where(func.trim(Project.province) == filters.province)
    if filters.programme:
        statement = statement.where(Course.slug == filters.programme)
    projects = db.session.scalars(
        statement.order_by(Course.slug, func.trim(Project.province), Project.published_at.desc(),
                           Project.id)
    ).all()  # fmt: skip
    grouped: dict[int, tuple[Course, dict[str, list[Project]]]] = {}
    for project in projects:
        course = project.circle.cohort.course
        _course, by_province = grouped.setdefault(course.id, (course, {}))
        by_province.setdefault(project.province.strip(), []).append(project)
    # the filters' choices: every province and programme with a published project
    provinces = db.session.scalars(
        _published().with_only_columns(func.trim(Project.province)).distinct()
    ).all()
    courses = db.session.scalars(
        select(Course)
        .where(Course.id.in_(_published().with_only_columns(Course.id)))
        .order_by(Course.slug)
    ).all()
    return Showcase(
        programmes=[
            (course, list(by_province.items())) for course, by_province in grouped.values()
        ],
        provinces=sorted({p for p in provinces if p}, key=str.lower),
        courses=list(courses),
        total=len(projects),
    )
