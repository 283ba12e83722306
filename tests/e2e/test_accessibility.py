"""axe-core on every main page, in French and in Arabic (right-to-left), and on the learner's main
pages in English: no violation of impact "serious" or "critical" (axe's WCAG 2.1 A/AA rules and
best practices).

axe-core comes from the ``axe-playwright-python`` package (its bundled ``axe.min.js``): nothing is
fetched at run time. Pages are checked at a phone's width, the way most learners and trainers see
them, with the bundled masterclasses as content (real Markdown, quizzes, sessions), a cohort whose
learners are at different stages, and the states that only appear after an action (form errors,
a quiz result, a roster preview with an error, a pack's check before it is applied, the verdict on
an uploaded certificate PDF, a revoked certificate). Every violation of every page is listed at
once. The innovation circles' pages (circles, milestones, consultations, journal, indicators,
publishing, the showcase and the public project page) are checked the same way by
``test_circles.py`` (the journey) and ``test_circles_accessibility.py``.

The same visit produces the README's screenshots into ``docs/screenshots/`` when
``LMS_SCREENSHOTS=1`` is set (never otherwise, so CI does not rewrite committed files).
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from certificates import operations as certificates
from certificates.models import Certificate, CertificateFile
from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Course, Lesson
from lms.cohorts.models import Cohort
from lms.jobs.models import Job
from lms.learning import operations as learning
from lms.messages import operations as messages
from lms.reviews.operations import review_submission
from lms.sessions.models import CohortSession
from lms.sessions.operations import record_attendance
from lms.users import operations as users
from tests.conftest import PASSWORD
from tests.e2e.answers import half_right
from tests.e2e.conftest import MINIMAL_PACK, follow, zip_of

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
#: no frame of ours needs checking, and a cross-origin one (a video) would only make axe wait
AXE_OPTIONS = {"resultTypes": ["violations"], "iframes": False}
PACKS = Path(__file__).resolve().parents[2] / "curriculum" / "packs"
COURSE = "solving-public-problems"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GLOSSARY = Path(__file__).resolve().parents[1] / "curriculum" / "glossaries" / "glossary.yaml"
VIDEO_MODULES = [
    (
        "media",
        [
            {
                "slug": "film",
                "kind": "video",
                "settings": {"video_url": "https://www.youtube.com/watch?v=abcdefghijk"},
            }
        ],
    )
]
#: the cohort's learners and how many modules of the masterclass each has completed (all five:
#: the certificate is issued on completion)
LEARNERS = [
    ("Imane Tazi", 5),
    ("Youssef Amrani", 2),
    ("Khadija Ouazzani", 1),
    ("Hamza El Idrissi", 0),
]
#: the address printed on the certificates (the README shows one)
PUBLIC_URL = "https://academie.example.org"


def keep_screenshot(page, name: str) -> None:
    """A README screenshot of what the page shows (only when LMS_SCREENSHOTS=1)."""
    if os.environ.get("LMS_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    compress_png(path)


def compress_png(path: Path) -> None:
    """Down to a 128-colour palette: the shots are text and flat colours, so nothing is lost to the
    eye and the files stay well under 150 KB."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


