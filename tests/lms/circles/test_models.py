"""The circles' access rules (the methods every circle page relies on) and the database's own
guard: a learner is in at most one circle of a cohort at a time, but may leave and join again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import IntegrityError

from curriculum.db import db
from lms.circles.models import CircleMember


@pytest.fixture
def circles(app, trainer, make_user, make_cohort, add_learners, make_circle):
    cohort = make_cohort([trainer])
    a, b, c, d = (e.user for e in add_learners(cohort, 4))
    first = make_circle(cohort, [a, b])
    second = make_circle(cohort, [c, d])
    return {
        "cohort": cohort,
        "first": first,
        "second": second,
        "a": a,
        "c": c,
        "trainer": trainer,
        "other_trainer": make_user(roles=("trainer",)),
        "admin": make_user(roles=("admin",)),
        "anonymous": AnonymousUserMixin(),
    }


def test_members_facilitators_and_others(circles):
    first, project = circles["first"], circles["first"].project
    assert first.is_member(circles["a"]) and not first.is_member(circles["c"])
    assert first.can_facilitate(circles["trainer"]) and first.can_facilitate(circles["admin"])
    assert not first.can_facilitate(circles["other_trainer"])
    assert not first.can_facilitate(circles["a"]) and not first.can_facilitate(circles["anonymous"])

    for who in ("a", "trainer", "admin"):
        assert project.can_edit(circles[who]) and project.can_view(circles[who]), who
    for who in ("c", "other_trainer", "anonymous"):
        assert not project.can_edit(circles[who]) and not project.can_view(circles[who]), who

    project.published_at = datetime.now(UTC)
    assert project.is_published
    assert project.can_view(circles["c"]) and project.can_view(circles["anonymous"])
    assert not project.can_edit(circles["c"]) and not project.can_edit(circles["anonymous"])


def test_a_member_who_left_is_no_longer_a_member(circles):
    first, a = circles["first"], circles["a"]
    first.membership_of(a).left_at = datetime.now(UTC)
    db.session.commit()
    assert not first.is_member(a) and not first.project.can_edit(a)
    assert [m.user_id for m in first.memberships].count(a.id) == 1  # the row stays


def test_one_current_circle_per_learner_per_cohort(circles):
    cohort, a, second = circles["cohort"], circles["a"], circles["second"]
    db.session.add(CircleMember(circle_id=second.id, cohort_id=cohort.id, user_id=a.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    circles["first"].membership_of(a).left_at = datetime.now(UTC)
    db.session.add(CircleMember(circle_id=second.id, cohort_id=cohort.id, user_id=a.id))
    db.session.commit()
    assert second.is_member(a)


def test_stages_are_ordered(circles):
    project = circles["first"].project
    project.stage = "pilot"
    assert project.reached("prototype") and project.reached("pilot")
    assert not project.reached("presented")
