"""What a learner does with the offline app is never lost, in Debian's Chromium: a form sent from
a page kept on the phone since its token expired goes through the queue; a quiz answered
several times offline counts as several attempts (and the one beyond the limit is refused, with
the reason shown); an ended session asks her to log in again, then everything is sent; a queue
too large for the server is split, an item too large alone is kept with her text to copy. The
phone's caches never hold an admin or trainer page nor the answer to a POST, "Remove download"
empties them, and a module she may no longer read leaves the phone."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course, Lesson
from lms.cohorts.models import Cohort
from lms.learning import operations as learning
from lms.learning.models import Enrolment, LessonProgress, QuizAttempt
from lms.offline.models import OfflineAction
from lms.users.models import User
from lms.users.operations import log_out_everywhere
from tests.conftest import PASSWORD
from tests.e2e.conftest import follow, submit, wait_until

pytestmark = pytest.mark.browser

PACK = Path(__file__).resolve().parents[1] / "lms" / "offline" / "pack"
#: every URL the phone's caches hold, in any of them
CACHED_URLS = """Promise.all((await caches.keys()).map(async name =>
  (await (await caches.open(name)).keys()).map(r => name + ' ' + new URL(r.url).pathname)))
  .then(lists => lists.flat())"""
BOX = "document.getElementById('lms-offline').dataset"


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    submit(page, "Log in")


def controlled(page) -> None:
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "navigator.serviceWorker.controller !== null")


def cached(page) -> list[str]:
    return page.evaluate(f"async () => {CACHED_URLS}")


def download(page, course_url: str):
    page.goto(course_url)
    controlled(page)
    page.reload()
    panel = page.locator(".offline-download").first
    get_module(panel)
    return panel


def get_module(panel) -> None:
    panel.get_by_role("button", name="Download for offline").click()
    expect(panel.locator("[data-state]")).to_contain_text("will be stored on this phone")
    panel.get_by_role("button", name="Download now").click()
    expect(panel.locator("[data-state]")).to_contain_text("Downloaded for offline")


def used_kb(text: str) -> int:
    """The figure of "(… KB used by this site in all)"."""
    return int(re.search(r"\((\d+) KB used by this site in all\)", text).group(1))


def queue(page) -> list[dict]:
    return page.evaluate(f"LMSQueue.items({BOX}.user)")


def count(model, **where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def answer(page, colour: str) -> None:
    page.locator(f"input[name='q-colour'][value='{colour}']").check()
    page.locator("input[name='q-round'][value='true']").check()
    follow(page.get_by_role("button", name="Submit my answers"))


@pytest.fixture
def pack_course(app, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    import_pack(pack)
    quiz = db.session.scalar(select(Lesson).filter_by(slug="check"))
    quiz.settings = {**quiz.settings, "attempts": 2}
    db.session.commit()
    return db.session.scalar(select(Course).filter_by(slug="offline-course"))


def test_an_old_page_a_second_attempt_offline_and_an_ended_session_lose_nothing(
    app, live_server, new_page, make_user, pack_course
):
    learner = make_user(email="salma@example.org", locale="en")
    learning.enrol(learner, pack_course)
    db.session.commit()
    base = f"{live_server}/courses/offline-course"
    page = new_page()
    context = page.context
    log_in(page, live_server, learner)
    download(page, base)

    # A page kept on the phone whose form's token has expired meanwhile (a host app may keep
    # Flask-WTF's time limit): "Mark as done" goes through the queue, nothing is lost.
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    page.goto(f"{base}/basics/welcome")
    time.sleep(1.2)
    follow(page.get_by_role("button", name="Mark as done"))
    sent = page.locator("#lms-offline [data-sent]")
    expect(sent).to_have_text(
        "This page was old, so what you sent went through the queue of this phone: nothing is "
        "lost. Sent from this phone: 1",
        timeout=20_000,
    )
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    assert count(LessonProgress, status="done") == 1

    # Offline: the quiz answered three times on the page kept on the phone (two attempts are
    # allowed), and a lesson marked done.
    context.set_offline(True)
    page.goto(f"{base}/basics/check")
    for colour in ("b", "a", "a"):
        answer(page, colour)
    page.goto(f"{base}/basics/field")
    follow(page.get_by_role("button", name="Mark as done"))
    waiting = queue(page)
    assert [item["data"]["form"]["attempt"] for item in waiting if item["kind"] == "quiz"] == [
        ["1"],
        ["2"],
        ["3"],
    ]

    # Her session ends meanwhile (logged out everywhere): back online she is asked to log in.
    log_out_everywhere(db.session.get(User, learner.id))
    db.session.commit()
    context.set_offline(False)
    login = page.locator("#lms-offline [data-login]")
    expect(login).to_contain_text(
        "Your session has ended. Log in again to send what is waiting: 4.", timeout=20_000
    )
    assert count(OfflineAction) == 1
    follow(login.get_by_role("link", name="Log in"))
    page.fill("#email", learner.email)
    page.fill("#password", PASSWORD)
    submit(page, "Log in")
    expect(sent).to_have_text("Sent from this phone: 3", timeout=20_000)
    refused = page.locator("#lms-offline [data-list] li")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(
        "Refused: You have used your 2 attempts at this quiz. Your best score is kept."
    )
    assert sorted(db.session.scalars(select(QuizAttempt.score))) == [50, 100]
    assert count(LessonProgress, status="done") == 3  # welcome, field and the passed quiz
    refused.get_by_role("button", name="I have read it").click()
    expect(refused).to_have_count(0)
    assert queue(page) == []


def test_a_queue_too_large_is_split_and_an_item_too_large_alone_is_kept_with_its_text(
    app, live_server, new_page, make_user, make_course
):
    course = make_course(sequential=False)
    learner = make_user(email="salma@example.org", locale="en")
    learning.enrol(learner, course)
    db.session.commit()
    page = new_page()
    log_in(page, live_server, learner)
    page.goto(f"{live_server}/courses/civics/basics/intro")
    controlled(page)
    # three actions of about 20 KB (one batch), one of about 80 KB with a file (alone)
    page.evaluate(
        f"""() => {{ const box = {BOX}, adds = [];
          const made = n => new Date(Date.now() - 60000 + n * 1000).toISOString();
          for (let n = 0; n < 3; n++) adds.push(LMSQueue.add({{key: 'pad-' + n,
            user: box.user, kind: 'done', lesson: 'civics/basics/intro', occurred_at: made(n),
            data: {{pad: 'x'.repeat(20000)}}}}));
          adds.push(LMSQueue.add({{key: 'big', user: box.user, kind: 'assignment',
            lesson: 'civics/basics/field-work', occurred_at: made(5),
            data: {{text: 'Mon diagnostic du quartier', file: {{name: 'notes.pdf',
              data: btoa('%PDF-1.4 ' + 'y'.repeat(60000))}}}}}}));
          return Promise.all(adds); }}"""
    )
    app.config["LMS_UPLOAD_REQUEST_MAX_MB"] = 0.03  # about 31 KB: less than one batch
    page.evaluate("window.dispatchEvent(new Event('online'))")  # as when the network is back
    expect(page.locator("#lms-offline [data-sent]")).to_have_text(
        "Sent from this phone: 3", timeout=20_000
    )
    item = page.locator("#lms-offline [data-list] li")
    expect(item).to_contain_text("Refused: Assignment is too large to be sent (")
    text = item.get_by_role("textbox", name="What you wrote")
    expect(text).to_have_value("Mon diagnostic du quartier")
    item.get_by_role("button", name="Copy").click()
    expect(item.get_by_role("button", name="Copied")).to_be_visible()
    assert count(OfflineAction) == 3 and count(LessonProgress, status="done") == 1
    app.config["LMS_UPLOAD_REQUEST_MAX_MB"] = 100

    # Background Sync's promise fails while an action stays unsent (network down), so that
    # the browser tries again; a refusal is an answer (nothing to try again).
    sync = f"LMSQueue.sync({BOX}.sync, {BOX}.user).then(() => 'sent', e => 'again ' + e.outcome.unsent)"
    page.evaluate(
        f"""LMSQueue.add({{key: 'later', user: {BOX}.user, kind: 'done',
          lesson: 'civics/basics/no-such-lesson', occurred_at: new Date().toISOString(), data: {{}}}})"""
    )
    page.context.set_offline(True)
    assert page.evaluate(sync) == "again 1"
    page.context.set_offline(False)
    assert page.evaluate(sync) == "sent"
    assert [i["key"] for i in queue(page) if i["status"] == "refused"] == ["big", "later"]


def test_the_phone_keeps_no_admin_trainer_or_post_page_and_drops_what_she_may_not_read(
    app, live_server, new_page, make_user, pack_course
):
    user = make_user(email="nadia@example.org", locale="en", roles=("learner", "trainer", "admin"))
    cohort = Cohort(course_id=pack_course.id, name="Tissa", join_code="TISSA002", trainers=[user])
    db.session.add(cohort)
    db.session.flush()
    learning.enrol(user, pack_course, cohort)
    db.session.commit()
    base = f"{live_server}/courses/offline-course"
    page = new_page()
    log_in(page, live_server, user)
    panel = download(page, base)
    for url in ("/admin/jobs", f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/sessions"):
        assert page.goto(live_server + url).status == 200, url
    page.goto(f"{base}/basics/welcome")
    follow(page.get_by_role("button", name="Mark as done"))  # a POST, online
    page.goto(base)
    time.sleep(0.5)  # the service worker's checks behind the pages are done
    urls = cached(page)
    assert any(url.endswith("/basics/welcome") for url in urls)
    assert not [u for u in urls if "/admin" in u or "/cohorts" in u or u.endswith("/done")]
    pages = {u.split(" ")[1] for u in urls if "/lms-static/" not in u and "/assets/" not in u}
    assert pages <= {"/offline", "/courses/offline-course"} | {
        f"/courses/offline-course/basics/{slug}" for slug in ("welcome", "field", "check")
    }, pages

    # "Remove download": its cache is gone, and the figure of what the site stores follows.
    stored = panel.locator("[data-state]").inner_text()
    panel.get_by_role("button", name="Remove download").click()
    expect(panel.locator("[data-state]")).to_contain_text("The download is removed")
    assert not [u for u in cached(page) if "~basics~" in u]
    removed = panel.locator("[data-state]").inner_text()
    assert used_kb(removed) < used_kb(stored), (stored, removed)

    # Downloaded again, then she leaves the course: the next page she opens removes it.
    get_module(panel)
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=user.id))
    enrolment.status = "withdrawn"
    db.session.commit()
    page.goto(f"{live_server}/my")
    wait_until(page, "caches.keys().then(k => !k.some(n => n.includes('~basics~')))")
