"""The statements of the rest of a learner's path, delivered to a real Ralph LRS and read back:
a trainer takes a session's attendance (``attended``, with the session, the lesson and the
cohort), the modules and the course completed, the certificate issued (``earned``, with its
verify URL), a SCORM package passed (the lesson completed with the package's score); and the
actor by e-mail address when ``LMS_XAPI_ACTOR=mbox`` (never otherwise).

``test_ralph.py`` covers registered, launched/experienced, a lesson completed, answered and
passed/failed; between the two files every statement of issue 19 is read back from Ralph."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from certificates.models import Certificate
from curriculum.db import db
from curriculum.models import Lesson
from curriculum.scorm import inspect_package, store_package
from lms.cohorts.models import Cohort
from lms.learning import operations
from lms.records import outbox
from lms.records.delivery import send_pending
from lms.records.models import XapiActor
from lms.sessions.models import CohortSession
from tests.scorm.packages import handmade_package

ADL = "http://adlnet.gov/expapi/verbs/"
BASE = "http://lms.test/courses/civics"
MODULES = [
    ("basics", [{"slug": "intro", "kind": "reading"},
                {"slug": "meeting", "kind": "session", "settings": {"duration_minutes": 120}}]),
    ("next-steps", [{"slug": "wrap-up", "kind": "reading"}]),
]  # fmt: skip


@pytest.fixture(autouse=True)
def no_background_sender(monkeypatch):
    """The tests send the queue themselves (the background sender is tested on its own)."""
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)


def lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def read(app, ralph, enrolment) -> list[tuple[str, dict]]:
    """The queue sent to Ralph, then the enrolment's statements read back from it, in order:
    (the verb's last word, the statement)."""
    outcome = send_pending(app, backoff=0)
    assert (outcome.rejected, outcome.unavailable) == (0, None), outcome
    stored = ralph.get(registration=enrolment.uuid)
    return [(s["verb"]["id"].rsplit("/", 1)[1], s) for s in stored]


@pytest.fixture
def cohort(make_user, make_course):
    course = make_course(sequential=False, modules=MODULES)
    trainer = make_user(email="youssef@example.org", name="Youssef Amrani", roles=("trainer",))
    cohort = Cohort(course_id=course.id, name="Tiznit 2026", province="Tiznit", commune="Aglou",
                    join_code="XAPI2026", trainers=[trainer])  # fmt: skip
    db.session.add(cohort)
    db.session.commit()
    return cohort


def test_attendance_completions_and_the_certificate_read_back_from_ralph(
    app, ralph, client, login, make_user, cohort
):
    learner = make_user(email="salma@example.org", name="Salma Idrissi")
    enrolment = operations.enrol(learner, cohort.course, cohort)
    operations.open_lesson(enrolment, lesson("intro"))
    operations.mark_done(enrolment, lesson("intro"))
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=lesson("meeting").id,
        starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC),
        place="Dar Chabab",
    )
    db.session.add(session)
    db.session.commit()

    # the trainer takes the attendance on the session's sheet
    login(cohort.trainers[0])
    url = f"/cohorts/{cohort.id}/sessions/{session.id}/attendance"
    assert client.post(url, data={f"a-{enrolment.id}": "present"}).status_code == 302
    db.session.expire_all()
    made = read(app, ralph, enrolment)
    assert [verb for verb, _s in made] == ["registered", "experienced", "completed",
                                           "completed", "completed", "attended"]  # fmt: skip
    lesson_done, module_done, attended = (s for _v, s in made[3:])
    assert lesson_done["object"]["id"] == f"{BASE}/basics/meeting"
    assert module_done["object"]["id"] == f"{BASE}/basics"
    assert module_done["object"]["definition"]["type"].endswith("/activities/module")
    assert attended["verb"] == {"id": ADL + "attended", "display": {"en-US": "attended"}}
    assert attended["object"]["id"] == f"{BASE}/basics/meeting/sessions/{session.id}"
    assert attended["object"]["definition"]["type"] == ADL.replace("verbs", "activities") + (
        "meeting"
    )
    context = attended["context"]
    assert context["registration"] == enrolment.uuid
    assert context["team"] == {"objectType": "Group", "name": "Tiznit 2026",
                               "account": {"homePage": "http://lms.test",
                                           "name": f"cohort-{cohort.id}"}}  # fmt: skip
    assert [a["id"] for a in context["contextActivities"]["parent"]] == [f"{BASE}/basics/meeting"]
    assert [a["id"] for a in context["contextActivities"]["grouping"]] == [BASE]
    assert context["extensions"] == {
        "http://lms.test/xapi/extensions/province": "Tiznit",
        "http://lms.test/xapi/extensions/commune": "Aglou",
    }

    # the last lesson completes its module and the course: the certificate is issued at once
    operations.open_lesson(enrolment, lesson("wrap-up"))
    operations.mark_done(enrolment, lesson("wrap-up"))
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None
    made = read(app, ralph, enrolment)[6:]
    by_verb = {}
    for verb, statement in made:
        by_verb.setdefault(verb, []).append(statement)
    assert sorted(by_verb) == ["completed", "earned", "experienced"]
    completed = {s["object"]["id"]: s for s in by_verb["completed"]}
    assert list(completed) == [f"{BASE}/next-steps/wrap-up", f"{BASE}/next-steps", BASE]
    assert completed[BASE]["result"] == {"completion": True}
    assert completed[BASE]["object"]["definition"]["type"].endswith("/activities/course")
    (earned,) = by_verb["earned"]
    verify_url = f"http://lms.test/verify/{certificate.serial}"
    assert certificate.snapshot["verify_url"] == verify_url  # the URL printed and QR-coded
    assert earned["object"]["id"] == verify_url
    assert earned["object"]["definition"]["moreInfo"] == verify_url
    assert earned["object"]["definition"]["name"]["ar"] == "دورة civics"
    assert earned["context"]["registration"] == enrolment.uuid
    assert client.get(verify_url.removeprefix("http://lms.test")).status_code == 200

    # the default actor: an opaque account, the same in every statement; no e-mail anywhere
    everything = [s for _v, s in read(app, ralph, enrolment)]
    name = db.session.scalar(select(XapiActor.name).where(XapiActor.user_id == learner.id))
    account = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": name}}
    assert len(everything) == 11 and all(s["actor"] == account for s in everything)
    ours = [{k: v for k, v in s.items() if k != "authority"} for s in everything]  # Ralph's
    assert "@" not in json.dumps(ours) and "mailto" not in json.dumps(ours)


