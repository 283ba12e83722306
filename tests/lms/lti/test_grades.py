"""Grades back through AGS 2.0 against a real platform (lti1p3platform issues the access tokens
and checks the tool's signed assertion): a learner's quiz score is queued in the request, sent
after it by the sender, and read back from the platform's results; a platform that is down
receives every score once it is back, once each and in order."""

import re

from sqlalchemy import select

from curriculum.db import db
from lms.lti import grades
from lms.lti.grade_models import LtiScore
from lms.lti.tool_config import DatabaseToolConf

from .grading_platform import RESULTS_SCOPE
from .platform import LEARNER
from .test_launch import post, start

QUIZ = "/courses/civics/basics/check"
RIGHT = {"q-q1": "a", "q-q2": ["a", "b"], "q-q3": "true"}
ONE_RIGHT = {"q-q1": "b", "q-q2": ["a"], "q-q3": "true"}


def wait_for_sender(app):
    executor = app.extensions["lms"].extra.get(grades.EXECUTOR_KEY)
    if executor is not None:
        executor.submit(lambda: None).result(timeout=30)


def launch_quiz(client, platform, lineitem: str | None = "/lineitems/1", sub="user-1",
                context=("ctx-1", "Civic education 2026"), link="quiz-link"):  # fmt: skip
    """A learner's launch of the quiz, placed with the platform's line item (or without one)."""
    claim = platform.ags_claim(platform.url + lineitem if lineitem else None)
    form = platform.launch(start(client, platform, sub, target="civics/basics/check"), sub=sub,
                           roles=(LEARNER,), target="civics/basics/check", extra=claim,
                           email=f"{sub}@example.org", resource_link=link,
                           context=context)  # fmt: skip
    assert post(client, form).status_code == 302


def answer(client, answers):
    page = client.get(QUIZ).get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="(lesson|attempt)" value="(\d+)">', page))
    assert client.post(f"{QUIZ}/quiz", data={**hidden, **answers}).status_code == 302


def test_a_quiz_score_goes_to_the_platform_and_reads_back(app, client, grading, make_course):
    make_course(sequential=False)
    launch_quiz(client, grading)
    answer(client, RIGHT)
    wait_for_sender(app)
    assert len(grading.all_scores()) == 1
    score = grading.all_scores()[0]
    assert score["userId"] == "user-1" and score["scoreGiven"] == 100
    assert score["scoreMaximum"] == 100 and score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded" and score["timestamp"]
    # read back from the platform's results service, with a token the platform issued
    registration = DatabaseToolConf().find_registration_by_params(grading.issuer, grading.client_id)
    results = grades.RunConnector(registration).make_service_request(
        [RESULTS_SCOPE], grading.url + "/lineitems/1/results"
    )["body"]
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [
        ("user-1", 100, 100)
    ]
    # a lower score later is not a new best: nothing more is queued
    answer(client, ONE_RIGHT)
    wait_for_sender(app)
    assert len(grading.all_scores()) == 1 and grading.created() == []
    assert db.session.scalar(select(LtiScore.status)) == "sent"


def test_a_platform_down_then_up_gets_every_score_once_in_order(app, client, grading, make_course):
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.down = True
    answer(client, ONE_RIGHT)  # 33, then a better 100
    answer(client, RIGHT)
    wait_for_sender(app)
    assert grading.all_scores() == []
    rows = db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()
    assert [r.status for r in rows] == ["queued", "queued"] and rows[0].attempts >= 1
    assert "error" in rows[0].last_error.lower() or rows[0].last_error
    assert rows[0].next_attempt_at > rows[0].changed_at  # tried again after a wait
    grading.down = False
    # its wait is not over: nothing is tried yet (the later score waits behind it)
    assert grades.send_pending(app) == {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}
    assert grading.all_scores() == []
    assert grades.send_pending(app, now=True) == {"sent": 2, "failed": 0, "rejected": 0,
                                                  "given_up": 0}  # fmt: skip
    assert grades.send_pending(app) == {"sent": 0, "failed": 0, "rejected": 0, "given_up": 0}
    assert [s["scoreGiven"] for s in grading.all_scores()] == [33, 100]
    assert [s["activityProgress"] for s in grading.all_scores()] == ["Submitted", "Completed"]


def test_a_score_goes_only_to_the_contexts_the_learner_belongs_to(
    app, client, grading, make_course
):
    """The same quiz placed in two courses of the platform (two contexts, two grade books):
    each learner's score goes to the line item of her own course only."""
    make_course(sequential=False)
    other = grading.add_lineitem({"label": "Quiz", "scoreMaximum": 100})  # /lineitems/2
    launch_quiz(client, grading)  # user-1, from ctx-1
    browser = type(client)(app)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    launch_quiz(browser, grading, "/lineitems/2", sub="user-2",
                context=("ctx-2", "Civic education, Tiznit"), link="quiz-link-2")  # fmt: skip

    answer(client, RIGHT)
    wait_for_sender(app)
    assert [s["userId"] for s in grading.scores[grading.url + "/lineitems/1"]] == ["user-1"]
    assert grading.scores[other["id"]] == []

    answer(browser, ONE_RIGHT)
    wait_for_sender(app)
    assert [s["userId"] for s in grading.scores[grading.url + "/lineitems/1"]] == ["user-1"]
    assert [(s["userId"], s["scoreGiven"]) for s in grading.scores[other["id"]]] == [("user-2", 33)]
    rows = db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()
    assert [(r.subject, r.lineitem_url, r.status) for r in rows] == [
        ("user-1", grading.url + "/lineitems/1", "sent"),
        ("user-2", other["id"], "sent"),
    ]
