"""Fixtures of the SCORM tests: real packages made by simple-scorm-packager (built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum.db import db
from curriculum.models import Lesson
from curriculum.scorm import inspect_package, store_package
from lms.learning.operations import enrol

from .packages import build_package, handmade_package, node_available

MODULES = [("basics", [{"slug": "intro", "kind": "reading", "required": False}])]


@pytest.fixture(scope="session")
def scorm_zip(tmp_path_factory):
    """``scorm_zip("1.2")`` → the path of a package made by simple-scorm-packager."""
    if not node_available():
        pytest.skip("Node and tests/node/node_modules are needed (make test installs them)")
    folder = tmp_path_factory.mktemp("scorm-packages")
    built: dict[str, Path] = {}

    def build(version: str) -> Path:
        if version not in built:
            built[version] = build_package(version, folder)
        return built[version]

    return build


@pytest.fixture
def app_config(app_config):
    """Messages in English (the msgids) outside requests too."""
    return dict(app_config, LMS_DEFAULT_LANGUAGE="en")


@pytest.fixture
def scorm_lesson(app, make_course):
    """A course whose one required lesson is a SCORM 1.2 package (handmade, stored)."""
    data = handmade_package(
        "index.html",
        **{
            "index.html": "<!DOCTYPE html><html><head><title>W</title></head><body>x</body></html>",
            "img/pic.png": "PNG",
        },
    )
    package = inspect_package(data)
    store_package(data, package)
    course = make_course(slug="water", sequential=False, modules=MODULES)
    lesson = Lesson(
        course_id=course.id,
        module=course.modules[0],
        slug="water",
        position=2,
        kind="scorm",
        minutes=10,
        titles={"fr": "L'eau", "en": "Water"},
        bodies={"fr": "<p>Intro</p>", "en": "<p>Intro</p>"},
        settings=package.settings(),
        content_hash="x",
    )
    db.session.add(lesson)
    db.session.commit()
    return lesson


@pytest.fixture
def learner(app, make_user, login, scorm_lesson):
    user = make_user(email="salma@example.org", name="Salma Benali")
    enrol(user, scorm_lesson.module.course)
    db.session.commit()
    login(user)
    return user