def test_a_scorm_package_passed_is_completed_in_ralph_with_its_score(
    app, ralph, client, login, make_user, make_course
):
    data = handmade_package("index.html", **{"index.html": "<!DOCTYPE html><title>W</title>"})
    package = inspect_package(data)
    store_package(data, package)
    course = make_course(sequential=False, modules=MODULES[1:])
    water = Lesson(course_id=course.id, module=course.modules[0], slug="water", position=2,
                   kind="scorm", minutes=10, titles={"fr": "L'eau", "en": "Water"}, bodies={},
                   settings=package.settings(), content_hash="x")  # fmt: skip
    db.session.add(water)
    learner = make_user(email="salma@example.org")
    enrolment = operations.enrol(learner, course)
    db.session.commit()
    login(learner)
    core = {"lesson_status": "passed", "score": {"raw": "17", "max": "20"}}
    payload = {"session": "s1", "sequence": 1, "cmi": {"core": core}}
    answer = client.post(f"/scorm/lessons/{water.id}/attempts/1/commit", json=payload)
    assert answer.status_code == 200 and answer.json["done"] is True
    made = read(app, ralph, enrolment)
    completed = [s for verb, s in made if verb == "completed"]
    assert [s["object"]["id"] for s in completed] == [f"{BASE}/next-steps/water"]
    assert completed[0]["result"] == {
        "completion": True, "score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}}  # fmt: skip


class TestMbox:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LMS_XAPI_ACTOR": "mbox"}

    def test_the_learner_is_found_in_ralph_by_e_mail_address(self, app, ralph, make_user,
                                                              cohort):  # fmt: skip
        learner = make_user(email="amina@example.org", name="Amina Bouzid")
        enrolment = operations.enrol(learner, cohort.course, cohort)
        operations.open_lesson(enrolment, lesson("intro"))
        db.session.commit()
        made = read(app, ralph, enrolment)
        assert [verb for verb, _s in made] == ["registered", "experienced"]
        agent = {"objectType": "Agent", "name": "Amina Bouzid",
                 "mbox": "mailto:amina@example.org"}  # fmt: skip
        assert all(s["actor"] == agent for _v, s in made)
        found = ralph.get(agent={"mbox": "mailto:amina@example.org"})
        assert [s["id"] for s in found] == [s["id"] for _v, s in made]
        assert ralph.get(agent={"mbox": "mailto:someone-else@example.org"}) == []
        assert db.session.scalar(select(func.count()).select_from(XapiActor)) == 0
