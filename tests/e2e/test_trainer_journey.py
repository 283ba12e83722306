"""A trainer's week, in French: create a cohort, import its roster (a bad row, then the fixed
file), review a learner's work, schedule the in-person session and take attendance on a phone,
and watch the dashboard move — then the attendance and dashboard pages again in Arabic."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from certificates.models import Certificate
from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment, Submission
from lms.mail.models import OutboxMessage
from lms.sessions.models import Attendance
from lms.users.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import follow

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
BAD_ROSTER = "nom;courriel;langue\nSalma Benali;salma.benali@example.org;fr\nOmar Chakiri;omar.chakiri@example;ar\n"
FIXED_ROSTER = "nom;courriel;langue\nSalma Benali;salma.benali@example.org;fr\nOmar Chakiri;omar.chakiri@example.org;ar\n"


def submit_main_form(page) -> None:
    follow(page.locator("main form button[type=submit]").last)


def log_in(page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    submit_main_form(page)
    page.wait_for_url(lambda current: "/login" not in current)


def sessions_of(page, name: str) -> str:
    """The last figure of a learner's row: in-person sessions attended / held."""
    return (
        page.locator("table.progress-grid tr", has_text=name)
        .locator("td.cell")
        .last.inner_text()
        .strip()
    )


def progress_of(page, name: str) -> str:
    """The "done/total" of the learner's row on the dashboard."""
    return (
        page.locator("table.progress-grid tbody tr", has_text=name)
        .locator("td.overall .meta")
        .inner_text()
    )


