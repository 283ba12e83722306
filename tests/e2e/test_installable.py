"""The LMS can be installed on a phone's home screen from a lesson page: Chromium reads the web
app manifest without an error and finds nothing missing (``Page.getInstallabilityErrors``
empty), with the learner's language and direction, under the LMS's prefix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course
from lms.learning import operations as learning
from tests.e2e.conftest import CHROMIUM
from tests.e2e.installability import CONTROLLED, check
from tests.e2e.test_offline import PACK, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("ar", "rtl")])
def test_a_lesson_page_is_installable(
    app, live_server, browser, make_user, tmp_path, language, direction
):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    import_pack(pack)
    db.session.commit()
    course = db.session.scalar(select(Course).filter_by(slug="offline-course"))
    learner = make_user(email="salma@example.org", locale=language)
    learning.enrol(learner, course)
    db.session.commit()
    # a real profile: Chromium never installs from an incognito one
    context = browser.browser_type.launch_persistent_context(
        str(Path(tmp_path) / "profile"), executable_path=CHROMIUM, args=["--no-sandbox"]
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server, learner)
        lesson = f"{live_server}/courses/offline-course/basics/welcome"
        page.goto(lesson)
        page.evaluate(CONTROLLED)
        page.reload()
        result = check(page)
    finally:
        context.close()
    assert result.manifest_url == f"{live_server}/manifest.webmanifest"
    assert result.manifest_errors == [], result.manifest_errors
    assert result.errors == [], result.errors
    manifest = result.manifest
    assert manifest["lang"] == language and manifest["dir"] == direction
    assert manifest["scope"] == "/" and manifest["start_url"].startswith("/")
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
