"""Admin › LTI scores: a score the platform could not take (its token endpoint answered 503) is
shown with the platform's error; "send again" gives it its attempts back and the sender delivers
it once the platform is back, after the request; "send now" wakes the sender; learners and
trainers get 403; the buttons need their CSRF token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.lti.grade_models import LtiScore

from .test_grades import RIGHT, answer, launch_quiz, wait_for_sender


def score() -> LtiScore:
    db.session.expire_all()  # what the sender's own connection wrote
    return db.session.scalars(select(LtiScore)).one()


def actions() -> list[str]:
    """The audited actions on the scores' outbox."""
    query = select(AuditEvent.action).where(AuditEvent.object_type == "lti_scores")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


@pytest.fixture
def failed(app, client, grading, make_course):
    """A learner's quiz score that the sender could not post: the platform was down."""
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.down = True
    answer(client, RIGHT)
    wait_for_sender(app)
    row = score()
    assert (row.status, row.attempts) == ("queued", 1) and "503" in row.last_error
    return row


@pytest.fixture
def admin(client, make_user, login, failed):
    """An administrator, logged in instead of the learner who came from the platform."""
    client.post("/logout")
    user = make_user(email="admin@example.org", name="Nadia Admin", roles=("admin",))
    login(user)
    return user


def test_an_administrator_sees_the_failed_score_and_its_error(client, grading, failed, admin):
    page = client.get("/admin/lti/scores").get_data(as_text=True)
    assert 'data-count="pending">1<' in page and 'data-count="failed">1<' in page
    assert 'data-count="sent">0<' in page and 'data-count="superseded">0<' in page
    error = page[page.index('<p class="error">') :].split("</p>")[0]
    assert "Last error of a platform: " in error and "HTTP 503 down" in error
    row = page[page.index(f'<tr data-score="{failed.id}"') :].split("</tr>")[0]
    assert "Test platform" in row and f"{grading.url}/lineitems/1" in row
    assert "Amina Tazi" in row and "100 / 100" in row
    assert "failed, will be tried again" in row and "HTTP 503 down" in row
    assert f'name="score" value="{failed.id}"' in row
    assert 'action="/admin/lti/scores/send"' in page
    sent_only = client.get("/admin/lti/scores?status=sent").get_data(as_text=True)
    assert "No score here." in sent_only and "Amina Tazi" not in sent_only
    assert (
        client.get("/admin/lti/scores?status=failed").get_data(as_text=True).count("<tr data-score")
        == 1
    )
    menu = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/lti/platforms"' in menu and 'href="/admin/lti/scores"' in menu
    arabic = client.get("/admin/lti/scores", headers={"Accept-Language": "ar"}).get_data(
        as_text=True
    )
    assert "علامات LTI" in arabic and "أرسل من جديد" in arabic
    french = client.get("/admin/lti/scores", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert "Notes LTI" in french and "Dernière erreur d’une plateforme" in french


def test_send_again_queues_it_and_the_sender_delivers_it(app, client, grading, failed, admin):
    # the platform still down: sending all the failed ones again fails again, counted afresh
    response = client.post("/admin/lti/scores/retry", follow_redirects=True)
    assert "1 score will be sent again." in response.get_data(as_text=True)
    wait_for_sender(app)
    assert (score().status, score().attempts) == ("queued", 1)

    grading.down = False
    assert client.post("/admin/lti/scores/retry", data={"score": failed.id}).status_code == 302
    wait_for_sender(app)  # woken after the request's commit, in a thread
    assert (score().status, score().sent_at is not None) == ("sent", True)
    [posted] = grading.all_scores()
    assert (posted["userId"], posted["scoreGiven"]) == ("user-1", 100)
    page = client.get("/admin/lti/scores").get_data(as_text=True)
    assert 'data-count="sent">1<' in page and 'data-count="failed">0<' in page
    assert 'name="score"' not in page  # nothing left to send again

    again = client.post("/admin/lti/scores/retry", data={"score": failed.id}, follow_redirects=True)
    assert "This score is not waiting to be sent again." in again.get_data(as_text=True)
    assert client.post("/admin/lti/scores/send").status_code == 302
    wait_for_sender(app)
    assert len(grading.all_scores()) == 1  # sent once
    assert actions() == ["lti.scores_retry", "lti.scores_retry", "lti.scores_send_now"]


def test_send_now_posts_the_waiting_score(app, client, grading, failed, admin):
    grading.down = False
    assert client.post("/admin/lti/scores/send").status_code == 302
    wait_for_sender(app)
    assert score().status == "sent" and len(grading.all_scores()) == 1


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_get_403(app, client, grading, failed, make_user, login, role):
    if role == "trainer":
        client.post("/logout")
        login(make_user(email="trainer@example.org", roles=("trainer",)))
    # else: the learner who came from the platform is the one logged in
    assert client.get("/admin/lti/scores").status_code == 403
    assert client.post("/admin/lti/scores/retry", data={"score": failed.id}).status_code == 403
    assert client.post("/admin/lti/scores/send").status_code == 403
    assert score().attempts == 1 and actions() == []


def test_the_buttons_need_their_csrf_token(app, client, grading, failed, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/admin/lti/scores/retry", data={"score": failed.id}).status_code == 400
    assert client.post("/admin/lti/scores/send").status_code == 400
    assert score().attempts == 1 and actions() == []
