"""The offline queue's endpoint against what a phone (or a forger) may really send: broken
dates, broken characters, odd shapes, a clock that is wrong, an error on one item; a second quiz
attempt made offline from a page that still shows the first attempt's number; a course finished
offline. Each item is answered on its own, with a reason; the others are applied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from lms.learning import operations as learning
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt, Submission
from lms.offline import operations
from lms.offline.models import OfflineAction
from tests.lms.offline.test_sync import DAY, count, item, lesson_of, quiz_item, send

WRONG = {"q-q1": ["b"], "q-q2": ["c"], "q-q3": ["false"]}


@pytest.fixture
def learner(make_user):
    return make_user(email="salma@example.org", locale="en")


@pytest.fixture
def course(make_course):
    return make_course(sequential=False)


@pytest.fixture
def enrolment(learner, course):
    enrolment = learning.enrol(learner, course)
    enrolment.enrolled_at = utcnow() - timedelta(days=200)
    db.session.commit()
    return enrolment


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def broken_items(learner) -> dict[str, object]:
    """Each kind of broken item, with (part of) the reason the learner is given."""
    work = {"kind": "assignment", "lesson": "civics/basics/field-work"}
    return {
        "when it was made": [
            {**item(learner, "b-year-1"), "occurred_at": "0001-01-01T00:00:00+05:00"},
            {**item(learner, "b-year-9999"), "occurred_at": "9999-12-31T23:59:59-05:00"},
            {**item(learner, "b-number"), "occurred_at": 1767225600},
            {**item(learner, "b-long"), "occurred_at": "2026-01-01T" + "0" * 500},
            {**item(learner, "b-month-13"), "occurred_at": "2026-13-01T00:00:00Z"},
        ],
        "broken character": [
            {**item(learner, "b-surrogate-text", text="mes notes \ud800"), **work},
            {**item(learner, "b-nul-text", text="mes\x00notes"), **work},
            {**item(learner, "b-surrogate-key"), "key": "k-\udfff"},
            item(learner, "b-surrogate-name", file={"name": "\ud83d.pdf", "data": "JVBERi0="}),
        ],
        "later than now": [item(learner, "b-future", when=iso(utcnow() + timedelta(days=2)))],
        "more than a year ago": [
            item(learner, "b-1970", when="1970-01-01T00:00:00Z"),
            item(learner, "b-old", when=iso(utcnow() - timedelta(days=400))),
        ],
        "not readable": [
            None,
            [1, 2, 3],
            {**item(learner, "b-data-text"), "data": "x"},
            item(learner, "b-deep", extra=nested(50)),
            {**item(learner, "b-text-list", text=["a"]), **work},
        ],
        "no valid key": [{**item(learner, "x"), "key": "k" * 65}, {**item(learner, "x"), "key": 7}],
        "which lesson": [{**item(learner, "b-lesson-list"), "lesson": ["civics", "basics", "x"]}],
        "which circle": [{**item(learner, "b-circle", "journal"), "circle": True}],
        "do not match this quiz": [
            item(learner, "b-form-list", "quiz", "civics/basics/check", form=["a"]),
            item(learner, "b-form-nest", "quiz", "civics/basics/check", form={"q-q1": [{"a": 1}]}),
        ],
        "does not apply to this kind of lesson": [
            item(learner, "b-done-quiz", lesson="civics/basics/check")
        ],
        "could not be read": [{**item(learner, "b-base64", file={"data": "!!"}), **work}],
        "too long": [{**item(learner, "b-text-long", text="x" * 20_001), **work}],
    }


def test_broken_items_of_every_kind_are_refused_one_by_one_and_the_rest_applied(
    client, login, learner, course, enrolment
):
    login(learner)
    good = [
        item(learner, "good-done"),
        quiz_item(learner, course, "good-quiz"),
        item(learner, "good-work", "assignment", "civics/basics/field-work", text="Mes notes"),
        item(learner, "good-done-2", lesson="civics/next-steps/wrap-up"),
    ]
    reasons = broken_items(learner)
    broken = [(reason, each) for reason, items in reasons.items() for each in items]
    queue, expected = [], []
    for index, (reason, each) in enumerate(broken):  # the good ones among the broken ones
        if index % 6 == 0 and good:
            queue.append(good.pop(0))
            expected.append("applied")
        queue.append(each)
        expected.append(reason)
    results = send(client, queue)
    assert len(results) == len(queue)
    for result, reason in zip(results, expected, strict=True):
        if reason == "applied":
            assert result["status"] == "applied", result
        else:
            assert result["status"] == "refused", (reason, result)
            assert reason in result["message"], (reason, result)
    assert count(LessonProgress, status="done") == 3  # intro, wrap-up and the passed quiz
    assert count(QuizAttempt) == 1 and count(Submission) == 1
    # only the readable items are kept (a refusal of an action is answered again on a replay)
    kept = {key for (key,) in db.session.execute(select(OfflineAction.key))}
    assert {"good-done", "good-quiz", "good-work", "good-done-2", "b-done-quiz"} <= kept
    assert not kept & {"b-year-1", "b-surrogate-text", "b-future", "b-1970", "b-deep"}


def test_a_clock_a_little_ahead_counts_as_now(client, login, learner, course, enrolment):
    login(learner)
    (result,) = send(client, [item(learner, "k1", when=iso(utcnow() + timedelta(minutes=20)))])
    assert result["status"] == "applied"
    action = db.session.scalar(select(OfflineAction))
    assert action.occurred_at <= action.received_at


def test_an_error_on_one_item_refuses_that_one_only(
    client, login, learner, course, enrolment, monkeypatch
):
    login(learner)

    def failing(user, action):
        raise RuntimeError("a bug")

    monkeypatch.setitem(operations.APPLY, "assignment", failing)
    queue = [
        item(learner, "k1"),
        item(learner, "k2", "assignment", "civics/basics/field-work", text="Mes notes"),
        item(learner, "k3", lesson="civics/next-steps/wrap-up"),
    ]
    results = send(client, queue)
    assert [r["status"] for r in results] == ["applied", "refused", "applied"]
    assert "error on the server" in results[1]["message"]
    assert count(LessonProgress, status="done") == 2
    # not kept: sent again once the server is mended, it is applied
    assert count(OfflineAction) == 2
    monkeypatch.undo()
    (again,) = send(client, queue[1:2])
    assert again["status"] == "applied" and not again["replay"]
    assert count(Submission) == 1


def test_a_second_attempt_made_offline_from_the_same_page_is_counted(
    client, login, learner, course, enrolment
):
    """The page kept on the phone offers attempt 1 both times (it is not refreshed offline)."""
    login(learner)
    first = quiz_item(learner, course, "k1", attempt="1", **WRONG)
    second = quiz_item(learner, course, "k2", attempt="1")
    results = send(client, [first, second])
    assert [(r["status"], r["replay"]) for r in results] == [("applied", False)] * 2
    assert "your score is 0%" in results[0]["message"]
    assert "your score is 100%" in results[1]["message"]
    assert sorted(db.session.scalars(select(QuizAttempt.number))) == [1, 2]
    progress = db.session.scalar(select(LessonProgress).filter_by(status="done"))
    assert progress.attempts == 2 and progress.score == 100
    # the same answers for the same attempt are that attempt, sent twice: nothing more
    (twice,) = send(client, [quiz_item(learner, course, "k3", attempt="2")])
    assert twice["status"] == "applied" and "already received" in twice["message"]
    assert count(QuizAttempt) == 2


def test_other_answers_for_a_used_attempt_with_none_left_are_refused_with_the_reason(
    client, login, learner, course, enrolment
):
    login(learner)
    quiz = lesson_of(course, "check")
    quiz.settings = {**quiz.settings, "attempts": 1}
    db.session.commit()
    (first,) = send(client, [quiz_item(learner, course, "k1", attempt="1", **WRONG)])
    assert first["status"] == "applied"
    (second,) = send(client, [quiz_item(learner, course, "k2", attempt="1")])
    assert second["status"] == "refused"
    assert second["message"] == (
        "Answers for attempt 1 were already received; this attempt was not counted."
    )
    assert count(QuizAttempt) == 1
    assert db.session.scalar(select(LessonProgress.score)) == 0


def test_a_course_finished_offline_is_completed_when_its_last_lesson_was_done(
    client, login, learner, make_course
):
    short = make_course(slug="short", modules=[("one", [{"slug": "a", "kind": "reading"},
                                                        {"slug": "b", "kind": "reading"}])])  # fmt: skip
    enrolment = learning.enrol(learner, short)
    enrolment.enrolled_at = utcnow() - timedelta(days=200)
    db.session.commit()
    login(learner)
    results = send(client, [item(learner, "k1", lesson="short/one/a", when=f"{DAY}T09:00:00Z"),
                            item(learner, "k2", lesson="short/one/b", when=f"{DAY}T10:30:00Z")])  # fmt: skip
    assert [r["status"] for r in results] == ["applied", "applied"]
    db.session.expire_all()
    completed = db.session.get(Enrolment, enrolment.id)
    assert completed.status == "completed"
    assert completed.completed_at.isoformat() == f"{DAY}T10:30:00+00:00"


def test_a_queue_too_large_or_too_deep_is_answered_in_json(app, client, login, learner, enrolment):
    login(learner)
    app.config["LMS_UPLOAD_REQUEST_MAX_MB"] = 0.1
    too_large = client.post(
        "/offline/sync.json",
        json={"items": [item(learner, "k1", text="x" * 200_000)]},
        headers={"Accept": "application/json"},
    )
    assert too_large.status_code == 413 and too_large.get_json()["status"] == 413
    app.config["LMS_UPLOAD_REQUEST_MAX_MB"] = 10
    deep = client.post(
        "/offline/sync.json",
        data='{"items": ' + "[" * 100_000 + "]" * 100_000 + "}",
        content_type="application/json",
    )
    assert deep.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(OfflineAction)) == 0
