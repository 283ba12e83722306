"""The cohort dashboard: a bounded number of queries for a big cohort, honest filters, the funnel,
the learner detail page, the CSV export (Excel-friendly, safe against formula injection), and
moving a learner without losing progress."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from curriculum.db import db, utcnow
from curriculum.models import Lesson
from lms.cohorts import dashboard as figures
from lms.cohorts.reports import neutralise
from lms.learning import operations
from lms.learning.models import Enrolment
from lms.sessions.models import CohortSession
from lms.sessions.operations import record_attendance
from tests.bulk import fill_cohort

MAX_DASHBOARD_QUERIES = 6


def big_cohort(
    make_course, make_cohort, trainer, learners: int, modules: int = 8, lessons_per_module: int = 5
):
    """A cohort of ``learners`` × ``modules * lessons_per_module`` lessons, learner n having done
    n % (lessons + 1) lessons, written with bulk inserts."""
    specs = [
        (f"m{m}", [{"slug": f"l{i}", "kind": "reading"} for i in range(lessons_per_module)])
        for m in range(modules)
    ]
    course = make_course(slug="big", sequential=False, modules=specs)
    cohort = make_cohort([trainer], course=course)
    lesson_ids = [lesson.id for module in course.modules for lesson in module.lessons]
    fill_cohort(course.id, cohort.id, learners, lesson_ids, "p")
    return cohort


def test_the_dashboard_of_500_learners_and_40_lessons_runs_at_most_6_queries(
    app, make_user, as_user, make_course, make_cohort, count_queries
):
    # A trainer who is also a learner: the menu counts their unread notifications too.
    trainer = make_user(email="t@example.org", roles=("trainer", "learner"))
    cohort = big_cohort(make_course, make_cohort, trainer, learners=500)
    client = as_user(trainer)
    for url in (
        f"/cohorts/{cohort.id}",
        f"/cohorts/{cohort.id}?filter=behind&page=2",
        f"/cohorts/{cohort.id}/progress.csv",
    ):
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries) <= MAX_DASHBOARD_QUERIES, (url, len(queries), queries)
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "500 learners" in html and "Page 1 of 5" in html
    # Learner 40 did all 40 lessons: 5/5 in every module.
    assert html.count('class="cell cell-full">✓ 5/5</td>') >= 8


def test_filters_follow_their_definitions(app, trainer, make_cohort, add_learners):
    cohort = make_cohort([trainer], starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    fresh, working, idle, finished = add_learners(cohort, 4)
    lessons = {lesson.slug: lesson for module in cohort.course.modules for lesson in module.lessons}
    operations.mark_done(working, lessons["intro"])
    operations.mark_done(idle, lessons["intro"])
    operations.mark_done(idle, lessons["wrap-up"])
    db.session.execute(
        update(Enrolment).where(Enrolment.id == finished.id).values(status="completed")
    )
    db.session.commit()
    now = datetime(2026, 1, 16, 12, tzinfo=UTC)  # half-way: 2 of the 5 required lessons expected
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == idle.id)
        .values(last_activity_at=now - timedelta(days=15))
    )
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id.in_([fresh.id, working.id]))
        .values(enrolled_at=now - timedelta(days=3))
    )
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == working.id)
        .values(last_activity_at=now - timedelta(days=1))
    )
    db.session.commit()

    data = figures.dashboard(cohort, now=now)
    assert (data.expected_share, data.expected_lessons) == (0.5, 2)
    flags = {learner.enrolment_id: learner.flags for learner in data.learners}
    assert flags[fresh.id] == {"not_started", "behind"}
    assert flags[working.id] == {"behind"}  # 1 of 2 expected
    assert flags[idle.id] == {"inactive"}  # 2 done: on schedule, but silent for 15 days
    assert flags[finished.id] == {"completed"}
    assert data.counts() == {"not_started": 1, "behind": 2, "inactive": 1, "completed": 1}
    # The funnel counts how far each learner got, module after module: 4 enrolled; module 1
    # (3 lessons that count) completed by nobody, so nobody is through module 2 either, even
    # though idle did its one lesson.
    assert [count for _module, count in data.funnel] == [4, 0, 0]
    assert [learner.modules for learner in data.learners if learner.enrolment_id == idle.id] == [
        [(1, 3), (1, 1)]
    ]

    # Without dates nobody is "behind".
    cohort.starts_on = None
    assert all(
        "behind" not in learner.flags for learner in figures.dashboard(cohort, now=now).learners
    )


def test_the_dashboard_page_shows_filters_funnel_and_a_filtered_grid(
    app, trainer, as_user, make_cohort, add_learners
):
    cohort = make_cohort([trainer])
    first, second = add_learners(cohort, 2)
    intro = next(
        lesson
        for module in cohort.course.modules
        for lesson in module.lessons
        if lesson.slug == "intro"
    )
    operations.mark_done(first, intro)
    db.session.commit()
    client = as_user(trainer)
    html = client.get(f"/cohorts/{cohort.id}?filter=not_started").get_data(as_text=True)
    assert second.user.name in html and f">{first.user.name}</a>" not in html
    assert (
        '<svg class="funnel"' in html
        and '<desc id="funnel-desc">Enrolled: 2. 1. Module basics: 0. 2. Module next-steps: 0. </desc>'
        in html
    )
    assert "0/4" in html and "1/4" not in html
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "1/4" in html and "0/4" in html  # the grid says its numbers, not only its colours


def test_the_learner_page_shows_each_lesson_with_score_submission_and_attendance(
    app, trainer, as_user, make_cohort, add_learners
):
    cohort = make_cohort([trainer])
    (enrolment,) = add_learners(cohort, 1)
    lessons = {lesson.slug: lesson for module in cohort.course.modules for lesson in module.lessons}
    operations.submit_quiz(enrolment, lessons["check"], {"q1": ["a"], "q2": ["a"], "q3": ["true"]})
    operations.submit_assignment(enrolment, lessons["field-work"], "Mon diagnostic")
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=lessons["meeting"].id,
        starts_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        place="Dar Chabab",
    )
    db.session.add(session)
    db.session.flush()
    record_attendance(trainer, session, enrolment, present=False)
    db.session.commit()
    html = (
        as_user(trainer).get(f"/cohorts/{cohort.id}/learners/{enrolment.id}").get_data(as_text=True)
    )
    assert "Best score: 67%" in html and "1 attempt" in html
    assert "Work waiting for review" in html
    assert "Dar Chabab" in html and "Absent" in html


def test_moving_a_learner_to_another_cohort_of_the_course_keeps_their_progress(
    app, trainer, as_user, make_cohort, make_course, add_learners
):
    cohort = make_cohort([trainer])
    target = make_cohort([trainer], course=cohort.course, name="Tissa")
    elsewhere = make_cohort([trainer], name="Autre cours")
    (enrolment,) = add_learners(cohort, 1)
    intro = db.session.scalar(
        select(Lesson).where(Lesson.course_id == cohort.course_id, Lesson.slug == "intro")
    )
    operations.mark_done(enrolment, intro)
    db.session.commit()
    client = as_user(trainer)
    page = client.get(f"/cohorts/{cohort.id}/learners/{enrolment.id}").get_data(as_text=True)
    assert "Tissa" in page and "Autre cours" not in page  # only cohorts of the same course
    assert (
        client.post(
            f"/cohorts/{cohort.id}/learners/{enrolment.id}/move", data={"target": elsewhere.id}
        ).status_code
        == 400
    )
    response = client.post(
        f"/cohorts/{cohort.id}/learners/{enrolment.id}/move", data={"target": target.id}
    )
    assert response.status_code == 302
    moved = db.session.get(Enrolment, enrolment.id)
    db.session.refresh(moved)
    assert moved.cohort_id == target.id
    assert figures.dashboard(target).learners[0].done == 1
    assert figures.dashboard(cohort).learners == []


def test_the_export_opens_in_excel_and_cannot_run_formulas(
    app, make_user, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer])
    for name in (
        '=HYPERLINK("http://evil.example","x")',
        "+33 6 00",
        "-2+3",
        "@SUM(A1)",
        "Hélène Aït",
    ):
        operations.enrol(make_user(name=name), cohort.course, cohort)
    db.session.commit()
    client = as_user(trainer)
    # Excel splits on its locale's list separator: commas in English, semicolons in French.
    english = client.get(f"/cohorts/{cohort.id}/progress.csv").get_data().decode("utf-8-sig")
    assert english.startswith("Name,E-mail,Status,")
    response = client.get(f"/cohorts/{cohort.id}/progress.csv", headers={"Accept-Language": "fr"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(
        csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")
    )  # French: semicolons
    assert len(rows[0]) == 14  # 11 figures, the 2 modules, the sessions attended
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted(
        ['\'=HYPERLINK("http://evil.example","x")', "'+33 6 00", "'-2+3", "'@SUM(A1)", "Hélène Aït"]
    )
    assert all(row[-3:] == ["0/3", "0/1", "0/1"] for row in rows[1:])


def test_neutralise_leaves_ordinary_text_and_numbers_alone():
    assert neutralise("Salma") == "Salma"
    assert neutralise(42) == "42"
    assert neutralise(None) == ""
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise(utcnow().date().isoformat())[0].isdigit()


@pytest.mark.parametrize("start", ["＝", "＋", "－", "＠"])
def test_neutralise_also_quotes_full_width_formula_characters(start):
    """A spreadsheet may read a full-width ＝SUM(A1) as =SUM(A1)."""
    assert neutralise(f"{start}1+1") == f"'{start}1+1"
