"""What the sender does with a platform's refusal: a score the platform refuses for good (400,
401 after a new token, 403, 404 — its line item deleted by the teacher —, 410, 422) is set aside
with the platform's answer, shown on Admin › LTI scores, and no longer holds up the learner's
later scores; 429, 5xx and a platform away are tried again after a wait that doubles (at least
its Retry-After), up to a number of attempts or an age, then given up, shown the same way; "send
again" still works for both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from curriculum.db import db, utcnow
from lms.lti import grades, score_sender
from lms.lti.grade_models import LtiScore

from .test_grades import ONE_RIGHT, RIGHT, answer, launch_quiz, wait_for_sender

LINEITEM = "/lineitems/1"
NOTHING = {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}


def rows() -> list[LtiScore]:
    db.session.expire_all()  # what the sender's own connection wrote
    return db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()


def as_admin(client, make_user, login):
    client.post("/logout")
    login(make_user(email="admin@example.org", name="Nadia Admin", roles=("admin",)))


@pytest.mark.parametrize("status", [400, 403, 410, 422])
def test_a_refused_score_is_set_aside_and_the_later_ones_go_on(
    app, client, grading, make_course, status
):
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.answers = [(status, '{"error": "not for this line item"}', {})]
    answer(client, ONE_RIGHT)
    wait_for_sender(app)
    [refused] = rows()
    assert (refused.status, refused.attempts) == ("rejected", 1)
    assert f"HTTP {status}" in refused.last_error and "not for this line item" in refused.last_error
    assert refused.next_attempt_at is None

    answer(client, RIGHT)  # a later score of the same learner and placement is not held up
    wait_for_sender(app)
    assert [(s["userId"], s["scoreGiven"]) for s in grading.all_scores()] == [("user-1", 100)]
    assert [r.status for r in rows()] == ["rejected", "sent"]
    assert grades.send_pending(app, now=True) == NOTHING  # the refused one is not tried again


def test_a_deleted_line_item_is_shown_with_the_platforms_answer_and_can_be_sent_again(
    app, client, grading, make_course, make_user, login
):
    make_course(sequential=False)
    launch_quiz(client, grading)
    del grading.lineitems[grading.url + LINEITEM]  # the teacher deleted the grade column
    answer(client, RIGHT)
    wait_for_sender(app)
    [row] = rows()
    assert (row.status, row.attempts) == ("rejected", 1) and "HTTP 404" in row.last_error

    as_admin(client, make_user, login)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/admin/lti/scores").get_data(as_text=True)
    assert 'data-count="rejected">1<' in page and 'data-count="pending">0<' in page
    line = page[page.index(f'<tr data-score="{row.id}"') :].split("</tr>")[0]
    assert "refused by the platform, not tried again" in line and "HTTP 404" in line
    assert f'name="score" value="{row.id}"' in line  # send again
    assert "Send the failed and refused ones again" in page
    french = client.get("/admin/lti/scores", headers={"Accept-Language": "fr"})
    assert "refusée par la plateforme" in french.get_data(as_text=True)

    # the teacher put the column back: "send again" delivers it, after the request
    grading.lineitems[grading.url + LINEITEM] = {"id": grading.url + LINEITEM, "label": "Quiz"}
    response = client.post("/admin/lti/scores/retry", data={"score": row.id}, follow_redirects=True)
    assert "1 score will be sent again." in response.get_data(as_text=True)
    wait_for_sender(app)
    assert rows()[0].status == "sent"
    assert [s["scoreGiven"] for s in grading.scores[grading.url + LINEITEM]] == [100]


def test_a_401_is_tried_again_once_with_a_new_access_token(app, client, grading, make_course):
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.answers = [(401, "token revoked", {})]
    answer(client, RIGHT)
    wait_for_sender(app)
    assert grading.token_requests == 2  # the tool asked for a new token, then posted again
    assert [r.status for r in rows()] == ["sent"] and len(grading.all_scores()) == 1

    grading.token_requests = 0
    grading.answers = [(401, "not yours", {}), (401, "not yours", {})]
    answer(client, ONE_RIGHT)  # not a new best: nothing queued
    browser = type(client)(app)
    launch_quiz(browser, grading, sub="user-2")
    answer(browser, RIGHT)
    wait_for_sender(app)
    assert grading.token_requests == 2
    last = rows()[-1]
    assert (last.status, last.attempts) == ("rejected", 1) and "HTTP 401" in last.last_error


@pytest.mark.parametrize(
    ("answer_", "wait"),
    [
        ((429, "slow down", {"Retry-After": "600"}), 600),
        ((500, "oops", {}), 30),
        ((503, "maintenance", {}), 30),
    ],  # fmt: skip
)
def test_429_and_5xx_are_tried_again_after_a_wait(app, client, grading, make_course, answer_, wait):
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.answers = [answer_]
    before = utcnow()
    answer(client, RIGHT)
    wait_for_sender(app)
    [row] = rows()
    assert (row.status, row.attempts) == ("queued", 1) and f"HTTP {answer_[0]}" in row.last_error
    assert before + timedelta(seconds=wait) <= row.next_attempt_at
    assert row.next_attempt_at <= utcnow() + timedelta(seconds=wait + 1)
    assert grades.send_pending(app) == NOTHING and grading.all_scores() == []  # still waiting
    # its wait is over: sent
    db.session.execute(update(LtiScore).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert grades.send_pending(app)["sent"] == 1 and len(grading.all_scores()) == 1


def test_the_wait_doubles_and_the_sender_gives_up_after_its_attempts(
    app, client, grading, make_course, make_user, login, monkeypatch
):
    monkeypatch.setattr(score_sender, "MAX_ATTEMPTS", 3)
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.down = True
    answer(client, RIGHT)
    wait_for_sender(app)
    waits = [rows()[0].next_attempt_at - utcnow()]
    assert grades.send_pending(app, now=True) == {**NOTHING, "failed": 1}
    waits.append(rows()[0].next_attempt_at - utcnow())
    assert timedelta(seconds=25) < waits[0] <= timedelta(seconds=30)
    assert timedelta(seconds=55) < waits[1] <= timedelta(seconds=60)
    assert grades.send_pending(app, now=True) == {**NOTHING, "given_up": 1}
    [row] = rows()
    assert (row.status, row.attempts, row.next_attempt_at) == ("given_up", 3, None)
    assert "HTTP 503" in row.last_error
    assert grades.send_pending(app, now=True) == NOTHING  # not tried again

    as_admin(client, make_user, login)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/admin/lti/scores").get_data(as_text=True)
    assert 'data-count="given_up">1<' in page and "HTTP 503 down" in page
    assert "failed too many times, not tried again" in page
    grading.down = False
    assert client.post("/admin/lti/scores/retry").status_code == 302  # every set-aside score
    wait_for_sender(app)
    assert (rows()[0].status, rows()[0].attempts) == ("sent", 0)


def test_a_score_failing_for_too_long_is_given_up(app, client, grading, make_course):
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.down = True
    answer(client, RIGHT)
    wait_for_sender(app)
    assert rows()[0].status == "queued"
    old = utcnow() - score_sender.MAX_AGE - timedelta(minutes=1)
    db.session.execute(update(LtiScore).values(changed_at=old))
    db.session.commit()
    assert grades.send_pending(app, now=True) == {**NOTHING, "given_up": 1}
    assert (rows()[0].status, rows()[0].attempts) == ("given_up", 2)
