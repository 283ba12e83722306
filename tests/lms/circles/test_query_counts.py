"""The circle pages run a fixed number of queries, whatever the number of members, allies and
milestones handed in (the facilitator's cohort page too, whatever the number of circles)."""

from __future__ import annotations

from curriculum.db import db
from lms.circles import milestones
from lms.circles.models import ProjectAlly


def _grow(cohort, circle, add_learners, lesson, n: int):
    for enrolment in add_learners(cohort, n):
        circle.memberships.append(
            type(circle.memberships[0])(cohort_id=cohort.id, user_id=enrolment.user_id)
        )
    for index in range(n):
        circle.project.allies.append(ProjectAlly(organisation=f"Ally {index}", kind="donor"))
    db.session.commit()
    milestones.hand_in(circle.members[0].user, circle, lesson, "Our charter")
    db.session.commit()


def test_circle_pages_do_not_grow(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson,
    count_queries,
):  # fmt: skip
    cohort = make_cohort([trainer], course=team_course)
    first, second = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [first, second])
    member, staff = as_user(first), as_user(trainer)
    urls = [
        (member, f"/circles/{circle.id}"),
        (member, f"/circles/{circle.id}/allies"),
        (member, f"/circles/{circle.id}/milestones/{team_lesson.id}"),
        (staff, f"/cohorts/{cohort.id}/circles"),
        (staff, f"/circles/{circle.id}/members"),
    ]

    def counts():
        found = []
        for client, url in urls:
            with count_queries() as queries:
                assert client.get(url).status_code == 200, url
            found.append(len(queries))
        return found

    _grow(cohort, circle, add_learners, team_lesson, 1)
    small = counts()
    _grow(cohort, circle, add_learners, team_lesson, 8)
    make_circle(cohort, [e.user for e in add_learners(cohort, 3)])
    assert counts() == small, (urls, small)
    assert max(small) <= 12, small
