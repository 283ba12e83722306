"""SCORM lessons in Chromium, on a phone: packages made by simple-scorm-packager, whose page calls
the runtime as authoring tools' output does, played in the sandboxed frame with scorm-again.

Resume after a reload and on another device, completion with the score (the lesson done, as a
quiz would be), commits that could not get through sent again, and the frame kept away from the
LMS's cookies, pages and CSRF token."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.importer import BUNDLED_PACKS_DIR, import_pack
from curriculum.models import Lesson
from lms.learning.models import LessonProgress
from lms.learning.operations import enrol
from lms.scorm.models import ScormAttempt
from tests.conftest import PASSWORD
from tests.e2e.conftest import MINIMAL_PACK, follow, wait_until
from tests.scorm.packages import add_scorm_lesson, build_package, node_available

pytestmark = pytest.mark.browser
CONTENT = re.compile(r"/scorm/content/")


@pytest.fixture
def scorm_course(app, tmp_path):
    """The minimal course with a scorm lesson (basics/water) whose package ``build(version)``
    makes with simple-scorm-packager."""
    if not node_available():
        pytest.skip("Node and tests/node/node_modules are needed")

    def build(version: str):
        pack = tmp_path / "pack"
        shutil.copytree(MINIMAL_PACK, pack)
        add_scorm_lesson(pack, build_package(version, tmp_path / "packages").read_bytes())
        import_pack(pack)
        db.session.commit()
        return db.session.scalar(select(Lesson).filter_by(slug="water"))

    return build


def log_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    follow(page.locator("main form button[type=submit]").last)


def open_lesson(page, url: str) -> None:
    page.goto(f"{url}/courses/minimal-course/basics/water")
    page.frame_locator("#scorm-frame").locator("#number").wait_for()


def frame_text(page, selector: str) -> str:
    return page.frame_locator("#scorm-frame").locator(selector).inner_text()


def wait_saved(page, state: str = "saved") -> None:
    page.wait_for_selector(f'#scorm-player[data-state="{state}"]')


def attempt_of(lesson_id: int) -> ScormAttempt:
    db.session.expire_all()
    return db.session.scalar(select(ScormAttempt).filter_by(lesson_id=lesson_id))


@pytest.mark.parametrize("version", ["1.2", "2004.4"])
def test_a_scorm_lesson_resumes_completes_and_scores(
    app, live_server, new_page, make_user, scorm_course, version
):
    lesson = scorm_course(version)
    learner = make_user(email="salma@example.org", name="Salma Benali")
    enrol(learner, lesson.module.course)
    db.session.commit()
    page = new_page()
    log_in(page, live_server, "salma@example.org")
    open_lesson(page, live_server)
    assert frame_text(page, "#number") == "1"
    assert frame_text(page, "#entry") == "entry:ab-initio learner:Salma Benali init:true"
    wait_saved(page)

    # The frame can read neither the LMS's cookies nor the lesson page (and its CSRF token).
    frame = page.frame(url=CONTENT)
    assert (
        frame.evaluate("() => { try { return document.cookie; } catch (e) { return e.name; } }")
        == "SecurityError"
    )
    assert (
        frame.evaluate(
            "() => { try { return parent.document.title; } catch (e) { return e.name; } }"
        )
        == "SecurityError"
    )
    assert frame.evaluate("() => window.origin") == "null"
    assert "allow-same-origin" not in page.get_attribute("#scorm-frame", "sandbox")
    response = page.request.get(frame.url)
    assert "sandbox allow-scripts" in response.headers["content-security-policy"]

    # Page 2, then a reload: the package resumes there, with its suspend data.
    frame.get_by_role("button", name="Next page").click()
    wait_saved(page)
    saved = attempt_of(lesson.id)
    assert (saved.location, saved.suspend_data) == ("2", "seen-2")
    page.reload()
    page.frame_locator("#scorm-frame").locator("#number").wait_for()
    assert frame_text(page, "#number") == "2"
    assert frame_text(page, "#notes") == "notes:seen-2"
    assert frame_text(page, "#entry").startswith("entry:resume")

    # Finished with 85: the lesson is done with its score.
    page.frame(url=CONTENT).get_by_role("button", name="Finish with 85").click()
    wait_saved(page, "done")
    attempt = attempt_of(lesson.id)
    assert attempt.score == 85 and attempt.completed_at is not None
    assert attempt.sessions == 2 and attempt.total_seconds == 65
    progress = db.session.scalar(select(LessonProgress).filter_by(lesson_id=lesson.id))
    assert (progress.status, progress.score) == ("done", 85)

    # On another device: the same place.
    phone = new_page(width=360, height=740)
    log_in(phone, live_server, "salma@example.org")
    open_lesson(phone, live_server)
    assert frame_text(phone, "#number") == "2"
    assert frame_text(phone, "#notes") == "notes:seen-2"
    assert phone.locator("main").get_by_text("Your score: 85%").is_visible()
    # a phone's width: nothing scrolls sideways
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_commits_that_do_not_get_through_are_sent_again(
    app, live_server, new_page, make_user, scorm_course
):
    lesson = scorm_course("1.2")
    learner = make_user(email="omar@example.org", name="Omar Chakiri")
    enrol(learner, lesson.module.course)
    db.session.commit()
    page = new_page()
    log_in(page, live_server, "omar@example.org")
    open_lesson(page, live_server)
    wait_saved(page)

    # The connection drops: the commit waits on the device, then goes once it is back.
    page.context.set_offline(True)
    page.frame(url=CONTENT).get_by_role("button", name="Next page").click()
    wait_saved(page, "retrying")
    assert attempt_of(lesson.id).location == ""
    page.context.set_offline(False)
    wait_saved(page)
    assert attempt_of(lesson.id).location == "2"

    # The server fails while the learner goes on, and the page is reloaded: what was not saved
    # is sent before the package opens again, so it resumes at page 3.
    page.route("**/commit", lambda route: route.fulfill(status=503, body="down"))
    page.frame(url=CONTENT).get_by_role("button", name="Next page").click()
    wait_saved(page, "retrying")
    assert attempt_of(lesson.id).location == "2"
    page.unroute("**/commit")
    page.reload()
    page.frame_locator("#scorm-frame").locator("#number").wait_for()
    assert frame_text(page, "#number") == "3"
    assert attempt_of(lesson.id).location == "3"
    # the device forgets the commit once the server's answer is back (not before)
    wait_until(
        page, "Object.keys(localStorage).filter(k => k.startsWith('lms-scorm:')).length === 0"
    )


def test_a_trainer_previews_without_recording(app, live_server, new_page, make_user, scorm_course):
    lesson = scorm_course("2004.4")
    make_user(email="trainer@example.org", roles=("trainer",))
    page = new_page()
    log_in(page, live_server, "trainer@example.org")
    open_lesson(page, live_server)
    page.frame(url=CONTENT).get_by_role("button", name="Next page").click()
    assert page.locator("main").get_by_text("nothing is recorded").first.is_visible()
    assert db.session.scalar(select(ScormAttempt).filter_by(lesson_id=lesson.id)) is None


def test_the_content_of_a_forged_grant_is_not_served(app, live_server, new_page, scorm_course):
    scorm_course("1.2")
    page = new_page()
    response = page.request.get(f"{live_server}/scorm/content/forged.token/index.html")
    assert response.status == 404


def test_the_demo_activity_of_the_first_masterclass_in_arabic(
    app, live_server, new_page, make_user
):
    """The bundled SCORM 1.2 activity (examples/scorm/, lms demo): in the learner's language,
    right to left, resumed in the middle, passed with its score."""
    import_pack(BUNDLED_PACKS_DIR / "solving-public-problems")
    db.session.commit()
    lesson = db.session.scalar(select(Lesson).filter_by(slug="public-or-private"))
    learner = make_user(email="hind@example.org", name="هند", locale="ar")
    enrol(learner, lesson.module.course)
    db.session.commit()
    page = new_page()
    log_in(page, live_server, "hind@example.org")
    url = f"{live_server}/courses/solving-public-problems/mindset/public-or-private"
    page.goto(url)
    activity = page.frame_locator("#scorm-frame")
    activity.locator("#situation").wait_for()
    assert activity.locator("html").get_attribute("dir") == "rtl"
    assert activity.locator("#title").inner_text() == "مشكلة عمومية أم شأن خاص؟"
    answers = [True, False, True, False, True, False]
    for number, is_public in enumerate(answers, 1):
        activity.locator("#public" if is_public else "#private").click()
        wait_saved(page)
        if number == 3:  # halfway: a reload resumes at the fourth situation
            page.reload()
            activity.locator("#situation").wait_for()
            assert activity.locator("#counter").inner_text() == "الوضعية 4 من 6"
            continue
        activity.locator("#next").click()  # after the sixth: the result
    assert activity.locator("#result").inner_text().startswith("وجدت 6 أجوبة من 6.")
    wait_saved(page, "done")
    progress = db.session.scalar(select(LessonProgress).filter_by(lesson_id=lesson.id))
    db.session.refresh(progress)
    assert (progress.status, progress.score) == ("done", 100)
