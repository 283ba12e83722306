"""Grades back through AGS 2.0 against a real platform (lti1p3platform issues the access tokens
and checks the tool's signed assertion): a learner's quiz score is queued in the request, sent
after it by the sender, and read back from the platform's results; a platform that is down
receives every score once it is back, once each and in order."""

import json
import re

import pytest
from sqlalchemy import select
from werkzeug.wrappers import Request, Response

from curriculum.db import db
from lms.lti import grades
from lms.lti.grade_models import LtiScore
from lms.lti.models import LtiPlatform
from lms.lti.tool_config import DatabaseToolConf

from . import platform as test_platform
from .platform import LEARNER, _Conf
from .test_launch import post, start

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RESULTS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
QUIZ = "/courses/civics/basics/check"
RIGHT = {"q-q1": "a", "q-q2": ["a", "b"], "q-q3": "true"}
ONE_RIGHT = {"q-q1": "b", "q-q2": ["a"], "q-q3": "true"}


class GradingPlatform(test_platform.TestPlatform):
    """The test platform with AGS: its token endpoint (lti1p3platform's), one line item taking
    scores and answering results; ``down`` makes it answer 503."""

    def __init__(self, tool_url):
        self.scores: list[dict] = []
        self.down = False
        self.tool_keys = None
        super().__init__(tool_url)

    def _conf(self):
        conf = _Conf(registration=self._registration(self.private_key))
        conf.get_registration().set_tool_key_set(self.tool_keys)
        return conf

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if self.down and request.path != "/jwks":
            return Response("down", status=503)(environ, start_response)
        if request.path == "/token":
            token = self._conf().get_access_token(request.form.to_dict())
            return Response(json.dumps(token), mimetype="application/json")(environ, start_response)
        if request.path.startswith("/lineitems/1/"):
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            self._conf().validate_token(bearer)  # raises (500) on a bad token
            if request.path.endswith("/scores") and request.method == "POST":
                assert request.content_type == "application/vnd.ims.lis.v1.score+json"
                self.scores.append(json.loads(request.get_data()))
                return Response("", status=204)(environ, start_response)
            if request.path.endswith("/results"):
                results = [{"userId": s["userId"], "resultScore": s["scoreGiven"],
                            "resultMaximum": s["scoreMaximum"]} for s in self.scores]  # fmt: skip
                return Response(json.dumps(results), mimetype="application/json")(
                    environ, start_response
                )
        return super()._wsgi(environ, start_response)


@pytest.fixture
def grading(app, client):
    platform = GradingPlatform("http://lms.test")
    platform.tool_keys = client.get("/lti/jwks.json").get_json()
    db.session.add(LtiPlatform(**platform.platform_fields()))
    db.session.commit()
    yield platform
    platform.close()


def wait_for_sender(app):
    executor = app.extensions["lms"].extra.get(grades.EXECUTOR_KEY)
    if executor is not None:
        executor.submit(lambda: None).result(timeout=30)


def launch_quiz(client, platform):
    form = platform.launch(
        start(client, platform, target="civics/basics/check"), roles=(LEARNER,),
        target="civics/basics/check",
        extra={AGS: {"scope": [grades.SCORE_SCOPE, RESULTS_SCOPE],
                     "lineitems": platform.url + "/lineitems",
                     "lineitem": platform.url + "/lineitems/1"}},
    )  # fmt: skip
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
    assert len(grading.scores) == 1
    score = grading.scores[0]
    assert score["userId"] == "user-1" and score["scoreGiven"] == 100
    assert score["scoreMaximum"] == 100 and score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded" and score["timestamp"]
    # read back from the platform's results service, with a token the platform issued
    registration = DatabaseToolConf().find_registration_by_params(grading.issuer, grading.client_id)
    results = grades.RunConnector(registration).make_service_request(
        [RESULTS_SCOPE], grading.url + "/lineitems/1/results"
    )["body"]
    assert results == [{"userId": "user-1", "resultScore": 100, "resultMaximum": 100}]
    # a lower score later is not a new best: nothing more is queued
    answer(client, ONE_RIGHT)
    wait_for_sender(app)
    assert len(grading.scores) == 1
    assert db.session.scalar(select(LtiScore.status)) == "sent"


def test_a_platform_down_then_up_gets_every_score_once_in_order(app, client, grading, make_course):
    make_course(sequential=False)
    launch_quiz(client, grading)
    grading.down = True
    answer(client, ONE_RIGHT)  # 33, then a better 100
    answer(client, RIGHT)
    wait_for_sender(app)
    assert grading.scores == []
    rows = db.session.scalars(select(LtiScore).order_by(LtiScore.id)).all()
    assert [r.status for r in rows] == ["queued", "queued"] and rows[0].attempts >= 1
    assert "error" in rows[0].last_error.lower() or rows[0].last_error
    grading.down = False
    assert grades.send_pending(app) == {"sent": 2, "failed": 0}
    assert grades.send_pending(app) == {"sent": 0, "failed": 0}
    assert [s["scoreGiven"] for s in grading.scores] == [33, 100]
    assert [s["activityProgress"] for s in grading.scores] == ["Submitted", "Completed"]
