"""The SCORM runtime's server side: commits kept per learner and attempt (late retries ignored,
time summed over sessions), completion through the learning verbs, the package's files served in
a sandbox with the attempt's data in them, and what may not reach them."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.scorm import inspect_package, store_package
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.operations import enrol
from lms.scorm import cmi
from lms.scorm.content import CONTENT_POLICY, Grant, make_grant
from lms.signals import lesson_completed

from .commits import attempt, commit_url, send
from .packages import handmade_package


def test_times_scores_and_completion_rules():
    assert cmi.seconds_of("0001:02:03.50") == 3723
    assert cmi.seconds_of("PT1H2M3.5S") == 3723
    assert cmi.seconds_of("P1DT1S") == 86401
    assert cmi.seconds_of("nonsense") == 0
    v12 = cmi.read_commit(
        "1.2", {"core": {"lesson_status": "passed", "score": {"raw": "17", "max": "20"}}}
    )
    assert cmi.is_finished("1.2", v12) and cmi.percent(v12) == 85
    failed = cmi.read_commit("1.2", {"core": {"lesson_status": "failed"}})
    assert not cmi.is_finished("1.2", failed)
    v04 = cmi.read_commit("2004", {"completion_status": "completed", "success_status": "failed",
                                   "score": {"scaled": "0.4"}})  # fmt: skip
    assert not cmi.is_finished("2004", v04) and cmi.percent(v04) == 40
    assert cmi.is_finished("2004", cmi.read_commit("2004", {"success_status": "passed"}))
    assert cmi.is_finished("2004", cmi.read_commit("2004", {"completion_status": "completed"}))
    junk = cmi.read_commit("1.2", {"core": {"lesson_status": "hacked", "score": {"raw": "NaN"}}})
    assert junk.lesson_status == "" and junk.score_raw is None


def test_commits_are_kept_and_a_late_retry_changes_nothing(client, learner, scorm_lesson):
    assert send(client, scorm_lesson, {"lesson_location": "2", "session_time": "0000:01:00"},
                sequence=2).json == {"saved": True, "sequence": 2, "score": None, "done": False}  # fmt: skip
    send(client, scorm_lesson, {"lesson_location": "1"}, sequence=1)  # an older commit, retried
    assert attempt(scorm_lesson).location == "2"
    # a new launch (another session): the first one's minute is kept in the total
    send(client, scorm_lesson, {"lesson_location": "3", "session_time": "0000:00:30"}, "s2", 1)
    saved = attempt(scorm_lesson)
    assert (saved.location, saved.sessions, saved.total_seconds) == ("3", 2, 90)
    assert saved.cmi == {"core": {"lesson_location": "3", "session_time": "0000:00:30"}}


def test_passed_marks_the_lesson_done_with_its_score_and_completes_the_course(
    client, learner, scorm_lesson
):
    completed = []

    def listen(sender, progress):
        completed.append(progress.lesson_id)

    with lesson_completed.connected_to(listen):
        answer = send(client, scorm_lesson, {"lesson_status": "passed", "score": {"raw": "85"}})
    assert answer.json["done"] is True and answer.json["score"] == 85
    progress = db.session.scalar(select(LessonProgress).filter_by(lesson_id=scorm_lesson.id))
    assert (progress.status, progress.score) == ("done", 85)
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    assert enrolment.status == "completed"
    assert completed == [scorm_lesson.id]
    # a lower score later never lowers the lesson's; done stays done
    with lesson_completed.connected_to(listen):
        send(client, scorm_lesson, {"lesson_status": "passed", "score": {"raw": "60"}}, sequence=2)
    db.session.expire_all()
    assert db.session.get(LessonProgress, progress.id).score == 85
    assert completed == [scorm_lesson.id]


def test_a_commit_costs_a_bounded_number_of_queries(client, learner, scorm_lesson, count_queries):
    send(client, scorm_lesson, {"lesson_location": "1"}, sequence=1)
    with count_queries() as queries:
        send(client, scorm_lesson, {"lesson_location": "2"}, sequence=2)
    assert len(queries) <= 14, "\n".join(queries)


@pytest.mark.parametrize(
    "payload",
    [[], {"session": "", "sequence": 1, "cmi": {}}, {"session": "s", "sequence": -1, "cmi": {}},
     {"session": "s", "sequence": 1, "cmi": "x"}, "not json"],
)  # fmt: skip
def test_malformed_commits_are_refused(client, learner, scorm_lesson, payload):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    response = client.post(commit_url(scorm_lesson), data=body, content_type="application/json")
    assert response.status_code == 400
    assert attempt(scorm_lesson) is None


def test_an_attempt_that_does_not_exist_yet_is_refused(client, learner, scorm_lesson):
    assert send(client, scorm_lesson, {"lesson_location": "1"}, number=3).status_code == 404


def test_starting_again_plays_a_new_attempt(client, learner, scorm_lesson):
    send(client, scorm_lesson, {"lesson_location": "2"})
    assert client.post(f"/scorm/lessons/{scorm_lesson.id}/restart").status_code == 302
    page = client.get("/courses/water/basics/water").get_data(as_text=True)
    assert f"/scorm/lessons/{scorm_lesson.id}/attempts/2/commit" in page
    assert attempt(scorm_lesson).location == "2"  # the first attempt is kept


def test_the_lesson_page_frames_the_package_in_a_sandbox(client, learner, scorm_lesson):
    response = client.get("/courses/water/basics/water")
    page = response.get_data(as_text=True)
    sandbox = re.search(r'sandbox="([^"]+)"', page)[1]
    assert "allow-scripts" in sandbox and "allow-same-origin" not in sandbox
    assert "frame-src 'self'" in response.headers["Content-Security-Policy"]


def content_of(client, page_html: str, path: str = "index.html"):
    src = re.search(r'data-src="([^"]+)"', page_html)[1].replace("&amp;", "&")
    return client.get(src.rsplit("/", 1)[0] + "/" + path)


def test_the_package_is_served_sandboxed_with_the_runtime_and_the_learners_place(
    app, client, learner, scorm_lesson
):
    send(client, scorm_lesson, {"lesson_location": "4", "lesson_status": "incomplete"})
    page = client.get("/courses/water/basics/water").get_data(as_text=True)
    response = content_of(client, page)
    html = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_POLICY
    assert (
        CONTENT_POLICY.startswith("sandbox allow-scripts")
        and "allow-same-origin" not in CONTENT_POLICY
    )
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response.headers
    assert html.index("scorm12.min.js") < html.index("lms-scorm-state") < html.index("bridge.js")
    assert html.index("<head>") < html.index("scorm12.min.js") < html.index("<title>")
    state = json.loads(re.search(r'id="lms-scorm-state">(.*?)</script>', html)[1])
    assert state["cmi"]["core"]["lesson_location"] == "4"
    assert state["cmi"]["core"]["entry"] == "resume"
    assert state["cmi"]["core"]["student_name"] == "Salma Benali"
    image = content_of(client, page, "img/pic.png")
    assert image.status_code == 200 and image.get_data() == b"PNG"
    assert image.headers["Content-Security-Policy"] == CONTENT_POLICY
    assert content_of(client, page, "../../etc/passwd").status_code == 404
    assert content_of(client, page, ".complete").status_code == 404


def test_a_name_cannot_close_the_data_island(app, client, make_user, login, scorm_lesson):
    user = make_user(email="x@example.org", name="</script><script>alert(1)</script>")
    enrol(user, scorm_lesson.module.course)
    db.session.commit()
    login(user)
    page = client.get("/courses/water/basics/water").get_data(as_text=True)
    html = content_of(client, page).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "\\u003c/script\\u003e" in html


def test_grants_are_signed_and_expire(app, client, make_user, scorm_lesson, monkeypatch):
    trainer = make_user(roles=("trainer",))
    grant = Grant(
        trainer.id, None, scorm_lesson.id, 0, scorm_lesson.settings["scorm"]["sha256"], "1.2"
    )
    token = make_grant(grant)
    assert client.get(f"/scorm/content/{token}/index.html").status_code == 200
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/scorm/content/{tampered}/index.html").status_code == 404
    other = Grant(trainer.id, None, scorm_lesson.id, 0, "f" * 64, "1.2")
    assert client.get(f"/scorm/content/{make_grant(other)}/index.html").status_code == 404
    monkeypatch.setattr("lms.scorm.content.GRANT_MAX_AGE", -1)
    assert client.get(f"/scorm/content/{token}/index.html").status_code == 404


def test_a_commit_needs_the_csrf_token(app, make_user, scorm_lesson):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(email="csrf@example.org")
    enrol(user, scorm_lesson.module.course)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert send(client, scorm_lesson, {"lesson_location": "1"}).status_code == 400
    assert attempt(scorm_lesson) is None


def test_a_new_package_starts_a_new_attempt_at_the_next_visit(client, learner, scorm_lesson):
    send(client, scorm_lesson, {"lesson_location": "5"})
    data = handmade_package("index.html", **{"index.html": "<html><head></head>new</html>"})
    package = inspect_package(data)
    store_package(data, package)
    scorm_lesson.settings = package.settings()
    db.session.commit()
    page = client.get("/courses/water/basics/water").get_data(as_text=True)
    assert f"/scorm/lessons/{scorm_lesson.id}/attempts/2/commit" in page
    html = content_of(client, page).get_data(as_text=True)
    state = json.loads(re.search(r'id="lms-scorm-state">(.*?)</script>', html)[1])
    assert (
        state["cmi"]["core"]["entry"] == "ab-initio"
        and "lesson_location" not in state["cmi"]["core"]
    )
    assert "new" in html
