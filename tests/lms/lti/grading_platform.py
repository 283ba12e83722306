"""The test platform with AGS 2.0: lti1p3platform issues the access tokens (checking the tool's
signed assertion) and checks them on every call; line items of one context (``/lineitems``: GET
filtered by ``resource_link_id`` / ``tag``, POST to create), each taking scores and answering
results. As Moodle's gradebook services do, a score whose timestamp is not later, to the second,
than the learner's last one is not applied (409, lti1p3platform's status for an old timestamp),
and a score counts in the results only when its ``gradingProgress`` is ``FullyGraded``."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import datetime

from lti1p3platform.ags import LtiAgs
from lti1p3platform.score import UPDATE_SCORE_STATUSCODE, UpdateScoreStatus
from werkzeug.wrappers import Request, Response

from .platform import TestPlatform, _Conf

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
READONLY_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RESULTS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"


class GradingPlatform(TestPlatform):
    """``down``: every call but the JWKS answers 503; ``lose_next_answer``: the next score is
    applied but its answer is a 503 (the tool cannot know it arrived); ``slow``: seconds each
    score takes; ``meet_listings(n)``: the first listing of line items waits (a second at most)
    until ``n`` senders list them at the same time (a race the tool must not lose); ``hang``:
    seconds every call but the JWKS waits before its answer (a platform that does not answer in
    time); ``on_listing`` / ``on_score``: called while the tool waits for the answer to a listing
    of line items / a score (what others do in the meantime); ``answers``: what the next score
    posts get instead of being applied, one each (``(status, body, headers)``);
    ``token_requests``: how many access tokens the tool asked for."""

    threaded = True

    def __init__(self, tool_url):
        self.lineitems: dict[str, dict] = {}  # id (URL) → line item
        self.scores: dict[str, list[dict]] = {}  # line item id → scores applied, in order
        self.refused: list[dict] = []  # scores not applied (older than the last one)
        self.down = False
        self.lose_next_answer = False
        self.slow = 0.0
        self.hang = 0.0
        self.on_listing = self.on_score = None
        self.answers: list[tuple[int, str, dict]] = []
        self.token_requests = 0
        self._meeting: threading.Barrier | None = None
        self.tool_keys = None
        self._lock = threading.Lock()
        super().__init__(tool_url)
        self.add_lineitem({"label": "Quiz", "scoreMaximum": 100})  # /lineitems/1

    def ags_claim(self, lineitem: str | None = None) -> dict:
        """The AGS claim lti1p3platform puts in a launch (tool may create line items)."""
        ags = LtiAgs(lineitems_url=self.url + "/lineitems", lineitem_url=lineitem,
                     allow_creating_lineitems=True)  # fmt: skip
        return {AGS: ags.get_lti_ags_launch_claim()[AGS]}

    def meet_listings(self, count: int) -> None:
        self._meeting = threading.Barrier(count)

    def add_lineitem(self, item: dict) -> dict:
        with self._lock:
            item = {**item, "id": f"{self.url}/lineitems/{len(self.lineitems) + 1}"}
            self.lineitems[item["id"]] = item
            self.scores[item["id"]] = []
        return item

    def created(self) -> list[dict]:
        """The line items the tool created (not the one the platform started with)."""
        return list(self.lineitems.values())[1:]

    def all_scores(self) -> list[dict]:
        return [score for scores in self.scores.values() for score in scores]

    def results(self, lineitem_id: str) -> list[dict]:
        latest: dict[str, dict] = {}
        for score in self.scores[lineitem_id]:
            latest[score["userId"]] = score
        return [{"userId": s["userId"], "resultScore": s["scoreGiven"]
                 if s.get("gradingProgress") == "FullyGraded" else None,
                 "resultMaximum": s["scoreMaximum"], "scoreOf": lineitem_id}
                for s in latest.values()]  # fmt: skip

    def _conf(self):
        conf = _Conf(registration=self._registration(self.private_key))
        conf.get_registration().set_tool_key_set(self.tool_keys)
        return conf

    def _allowed(self, request, *scopes) -> bool:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return self._conf().validate_token(bearer, allowed_scopes=list(scopes))

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/jwks":
            return super()._wsgi(environ, start_response)
        if self.down:
            return Response("down", status=503)(environ, start_response)
        time.sleep(self.hang)
        return self._answer(request)(environ, start_response)

    def _answer(self, request) -> Response:
        if request.path == "/token":
            self.token_requests += 1
            token = self._conf().get_access_token(request.form.to_dict())
            return _json(token)
        if request.path == "/lineitems":
            return self._lineitems(request)
        lineitem_id = self.url + request.path.rsplit("/", 1)[0]
        if request.path.endswith("/scores") and lineitem_id in self.lineitems:
            if not self._allowed(request, SCORE_SCOPE):
                return Response("scope", status=403)
            assert request.content_type == "application/vnd.ims.lis.v1.score+json"
            return self._score(lineitem_id, json.loads(request.get_data()))
        if request.path.endswith("/results") and lineitem_id in self.lineitems:
            if not self._allowed(request, RESULTS_SCOPE):
                return Response("scope", status=403)
            return _json(self.results(lineitem_id))
        return Response("not found", status=404)

    def _lineitems(self, request) -> Response:
        if request.method == "POST":
            if not self._allowed(request, LINEITEM_SCOPE):
                return Response("scope", status=403)
            assert request.content_type == "application/vnd.ims.lis.v2.lineitem+json"
            item = self.add_lineitem(json.loads(request.get_data()))
            return _json(item, status=201, mimetype="application/vnd.ims.lis.v2.lineitem+json")
        if not self._allowed(request, LINEITEM_SCOPE, READONLY_SCOPE):
            return Response("scope", status=403)
        meeting = self._meeting
        if meeting is not None:
            # a broken barrier: only one came (the tool let one sender at a time look)
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait(timeout=1.0)
            self._meeting = None
        if self.on_listing is not None:
            self.on_listing()
        wanted = {"resourceLinkId": request.args.get("resource_link_id"),
                  "tag": request.args.get("tag")}  # fmt: skip
        found = [item for item in self.lineitems.values()
                 if all(v is None or item.get(k) == v for k, v in wanted.items())]  # fmt: skip
        return _json(found, mimetype="application/vnd.ims.lis.v2.lineitemcontainer+json")

    def _score(self, lineitem_id: str, score: dict) -> Response:
        time.sleep(self.slow)
        if self.on_score is not None:
            self.on_score(score)
        with self._lock:
            if self.answers:
                status, text, headers = self.answers.pop(0)
                return Response(text, status=status, headers=headers)
            mine = [s for s in self.scores[lineitem_id] if s["userId"] == score["userId"]]
            if mine and _seconds(mine[-1]) >= _seconds(score):
                self.refused.append(score)
                status = UPDATE_SCORE_STATUSCODE[UpdateScoreStatus.OLD_TIMESTAMP]
                return Response("older than the last score", status=status)
            self.scores[lineitem_id].append(score)
            if self.lose_next_answer:
                self.lose_next_answer = False
                return Response("answer lost", status=503)
        return Response("", status=204)


def _seconds(score: dict) -> int:
    return int(datetime.fromisoformat(score["timestamp"]).timestamp())


def _json(value, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(json.dumps(value), status=status, mimetype=mimetype)
