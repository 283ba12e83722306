"""A cohort's capacity: once it is full, nobody joins it by code and no trainer moves a learner
into it (the room and the trainer's time are sized for that many)."""

from __future__ import annotations

from sqlalchemy import func, select

from curriculum.db import db
from lms.learning.models import Enrolment


def enrolments_in(cohort) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort.id)
    )


def cohort_of(enrolment_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment_id).cohort_id


def test_joining_a_full_cohort_by_code_is_refused_and_enrols_nobody(
    app, trainer, make_cohort, add_learners, make_user, as_user
):
    cohort = make_cohort([trainer], capacity=2, code="FULL2345")
    add_learners(cohort, 1)
    first, second = make_user(), make_user()

    # The last seat goes to the first learner who types the code.
    assert as_user(first).post("/join", data={"code": "full 2345"}).status_code == 302
    assert enrolments_in(cohort) == 2

    response = as_user(second).post("/join/FULL2345", data={"code": "FULL2345"})
    assert response.status_code == 400
    assert "This cohort is full. Ask your trainer." in response.get_data(as_text=True)
    assert enrolments_in(cohort) == 2
    assert db.session.scalar(select(Enrolment).filter_by(user_id=second.id)) is None

    # A learner already in it typing the code again is not refused: nothing changes for them.
    assert as_user(first).post("/join", data={"code": "FULL2345"}).status_code == 302
    assert enrolments_in(cohort) == 2


def test_a_learner_of_another_cohort_cannot_switch_into_a_full_one_by_code(
    app, trainer, make_cohort, add_learners, as_user
):
    full = make_cohort([trainer], capacity=1, code="FULL2345")
    add_learners(full, 1)
    other = make_cohort([trainer], course=full.course)
    (enrolment,) = add_learners(other, 1)
    response = as_user(enrolment.user).post("/join", data={"code": "FULL2345"})
    assert response.status_code == 400
    assert "This cohort is full." in response.get_data(as_text=True)
    assert cohort_of(enrolment.id) == other.id
    assert enrolments_in(full) == 1


def test_a_trainer_cannot_move_a_learner_into_a_full_cohort(
    app, trainer, make_cohort, add_learners, as_user
):
    source = make_cohort([trainer])
    full = make_cohort([trainer], course=source.course, capacity=1)
    roomy = make_cohort([trainer], course=source.course, capacity=2)
    add_learners(full, 1)
    add_learners(roomy, 1)
    (enrolment,) = add_learners(source, 1)
    client = as_user(trainer)
    url = f"/cohorts/{source.id}/learners/{enrolment.id}/move"

    response = client.post(url, data={"target": full.id})
    assert response.status_code == 409
    assert "This cohort has room for 0 more learners (capacity 1)." in response.get_data(
        as_text=True
    )
    assert cohort_of(enrolment.id) == source.id
    assert enrolments_in(full) == 1

    # The last seat of another cohort can be taken; then that one is full too.
    assert client.post(url, data={"target": roomy.id}).status_code == 302
    assert cohort_of(enrolment.id) == roomy.id
    (newcomer,) = add_learners(source, 1)
    response = client.post(
        f"/cohorts/{source.id}/learners/{newcomer.id}/move", data={"target": roomy.id}
    )
    assert response.status_code == 409
    assert cohort_of(newcomer.id) == source.id
