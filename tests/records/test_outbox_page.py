"""The administrators' xAPI outbox page: the queue's counts and the LRS's last error, the latest
statements; "send now" wakes the sender (a background thread here, a Celery task with a broker)
which delivers to a real Ralph after the request; a statement Ralph refused is sent again."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import Lesson
from lms.audit.models import AuditEvent
from lms.learning import operations
from lms.records import outbox
from lms.records.delivery import send_pending
from lms.records.models import XapiSender, XapiStatement


def count(status: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).where(XapiStatement.status == status))


def wait_until(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the sender did not finish in time"
        time.sleep(0.05)


@pytest.fixture
def queued(app, ralph, make_user, make_course, monkeypatch):
    """A learner's statements, queued while Ralph was away (the sender waits 30 s before the
    next try), one of them spoilt so that Ralph refuses it: (learner, the spoilt row's id)."""
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)
    course = make_course()
    learner = make_user(email="youssef@example.org", name="Youssef Amrani")
    enrolment = operations.enrol(learner, course)
    db.session.commit()
    intro = db.session.scalar(select(Lesson).where(Lesson.slug == "intro"))
    operations.open_lesson(enrolment, intro)
    operations.mark_done(enrolment, intro)
    db.session.commit()
    spoilt = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id.desc())).first()
    spoilt.statement = {k: v for k, v in spoilt.statement.items() if k != "actor"}
    db.session.commit()
    ralph.stop()
    try:
        assert send_pending(app, backoff=30).unavailable
    finally:
        ralph.start()
    monkeypatch.undo()
    return learner, spoilt.id


def test_the_page_shows_the_queue_and_the_lrs_error(app, client, login, make_user, queued):
    learner, _ = queued
    total = count("failed")
    assert total >= 3
    login(make_user(roles=("admin",)))
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert f'data-count="pending">{total}<' in page and f'data-count="failed">{total}<' in page
    assert 'data-count="sent">0<' in page
    assert "Connection refused" in page and "next try after" in page
    assert page.count("Youssef Amrani") == total
    assert 'action="/admin/xapi/send"' in page
    failed_only = client.get("/admin/xapi?status=sent").get_data(as_text=True)
    assert "Youssef Amrani" not in failed_only and "No statement here." in failed_only
    assert "/admin/xapi" in client.get("/admin/users").get_data(as_text=True)  # the menu
    arabic = client.get("/admin/xapi", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "سجلّ التعلّم" in arabic and "أرسل من جديد" in arabic


def test_send_now_delivers_after_the_request_then_a_refused_one_is_sent_again(
    app, client, login, make_user, ralph, queued
):
    learner, spoilt_id = queued
    total = count("failed")
    actor = db.session.get(XapiStatement, spoilt_id - 1).statement["actor"]
    login(make_user(roles=("admin",)))
    response = client.post("/admin/xapi/send")
    assert response.status_code == 302
    # the backoff (30 s) is over: the sender sends the queue at once, outside the request
    wait_until(lambda: count("failed") == 0 and count("queued") == 0)
    assert (count("sent"), count("rejected")) == (total - 1, 1)
    assert db.session.get(XapiSender, 1).not_before is None
    spoilt = db.session.get(XapiStatement, spoilt_id)
    assert spoilt.error.startswith("HTTP 422") and "actor" in spoilt.error  # Ralph's reason
    assert spoilt.statement_id not in ralph.stored_ids()
    page = client.get("/admin/xapi?status=rejected").get_data(as_text=True)
    assert page.count("<tr data-statement") == 1 and "HTTP 422" in page
    assert f'name="statement" value="{spoilt_id}"' in page

    # the statement mended (say, by a new version of the LMS), an administrator sends it again
    spoilt.statement = {**spoilt.statement, "actor": actor}
    db.session.commit()
    client.post("/admin/xapi/retry", data={"statement": spoilt_id})
    wait_until(lambda: count("sent") == total)
    assert ralph.stored_ids().count(spoilt.statement_id) == 1
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["xapi.send_now", "xapi.retry"]


def test_only_administrators_and_nothing_queued_again_by_a_refusal(
    app, client, login, make_user, queued
):
    learner, spoilt_id = queued
    login(learner)
    assert client.get("/admin/xapi").status_code == 403
    assert client.post("/admin/xapi/retry", data={"statement": spoilt_id}).status_code == 403
    assert count("queued") == 0


def test_without_an_lrs_send_now_says_so(app, client, login, make_user):
    app.config["LMS_XAPI_ENDPOINT"] = None
    login(make_user(roles=("admin",)))
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert "No learning record store is set up" in page
    assert 'action="/admin/xapi/send"' not in page
    response = client.post("/admin/xapi/send", follow_redirects=True)
    assert "nothing can be sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
