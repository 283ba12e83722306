"""A page downloaded for offline use keeps its forms for hours: their CSRF token lasts as long
as the session (not Flask-WTF's default hour), is replaced at login and logout, and a refusal
says it is one (the service worker then queues the form instead of losing it)."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from curriculum.db import db
from lms.learning import operations as learning
from lms.learning.models import LessonProgress
from tests.conftest import PASSWORD

LESSON = "/courses/civics/basics/intro"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def learner(make_user, make_course):
    user = make_user(email="salma@example.org", locale="en")
    learning.enrol(user, make_course(sequential=False))
    db.session.commit()
    return user


def token_on(client, url: str) -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def log_in(client, user) -> None:
    token = token_on(client, "/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def done() -> bool:
    db.session.expire_all()
    return db.session.scalar(select(LessonProgress.status)) == "done"


def test_a_form_kept_for_hours_still_works_in_the_same_session(app, client, learner, monkeypatch):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    log_in(client, learner)
    token = token_on(client, LESSON)  # the page as it was downloaded in the morning
    later = int(time.time()) + 6 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post(LESSON + "/done", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert done()


def test_a_token_from_before_a_logout_is_refused_and_says_why(client, learner):
    log_in(client, learner)
    token = token_on(client, LESSON)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    log_in(client, learner)
    refused = client.post(
        LESSON + "/done", data={"csrf_token": token}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 400
    assert refused.headers["X-LMS-Refused"] == "csrf"
    assert "The form expired" in refused.get_data(as_text=True)
    assert not done()
    # the page she opens now has the new session's token
    assert (
        client.post(LESSON + "/done", data={"csrf_token": token_on(client, LESSON)}).status_code
        == 302
    )
    assert done()


def test_a_login_gives_a_new_token(client, learner):
    before = token_on(client, "/login")
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
    log_in(client, learner)
    with client.session_transaction() as session:
        assert "csrf_token" not in session  # dropped: the next page makes a new one
    token_on(client, LESSON)
    with client.session_transaction() as session:
        assert session["csrf_token"] != raw_before
    assert client.post(LESSON + "/done", data={"csrf_token": before}).status_code == 400