def fits_the_screen(page) -> bool:
    page.wait_for_load_state()  # a click may still be navigating
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_trainer_runs_a_cohort_from_roster_to_attendance(
    live_server, new_page, make_user, minimal_course, tmp_path
):
    make_user(email="youssef@example.org", name="Youssef Amrani", roles=("trainer",), locale="fr")
    page = new_page(width=1024, height=800)
    log_in(page, live_server, "youssef@example.org")
    assert page.locator("html").get_attribute("lang") == "fr"

    # Create the cohort.
    page.goto(f"{live_server}/cohorts")
    follow(page.locator('main a[href$="/cohorts/new"]'))
    page.select_option("#course", str(minimal_course.id))
    page.fill("#name", "Cohorte de Tissa — printemps 2027")
    page.fill("#province", "Taounate")
    page.fill("#commune", "Tissa")
    page.fill("#starts_on", "2026-11-02")
    page.fill("#ends_on", "2027-03-27")
    assert page.locator('input[name="trainers"]:checked').count() == 1  # the trainer themself
    submit_main_form(page)
    page.wait_for_url(re.compile(r"/cohorts/\d+$"))
    cohort = db.session.scalar(select(Cohort))
    assert page.locator("h1").inner_text() == "Cohorte de Tissa — printemps 2027"
    assert "Tissa, Taounate" in page.locator("main .meta").first.inner_text()
    assert page.locator(".join-box code").inner_text() == cohort.join_code

    # Import the roster: one row has a broken e-mail address; nothing is imported until it is fixed.
    follow(page.locator('nav.tabs a[href$="/roster"]'))
    bad = tmp_path / "liste.csv"
    bad.write_text(BAD_ROSTER, encoding="utf-8")
    page.set_input_files("#file", str(bad))
    submit_main_form(page)
    page.wait_for_selector("table.roster")
    error_rows = page.locator("table.roster tr.fate-error")
    assert error_rows.count() == 1
    assert error_rows.locator("td").first.inner_text() == "3"  # the spreadsheet's own row number
    assert "omar.chakiri@example" in error_rows.inner_text()
    assert page.locator("ul.row-errors li").count() == 1
    assert page.locator("table.roster tr.fate-invited").count() == 1
    # A roster with a bad row cannot be confirmed: nothing is half-imported.
    assert page.locator('form[action$="/confirm"]').count() == 0
    assert db.session.scalar(select(Enrolment)) is None

    follow(page.locator('.notice a[href$="/roster"]'))  # "upload the fixed file"
    fixed = tmp_path / "liste-corrigee.csv"
    fixed.write_text(FIXED_ROSTER, encoding="utf-8")
    page.set_input_files("#file", str(fixed))
    submit_main_form(page)
    page.wait_for_selector("table.roster")
    assert page.locator("table.roster tr.fate-error").count() == 0
    assert page.locator("table.roster tr.fate-invited").count() == 2
    follow(page.locator('form[action$="/confirm"] button[type=submit]'))
    page.wait_for_url(f"{live_server}/cohorts/{cohort.id}")
    assert page.locator(".flashes .flash-success").count() == 1
    # Nobody is pulled in: each joins by answering (a new account, by choosing its password).
    assert page.locator("table.progress-grid tbody tr").count() == 0
    omar = db.session.scalar(select(User).filter_by(email_key="omar.chakiri@example.org"))
    assert omar.locale == "ar"

    def choose_password(email: str, password: str):
        """Open the invitation's link on a phone and choose a password (which accepts it)."""
        mail = db.session.scalar(select(OutboxMessage).filter_by(recipient=email))
        phone = new_page(**PHONE)
        phone.goto(re.search(r"https?://\S+/password/reset/\S+", mail.body).group(0))
        phone.fill("#password", password)
        phone.fill("#confirm", password)
        submit_main_form(phone)
        phone.wait_for_url(re.compile(r"/login"))
        return phone

    choose_password(omar.email, "une autre phrase à moi")
    # Salma opens her invitation, chooses a password and does the first lessons on her phone.
    learner = choose_password("salma.benali@example.org", "ma phrase de passe à moi")
    page.reload()
    assert page.locator("table.progress-grid tbody tr").count() == 2  # both joined
    assert progress_of(page, "Salma Benali") == "0/3"
    log_in(learner, live_server, "salma.benali@example.org", "ma phrase de passe à moi")
    course_url = f"{live_server}/courses/minimal-course/basics"
    learner.goto(f"{course_url}/welcome")
    follow(learner.locator('form[action$="/done"] button'))
    learner.wait_for_url(f"{course_url}/check")
    learner.check('input[name="q-colour"][value="a"]')
    learner.check('input[name="q-round"][value="true"]')
    follow(learner.locator('form[action$="/quiz"] button'))
    assert learner.locator("#result p.result-right").count() == 2
    learner.goto(f"{course_url}/homework")
    learner.fill("#text", "Diagnostic : le transport scolaire du douar, 40 élèves à 7 km.")
    follow(learner.locator('form[action$="/submission"] button'))
    learner.wait_for_selector(".badge.todo")

    page.reload()
    assert progress_of(page, "Salma Benali") == "2/3"

    # The trainer reviews and accepts the work from the review queue.
    follow(page.locator('nav.main-nav a[href$="/reviews"]'))
    queue = page.locator("ul.review-queue li")
    assert queue.count() == 1 and "Salma Benali" in queue.inner_text()
    follow(queue.locator("a").first)
    assert "Diagnostic : le transport scolaire" in page.locator("main pre").inner_text()
    page.fill(
        "#feedback", "Très bon **diagnostic** : ajoute une photo de l'arrêt la prochaine fois."
    )
    follow(page.locator('button[name="accept"]'))
    page.wait_for_url(f"{live_server}/reviews")
    assert page.locator("ul.review-queue").count() == 0
    submission = db.session.scalar(select(Submission))
    assert (
        submission.status == "accepted"
        and "<strong>diagnostic</strong>" in submission.feedback_html
    )
    page.goto(f"{live_server}/cohorts/{cohort.id}")
    assert progress_of(page, "Salma Benali") == "3/3"
    assert sessions_of(page, "Salma Benali") == "0/1"

    # On a phone: schedule the session, then take attendance.
    page.set_viewport_size(PHONE)
    follow(page.locator('nav.tabs a[href$="/sessions"]'))
    assert page.locator("#lesson option").count() == 1  # the course's one session lesson
    page.fill("#day", "2026-12-12")
    page.fill("#time", "09:30")
    page.fill("#place", "Dar Chabab de Tissa, salle 2")
    submit_main_form(page)
    assert page.locator(".session-card").count() == 1
    follow(page.locator('.session-card a[href$="/attendance"]'))
    page.wait_for_url("**/attendance")
    assert fits_the_screen(page)
    salma = db.session.scalar(
        select(Enrolment).join(User).filter(User.email_key == "salma.benali@example.org")
    )
    omar_enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=omar.id))
    present, absent = (
        page.locator(f'label[for="p-{salma.id}"]'),
        page.locator(f'label[for="x-{omar_enrolment.id}"]'),
    )
    assert (
        present.bounding_box()["height"] >= 44 and absent.bounding_box()["height"] >= 44
    )  # thumb-sized
    present.click()
    absent.click()
    follow(page.locator(".save-bar button"))
    page.wait_for_selector(".flashes .flash-success")
    marks = {a.enrolment_id: a.present for a in db.session.scalars(select(Attendance))}
    assert marks == {salma.id: True, omar_enrolment.id: False}
    assert (
        page.locator(f"#p-{salma.id}").is_checked()
        and page.locator(f"#x-{omar_enrolment.id}").is_checked()
    )

    # The dashboard moved: Salma has done everything; her certificate is issued.
    follow(page.locator('main a[href$="/sessions"]').first)  # back to the sessions
    follow(page.locator(f'nav.tabs a[href$="/cohorts/{cohort.id}"]'))
    assert progress_of(page, "Salma Benali") == "3/3"
    assert sessions_of(page, "Salma Benali") == "✓ 1/1"
    assert (
        page.locator("table.progress-grid tr", has_text="Salma Benali")
        .locator(".badge.flag-completed")
        .count()
        == 1
    )
    assert progress_of(page, "Omar Chakiri") == "0/3"
    assert db.session.scalar(select(Certificate.enrolment_id)) == salma.id
    assert fits_the_screen(page)  # the French dashboard, on the phone too

    # The same two pages in Arabic, right to left, still fitting the phone.
    follow(page.locator('.lang-switch button[value="ar"]'))
    page.wait_for_url(f"{live_server}/cohorts/{cohort.id}")
    assert (
        page.locator("html").get_attribute("dir") == "rtl"
        and page.locator("html").get_attribute("lang") == "ar"
    )
    assert progress_of(page, "Salma Benali") == "3/3"
    assert fits_the_screen(page)
    page.goto(f"{live_server}/cohorts/{cohort.id}/sessions")
    follow(page.locator('.session-card a[href$="/attendance"]'))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert fits_the_screen(page)
    assert (
        page.locator(f"#p-{salma.id}").is_checked()
        and page.locator(f"#x-{omar_enrolment.id}").is_checked()
    )
    name = page.locator("fieldset.mark legend", has_text="Salma Benali").bounding_box()
    toggle = page.locator(f'label[for="p-{salma.id}"]').bounding_box()
    assert name["x"] > toggle["x"]  # right to left: the name on the right, the buttons on its left
