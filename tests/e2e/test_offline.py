"""Learning without a connection, in Debian's Chromium: a learner downloads a module, loses the
network, reads its lessons, marks two done and answers its quiz; back online the queue is sent
and applied exactly once. A re-imported pack refreshes the phone's copy; the next person on the
same browser sees nothing of the first one's downloads. A circle member writes a journal update
with a photo on a journal page opened without a network; it is sent, once, when the network is
back, dated when she wrote it."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course, Lesson
from lms.circles.journal.models import JournalEntry
from lms.circles.models import Circle, CircleMember
from lms.cohorts.models import Cohort
from lms.learning import operations as learning
from lms.learning.models import LessonProgress, QuizAttempt
from lms.offline.models import OfflineAction
from tests.conftest import PASSWORD
from tests.e2e.conftest import follow, submit, wait_until

pytestmark = pytest.mark.browser

PACK = Path(__file__).resolve().parents[1] / "lms" / "offline" / "pack"


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    submit(page, "Log in")


def controlled(page) -> None:
    """Wait until the service worker controls the page."""
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "navigator.serviceWorker.controller !== null")


def cache_names(page) -> list[str]:
    return page.evaluate("caches.keys()")


def until(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def queue(page) -> list[dict]:
    return page.evaluate("LMSQueue.items(document.getElementById('lms-offline').dataset.user)")


def test_a_downloaded_module_works_offline_and_syncs_exactly_once(
    app, live_server, new_page, make_user, tmp_path
):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    import_pack(pack)
    db.session.commit()
    course = db.session.scalar(select(Course).filter_by(slug="offline-course"))
    learner = make_user(email="salma@example.org", locale="en")
    learning.enrol(learner, course)
    db.session.commit()
    base = f"{live_server}/courses/offline-course"

    page = new_page()
    context = page.context
    log_in(page, live_server, learner)
    page.goto(base)
    controlled(page)
    page.reload()
    panel = page.locator(".offline-download").first
    panel.get_by_role("button", name="Download for offline").click()
    state = panel.locator("[data-state]")
    expect(state).to_contain_text("will be stored on this phone")
    panel.get_by_role("button", name="Download now").click()
    expect(state).to_contain_text("Downloaded for offline")
    assert panel.get_by_role("button", name="Remove download").is_visible()

    context.set_offline(True)
    for slug, title in (("welcome", "Welcome"), ("field", "In the field"), ("check", "Check")):
        page.goto(f"{base}/basics/{slug}")
        assert page.locator("h1").inner_text() == title
    page.goto(f"{base}/basics/welcome")
    follow(page.get_by_role("button", name="Mark as done"))
    expect(page.locator("#lms-offline [data-sent]")).to_contain_text("Saved on this phone")
    page.goto(f"{base}/basics/field")
    follow(page.get_by_role("button", name="Mark as done"))
    page.goto(f"{base}/basics/check")
    page.locator("input[name='q-colour'][value='a']").check()
    page.locator("input[name='q-round'][value='true']").check()
    follow(page.get_by_role("button", name="Submit my answers"))
    expect(page.locator("#lms-offline [data-status]")).to_have_text("Waiting to be sent: 3")
    sent_queue = queue(page)
    assert [item["kind"] for item in sent_queue] == ["done", "done", "quiz"]
    assert db.session.scalar(select(func.count()).select_from(OfflineAction)) == 0
    page.close()

    # Back online: the queue is sent when a page opens, applied once, and the page shows it.
    context.set_offline(False)
    page = context.new_page()
    page.goto(base)
    # (the queue is sent, then the page reloaded: a slow phone or server is given time)
    sent = page.locator("#lms-offline [data-sent]")
    expect(sent).to_have_text("Sent from this phone: 3", timeout=20_000)
    expect(page.locator(".badge.done")).to_have_count(3, timeout=10_000)
    expect(page.locator("main")).to_contain_text("Best score: 100%")
    assert queue(page) == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    done = select(func.count()).select_from(LessonProgress).filter_by(status="done")
    assert db.session.scalar(done) == 3

    # The same queue sent again changes nothing: every item is a replay.
    answer = page.evaluate(
        """items => fetch(document.getElementById('lms-offline').dataset.sync, {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({items})})
           .then(r => r.json())""",
        [{k: v for k, v in item.items() if k not in ("status", "message")} for item in sent_queue],
    )
    assert [r["replay"] for r in answer["results"]] == [True, True, True], json.dumps(answer)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    assert db.session.scalar(select(func.count()).select_from(OfflineAction)) == 3

    # The pack is imported again with a changed lesson: the phone's copy follows at the next
    # connection.
    lesson_file = pack / "01-basics" / "01-welcome.en.md"
    lesson_file.write_text(lesson_file.read_text().replace("Welcome to the course.", "Marhba!"))
    import_pack(pack)
    db.session.commit()
    old = [name for name in cache_names(page) if "~basics~" in name]
    page.goto(base)
    until(lambda: (new := [n for n in cache_names(page) if "~basics~" in n]) and old[0] not in new)
    context.set_offline(True)
    page.goto(f"{base}/basics/welcome")
    assert "Marhba!" in page.locator(".prose").inner_text()
    context.set_offline(False)

    # Logging out removes the downloads; the next person on this browser sees none of them.
    page.goto(base)
    mine = page.locator("#lms-offline").get_attribute("data-user")
    follow(page.get_by_role("button", name="Log out"))
    other = make_user(email="imane@example.org", locale="en")
    log_in(page, live_server, other)
    page.goto(f"{live_server}/my")
    assert not [name for name in cache_names(page) if mine in name]
    context.set_offline(True)
    page.goto(f"{base}/basics/welcome")
    assert "Marhba" not in page.content()
    assert page.locator("h1").inner_text() == "No connection"
    context.set_offline(False)
    assert db.session.scalar(select(Lesson.id).filter_by(slug="welcome")) is not None


def test_a_journal_update_written_offline_is_sent_once_on_reconnect(
    app, live_server, new_page, make_user, make_course
):
    course = make_course(sequential=False)
    trainer = make_user(email="youssef@example.org", roles=("trainer",), locale="en")
    cohort = Cohort(course_id=course.id, name="Tissa", join_code="TISSA001", trainers=[trainer])
    db.session.add(cohort)
    db.session.flush()
    salma = make_user(email="salma@example.org", locale="en")
    hamza = make_user(email="hamza@example.org", locale="en")
    for member in (salma, hamza):
        learning.enrol(member, course, cohort)
    circle = Circle(cohort_id=cohort.id, name="Les bâtisseurs", code="BATI01")
    circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=u.id) for u in (salma, hamza)]
    db.session.add(circle)
    db.session.commit()
    journal = f"{live_server}/circles/{circle.id}/journal"
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(photo, "PNG")

    page = new_page()
    context = page.context
    log_in(page, live_server, salma)
    page.goto(journal)
    controlled(page)
    page.reload()  # seen by the service worker: the member's journal page is kept on the phone
    until(lambda: any(name.endswith("-journal") for name in cache_names(page)))

    context.set_offline(True)
    page.reload()
    assert page.locator("h2").first.inner_text() == "Journal of Les bâtisseurs"
    page.fill("#text", "Café-emploi du samedi: 14 jeunes")
    page.set_input_files(
        "#photos", files=[{"name": "cafe.png", "mimeType": "image/png", "buffer": photo.getvalue()}]
    )
    page.get_by_role("button", name="Add to the journal").click()
    expect(page.locator("#lms-offline [data-status]")).to_have_text("Waiting to be sent: 1")
    expect(page.locator("#lms-offline [data-sent]")).to_contain_text("Saved on this phone")
    (queued,) = queue(page)
    assert queued["kind"] == "journal" and queued["circle"] == circle.id
    assert [p["name"] for p in queued["data"]["photos"]] == ["cafe.png"]
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0
    time.sleep(1.1)  # the entry is dated when it was written, not when it is sent

    # Back online: the "online" event sends the queue; the journal shows the update once.
    context.set_offline(False)
    expect(page.locator("#lms-offline [data-sent]")).to_have_text(
        "Sent from this phone: 1", timeout=20_000
    )
    expect(page.locator(".journal .journal-text")).to_have_text(
        ["Café-emploi du samedi: 14 jeunes"]
    )
    expect(page.locator(".journal-photos img")).to_have_count(1)
    assert queue(page) == []
    db.session.expire_all()
    (entry,) = db.session.scalars(select(JournalEntry)).all()
    assert entry.author_id == salma.id and len(entry.photos) == 1
    assert (entry.created_at - entry.happened_at).total_seconds() >= 1
    answer = page.evaluate(
        """item => fetch(document.getElementById('lms-offline').dataset.sync, {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({items: [item]})})
           .then(r => r.json())""",
        {k: v for k, v in queued.items() if k not in ("status", "message")},
    )
    assert [r["replay"] for r in answer["results"]] == [True], json.dumps(answer)
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 1

    # Logging out removes the kept journal page; the facilitator's view of it is never kept.
    def journal_caches():
        return [name for name in cache_names(page) if name.endswith("-journal")]

    follow(page.get_by_role("button", name="Log out"))
    assert journal_caches() == []
    log_in(page, live_server, trainer)
    page.goto(journal)
    page.reload()
    expect(page.locator(".journal .journal-text")).to_have_count(1)
    time.sleep(1)
    assert journal_caches() == []
