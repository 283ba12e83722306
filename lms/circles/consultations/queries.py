"""Reads of the consultations: loading one for a user (404 / 403), the lists a member or a
facilitator sees, and the results.

The results are computed in SQL whatever the number of answers: one ``GROUP BY`` of the chosen
choices by question, choice, channel and commune (an index-only scan of the tally index), one of
the answers by channel and commune, one count of the respondents of each multiple-choice
question, and the latest texts of each text question (a page of them). Python then only adds up
those few rows, never the answers themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from curriculum.db import db
from curriculum.models import Lesson, Module
from lms.access import authorized
from lms.circles.models import Circle, CircleMember, Project
from lms.cohorts.models import Cohort, cohort_trainers
from lms.errors import NotFound

from . import charts
from .csv_export import channel_label
from .models import (
    CHANNELS,
    Consultation,
    ConsultationAnswer,
    ConsultationImport,
    ConsultationQuestion,
    ConsultationValue,
)

TEXTS_PER_PAGE = 20
#: the communes shown one by one in a breakdown; the others are added up as "other communes"
COMMUNES_SHOWN = 12


def _loaded():
    return select(Consultation).options(
        selectinload(Consultation.questions),
        selectinload(Consultation.project).selectinload(Project.circle),
    )


def consultation_for(consultation_id: int, user, rule: str = "can_view") -> Consultation:
    """The consultation if ``user`` may (``rule``): 404 if it does not exist, else 403."""
    item = db.session.scalar(_loaded().where(Consultation.id == consultation_id))
    return authorized(item, rule, user)


def by_code(code: str) -> Consultation | None:
    """The consultation of a short link (its questions loaded with it)."""
    return (
        db.session.scalars(
            select(Consultation)
            .options(joinedload(Consultation.questions))  # one round trip for both
            .where(Consultation.code == code.lower())
        )
        .unique()
        .first()
    )


def circle_for(circle_id: int, user) -> Circle:
    """A circle whose consultations ``user`` manages (a member or a facilitator)."""
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise NotFound()
    if circle.project is None:
        raise NotFound()
    return authorized(circle.project, "can_edit", user)


def of_project(project: Project) -> list[Consultation]:
    return list(
        db.session.scalars(
            select(Consultation)
            .where(Consultation.project_id == project.id)
            .order_by(Consultation.created_at.desc(), Consultation.id.desc())
        )
    )


def visible_to(user) -> list[Consultation]:
    """The consultations of the user's current circles and of the cohorts they facilitate
    (every one for an administrator), newest first."""
    query = (
        select(Consultation)
        .join(Project, Project.id == Consultation.project_id)
        .join(Circle, Circle.id == Project.circle_id)
        .options(selectinload(Consultation.project).selectinload(Project.circle))
        .order_by(Consultation.created_at.desc(), Consultation.id.desc())
    )
    if not user.is_admin:
        member = select(CircleMember.circle_id).where(
            CircleMember.user_id == user.id, CircleMember.left_at.is_(None)
        )
        trained = select(cohort_trainers.c.cohort_id).where(cohort_trainers.c.user_id == user.id)
        query = query.where(or_(Circle.id.in_(member), Circle.cohort_id.in_(trained)))
    return list(db.session.scalars(query))


def answer_counts(consultation_ids: list[int]) -> dict[int, int]:
    if not consultation_ids:
        return {}
    rows = db.session.execute(
        select(ConsultationAnswer.consultation_id, func.count())
        .where(ConsultationAnswer.consultation_id.in_(consultation_ids))
        .group_by(ConsultationAnswer.consultation_id)
    )
    return dict(rows.all())


def device_answered(consultation: Consultation, device_hash: str) -> bool:
    return (
        db.session.scalar(
            select(ConsultationAnswer.id).filter_by(
                consultation_id=consultation.id, device_hash=device_hash
            )
        )
        is not None
    )


def question_of(consultation: Consultation, question_id: int) -> ConsultationQuestion:
    question = next((q for q in consultation.questions if q.id == question_id), None)
    if question is None:
        raise NotFound()
    return question


def text_of(consultation: Consultation, value_id: int) -> ConsultationValue:
    value = db.session.get(ConsultationValue, value_id)
    if value is None or value.consultation_id != consultation.id or value.text is None:
        raise NotFound()
    return value


def import_of(consultation: Consultation, import_id: int) -> ConsultationImport:
    imported = db.session.get(ConsultationImport, import_id)
    if imported is None or imported.consultation_id != consultation.id:
        raise NotFound()
    return imported


def team_milestones(consultation: Consultation) -> list[Lesson]:
    """The course's team assignments (``team: true``), where the results may be attached."""
    cohort = db.session.get(Cohort, consultation.circle.cohort_id)
    lessons = db.session.scalars(
        select(Lesson)
        .join(Module, Module.id == Lesson.module_id)
        .where(Module.course_id == cohort.course_id, Lesson.kind == "assignment")
        .order_by(Module.position, Lesson.position)
    )
    return [lesson for lesson in lessons if (lesson.settings or {}).get("team")]


