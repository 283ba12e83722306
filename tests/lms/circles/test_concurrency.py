"""What two people do at the same instant: two members handing in the first version, learners
joining a circle under its cap, a facilitator reviewing while a member hands in again (the
version he read is the one he reviews). The races need two connections: PostgreSQL. And a
stored file whose transaction is rolled back is deleted (any backend)."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from curriculum.db import db
from lms.circles import milestones
from lms.circles.milestone_models import TeamSubmission
from lms.circles.models import CircleMember, CircleSettings
from lms.uploads import upload_folder


def _at_once(calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _pdf(name):
    return (io.BytesIO(b"%PDF-1.4\n% " + name.encode() + b"\n"), name)


def _stored_files(circle) -> set[str]:
    folder = upload_folder() / f"circles/{circle.id}"
    return {f"circles/{circle.id}/{p.name}" for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def postgres(backend):
    if backend != "postgresql":
        pytest.skip("two concurrent connections need PostgreSQL")


def test_two_members_handing_in_the_first_version_at_once(
    postgres, trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b])
    url = f"/circles/{circle.id}/milestones/{team_lesson.id}"
    first, second = as_user(a), as_user(b)
    statuses = _at_once([
        lambda: first.post(url, data={"text": "A", "file": _pdf("a.pdf")},
                           content_type="multipart/form-data").status_code,
        lambda: second.post(url, data={"text": "B", "file": _pdf("b.pdf")},
                            content_type="multipart/form-data").status_code,
    ])  # fmt: skip
    assert statuses == [302, 302]
    submission = db.session.scalar(select(TeamSubmission))
    assert submission.version == 2
    assert sorted(v.version for v in submission.versions) == [1, 2]
    assert _stored_files(circle) == {v.file_path for v in submission.versions}


def test_the_cap_of_a_self_formed_circle_holds_when_learners_join_at_once(
    postgres, trainer, make_cohort, add_learners, as_user, make_circle
):
    cohort = make_cohort([trainer])
    a, b, *joiners = (e.user for e in add_learners(cohort, 6))
    db.session.add(CircleSettings(cohort_id=cohort.id, self_formation=True, max_members=3))
    circle = make_circle(cohort, [a, b])
    clients, code = [as_user(user) for user in joiners], circle.code
    statuses = _at_once(
        [
            lambda client=client: client.post("/circles/join", data={"code": code}).status_code
            for client in clients
        ]
    )
    assert sorted(statuses)[0] == 302 and statuses.count(302) == 1, statuses
    current = db.session.scalars(
        select(CircleMember).filter_by(circle_id=circle.id, left_at=None)
    ).all()
    assert len(current) == 3


def test_a_review_and_a_new_hand_in_at_once_never_accept_unread_work(
    postgres, trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b])
    url = f"/circles/{circle.id}/milestones/{team_lesson.id}"
    member, staff = as_user(a), as_user(trainer)
    assert member.post(url, data={"text": "Version 1"}).status_code == 302
    _at_once([
        lambda: member.post(url, data={"text": "Version 2"}).status_code,
        lambda: staff.post(url + "/review", data={"accept": "1", "version": 1}).status_code,
    ])  # fmt: skip
    submission = db.session.scalar(select(TeamSubmission))
    kinds = [(v.kind, v.version) for v in submission.versions]
    # either he accepted version 1 before it was handed in again (refused then: accepted), or
    # version 2 came first and his review of version 1 was refused
    assert kinds in (
        [("submitted", 1), ("accepted", 1)],
        [("submitted", 1), ("submitted", 2)],
    ), kinds


def test_a_file_stored_in_a_transaction_rolled_back_is_deleted(
    trainer, make_cohort, add_learners, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b])
    upload = FileStorage(
        io.BytesIO(
            b"%PDF-1.4\n% charte\n",
        ),
        "charte.pdf",
    )
    milestones.hand_in(a, circle, team_lesson, "Charte", upload)
    assert len(_stored_files(circle)) == 1
    db.session.rollback()  # the request failed after storing the file
    assert _stored_files(circle) == set()

    milestones.hand_in(
        a,
        circle,
        team_lesson,
        "Charte",
        FileStorage(
            io.BytesIO(
                b"%PDF-1.4\n",
            ),
            "c.pdf",
        ),
    )
    db.session.commit()
    db.session.rollback()  # a later rollback leaves what was committed
    assert len(_stored_files(circle)) == 1
