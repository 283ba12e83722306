"""The offline queue's endpoint: each action applied exactly once, checked as if sent online,
answered item by item (forged, replayed, conflicting, archived, closed, 1,000 at once)."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from lms.learning import operations as learning
from lms.learning.models import LessonProgress, QuizAttempt, Submission
from lms.offline.models import OfflineAction
from lms.offline.operations import apply_items, user_key

#: a day some weeks ago (offline actions over a year old are refused: the phone's date is wrong)
DAY = (utcnow() - timedelta(days=60)).date().isoformat()
RIGHT = {"lesson": None, "attempt": ["1"], "q-q1": ["a"], "q-q2": ["a", "b"], "q-q3": ["true"]}


@pytest.fixture
def learner(make_user):
    return make_user(email="salma@example.org", locale="en")


@pytest.fixture
def course(make_course):
    return make_course(sequential=False)


@pytest.fixture
def enrolment(learner, course):
    enrolment = learning.enrol(learner, course)
    db.session.commit()
    return enrolment


def lesson_of(course, slug):
    return next(lesson for m in course.modules for lesson in m.lessons if lesson.slug == slug)


def item(user, key, kind="done", lesson="civics/basics/intro", when=f"{DAY}T09:00:00Z", **data):
    return {"key": key, "user": user_key(user), "kind": kind, "lesson": lesson,
            "occurred_at": when, "data": data}  # fmt: skip


def quiz_item(user, course, key, attempt="1", **changes):
    form = {**RIGHT, "lesson": [str(lesson_of(course, "check").id)], "attempt": [attempt]}
    form.update(changes)
    return item(user, key, "quiz", "civics/basics/check", form=form)


def send(client, items):
    response = client.post("/offline/sync.json", json={"items": items})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def count(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_each_action_is_applied_once_and_a_replay_changes_nothing(
    client, login, learner, course, enrolment
):
    login(learner)
    queue = [
        item(learner, "k-done"),
        quiz_item(learner, course, "k-quiz"),
        item(learner, "k-work", "assignment", "civics/basics/field-work", text="My notes"),
    ]
    first = send(client, queue)
    assert [(r["status"], r["replay"]) for r in first] == [("applied", False)] * 3
    assert "100%" in first[1]["message"]
    again = send(client, queue)
    assert [(r["status"], r["replay"]) for r in again] == [("applied", True)] * 3
    assert [r["message"] for r in again] == [r["message"] for r in first]
    assert count(QuizAttempt) == 1
    assert count(LessonProgress, status="done") == 2  # intro and the passed quiz
    assert count(Submission) == 1 and db.session.scalar(select(Submission.version)) == 1
    assert count(OfflineAction) == 3


def test_the_offline_time_is_recorded(client, login, learner, course, enrolment):
    login(learner)
    enrolment.enrolled_at = utcnow() - timedelta(days=200)
    db.session.commit()
    send(client, [item(learner, "k1", when=f"{DAY}T09:00:00+01:00")])
    progress = db.session.scalar(select(LessonProgress))
    assert progress.completed_at.isoformat() == f"{DAY}T08:00:00+00:00"
    action = db.session.scalar(select(OfflineAction))
    assert action.occurred_at.isoformat() == f"{DAY}T08:00:00+00:00"
    assert action.received_at > action.occurred_at


def test_a_forged_item_for_another_learner_is_refused_and_not_kept(
    client, login, make_user, learner, course, enrolment
):
    other = make_user(email="imane@example.org", locale="en")
    learning.enrol(other, course)
    db.session.commit()
    login(other)
    (result,) = send(client, [item(learner, "k1")])
    assert result["status"] == "refused"
    assert "another account" in result["message"]
    assert count(OfflineAction) == 0 and count(LessonProgress) == 0


def test_the_same_key_with_another_content_is_refused(client, login, learner, course, enrolment):
    login(learner)
    send(client, [item(learner, "k1")])
    (result,) = send(client, [item(learner, "k1", lesson="civics/next-steps/wrap-up")])
    assert result["status"] == "refused" and result["replay"]
    assert "already used for another action" in result["message"]
    assert count(LessonProgress, status="done") == 1


def test_attempts_used_up_meanwhile_refuse_the_quiz_with_the_reason(
    client, login, learner, course, enrolment
):
    login(learner)
    quiz = lesson_of(course, "check")
    for number in (1, 2, 3):
        learning.submit_quiz(enrolment, quiz, {"q1": ["b"], "q2": ["c"], "q3": ["false"]}, number)
    db.session.commit()
    (result,) = send(client, [quiz_item(learner, course, "k1", attempt="4")])
    assert result["status"] == "refused"
    assert result["message"] == (
        "You have used your 3 attempts at this quiz. Your best score is kept."
    )
    assert count(QuizAttempt) == 3
    (again,) = send(client, [quiz_item(learner, course, "k1", attempt="4")])
    assert (
        again["status"] == "refused" and again["replay"] and again["message"] == result["message"]
    )


def test_an_archived_lesson_or_a_closed_cohort_refuse_with_a_reason(
    client, login, learner, course, enrolment
):
    from lms.cohorts.models import Cohort

    login(learner)
    lesson_of(course, "intro").archived_at = utcnow()
    db.session.commit()
    (archived,) = send(client, [item(learner, "k1")])
    assert archived["status"] == "refused"
    assert "removed from the course" in archived["message"]

    cohort = Cohort(course_id=course.id, name="A", join_code="CLOSED01", archived_at=utcnow())
    db.session.add(cohort)
    db.session.flush()
    enrolment.cohort_id = cohort.id
    db.session.commit()
    (closed,) = send(client, [item(learner, "k2", lesson="civics/next-steps/wrap-up")])
    assert closed["status"] == "refused" and "cohort is closed" in closed["message"]
    assert count(LessonProgress, status="done") == 0


def test_malformed_items_are_refused_one_by_one_and_the_rest_applied(
    client, login, learner, course, enrolment
):
    login(learner)
    results = send(
        client,
        [
            "not an item",
            {**item(learner, "k1"), "key": ""},
            {**item(learner, "k2"), "kind": "delete-everything"},
            {**item(learner, "k3"), "occurred_at": "yesterday"},
            {**item(learner, "k4"), "lesson": "nowhere"},
            item(learner, "k5", lesson="civics/basics/no-such-lesson"),
            quiz_item(learner, course, "k6", **{"q-q1": ["zzz"]}),
            item(
                learner,
                "k7",
                "assignment",
                "civics/basics/field-work",
                file={"name": "x.exe", "data": base64.b64encode(b"MZ\x90").decode()},
            ),  # fmt: skip
            item(learner, "k8"),
        ],
    )
    assert [r["status"] for r in results] == ["refused"] * 8 + ["applied"]
    messages = [r["message"] for r in results]
    assert all(messages), messages
    assert "does not exist" in messages[5]
    assert "do not match this quiz" in messages[6]
    assert "not of an accepted type" in messages[7]
    assert count(LessonProgress, status="done") == 1
    assert count(Submission) == 0


def test_a_small_file_queued_offline_is_handed_in(client, login, learner, course, enrolment):
    login(learner)
    pdf = b"%PDF-1.4\n% field notes\n"
    file = {"name": "notes.pdf", "data": base64.b64encode(pdf).decode()}
    (result,) = send(
        client, [item(learner, "k1", "assignment", "civics/basics/field-work", text="", file=file)]
    )
    assert result["status"] == "applied"
    submission = db.session.scalar(select(Submission))
    assert submission.file_name == "notes.pdf" and submission.file_size == len(pdf)


def test_a_queue_of_a_thousand_items_is_answered_item_by_item(
    client, login, learner, course, enrolment
):
    login(learner)
    queue = [item(learner, f"k{n}", when=f"{DAY}T09:{n // 60:02d}:{n % 60:02d}Z")
             for n in range(1000)]  # fmt: skip
    queue[500] = item(learner, "k500", lesson="civics/basics/nope")
    results = send(client, queue)
    assert len(results) == 1000
    assert [r["key"] for r in results] == [f"k{n}" for n in range(1000)]
    assert sum(r["status"] == "applied" for r in results) == 999
    assert results[500]["status"] == "refused"
    assert count(OfflineAction) == 1000 and count(LessonProgress, status="done") == 1
    too_many = client.post("/offline/sync.json", json={"items": queue + queue[:1]})
    assert too_many.status_code == 400 and "at most 1000" in too_many.get_json()["message"]


def test_the_endpoint_takes_json_from_this_site_only(client, login, learner, enrolment):
    login(learner)
    assert client.post("/offline/sync.json", data={"items": "[]"}).status_code == 400
    cross = client.post(
        "/offline/sync.json", json={"items": []}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    assert client.post("/offline/sync.json", json={"items": "x"}).status_code == 400
    assert count(OfflineAction) == 0


def test_two_tabs_sending_the_same_queue_at_once_apply_it_once(app, backend, learner, course,
                                                               enrolment):  # fmt: skip
    if backend != "postgresql":
        pytest.skip("two connections at once: PostgreSQL (SQLite serialises the writers)")
    queue = [item(learner, "k-done"), quiz_item(learner, course, "k-quiz")]
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def tab():
        try:
            with app.test_request_context():
                from lms.users.models import User

                user = db.session.get(User, learner.id)
                barrier.wait()
                answers.append(apply_items(user, queue))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.replay for answer in answers for r in answer) == [False, False, True, True]
    assert count(QuizAttempt) == 1 and count(OfflineAction) == 2
