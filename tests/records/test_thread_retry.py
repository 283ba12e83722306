"""Without Celery, after an LRS outage, nothing else happening on the site: the background
thread (the real path: the commit wakes it) wakes itself again at the end of each backoff, so
the statements reach Ralph once it is back, each exactly once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from curriculum.db import db
from lms.learning import operations
from lms.records import outbox
from lms.records.models import XapiStatement


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_XAPI_BACKOFF_SECONDS": 1}


def statuses() -> list[str]:
    db.session.rollback()  # a fresh read of what the thread wrote
    return list(db.session.scalars(select(XapiStatement.status).order_by(XapiStatement.id)))


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, statuses()
        time.sleep(0.2)


def test_statements_go_out_when_the_lrs_returns_on_a_quiet_site(app, ralph, make_user, make_course):
    ralph.stop()
    try:
        enrolment = operations.enrol(make_user(), make_course())
        db.session.commit()  # wakes the thread: the LRS is down
        wait_for(lambda: statuses() == ["failed"], 20)
        assert outbox.TIMER_KEY in app.extensions["lms"].extra  # its next try is scheduled
        time.sleep(1.5)  # a retry or two, still down
        assert statuses() == ["failed"]
    finally:
        ralph.start()
    try:
        # no request, no commit: the timer alone sends it
        wait_for(lambda: statuses() == ["sent"], 40)
    finally:
        outbox.cancel_scheduled_wake(app)
    (row,) = db.session.scalars(select(XapiStatement))
    assert ralph.stored_ids().count(row.statement_id) == 1
    assert [s["id"] for s in ralph.get(registration=enrolment.uuid)] == [row.statement_id]
