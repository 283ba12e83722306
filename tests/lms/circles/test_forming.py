"""Forming circles: a trainer of the cohort (2–12 learners of that cohort, one circle each), or
the learners themselves with a circle code under a cap; every change audited; a learner who
leaves keeps her row (and what she did)."""

from __future__ import annotations

from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.circles.models import Circle, CircleMember, CircleSettings


def _events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _circles():
    return db.session.scalars(select(Circle)).all()


def test_a_trainer_forms_a_circle_of_her_cohort(trainer, make_cohort, add_learners, as_user):
    cohort = make_cohort([trainer])
    a, b, c = (e.user for e in add_learners(cohort, 3))
    client = as_user(trainer)
    page = client.get(f"/cohorts/{cohort.id}/circles")
    assert page.status_code == 200 and a.name in page.get_data(as_text=True)

    response = client.post(
        f"/cohorts/{cohort.id}/circles", data={"name": " Tissa  jeunes ", "members": [a.id, b.id]}
    )
    assert response.status_code == 302
    (circle,) = _circles()
    assert circle.name == "Tissa jeunes" and len(circle.code) == 6
    assert sorted(m.user_id for m in circle.members) == sorted([a.id, b.id])
    assert circle.project is not None and circle.project.stage == "charter"
    assert len(_events("circle.member_added")) == 2 and _events("circle.formed")
    page = client.get(f"/cohorts/{cohort.id}/circles").get_data(as_text=True)
    assert "Tissa jeunes" in page and circle.code in page


def test_bad_formations_are_refused_with_the_reason_and_nothing_written(
    trainer, make_user, make_cohort, add_learners, as_user, make_circle
):
    cohort, other = make_cohort([trainer]), make_cohort([trainer])
    a, b, c = (e.user for e in add_learners(cohort, 3))
    (stranger,) = (e.user for e in add_learners(other, 1))
    make_circle(cohort, [c], name="Déjà")
    client = as_user(trainer)
    url = f"/cohorts/{cohort.id}/circles"
    cases = [
        ({"name": "", "members": [a.id, b.id]}, "This field is required"),
        ({"name": "X" * 121, "members": [a.id, b.id]}, "120"),
        ({"name": "Un", "members": [a.id]}, "between 2 and 12"),
        ({"name": "Un", "members": [a.id, a.id]}, "chosen twice"),
        ({"name": "Un", "members": [a.id, stranger.id]}, "not a learner of the cohort"),
        ({"name": "Un", "members": [a.id, c.id]}, "already in the circle “Déjà”"),
        ({"name": "Déjà", "members": [a.id, b.id]}, "already has a circle called"),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert message in body.replace("&#34;", '"').replace("&#39;", "'"), (data, message)
        if data["name"] and len(data["name"]) < 100:
            assert f'value="{data["name"]}"' in body  # what was typed stays
    assert len(_circles()) == 1


def test_another_trainer_and_a_learner_cannot_form_circles(
    trainer, make_user, make_cohort, add_learners, as_user
):
    cohort = make_cohort([trainer])
    a, b = (e.user for e in add_learners(cohort, 2))
    for user in (make_user(roles=("trainer",)), a):
        client = as_user(user)
        assert client.get(f"/cohorts/{cohort.id}/circles").status_code == 403
        data = {"name": "Un", "members": [a.id, b.id]}
        assert client.post(f"/cohorts/{cohort.id}/circles", data=data).status_code == 403
    assert _circles() == []


def test_self_formation_create_join_with_the_code_under_the_cap(
    trainer, make_cohort, add_learners, as_user
):
    cohort = make_cohort([trainer])
    a, b, c = (e.user for e in add_learners(cohort, 3))
    first = as_user(a)
    refused = first.post(f"/cohorts/{cohort.id}/circles/mine", data={"name": "Nous"})
    assert refused.status_code == 403 and _circles() == []

    settings = {"self_formation": "y", "max_members": "2"}
    assert (
        as_user(trainer).post(f"/cohorts/{cohort.id}/circles/settings", data=settings).status_code
        == 302
    )
    assert db.session.get(CircleSettings, cohort.id).max_members == 2
    assert (
        first.post(f"/cohorts/{cohort.id}/circles/mine", data={"name": "Nous"}).status_code == 302
    )
    (circle,) = _circles()
    assert circle.self_formed and [m.user_id for m in circle.members] == [a.id]

    assert as_user(b).post("/circles/join", data={"code": circle.code.lower()}).status_code == 302
    full = as_user(c).post("/circles/join", data={"code": circle.code})
    assert full.status_code == 400 and "This circle is full (2 members)" in full.get_data(
        as_text=True
    )
    unknown = as_user(c).post("/circles/join", data={"code": "ZZZZZZ"})
    assert unknown.status_code == 400 and "No circle has this code" in unknown.get_data(
        as_text=True
    )
    again = first.post("/circles/join", data={"code": circle.code})
    assert "already a member of this circle" in again.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Circle, circle.id).members) == 2
    assert len(_events("circle.member_joined")) == 2


def test_leaving_keeps_the_row_and_frees_the_learner(
    trainer, make_cohort, add_learners, as_user, make_circle
):
    cohort = make_cohort([trainer])
    a, b, c = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b])
    client = as_user(a)
    assert client.post(f"/circles/{circle.id}/leave").status_code == 302
    assert client.get(f"/circles/{circle.id}").status_code == 403
    rows = db.session.scalars(select(CircleMember).filter_by(user_id=a.id)).all()
    assert len(rows) == 1 and rows[0].left_at is not None
    assert _events("circle.member_left")

    staff = as_user(trainer)
    member_b = next(m for m in circle.memberships if m.user_id == b.id)
    assert staff.post(f"/circles/{circle.id}/members/{member_b.id}/remove").status_code == 302
    assert _events("circle.member_removed")
    # a, free again, can be added back by the facilitator (a new row; the old one stays)
    assert staff.post(f"/circles/{circle.id}/members", data={"user": a.id}).status_code == 302
    twice = staff.post(f"/circles/{circle.id}/members", data={"user": a.id})
    assert twice.status_code == 400 and "already a member of this circle" in twice.get_data(
        as_text=True
    )
    assert len(db.session.scalars(select(CircleMember).filter_by(user_id=a.id)).all()) == 2


def test_a_member_from_another_cohort_or_unknown_is_refused(
    trainer, make_cohort, add_learners, as_user, make_circle
):
    cohort, other = make_cohort([trainer]), make_cohort([trainer])
    a, b = (e.user for e in add_learners(cohort, 2))
    (stranger,) = (e.user for e in add_learners(other, 1))
    circle = make_circle(cohort, [a, b])
    staff = as_user(trainer)
    for user_id in (stranger.id, 999999):
        response = staff.post(f"/circles/{circle.id}/members", data={"user": user_id})
        assert response.status_code == 400
        assert "not a learner of the cohort" in response.get_data(as_text=True)
    assert not_a_number(staff, circle).status_code == 400
    db.session.expire_all()
    assert len(db.session.scalars(select(CircleMember)).all()) == 2


def not_a_number(client, circle):
    return client.post(f"/circles/{circle.id}/members", data={"user": "abc"})
