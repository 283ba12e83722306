"""A young participant, on a phone, from registration to a verified certificate — in French and
again in Arabic (right-to-left)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale, format_datetime
from sqlalchemy import select

from certificates.models import Certificate
from curriculum.db import db
from curriculum.models import Lesson
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment, Submission
from lms.reviews.operations import review_submission
from lms.sessions.models import CohortSession
from lms.sessions.operations import record_attendance
from tests.e2e.conftest import follow

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
#: "Present", as the session lesson says it in each language
PRESENT = {"fr": "Présent·e", "ar": "حاضر(ة)"}


def main_button(page):
    return page.locator("main form button[type=submit]").last


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_learner_registers_learns_and_gets_a_verified_certificate(
    app, live_server, new_page, make_user, minimal_course, language, tmp_path
):
    trainer = make_user(email="trainer@example.org", roles=("trainer",))
    cohort = Cohort(
        course_id=minimal_course.id,
        name="Cohorte d'Azilal",
        territory="Azilal",
        join_code="AZL2026K",
        trainers=[trainer],
    )
    db.session.add(cohort)
    db.session.commit()
    page = new_page()
    course_url = f"{live_server}/courses/minimal-course"

    # Register, in the learner's language.
    page.goto(f"{live_server}/register")
    page.fill(
        "#name", "Fatima Zahra Aït Benhaddou" if language == "fr" else "فاطمة الزهراء آيت بنحدو"
    )
    page.fill("#email", "fatima@example.org")
    page.fill("#password", "une phrase de passe longue")
    page.fill("#confirm", "une phrase de passe longue")
    page.select_option("#locale", language)
    follow(main_button(page))
    expected_dir = "rtl" if language == "ar" else "ltr"
    assert page.locator("html").get_attribute("dir") == expected_dir
    assert page.locator("html").get_attribute("lang") == language

    # Join the cohort with its code.
    page.goto(f"{live_server}/join")
    page.fill("#code", "azl2026k")
    follow(main_button(page))
    page.wait_for_url(course_url)

    # Reading: the pack's image is served; mark as done.
    page.goto(f"{course_url}/basics/welcome")
    assert page.locator(".prose img").evaluate("img => img.complete && img.naturalWidth > 0")
    follow(page.locator('form[action$="/done"] button'))
    page.wait_for_url(f"{course_url}/basics/check")

    # Quiz: failed, then passed.
    page.check('input[name="q-colour"][value="b"]')
    page.check('input[name="q-round"][value="false"]')
    follow(page.locator('form[action$="/quiz"] button'))
    assert page.locator("#result p.result-wrong").count() == 2
    page.check('input[name="q-colour"][value="a"]')
    page.check('input[name="q-round"][value="true"]')
    follow(page.locator('form[action$="/quiz"] button'))
    assert page.locator("#result p.result-right").count() == 2

    # Assignment: a text and a photo of the field notes.
    photo = tmp_path / "notes.png"
    photo.write_bytes(PNG)
    page.goto(f"{course_url}/basics/homework")
    page.fill("#text", "Diagnostic : le transport scolaire du douar Ait Bouguemez.")
    page.set_input_files("#file", str(photo))
    follow(page.locator('form[action$="/submission"] button'))
    assert page.locator(".badge.todo").count() >= 1  # submitted, waiting for review

    # The trainer accepts the work and schedules the in-person session: the learner sees when and
    # where it is, and that her attendance is not recorded yet.
    enrolment = db.session.scalar(select(Enrolment))
    submission = db.session.scalar(select(Submission))
    review_submission(trainer, submission, accept=True, feedback="Très bon diagnostic.")
    meeting = db.session.scalar(select(Lesson).filter_by(slug="meeting"))
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=meeting.id,
        starts_at=datetime(2026, 12, 12, 9, tzinfo=UTC),
        place="Dar Chabab d'Azilal",
    )
    db.session.add(session)
    db.session.commit()
    with app.test_request_context(), force_locale(language):
        when = format_datetime(session.starts_at, "full")
    page.goto(f"{course_url}/basics/meeting")
    session_card = page.locator('main section[aria-labelledby="sessions-title"]')
    assert when in session_card.inner_text()
    assert "Dar Chabab d'Azilal" in session_card.inner_text()
    assert session_card.locator(".badge").count() == 0

    # The trainer records that she was there; the session lesson says so.
    record_attendance(trainer, session, enrolment, present=True)
    db.session.commit()
    page.reload()
    assert when in session_card.inner_text()
    assert session_card.locator(".badge").all_inner_texts() == [PRESENT[language]]

    # The certificate is there on the next page, downloads, and verifies.
    page.goto(f"{live_server}/my")
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None
    assert certificate.serial in page.content()
    with page.expect_download() as download_info:
        page.locator(f'a[href$="/certificates/{certificate.serial}.pdf"]').first.click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert download_info.value.suggested_filename == f"certificat-{certificate.serial}.pdf"
    page.goto(f"{live_server}/verify/{certificate.serial}")
    assert page.locator(".verify-valid").count() == 1
    assert page.locator("html").get_attribute("dir") == expected_dir
