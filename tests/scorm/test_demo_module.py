"""The demo pack's optional SCORM lesson at the end of module 1 ("Public or private?"), played
after the module's required lessons are done: its commits are saved (no second "module
completed" in the outbox, no error), as often as the package commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Lesson, Module
from lms.learning import operations
from lms.records import outbox
from lms.records.models import XapiStatement
from tests.conftest import PASSWORD

DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "packs" / "solving-public-problems"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_XAPI_ENDPOINT": "http://127.0.0.1:9/xAPI"}


@pytest.fixture(autouse=True)
def no_sender(monkeypatch):
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)


def test_the_optional_package_after_the_module_is_done_saves_its_commits(app, client, make_user):
    import_pack(DEMO)
    db.session.commit()
    package = db.session.scalar(select(Lesson).filter_by(slug="public-or-private"))
    module = db.session.get(Module, package.module_id)
    assert package.kind == "scorm" and not package.required
    learner = make_user(email="salma@example.org")
    enrolment = operations.enrol(learner, module.course)
    for lesson in module.lessons:
        if lesson.required:
            operations.set_done(operations.progress_for(enrolment, lesson))
    db.session.commit()
    client.post("/login", data={"email": learner.email, "password": PASSWORD})
    url = f"/scorm/lessons/{package.id}/attempts/1/commit"
    if package.settings["scorm"]["version"] == "1.2":
        cmi = {"core": {"lesson_status": "passed", "score": {"raw": "90"}}}
    else:
        cmi = {"completion_status": "completed", "success_status": "passed",
               "score": {"scaled": "0.9"}}  # fmt: skip
    for sequence in (1, 2):
        payload = {"session": "s1", "sequence": sequence, "cmi": cmi}
        response = client.post(url, data=json.dumps(payload), content_type="application/json")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.json["done"] is True
    db.session.expire_all()
    module_id = f"/{module.slug}"
    completed = [
        s.statement["object"]["id"]
        for s in db.session.scalars(select(XapiStatement).where(XapiStatement.verb == "completed"))
    ]
    assert sum(1 for object_id in completed if object_id.endswith(module_id)) == 1
    assert any(object_id.endswith("/public-or-private") for object_id in completed)
