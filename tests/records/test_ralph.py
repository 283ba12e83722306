"""Learning events as xAPI statements, delivered to a real Ralph LRS (which validates each one)
and read back with its filters; Ralph stopped and restarted: every statement arrives once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import Lesson
from lms.cohorts.models import Cohort
from lms.learning import operations
from lms.records import outbox
from lms.records.delivery import send_pending
from lms.records.models import XapiActor, XapiStatement

ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture(autouse=True)
def no_background_sender(monkeypatch):
    """The tests send the queue themselves (the background sender is tested on its own)."""
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)


def pending() -> int:
    return db.session.scalar(
        select(func.count()).where(XapiStatement.status.in_(("queued", "failed")))
    )


def lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


@pytest.fixture
def journey(app, make_user, make_course):
    """A learner of a cohort in Tiznit enrols, opens and reads a lesson, fails then passes the
    quiz (committed, one request's worth each)."""
    course = make_course()
    cohort = Cohort(course_id=course.id, name="Tiznit 2026", province="Tiznit",
                    commune="Aglou", join_code="XAPI2026")  # fmt: skip
    db.session.add(cohort)
    learner = make_user(email="salma@example.org", name="Salma")
    db.session.commit()
    enrolment = operations.enrol(learner, course, cohort)
    db.session.commit()
    operations.open_lesson(enrolment, lesson("intro"))
    operations.mark_done(enrolment, lesson("intro"))
    db.session.commit()
    quiz = lesson("check")
    operations.open_lesson(enrolment, quiz)
    operations.submit_quiz(enrolment, quiz, {"q1": ["b"], "q2": ["a"], "q3": ["true"]}, 1)
    db.session.commit()
    operations.submit_quiz(enrolment, quiz, {"q1": ["a"], "q2": ["a", "b"], "q3": ["true"]}, 2)
    db.session.commit()
    return enrolment


def test_statements_accepted_and_read_back_with_filters(app, ralph, journey):
    enrolment = journey
    assert pending() == 13  # registered, 2 opens, 2 done, 2 x (3 answered + 1 result)
    outcome = send_pending(app, backoff=0)
    assert (outcome.sent, outcome.rejected, outcome.unavailable) == (13, 0, None)
    assert pending() == 0

    mine = ralph.get(registration=enrolment.uuid)
    assert len(mine) == 13
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in mine]
    assert verbs[:4] == ["registered", "experienced", "completed", "launched"]
    assert verbs.count("answered") == 6 and verbs.count("failed") == 1
    assert verbs.count("passed") == 1

    name = db.session.scalar(select(XapiActor.name).where(XapiActor.user_id == enrolment.user_id))
    agent = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": name}}
    assert len(ralph.get(agent=agent)) == 13
    assert "salma" not in str(mine)  # not the e-mail address

    # Ralph 5.1's filesystem backend never matches its ``verb`` filter (it compares the IRI
    # object it parsed with the stored string): whatever it answers to the filter is a subset of
    # the answered statements (none today, all six once fixed); the verb is picked from ``mine``.
    answered_ids = {s["id"] for s in mine if s["verb"]["id"] == ADL + "answered"}
    assert {s["id"] for s in ralph.get(verb=ADL + "answered")} <= answered_ids

    def by_verb(verb):
        return [s for s in mine if s["verb"]["id"] == ADL + verb]

    answered = by_verb("answered")
    assert [(s["result"]["response"], s["result"]["success"]) for s in answered[:3]] == [
        ("b", False), ("a", False), ("true", True)]  # fmt: skip
    assert answered[1]["object"]["definition"]["correctResponsesPattern"] == ["a[,]b"]
    passed = by_verb("passed")[0]
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["success"] is True
    failed = by_verb("failed")[0]
    assert failed["result"]["score"]["scaled"] == pytest.approx(0.33)

    registered = mine[0]
    context = registered["context"]
    assert context["team"]["name"] == "Tiznit 2026"
    assert context["team"]["objectType"] == "Group"
    assert context["extensions"] == {
        "http://lms.test/xapi/extensions/province": "Tiznit",
        "http://lms.test/xapi/extensions/commune": "Aglou",
    }
    assert set(registered["object"]["definition"]["name"]) == {"fr", "en", "ar"}
    assert registered["object"]["id"] == "http://lms.test/courses/civics"


def test_ralph_down_then_back_every_statement_once(app, ralph, journey):
    enrolment = journey
    ralph.stop()
    try:
        outcome = send_pending(app, backoff=0)
        assert outcome.sent == 0 and outcome.unavailable
        assert pending() == 13
        # more learning while the LRS is away
        operations.open_lesson(enrolment, lesson("wrap-up"))
        db.session.commit()
        assert send_pending(app, backoff=0).unavailable
        failed = db.session.scalars(select(XapiStatement).where(XapiStatement.status == "failed"))
        assert all(row.error for row in failed)
    finally:
        ralph.start()
    outcome = send_pending(app, backoff=0)
    assert outcome.sent == 14 and pending() == 0
    ids = list(db.session.scalars(select(XapiStatement.statement_id).order_by(XapiStatement.id)))
    # the answer was lost: the same statements are sent again (Ralph answers 204)
    db.session.execute(XapiStatement.__table__.update().values(status="queued"))
    db.session.commit()
    assert send_pending(app, backoff=0).sent == 14
    stored = ralph.stored_ids()
    assert all(stored.count(statement_id) == 1 for statement_id in ids)
    order = [s["id"] for s in ralph.get(registration=enrolment.uuid)]
    assert order == ids  # each learner's statements in the order of the events


def test_a_changed_statement_with_a_known_id_counts_as_sent(app, ralph, journey):
    send_pending(app, backoff=0)
    row = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)).first()
    changed = dict(row.statement, verb={"id": ADL + "attempted", "display": {"en-US": "x"}})
    row.statement, row.status = changed, "queued"
    db.session.commit()
    outcome = send_pending(app, backoff=0)
    assert outcome.sent == 1
    db.session.refresh(row)
    assert row.status == "sent" and "already held" in row.error


def test_background_sender_delivers_after_commit(app, ralph, make_user, make_course, monkeypatch):
    monkeypatch.undo()
    course = make_course()
    learner = make_user()
    enrolment = operations.enrol(learner, course)
    db.session.commit()
    deadline = time.monotonic() + 10
    while pending() and time.monotonic() < deadline:
        time.sleep(0.05)
        db.session.rollback()
    assert pending() == 0
    assert len(ralph.get(registration=enrolment.uuid)) == 1


def test_replay_queues_the_same_statements_again(app, ralph, journey, runner):
    live = {row.statement_id: row.verb for row in db.session.scalars(select(XapiStatement))}
    db.session.execute(XapiStatement.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["xapi", "replay", "--since", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert "Queued 13 statements (0 were already" in result.output
    replayed = {row.statement_id: row.verb for row in db.session.scalars(select(XapiStatement))}
    assert replayed == live  # lesson opens included, the same ids
    result = runner.invoke(args=["xapi", "replay", "--since", "2000-01-01"])
    assert "Queued 0 statements (13 were already" in result.output
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code == 0 and "Sent 13" in result.output
    assert len(ralph.get(registration=journey.uuid)) == 13