class Site:
    """A cohort of the masterclass with learners at every stage (one has completed it and holds
    its certificate), work waiting for review, a scheduled session, an announcement and a finished
    job. Salma, the learner whose pages are checked, is halfway through the first module, holds a
    certificate issued by hand and has a link to choose a new password."""

    def __init__(self, app, live_server, make_user, language):
        self.url = live_server
        # Certificates print the site's public address; the README's shows a real-looking one.
        app.config["LMS_PUBLIC_URL"] = PUBLIC_URL
        packs = sorted(p for p in PACKS.iterdir() if p.is_dir())  # not the glossary
        for pack in packs:  # one import: a course may require another imported after it
            import_pack(pack, importing=frozenset(p.name for p in packs))
        course = db.session.scalar(db.select(Course).filter_by(slug=COURSE))
        self.course_url = f"/courses/{COURSE}"
        self.staff = make_user(
            email="nadia@example.org",
            name="Nadia El Amrani",
            roles=("trainer", "admin"),
            locale=language,
        )
        self.learner = make_user(
            email="salma@example.org", name="Salma Benali", roles=("learner",), locale=language
        )
        today = date.today()
        self.cohort = Cohort(
            course_id=course.id,
            name="Cohorte de Tissa",
            territory="Tissa, Taounate",
            province="Taounate",
            commune="Tissa",
            starts_on=today - timedelta(days=40),
            ends_on=today + timedelta(days=50),
            join_code="TSS2026K",
            trainers=[self.staff],
        )
        db.session.add(self.cohort)
        db.session.flush()
        self.modules = [
            [lesson for lesson in module.lessons if lesson.archived_at is None]
            for module in course.modules
        ]
        self.sessions: dict[int, CohortSession] = {}
        for number, (name, modules_done) in enumerate(LEARNERS):
            user = make_user(
                email=f"learner{number}@example.org", name=name, roles=("learner",), locale=language
            )
            enrolment = learning.enrol(user, course, self.cohort)
            for lessons in self.modules[:modules_done]:
                self.complete(enrolment, lessons)
        self.serial = db.session.scalar(db.select(Certificate.serial))  # the one who completed it
        # Salma has read the first module's lessons and handed in her work; her quiz is to come.
        enrolment = learning.enrol(self.learner, course, self.cohort)
        self.learner_id, self.enrolment_id = self.learner.id, enrolment.id
        first = self.modules[0]
        for lesson in first:
            if lesson.kind == "reading":
                learning.mark_done(enrolment, lesson)
        homework = next(lesson for lesson in first if lesson.kind == "assignment")
        self.submission_id = learning.submit_assignment(
            enrolment, homework, "Le transport scolaire du douar : 40 élèves, 7 km à pied."
        ).id
        self.session_id = self.session_for(
            next(lesson for lesson in first if lesson.kind == "session")
        ).id
        certificates.issue_for_enrolment(
            enrolment, self.staff, force=True, reason="A suivi la masterclass en présentiel"
        )
        job = Job(
            kind="certificates.issue",
            params={"cohort_id": self.cohort.id},
            subject=self.cohort.name,
            status="done",
            total=5,
            done=5,
            created_by_id=self.staff.id,
        )
        db.session.add(job)
        with app.test_request_context():  # the announcement links to its own page
            self.announcement_id = messages.post_announcement(
                self.staff,
                self.cohort,
                "Séance du samedi",
                "Rendez-vous à **9 h** à la Dar Chabab. Apportez vos notes de terrain.",
            ).id
        self.reset_token = users.make_reset_token(self.learner)
        db.session.commit()
        self.job_id = job.id
        app.config["LMS_PUBLIC_URL"] = live_server

    def session_for(self, lesson: Lesson) -> CohortSession:
        if lesson.id not in self.sessions:
            starts_at = datetime.combine(
                date.today() - timedelta(days=30 - 7 * len(self.sessions)), datetime.min.time(), UTC
            ).replace(hour=9)
            session = CohortSession(
                cohort_id=self.cohort.id,
                lesson_id=lesson.id,
                starts_at=starts_at,
                place="Dar Chabab de Tissa",
            )
            db.session.add(session)
            db.session.flush()
            self.sessions[lesson.id] = session
        return self.sessions[lesson.id]

    def half_right_answers(self) -> dict[str, list[str]]:
        """Answers to the first module's quiz, every other one wrong (a failed attempt)."""
        return half_right(next(lesson for lesson in self.modules[0] if lesson.kind == "quiz"))

    def complete(self, enrolment, lessons: list[Lesson]) -> None:
        """Every lesson done the way it gets done: read, quiz passed, work accepted, present."""
        for lesson in lessons:
            if lesson.kind == "reading":
                learning.mark_done(enrolment, lesson)
            elif lesson.kind == "quiz":
                answers = {
                    q.key: [c.key for c in q.choices if c.correct] for q in lesson.live_questions
                }
                learning.submit_quiz(enrolment, lesson, answers)
            elif lesson.kind == "assignment":
                submission = learning.submit_assignment(
                    enrolment, lesson, "Mon travail de terrain."
                )
                review_submission(self.staff, submission, True, "Très bien.")
            elif lesson.kind == "session":
                record_attendance(self.staff, self.session_for(lesson), enrolment, True)

    def certificate_pdf(self, tmp_path: Path) -> Path:
        """The completed learner's certificate, as the PDF file they were given."""
        certificate = certificates.get_by_serial(self.serial)
        pdf = tmp_path / "certificate.pdf"
        pdf.write_bytes(db.session.get(CertificateFile, certificate.id).data)
        return pdf

    def certificate_png(self, tmp_path: Path) -> None:
        """The certificate's first page, as the README shows it (only when LMS_SCREENSHOTS=1)."""
        if os.environ.get("LMS_SCREENSHOTS") != "1":
            return
        pdf = self.certificate_pdf(tmp_path)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        prefix = SCREENSHOTS / "certificate"
        command = ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*command, str(pdf), str(prefix)], check=True)
        compress_png(prefix.with_suffix(".png"))


