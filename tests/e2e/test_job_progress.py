"""The progress page of a 1,000-learner job in a real browser: the bar moves without reloading the
page (jobs.js under the site's Content-Security-Policy), and the page shows the end once done."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Lesson
from tests.bulk import fill_completed
from tests.e2e.conftest import follow
from tests.lms.jobs.conftest import admin, make_cohort  # noqa: F401 — the job tests' fixtures

pytestmark = pytest.mark.browser

LEARNERS = 1000


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_JOBS_BATCH_SIZE": 2}


def test_the_bar_moves_while_the_job_runs_then_the_page_shows_the_end(
    live_server,
    new_page,
    admin,  # noqa: F811 — the fixtures imported above
    make_cohort,  # noqa: F811
):
    # A cohort of 1,000 learners who completed the course (filled in bulk).
    cohort, _ = make_cohort(completed=0)
    lessons = list(db.session.scalars(select(Lesson).where(Lesson.course_id == cohort.course_id)))
    enrolments = fill_completed(cohort.course_id, cohort.id, LEARNERS, lessons, "azilal")
    page = new_page(width=1280, height=900)
    page.goto(f"{live_server}/login")
    page.fill("#email", admin.email)
    page.fill("#password", "correct horse battery")
    follow(page.locator("main form button[type=submit]").last)

    page.goto(f"{live_server}/admin/certificates/bulk")
    page.select_option("#issue-cohort", str(cohort.id))
    follow(page.get_by_role("button", name="Issue the certificates", exact=True))
    page.wait_for_url(f"{live_server}/admin/jobs/*")
    # Once the items are listed (the script reloads the page when the job starts running):
    state = page.locator("[data-job-state]")
    expect(state).to_have_attribute("data-job-state", "running", timeout=30000)
    page.evaluate("window.stillTheSamePage = true")  # gone if the page reloads

    bar = page.locator("progress")
    seen = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            same_page = page.evaluate("window.stillTheSamePage === true")
            if same_page:
                seen.add(bar.evaluate("bar => bar.value"))
        except PlaywrightError:  # the page is reloading right now
            same_page = False
        if not same_page:
            # jobs.js reloaded the page: at the end of the job, or (on a slow machine) when the
            # job started running after the first render.
            page.wait_for_load_state()
            if page.locator("[data-job-state]").get_attribute("data-job-state") == "done":
                break
            page.evaluate("window.stillTheSamePage = true")
        time.sleep(0.2)
    assert len([v for v in seen if 0 < v < len(enrolments)]) >= 2, (
        f"the bar did not move: {sorted(seen)}"
    )

    expect(page.locator("[data-job-state]")).to_have_attribute(
        "data-job-state", "done", timeout=180_000
    )
    assert page.locator("progress").evaluate("bar => bar.value") == len(enrolments)
    assert "Finished" in page.locator("main").inner_text()