def attached_to(circle_id: int, lesson_id: int) -> list[Consultation]:
    """The consultations of a circle whose results go with a milestone (for its page)."""
    return list(
        db.session.scalars(
            select(Consultation)
            .join(Project, Project.id == Consultation.project_id)
            .where(Project.circle_id == circle_id, Consultation.milestone_lesson_id == lesson_id)
        )
    )


# -- results ------------------------------------------------------------------------------------


@dataclass
class QuestionResults:
    question: ConsultationQuestion
    number: int
    respondents: int = 0
    #: (key, label, count, percent of respondents)
    options: list[tuple[str, str, int, int]] = field(default_factory=list)
    chart: charts.BarChart | None = None
    by_channel: charts.StackedChart | None = None
    by_commune: charts.StackedChart | None = None
    mean: float | None = None
    texts: list[ConsultationValue] = field(default_factory=list)
    texts_total: int = 0


@dataclass
class Results:
    total: int
    by_channel: list[tuple[str, str, int]]
    by_commune: list[tuple[str, int]]
    channel_chart: charts.BarChart
    commune_chart: charts.BarChart
    questions: list[QuestionResults]


def _communes_shown(by_commune: list[tuple[str, int]]) -> tuple[list[str], set[str]]:
    shown = [commune for commune, _count in by_commune[:COMMUNES_SHOWN]]
    return shown, set(shown)


def results(consultation: Consultation, language: str, rtl: bool = False,
            texts_page: int = 1) -> Results:  # fmt: skip
    """Counts and shares of every question, overall, per channel and per commune."""
    breakdown = db.session.execute(
        select(ConsultationAnswer.channel, ConsultationAnswer.commune, func.count())
        .where(ConsultationAnswer.consultation_id == consultation.id)
        .group_by(ConsultationAnswer.channel, ConsultationAnswer.commune)
    ).all()
    channel_totals: dict[str, int] = defaultdict(int)
    commune_totals: dict[str, int] = defaultdict(int)
    for channel, commune, count in breakdown:
        channel_totals[channel] += count
        commune_totals[commune or ""] += count
    total = sum(channel_totals.values())
    by_channel = [(c, channel_label(c), channel_totals[c]) for c in CHANNELS if channel_totals[c]]
    by_commune = sorted(commune_totals.items(), key=lambda item: (-item[1], item[0]))
    no_commune, other = _("(no commune)"), _("Other communes")
    shown, shown_set = _communes_shown(by_commune)

    def commune_label(commune: str) -> str:
        return commune or no_commune

    tallies: dict[int, dict[str, dict[str, dict[str, int]]]] = defaultdict(
        lambda: {"all": defaultdict(int), "channel": defaultdict(lambda: defaultdict(int)),
                 "commune": defaultdict(lambda: defaultdict(int))}
    )  # fmt: skip
    rows = db.session.execute(
        select(ConsultationValue.question_id, ConsultationValue.choice, ConsultationValue.channel,
               ConsultationValue.commune, func.count())
        .where(ConsultationValue.consultation_id == consultation.id,
               ConsultationValue.choice.is_not(None))
        .group_by(ConsultationValue.question_id, ConsultationValue.choice,
                  ConsultationValue.channel, ConsultationValue.commune)
    )  # fmt: skip
    for question_id, choice, channel, commune, count in rows:
        tally = tallies[question_id]
        tally["all"][choice] += count
        tally["channel"][channel][choice] += count
        place = commune if (commune or "") in shown_set else "\x00other"
        tally["commune"][place or ""][choice] += count
    multiple = [q.id for q in consultation.questions if q.kind == "multiple"]
    respondents = {}
    if multiple:
        respondents = dict(
            db.session.execute(
                select(ConsultationValue.question_id,
                       func.count(func.distinct(ConsultationValue.answer_id)))
                .where(ConsultationValue.consultation_id == consultation.id,
                       ConsultationValue.question_id.in_(multiple))
                .group_by(ConsultationValue.question_id)
            ).all()
        )  # fmt: skip
    questions = []
    for number, question in enumerate(consultation.questions, start=1):
        item = QuestionResults(question, number)
        if question.kind == "text":
            item.texts, item.texts_total = texts(question, texts_page)
        else:
            tally = tallies[question.id]
            counted = sum(tally["all"].values())
            item.respondents = (
                respondents.get(question.id, 0) if question.kind == "multiple" else counted
            )
            options = question.options(language)
            item.options = [
                (key, label, tally["all"].get(key, 0),
                 charts.percent(tally["all"].get(key, 0), item.respondents))
                for key, label in options
            ]  # fmt: skip
            item.chart = charts.bar_chart(
                [(label, count) for _key, label, count, _p in item.options], item.respondents, rtl
            )
            groups = [(label, tally["channel"].get(channel, {}), channel_totals[channel])
                      for channel, label, _count in by_channel]  # fmt: skip
            item.by_channel = charts.stacked_chart(options, groups, rtl)
            commune_groups = [(commune_label(c), tally["commune"].get(c, {}), commune_totals[c])
                              for c in shown]  # fmt: skip
            if len(by_commune) > len(shown):
                rest = sum(count for commune, count in by_commune[len(shown) :])
                commune_groups.append((other, tally["commune"].get("\x00other", {}), rest))
            item.by_commune = charts.stacked_chart(options, commune_groups, rtl)
            if question.kind == "scale" and counted:
                item.mean = round(sum(int(k) * c for k, c in tally["all"].items()) / counted, 1)
        questions.append(item)
    commune_rows = [(commune_label(c), n) for c, n in by_commune[:COMMUNES_SHOWN]]
    if len(by_commune) > COMMUNES_SHOWN:
        commune_rows.append((other, sum(n for _c, n in by_commune[COMMUNES_SHOWN:])))
    return Results(
        total=total,
        by_channel=by_channel,
        by_commune=commune_rows,
        channel_chart=charts.bar_chart([(label, n) for _c, label, n in by_channel], total, rtl),
        commune_chart=charts.bar_chart(commune_rows, total, rtl),
        questions=questions,
    )