def log_in(page, site: Site, email: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    follow(page.locator("main form button[type=submit]"))
    page.wait_for_url(lambda url: "/login" not in url)


class Checker:
    """Runs axe on pages and collects their blocking violations, one line per rule."""

    def __init__(self, site: Site, language: str):
        self.site, self.language = site, language
        self.axe = Axe()
        self.problems: list[str] = []

    def check(
        self,
        page,
        name: str,
        path: str | None = None,
        status: int = 200,
        language: str | None = None,
    ) -> None:
        """The page at ``path`` (or as it is now, after an action), in the checker's language
        unless told otherwise."""
        language = language or self.language
        if path is not None:
            response = page.goto(self.site.url + path)
            assert response.status == status, f"{name}: {path} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == language, name
        expected_dir = "rtl" if language == "ar" else "ltr"
        assert page.locator("html").get_attribute("dir") == expected_dir, name
        results = self.axe.run(page, options=AXE_OPTIONS).response
        self.problems += [
            f"{name} [{language}]: {v['id']} ({v['impact']}) {v['help']} — "
            + " | ".join(node["html"][:120] for node in v["nodes"][:4])
            for v in results["violations"]
            if v["impact"] in BLOCKING
        ]


def visitor_pages(checker: Checker, page, tmp_path: Path) -> None:
    """What anyone sees, and an employer's check of a certificate's PDF."""
    site, french = checker.site, checker.language == "fr"
    for name, path in [
        ("home", "/"),
        ("catalogue", "/courses"),
        ("course", site.course_url),
        ("login", "/login"),
        ("forgot password", "/password/forgot"),
        ("choose a new password", f"/password/reset/{site.reset_token}"),
        ("verify", f"/verify/{site.serial}"),
        ("verify a PDF", "/verify"),
        ("glossary", "/glossary"),
        ("glossary search", "/glossary?q=anapec"),
        ("register", "/register"),  # last: the form is then sent empty
    ]:
        checker.check(page, name, path)
        if french and name in ("catalogue", "verify"):
            keep_screenshot(page, f"{name}-fr")
    follow(page.locator("main form button[type=submit]"))  # empty: every field in error
    checker.check(page, "register with errors")
    page.goto(f"{site.url}/verify")
    page.set_input_files("#pdf", str(site.certificate_pdf(tmp_path)))
    follow(page.locator("main form button[type=submit]"))
    assert site.serial in page.locator('main .verdict[role="status"]').inner_text()
    checker.check(page, "verify a PDF: the verdict")
    badge = tmp_path / "badge.png"  # the learner's badge, with her credential baked in
    badge.write_bytes(page.request.get(f"{site.url}/verify/{site.serial}/badge.png").body())
    page.goto(f"{site.url}/verify")
    page.set_input_files("#pdf", str(badge))
    follow(page.locator("main form button[type=submit]"))
    verdict = page.locator('main .verdict-credential[role="status"]').inner_text()
    assert "✓" in verdict, verdict
    checker.check(page, "verify a credential: the verdict")
    if french:
        keep_screenshot(page, "verify-credential-fr")
    checker.check(page, "page not found", "/no-such-page", 404)


def learner_pages(checker: Checker, page) -> None:
    """Every kind of lesson, and a failed quiz's result."""
    site, language = checker.site, checker.language
    lesson = site.course_url + "/mindset"
    log_in(page, site, site.learner.email)
    for name, path in [
        ("course (enrolled)", site.course_url),
        ("reading", f"{lesson}/public-problem"),
        ("quiz", f"{lesson}/check-mindset"),
        ("assignment", f"{lesson}/territory-assets"),
        ("session", f"{lesson}/opening-circle"),
        ("scorm", f"{lesson}/public-or-private"),
        ("video", "/courses/video-course/media/film"),
        ("my learning", "/my"),
        ("my certificates", "/certificates"),
        ("account", "/account"),
        ("change password", "/account/password"),
        ("notifications", "/notifications"),
        ("announcement", f"/announcements/{site.announcement_id}"),
        ("join a cohort", "/join"),
    ]:
        checker.check(page, name, path)
        if language == "ar" and name == "course (enrolled)":
            keep_screenshot(page, "course-ar")
        if language == "fr" and name == "reading":
            keep_screenshot(page, "lesson-fr")
    page.goto(f"{site.url}{lesson}/check-mindset")
    for question, choices in site.half_right_answers().items():
        for choice in choices:
            page.check(f'input[name="q-{question}"][value="{choice}"]')
    follow(page.locator('form[action$="/quiz"] button'))
    page.locator("#result").evaluate("result => result.scrollIntoView()")
    if language == "fr":
        keep_screenshot(page, "quiz-result-fr")
    checker.check(page, "quiz result")
    checker.check(page, "forbidden", "/admin/users", 403)


def english_learner_pages(checker: Checker, page) -> None:
    """The learner's main pages again in English, chosen with the language switch."""
    site = checker.site
    page.goto(f"{site.url}/my")
    follow(page.locator('.lang-switch button[value="en"]'))
    for name, path in [
        ("catalogue", "/courses"),
        ("course (enrolled)", site.course_url),
        ("reading", f"{site.course_url}/mindset/public-problem"),
        ("my learning", "/my"),
    ]:
        checker.check(page, name, path, language="en")


def staff_pages(checker: Checker, page, tmp_path: Path) -> None:
    """The trainer's and the administrator's pages, and what they look like after an action."""
    site, french = checker.site, checker.language == "fr"
    log_in(page, site, site.staff.email)
    cohort = f"/cohorts/{site.cohort.id}"
    attendance = f"{cohort}/sessions/{site.session_id}/attendance"
    for name, path in [
        ("cohort list", "/cohorts"),
        ("new cohort", "/cohorts/new"),
        ("dashboard", cohort),
        ("edit cohort", f"{cohort}/edit"),
        ("learner's progress", f"{cohort}/learners/{site.enrolment_id}"),
        ("announcements", f"{cohort}/announcements"),
        ("join poster", f"{cohort}/poster"),
        ("sessions", f"{cohort}/sessions"),
        ("attendance", attendance),
        ("review queue", "/reviews"),
        ("review", f"/reviews/{site.submission_id}"),
        ("admin users", "/admin/users"),
        ("admin user", f"/admin/users/{site.learner_id}"),
        ("outbox", "/admin/outbox"),
        ("xAPI outbox", "/admin/xapi"),
        ("push outbox", "/admin/push"),
        ("LTI platforms", "/admin/lti/platforms"),
        ("new LTI platform", "/admin/lti/platforms/new"),
        ("LTI registration links", "/admin/lti/platforms/registration-links"),
        ("LTI scores", "/admin/lti/scores"),
        ("admin certificates", "/admin/certificates"),
        ("admin certificate", f"/admin/certificates/{site.serial}"),
        ("issue a certificate", "/admin/certificates/issue"),
        ("bulk certificates", "/admin/certificates/bulk"),
        ("admin packs", "/admin/packs"),
        ("add a SCORM package", "/admin/scorm"),
        ("jobs", "/admin/jobs"),
        ("job", f"/admin/jobs/{site.job_id}"),
        ("roster import", f"{cohort}/roster"),
    ]:
        checker.check(page, name, path)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "nom;courriel\nOmar Chakiri;omar@example.org\nSans courriel;pas-une-adresse\n"
    )
    page.set_input_files("#file", str(roster))
    follow(page.locator("main form button[type=submit]"))
    page.wait_for_selector("table.roster")
    checker.check(page, "roster preview with an error")
    page.goto(f"{site.url}/admin/packs")
    page.set_input_files("#pack", str(zip_of(MINIMAL_PACK, tmp_path / "minimal.zip")))
    follow(page.locator('form[action$="/admin/packs/upload"] button[type=submit]'))
    page.wait_for_selector("main pre")  # the check's report
    checker.check(page, "pack check and preview")
    page.goto(site.url + attendance)
    page.locator(".toggle label.present").first.click()
    page.locator(".toggle label.absent").last.click()
    follow(page.locator(".save-bar button"))
    page.wait_for_selector(".flash-success")
    checker.check(page, "attendance saved")
    if french:
        keep_screenshot(page, "attendance-phone-fr")
        page.goto(site.url + cohort)
        page.locator("#filters-title").evaluate("title => title.scrollIntoView()")
        keep_screenshot(page, "dashboard-fr")
        site.certificate_png(tmp_path)
    page.goto(f"{site.url}/admin/certificates/{site.serial}")
    page.fill("#revoke-reason", "Vérification")
    follow(page.locator('form[action$="/revoke"] button'))
    page.wait_for_selector(".badge.revoked")
    checker.check(page, "revoked certificate")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_main_pages_have_no_serious_accessibility_violation(
    app, live_server, new_page, make_user, make_course, language, tmp_path
):
    site = Site(app, live_server, make_user, language)
    app.config["LMS_GLOSSARY_PATH"] = str(GLOSSARY)
    make_course(slug="video-course", modules=VIDEO_MODULES)  # the packs have no video lesson
    checker = Checker(site, language)

    def browser_page():
        """A page asking for the language, that reaches this site only (not the video's host)."""
        page = new_page(locale=language)
        page.route(lambda url: not url.startswith(live_server), lambda route: route.abort())
        return page

    visitor = browser_page()
    visitor_pages(checker, visitor, tmp_path)
    learner = browser_page()
    learner_pages(checker, learner)
    if language == "fr":  # once is enough: English is laid out like French
        english_learner_pages(checker, learner)
    staff_pages(checker, browser_page(), tmp_path)
    checker.check(visitor, "verify a revoked certificate", f"/verify/{site.serial}")
    assert checker.problems == [], "\n".join(checker.problems)