def texts(question: ConsultationQuestion, page: int = 1,
          per_page: int = TEXTS_PER_PAGE) -> tuple[list[ConsultationValue], int]:  # fmt: skip
    """A page of a text question's answers, newest first, and how many there are."""
    total = db.session.scalar(
        select(func.count())
        .select_from(ConsultationValue)
        .where(ConsultationValue.question_id == question.id)
    )
    items = db.session.scalars(
        select(ConsultationValue)
        .options(selectinload(ConsultationValue.answer))
        .where(ConsultationValue.question_id == question.id)
        .order_by(ConsultationValue.id.desc())
        .limit(per_page)
        .offset(max(page - 1, 0) * per_page)
    ).all()
    return list(items), total


def export_answers(consultation: Consultation, batch: int = 1000):
    """(answer id, channel, commune, date, entered, {question id: [(choice, text, hidden)]})
    of every answer, read in batches of answer ids (for the CSV export)."""
    last = 0
    while True:
        answers = db.session.execute(
            select(ConsultationAnswer.id, ConsultationAnswer.channel, ConsultationAnswer.commune,
                   ConsultationAnswer.answered_on, ConsultationAnswer.entered_by_id)
            .where(ConsultationAnswer.consultation_id == consultation.id,
                   ConsultationAnswer.id > last)
            .order_by(ConsultationAnswer.id)
            .limit(batch)
        ).all()  # fmt: skip
        if not answers:
            return
        ids = [row[0] for row in answers]
        values: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for answer_id, question_id, choice, text, hidden_at in db.session.execute(
            select(ConsultationValue.answer_id, ConsultationValue.question_id,
                   ConsultationValue.choice, ConsultationValue.text, ConsultationValue.hidden_at)
            .where(ConsultationValue.answer_id.in_(ids))
            .order_by(ConsultationValue.id)
        ):  # fmt: skip
            values[answer_id][question_id].append((choice, text, hidden_at is not None))
        for answer_id, channel, commune, day, entered in answers:
            yield answer_id, channel, commune, day, entered is not None, values.get(answer_id, {})
        last = ids[-1]
