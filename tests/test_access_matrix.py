"""The access matrix: every URL rule of the app × every kind of visitor → the expected status.

How it works
------------
``EXPECTED`` maps each endpoint to one ``Case`` (or a tuple of cases, when an endpoint has several
URL rules, like ``/join`` and ``/join/<code>``, or a rule takes both GET and POST). A case says how
to build the URL from a ``World`` (the objects of one check, created on first use), which method to
use, optional form data, and the status expected for each of the six roles:

    anonymous      nobody logged in
    learner        a learner who owns the objects (enrolled in cohort A, its submission, ...)
    other_learner  another learner of the same course, in cohort B: owns none of them
    other_member   another learner of cohort A, in another circle than the learner's: owns none
    trainer        the trainer of cohort A (the learner's cohort)
    other_trainer  the trainer of cohort B
    admin          an administrator (administrator role only)

``LOGIN`` means "302 to the login page"; a number is the exact status (302 = a redirect elsewhere).
CSRF is off here (tests/lms/test_security.py checks it on every POST rule).

A POST that does not get through (a refused role: ``LOGIN``, 401, 403, 404; or a role left out of
the case's ``changed_by``) must leave the database as it was: no table gains or loses a row. A case with
a ``state`` (what a request that gets through changes: the learner's roles, the cohort's name...)
is read before and after each request: it must change for the roles that get through and stay the
same for all the others. So a POST's form data must be valid: the refusal is what stops it.

``test_every_url_rule_has_an_entry`` FAILS when a URL rule of the app (static files aside) has no
case for one of its methods (GET and POST are both checked on a rule that takes both), or a case
points at a rule that no longer exists. So, when you add a view:

1. if it needs an object, add a factory (``@factory("cohort_session")``) that builds it from other
   world objects so that the roles above own it as they should (``world.get("cohort_a")``...);
2. add ``"blueprint.endpoint": Case(lambda w: w.url("blueprint.endpoint", id=w.get("thing").id),
   admins())`` — the helpers ``everyone``, ``members``, ``admins`` and ``roles`` write the table;
3. if its rule takes POST, add a POST case with valid form data and a ``state`` it changes.

Worlds: GET requests must not change anything, so all GET checks of a blueprint share one world.
A POST check gets a world of its own, and after a role that gets through (see ``changed_by``) the
next role starts from a fresh one: what one role does (enrol, deactivate, revoke...)
never changes what the next role sees, and refused roles cost no extra objects.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from certificates.models import Certificate
from curriculum.db import db
from curriculum.models import CourseAsset
from lms.audit.models import AuditEvent
from lms.circles.milestone_models import MilestoneDue, TeamSubmission
from lms.circles.models import Circle, CircleMember, CircleSettings, Project, ProjectAlly
from lms.cohorts.models import Cohort, CohortInvitation, PrerequisiteWaiver, RosterImport
from lms.learning import operations as learning
from lms.learning.models import Enrolment, Submission
from lms.mail.models import OutboxMessage
from lms.messages.models import Announcement
from lms.offline.models import OfflineAction
from lms.offline.operations import user_key
from lms.push.models import PushMessage, PushSubscription
from lms.sessions.models import Attendance, CohortSession
from lms.users.local_login import make_email_token
from lms.users.models import User
from lms.users.operations import create_user, make_reset_token
from tests.clients import IsolatedClient
from tests.conftest import PASSWORD

ROLES = (
    "anonymous",
    "learner",
    "other_learner",
    "other_member",
    "trainer",
    "other_trainer",
    "admin",
)
ROLE_GRANTS = {
    "learner": ("learner",),
    "other_learner": ("learner",),
    "other_member": ("learner",),
    "trainer": ("trainer",),
    "other_trainer": ("trainer",),
    "admin": ("admin",),
}
LOGIN = "login"
REFUSED = (LOGIN, 401, 403, 404)  # refused before anything is done
Expected = dict[str, "int | str"]


# -- the table's vocabulary ----------------------------------------------------------------------


def everyone(status: int = 200) -> Expected:
    return dict.fromkeys(ROLES, status)


def members(status: int = 200) -> Expected:
    """Any logged-in user; anonymous visitors are sent to the login page."""
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], status)}


def admins(status: int = 200) -> Expected:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:-1], 403), "admin": status}


def roles(**statuses: int | str) -> Expected:
    """Every role spelt out (the test checks that none is missing)."""
    return statuses


@dataclass(frozen=True)
class Case:
    url: Callable[[World], str]
    expected: Expected
    method: str = "GET"
    data: Callable[[World], dict] | None = None
    #: what a request that gets through changes, read before and after each request
    state: Callable[[World], object] | None = None
    #: the roles whose request gets through (by default: those not refused); for a page that
    #: answers 302 to everyone, like /register, only some of them really do something
    changed_by: tuple[str, ...] | None = None
    #: a JSON body instead of form data (the offline queue)
    json: Callable[[World], object] | None = None

    def gets_through(self, role: str) -> bool:
        if self.changed_by is not None:
            return role in self.changed_by
        return self.expected[role] not in REFUSED

    def may_change_things_for(self, role: str) -> bool:
        """Whether this request, made as ``role``, can change what the next role would see."""
        return self.method != "GET" and self.gets_through(role)


# -- the objects of one check --------------------------------------------------------------------

FACTORIES: dict[str, Callable[[World], object]] = {}


def factory(name: str):
    def register(build: Callable[[World], object]):
        FACTORIES[name] = build
        return build

    return register


class World:
    """Users for each role and the objects they own, created on first use and then kept.

    Objects are only flushed; ``check`` commits once, before the request (each commit of a
    SQLite file costs a disk sync).
    """

    counter = 0

    def __init__(self, make_course: Callable):
        World.counter += 1
        self.number = World.counter
        self.make_course = make_course
        self._objects: dict[str, object] = {}

    def user(self, role: str):
        key = "user:" + role
        if key not in self._objects:
            email = f"{role.replace('_', '-')}.{self.number}@example.org"
            self._objects[key] = create_user(
                email, role.replace("_", " ").title(), None, ROLE_GRANTS[role]
            )
        return self._objects[key]

    def get(self, name: str):
        if name not in self._objects:
            self._objects[name] = FACTORIES[name](self)
            db.session.flush()
        return self._objects[name]

    @staticmethod
    def url(endpoint: str, **values) -> str:
        return url_for(endpoint, _external=False, **values)


@factory("course")
def _course(world: World):
    """The test course (tests/conftest.py): reading, quiz, assignment, session; not sequential."""
    return world.make_course(slug=f"civics-{world.number}", sequential=False)


def _cohort(world: World, letter: str, trainer: str, learner: str) -> Cohort:
    course = world.get("course")
    cohort = Cohort(
        course_id=course.id,
        name=f"Cohort {letter}",
        territory="Taounate",
        join_code=f"{letter}{world.number:07d}",
        trainers=[world.user(trainer)],
    )
    db.session.add(cohort)
    db.session.flush()
    learning.enrol(world.user(learner), course, cohort)
    return cohort


@factory("cohort_a")
def _cohort_a(world: World):
    cohort = _cohort(world, "A", "trainer", "learner")
    learning.enrol(world.user("other_member"), world.get("course"), cohort)
    return cohort


@factory("cohort_b")
def _cohort_b(world: World):
    return _cohort(world, "B", "other_trainer", "other_learner")


@factory("enrolments")
def _enrolments(world: World):
    """Both cohorts: the learner in A (trained by trainer), other_learner in B (other_trainer)."""
    world.get("cohort_a")
    world.get("cohort_b")
    course = world.get("course")
    return {role: learning.enrol(world.user(role), course) for role in ("learner", "other_learner")}


def _lesson(world: World, slug: str):
    world.get("enrolments")
    return next(
        lesson
        for module in world.get("course").modules
        for lesson in module.lessons
        if lesson.slug == slug
    )


def lesson_url(endpoint: str, slug: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        lesson = _lesson(world, slug)
        return world.url(
            endpoint,
            course_slug=world.get("course").slug,
            module_slug=lesson.module.slug,
            lesson_slug=lesson.slug,
        )

    return build


@factory("submission")
def _submission(world: World):
    """The learner's handed-in assignment, with a PDF."""
    enrolment = world.get("enrolments")["learner"]
    upload = FileStorage(io.BytesIO(b"%PDF-1.4\n% field notes\n"), filename="field-notes.pdf")
    return learning.submit_assignment(
        enrolment, _lesson(world, "field-work"), "My field notes", upload
    )


@factory("asset")
def _asset(world: World):
    asset = CourseAsset(
        course_id=world.get("course").id,
        path="assets/map.png",
        mimetype="image/png",
        sha256="0" * 64,
        data=b"\x89PNG",
    )
    db.session.add(asset)
    return asset


@factory("certificate")
def _certificate(world: World):
    """The learner's certificate (issued by an administrator, without waiting for completion)."""
    from certificates import operations as certificates

    enrolment = world.get("enrolments")["learner"]
    return certificates.issue_for_enrolment(
        enrolment, world.user("admin"), force=True, reason="Access matrix"
    )


@factory("cohort_session")
def _cohort_session(world: World):
    """An in-person session of cohort A (the learner's), on the course's session lesson."""
    session = CohortSession(
        cohort_id=world.get("cohort_a").id,
        lesson_id=_lesson(world, "meeting").id,
        starts_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    db.session.add(session)
    return session


@factory("roster_import")
def _roster_import(world: World):
    """A roster uploaded for cohort A by its trainer, waiting for confirmation."""
    row = {
        "row": 2,
        "name": "New Learner",
        "email": f"new.{world.number}@example.org",
        "language": None,
        "error": None,
    }
    roster = RosterImport(
        cohort_id=world.get("cohort_a").id, created_by_id=world.user("trainer").id, rows=[row]
    )
    db.session.add(roster)
    return roster


@factory("lti_platform")
def _lti_platform(world: World):
    """A platform registered by hand (Admin › LTI platforms)."""
    from lms.lti.models import LtiPlatform

    platform = LtiPlatform(**_lti_platform_form(world), registered_by="manual", enabled=True)
    platform.deployment_ids = ["1"]
    platform.frame_origins = []
    db.session.add(platform)
    return platform


def _lti_platform_form(world: World, client_id: str | None = None) -> dict:
    return {
        "name": "Moodle",
        "issuer": f"https://moodle-{world.number}.example.org",
        "client_id": client_id or "client-1",
        "deployment_ids": "1",
        "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
        "auth_token_url": "https://moodle.example.org/mod/lti/token.php",
        "key_set_url": "https://moodle.example.org/mod/lti/certs.php",
    }


@factory("lti_score_failed")
def _lti_score_failed(world: World):
    """The learner's score that the platform did not take (to send again). Another sender has
    claimed it for its next try, so the sender a request wakes leaves it alone (no HTTP here)."""
    from datetime import timedelta

    from curriculum.db import utcnow
    from lms.lti.grade_models import LtiScore

    row = LtiScore(platform_id=world.get("lti_platform").id, user_id=world.user("learner").id,
                   subject="user-1", lineitem_url="https://moodle.example.org/lineitems/1",
                   score_given=80, score_maximum=100, activity_progress="Completed",
                   grading_progress="FullyGraded", status="queued", attempts=1,
                   last_error="LtiServiceException: HTTP 503", claimed_by="another-sender",
                   claimed_until=utcnow() + timedelta(hours=1))  # fmt: skip
    db.session.add(row)
    return row


def lti_score_attempts(world: World) -> int:
    from lms.lti.grade_models import LtiScore

    return column(LtiScore, "attempts", id=world.get("lti_score_failed").id)


@factory("lti_registration_link")
def _lti_registration_link(world: World):
    """A Dynamic Registration link an administrator created, still waiting for the platform."""
    from lms.lti.platforms.operations import create_registration_link

    link, _token = create_registration_link(world.user("admin"), "Moodle")
    return link


def lti_registration_links_count(world: World) -> int:
    from lms.lti.models import LtiRegistrationLink

    return db.session.scalar(select(func.count()).select_from(LtiRegistrationLink))


def lti_platforms_count(world: World) -> int:
    from lms.lti.models import LtiPlatform

    return db.session.scalar(select(func.count()).select_from(LtiPlatform))


@factory("invitation")
def _invitation(world: World):
    """The other trainer's roster invited the learner (of cohort A) to cohort B."""
    item = CohortInvitation(
        cohort_id=world.get("cohort_b").id,
        user_id=world.user("learner").id,
        invited_by_id=world.user("other_trainer").id,
    )
    db.session.add(item)
    return item


@factory("announcement")
def _announcement(world: World):
    item = Announcement(
        cohort_id=world.get("cohort_a").id,
        author_id=world.user("trainer").id,
        title="Saturday",
        body="Hi",
        body_html="<p>Hi</p>",
    )
    db.session.add(item)
    return item


@factory("cohort_a2")
def _cohort_a2(world: World):
    """A second cohort of the course, also trained by the trainer (to move the learner into)."""
    cohort = Cohort(
        course_id=world.get("course").id,
        name="Cohort A2",
        join_code=f"C{world.number:07d}",
        trainers=[world.user("trainer")],
    )
    db.session.add(cohort)
    return cohort


@factory("job")
def _job(world: World):
    """A bulk issuance for cohort A, recorded but never handed to a runner (it stays queued)."""
    from lms.jobs.models import Job

    job = Job(
        kind="certificates.issue",
        params={"cohort_id": world.get("cohort_a").id},
        subject="Cohort A",
    )
    db.session.add(job)
    return job


@factory("scorm_lesson")
def _scorm_lesson(world: World):
    """A scorm lesson in the course's first module, its package stored (a page, no manifest:
    the runtime's URLs read the lesson's settings and the package's files, nothing more)."""
    from curriculum.models import Lesson
    from curriculum.scorm import package_folder

    world.get("enrolments")
    sha256 = f"{world.number:064x}"
    folder = package_folder(sha256)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("<html><head></head><body>Water</body></html>")
    module = world.get("course").modules[0]
    lesson = Lesson(
        course_id=world.get("course").id,
        module=module,
        slug="water",
        position=99,
        kind="scorm",
        minutes=10,
        titles={"fr": "L'eau", "en": "Water"},
        bodies={},
        settings={
            "scorm": {
                "sha256": sha256,
                "version": "1.2",
                "launch": "index.html",
                "edition": "SCORM 1.2",
            }
        },
        content_hash="x",
    )
    db.session.add(lesson)
    return lesson


def scorm_content_url(world: World) -> str:
    from lms.scorm.content import Grant, content_url

    lesson = world.get("scorm_lesson")
    enrolment = world.get("enrolments")["learner"]
    grant = Grant(
        world.user("learner").id,
        enrolment.id,
        lesson.id,
        1,
        lesson.settings["scorm"]["sha256"],
        "1.2",
    )
    return content_url(grant, "index.html")


def scorm_url(endpoint: str, **values) -> Callable[[World], str]:
    return lambda w: w.url(endpoint, lesson_id=w.get("scorm_lesson").id, **values)


def scorm_commit(world: World) -> str:
    return json.dumps(
        {"session": f"s{world.number}", "sequence": 1, "cmi": {"core": {"lesson_location": "2"}}}
    )


def scorm_attempts(world: World) -> int:
    from lms.scorm.models import ScormAttempt

    return count(ScormAttempt, lesson_id=world.get("scorm_lesson").id)


@factory("passwords")
def _passwords(world: World):
    """Every role's user can log in with PASSWORD."""
    for role in ROLES[1:]:
        world.user(role).set_password(PASSWORD)
    return True


def job_url(endpoint: str) -> Callable[[World], str]:
    return lambda w: w.url(endpoint, job_id=w.get("job").id)


def cohort_url(endpoint: str, *objects: str, **ids: str) -> Callable[[World], str]:
    """A URL of cohort A; ``ids`` name the other URL values (``session_id="cohort_session"``)."""

    def build(world: World) -> str:
        for name in objects:
            world.get(name)
        values = {key: world.get(name).id for key, name in ids.items()}
        return world.url(endpoint, cohort_id=world.get("cohort_a").id, **values)

    return build


def learner_url(endpoint: str) -> Callable[[World], str]:
    return lambda w: w.url(
        endpoint, cohort_id=w.get("cohort_a").id, enrolment_id=w.get("enrolments")["learner"].id
    )


def certificate_url(endpoint: str) -> Callable[[World], str]:
    return lambda w: w.url(endpoint, serial=w.get("certificate").serial)


def page(endpoint: str, *objects: str) -> Callable[[World], str]:
    """A URL without arguments, once ``objects`` exist (so that the page has something to show)."""

    def build(world: World) -> str:
        for name in objects:
            world.get(name)
        return world.url(endpoint)

    return build


def course_url(endpoint: str, *objects: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        for name in objects:
            world.get(name)
        return world.url(endpoint, course_slug=world.get("course").slug)

    return build


def asset_url(world: World) -> str:
    world.get("asset")
    return world.url("lms_learning.asset", course_slug=world.get("course").slug, path="map.png")


# -- what a POST that gets through changes (read in the database, never from the world's objects)


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def column(model, name: str, **where):
    return db.session.scalar(select(getattr(model, name)).filter_by(**where))


def roles_of(user_id: int) -> list[str]:
    return sorted(db.session.get(User, user_id).roles)


def users_column(name: str) -> Callable[[World], list]:
    """``name`` of every logged-in role's user (each role changes its own account)."""
    return lambda w: [column(User, name, id=w.user(role).id) for role in ROLES[1:]]


def course_enrolments(world: World) -> list[tuple[int, int | None]]:
    """(user, cohort) of every enrolment in the course: joining adds one or moves one."""
    rows = db.session.execute(
        select(Enrolment.user_id, Enrolment.cohort_id).where(
            Enrolment.course_id == world.get("course").id
        )
    )
    return sorted(tuple(row) for row in rows)


def row_counts() -> dict[str, int]:
    """The number of rows of every table, in one query."""
    tables = db.metadata.sorted_tables
    query = select(
        *(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables)
    )
    return dict(db.session.execute(query).one()._mapping)


def offline_queue(world: World) -> dict:
    """The learner's phone sends "mark as done" made offline: applied for her; for anyone else
    it is another account's item, answered as refused and not kept."""
    return {
        "items": [
            {
                "key": f"matrix-{world.number}",
                "user": user_key(world.user("learner")),
                "kind": "done",
                "lesson": f"{world.get('course').slug}/basics/intro",
                "occurred_at": "2026-03-02T09:00:00Z",
                "data": {},
            }
        ]
    }


def push_subscription(world: World) -> dict:
    """A browser's subscription (a P-256 key of the test's own; the push service is never
    called: nothing is queued for it here)."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {
        "endpoint": f"http://127.0.0.1:9/push/matrix-{world.number}",
        "keys": {"p256dh": encode(point), "auth": encode(b"0123456789abcdef")},
    }


@factory("learner_push_subscription")
def _learner_push_subscription(world: World):
    data = push_subscription(world)
    subscription = PushSubscription(
        user_id=world.user("learner").id,
        endpoint=data["endpoint"],
        p256dh=data["keys"]["p256dh"],
        auth=data["keys"]["auth"],
    )
    db.session.add(subscription)
    return subscription


@factory("push_refused")
def _push_refused(world: World):
    """A notification to the learner's browser that its push service refused (to send again)."""
    row = PushMessage(
        user_id=world.user("learner").id,
        subscription_id=world.get("learner_push_subscription").id,
        payload={"title": "Atelier", "body": "Samedi", "url": "/", "lang": "fr", "dir": "ltr"},
        status="rejected",
        attempts=1,
        error="127.0.0.1 answered 400 Bad Request",
    )
    db.session.add(row)
    return row


def module_download_url(world: World) -> str:
    world.get("enrolments")
    return world.url(
        "lms_offline.module_download", course_slug=world.get("course").slug, module_slug="basics"
    )


def join_data(world: World) -> dict:
    return {"code": world.get("cohort_a").join_code}


_EMAILS = iter(range(1, 10**6))


def _email_token(world: World) -> str:
    """A link giving the learner's account a new address (a new one each time: a link works once)."""
    return make_email_token(world.user("learner"), f"confirmed{next(_EMAILS)}@example.org")


def new_password(world: World) -> dict:
    return {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}


# -- the table ----------------------------------------------------------------------------------

#: pages of cohort A: its trainer and administrators; another trainer is refused (403)
COHORT_STAFF = roles(
    anonymous=LOGIN,
    learner=403,
    other_learner=403,
    other_member=403,
    trainer=200,
    other_trainer=403,
    admin=200,
)
#: pages of every trainer (each sees their own cohorts on them)
STAFF = roles(
    anonymous=LOGIN,
    learner=403,
    other_learner=403,
    other_member=403,
    trainer=200,
    other_trainer=200,
    admin=200,
)


def invited_only(status: int = 200) -> Expected:
    return roles(anonymous=LOGIN, learner=status, other_learner=404, other_member=404, trainer=404,
                 other_trainer=404, admin=404)  # fmt: skip


INVITED_ONLY = invited_only()


def cohort_staff(status: int) -> Expected:
    return {**COHORT_STAFF, "trainer": status, "admin": status}


#: who joins cohort A with its code (the learner and other_member are in it already)
JOINERS = ("other_learner", "trainer", "other_trainer", "admin")

LEARNERS_ONLY = roles(
    anonymous=LOGIN,
    learner=302,
    other_learner=302,
    other_member=302,
    trainer=403,
    other_trainer=403,
    admin=403,
)  # progress is recorded for enrolled learners; trainers and admins are not enrolled

EXPECTED: dict[str, Case | tuple[Case, ...]] = {
    # site-wide
    "lms_core.index": Case(page("lms_core.index"), everyone()),
    "lms_core.healthz": Case(page("lms_core.healthz"), everyone()),
    "lms_glossary.index": Case(page("lms_glossary.index"), everyone()),
    "lms_core.set_language": Case(
        lambda w: w.url("lms_core.set_language"),
        everyone(302),
        "POST",
        lambda w: {"language": "en"},
    ),
    # accounts: /register and /login send a logged-in user home, whatever the form says
    "lms_users.register": (
        Case(page("lms_users.register"), {**everyone(302), "anonymous": 200}),
        Case(
            page("lms_users.register"),
            everyone(302),
            "POST",
            lambda w: {
                "name": "Salma Bennani",
                "email": f"registered.{w.number}@example.org",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "locale": "en",
            },
            state=lambda w: count(User, email=f"registered.{w.number}@example.org"),
            changed_by=("anonymous",),
        ),
    ),
    "lms_users.login": (
        Case(page("lms_users.login"), {**everyone(302), "anonymous": 200}),
        Case(
            page("lms_users.login", "passwords"),
            everyone(302),
            "POST",
            lambda w: {"email": w.user("learner").email, "password": PASSWORD},
            state=lambda w: column(User, "last_login_at", id=w.user("learner").id),
            changed_by=("anonymous",),
        ),
    ),
    "lms_users.logout": Case(page("lms_users.logout"), everyone(302), "POST"),
    "lms_users.logout_everywhere": Case(
        page("lms_users.logout_everywhere"),
        members(302),
        "POST",
        state=users_column("session_token"),
    ),
    "lms_users.profile": (
        Case(page("lms_users.profile"), members()),
        Case(
            page("lms_users.profile"),
            members(302),
            "POST",
            lambda w: {"name": "A New Name", "locale": "en"},
            state=users_column("name"),
        ),
    ),
    "lms_users.change_password": (
        Case(page("lms_users.change_password"), members()),
        Case(
            page("lms_users.change_password", "passwords"),
            members(302),
            "POST",
            lambda w: {"current": PASSWORD, **new_password(w)},
            state=users_column("password_hash"),
        ),
    ),
    "lms_users.forgot_password": (
        Case(page("lms_users.forgot_password"), everyone()),
        Case(  # anyone may ask for the link (mailed to the account), then goes to the login page
            page("lms_users.forgot_password"),
            everyone(LOGIN),
            "POST",
            lambda w: {"email": w.user("learner").email},
            state=lambda w: count(OutboxMessage),
            changed_by=ROLES,
        ),
    ),
    "lms_users.reset_password": (
        Case(
            lambda w: w.url("lms_users.reset_password", token=make_reset_token(w.user("learner"))),
            everyone(),
        ),
        Case(  # whoever holds the mailed link sets the password, then goes to the login page
            lambda w: w.url("lms_users.reset_password", token=make_reset_token(w.user("learner"))),
            everyone(LOGIN),
            "POST",
            new_password,
            state=lambda w: column(User, "password_hash", id=w.user("learner").id),
            changed_by=ROLES,
        ),
    ),
    # an account that has an address is refused another one (the form is for accounts a
    # platform made without one): nothing is mailed
    "lms_users.add_email": Case(
        page("lms_users.add_email"),
        members(400),
        "POST",
        lambda w: {"email": "someone.new@example.org"},
        state=lambda w: count(OutboxMessage),
        changed_by=(),
    ),
    "lms_users.confirm_email": (
        Case(lambda w: w.url("lms_users.confirm_email", token=_email_token(w)), everyone()),
        Case(  # whoever holds the mailed link confirms it (the token is the key), then chooses a
            # password (the table's accounts have none)
            lambda w: w.url("lms_users.confirm_email", token=_email_token(w)),
            everyone(302),
            "POST",
            lambda w: {},
            state=lambda w: column(User, "email", id=w.user("learner").id),
            changed_by=ROLES,
        ),
    ),
    "lms_users.admin_users": Case(page("lms_users.admin_users"), admins()),
    "lms_users.admin_user": (
        Case(lambda w: w.url("lms_users.admin_user", user_id=w.user("learner").id), admins()),
        Case(  # the learner made a trainer
            lambda w: w.url("lms_users.admin_user", user_id=w.user("learner").id),
            admins(302),
            "POST",
            lambda w: {"roles": ["learner", "trainer"]},
            state=lambda w: roles_of(w.user("learner").id),
        ),
    ),
    "lms_users.admin_deactivate": Case(
        lambda w: w.url("lms_users.admin_deactivate", user_id=w.user("learner").id),
        admins(302),
        "POST",
        state=lambda w: column(User, "active", id=w.user("learner").id),
    ),
    "lms_users.admin_reactivate": Case(
        lambda w: w.url("lms_users.admin_reactivate", user_id=w.user("learner").id),
        admins(302),
        "POST",
    ),
    "lms_users.admin_outbox": Case(page("lms_users.admin_outbox"), admins()),
    # learning
    "lms_learning.catalogue": Case(page("lms_learning.catalogue", "course"), everyone()),
    "lms_learning.course": Case(course_url("lms_learning.course", "enrolments"), everyone()),
    "lms_learning.enrol": Case(course_url("lms_learning.enrol"), members(302), "POST"),
    "lms_learning.asset": Case(asset_url, everyone()),
    "lms_learning.lesson": Case(lesson_url("lms_learning.lesson", "intro"), members()),
    "lms_learning.mark_done": Case(
        lesson_url("lms_learning.mark_done", "intro"), LEARNERS_ONLY, "POST"
    ),
    "lms_learning.submit_quiz": Case(
        lesson_url("lms_learning.submit_quiz", "check"),
        LEARNERS_ONLY,
        "POST",
        lambda w: {
            "lesson": _lesson(w, "check").id,
            "attempt": "1",
            "q-q1": "a",
            "q-q2": ["a", "b"],
            "q-q3": "true",
        },
    ),
    "lms_learning.submit_assignment": Case(
        lesson_url("lms_learning.submit_assignment", "field-work"),
        LEARNERS_ONLY,
        "POST",
        lambda w: {"text": "What I found in my neighbourhood"},
    ),
    "lms_learning.submission_file": Case(
        lambda w: w.url("lms_learning.submission_file", submission_id=w.get("submission").id),
        roles(
            anonymous=LOGIN,
            learner=200,
            other_learner=404,
            other_member=404,
            trainer=200,
            other_trainer=404,
            admin=200,
        ),
    ),
    "lms_learning.join": (
        Case(page("lms_learning.join"), members()),
        Case(lambda w: w.url("lms_learning.join", code=w.get("cohort_a").join_code), members()),
        # the code of cohort A: the learner and other_member are in it already; other_learner
        # moves from cohort B; trainers and administrators join it as learners
        Case(
            page("lms_learning.join", "cohort_a", "cohort_b"),
            members(302),
            "POST",
            join_data,
            state=course_enrolments,
            changed_by=JOINERS,
        ),
        Case(
            lambda w: w.url("lms_learning.join", code=w.get("cohort_a").join_code),
            members(302),
            "POST",
            join_data,
            state=course_enrolments,
            changed_by=JOINERS,
        ),
    ),
    "lms_learning.my_learning": Case(page("lms_learning.my_learning", "enrolments"), members()),
    # cohorts (trainers): another trainer is refused on every URL of cohort A
    "lms_cohorts.cohort_list": Case(page("lms_cohorts.cohort_list", "cohort_a", "cohort_b"), STAFF),
    "lms_cohorts.create": (
        Case(page("lms_cohorts.create", "course"), STAFF),
        Case(
            page("lms_cohorts.create"),
            {**STAFF, "trainer": 302, "other_trainer": 302, "admin": 302},
            "POST",
            lambda w: {  # a trainer must keep themselves among the trainers: both are
                "name": "Cohort N",
                "course": w.get("course").id,
                "trainers": [w.user("trainer").id, w.user("other_trainer").id],
            },
            state=lambda w: count(Cohort, course_id=w.get("course").id),
        ),
    ),
    "lms_cohorts.dashboard": Case(cohort_url("lms_cohorts.dashboard", "enrolments"), COHORT_STAFF),
    "lms_cohorts.edit": (
        Case(cohort_url("lms_cohorts.edit"), COHORT_STAFF),
        Case(
            cohort_url("lms_cohorts.edit"),
            cohort_staff(302),
            "POST",
            lambda w: {"name": "Cohort A (Saturdays)", "trainers": [w.user("trainer").id]},
            state=lambda w: column(Cohort, "name", id=w.get("cohort_a").id),
        ),
    ),
    "lms_cohorts.poster": Case(cohort_url("lms_cohorts.poster"), COHORT_STAFF),
    "lms_cohorts.renew_code": Case(
        cohort_url("lms_cohorts.renew_code"),
        cohort_staff(302),
        "POST",
        state=lambda w: column(Cohort, "join_code", id=w.get("cohort_a").id),
    ),
    "lms_cohorts.export": Case(cohort_url("lms_cohorts.export", "enrolments"), COHORT_STAFF),
    "lms_cohorts.learner": Case(learner_url("lms_cohorts.learner"), COHORT_STAFF),
    "lms_cohorts.move": Case(
        learner_url("lms_cohorts.move"),
        cohort_staff(302),
        "POST",
        lambda w: {"target": w.get("cohort_a2").id},
        state=lambda w: column(Enrolment, "cohort_id", id=w.get("enrolments")["learner"].id),
    ),
    "lms_cohorts.roster_upload": (
        Case(cohort_url("lms_cohorts.roster_upload"), COHORT_STAFF),
        Case(
            cohort_url("lms_cohorts.roster_upload"),
            cohort_staff(302),
            "POST",
            lambda w: {
                "file": (io.BytesIO(b"nom;courriel\nSalma;salma@example.org\n"), "roster.csv")
            },
            state=lambda w: count(RosterImport, cohort_id=w.get("cohort_a").id),
        ),
    ),
    "lms_cohorts.roster_preview": Case(
        cohort_url("lms_cohorts.roster_preview", import_id="roster_import"), COHORT_STAFF
    ),
    "lms_cohorts.roster_confirm": Case(
        cohort_url("lms_cohorts.roster_confirm", import_id="roster_import"),
        cohort_staff(302),
        "POST",
        lambda w: {"digest": w.get("roster_import").digest},
        state=lambda w: count(CohortInvitation, cohort_id=w.get("cohort_a").id),
    ),
    # a roster's invitation: only the invited person (the learner, to cohort B) sees and answers it
    "lms_cohorts.invitation": Case(
        lambda w: w.url("lms_cohorts.invitation", invitation_id=w.get("invitation").id),
        INVITED_ONLY,
    ),
    "lms_cohorts.invitation_accept": Case(
        lambda w: w.url("lms_cohorts.invitation_accept", invitation_id=w.get("invitation").id),
        invited_only(302),
        "POST",
        state=lambda w: column(CohortInvitation, "accepted_at", id=w.get("invitation").id),
    ),
    "lms_cohorts.invitation_decline": Case(
        lambda w: w.url("lms_cohorts.invitation_decline", invitation_id=w.get("invitation").id),
        invited_only(302),
        "POST",
        state=lambda w: column(CohortInvitation, "declined_at", id=w.get("invitation").id),
    ),
    "lms_sessions.sessions": (
        Case(cohort_url("lms_sessions.sessions", "cohort_session"), COHORT_STAFF),
        Case(
            cohort_url("lms_sessions.sessions"),
            cohort_staff(302),
            "POST",
            lambda w: {
                "lesson": _lesson(w, "meeting").id,
                "day": "2026-04-01",
                "time": "10:00",
                "place": "Dar Chabab",
            },
            state=lambda w: count(CohortSession, cohort_id=w.get("cohort_a").id),
        ),
    ),
    "lms_sessions.edit_session": (
        Case(cohort_url("lms_sessions.edit_session", session_id="cohort_session"), COHORT_STAFF),
        Case(
            cohort_url("lms_sessions.edit_session", session_id="cohort_session"),
            cohort_staff(302),
            "POST",
            lambda w: {"day": "2026-04-02", "time": "14:00", "place": "Maison des jeunes"},
            state=lambda w: column(CohortSession, "place", id=w.get("cohort_session").id),
        ),
    ),
    "lms_sessions.cancel_session": Case(  # no attendance taken yet: it can be cancelled
        cohort_url("lms_sessions.cancel_session", session_id="cohort_session"),
        cohort_staff(302),
        "POST",
        state=lambda w: count(CohortSession, cohort_id=w.get("cohort_a").id),
    ),
    "lms_sessions.attendance": (
        Case(cohort_url("lms_sessions.attendance", session_id="cohort_session"), COHORT_STAFF),
        Case(
            cohort_url("lms_sessions.attendance", session_id="cohort_session"),
            cohort_staff(302),
            "POST",
            lambda w: {f"a-{w.get('enrolments')['learner'].id}": "present"},
            state=lambda w: count(Attendance, session_id=w.get("cohort_session").id),
        ),
    ),
    "lms_messages.announcements": (
        Case(cohort_url("lms_messages.announcements", "announcement"), COHORT_STAFF),
        Case(
            cohort_url("lms_messages.announcements", "enrolments"),
            cohort_staff(302),
            "POST",
            lambda w: {"title": "Saturday", "body": "See you at **9**."},
            state=lambda w: count(Announcement, cohort_id=w.get("cohort_a").id),
        ),
    ),
    "lms_messages.announcement": Case(
        lambda w: w.url("lms_messages.announcement", announcement_id=w.get("announcement").id),
        roles(
            anonymous=LOGIN,
            learner=200,
            other_learner=404,
            other_member=200,
            trainer=200,
            other_trainer=404,
            admin=200,
        ),
    ),
    "lms_reviews.reviews": Case(page("lms_reviews.reviews", "submission"), STAFF),
    "lms_reviews.review": (
        Case(
            lambda w: w.url("lms_reviews.review", submission_id=w.get("submission").id),
            COHORT_STAFF,
        ),
        Case(
            lambda w: w.url("lms_reviews.review", submission_id=w.get("submission").id),
            cohort_staff(302),
            "POST",
            lambda w: {"accept": "1", "feedback": "Well done"},
            state=lambda w: column(Submission, "status", id=w.get("submission").id),
        ),
    ),
    "lms_messages.notifications": Case(page("lms_messages.notifications"), members()),
    "lms_messages.mark_read": Case(page("lms_messages.mark_read"), members(302), "POST"),
    # curriculum packs
    "lms_packs.packs": Case(page("lms_packs.packs"), admins()),
    "lms_packs.upload": Case(page("lms_packs.upload"), admins(400), "POST"),  # 400: no file sent
    "lms_packs.apply": Case(
        page("lms_packs.apply"), admins(302), "POST"
    ),  # 302: no upload to apply
    # certificates
    "lms_certificates.mine": Case(page("lms_certificates.mine", "certificate"), members()),
    "lms_certificates.download": Case(
        certificate_url("lms_certificates.download"),
        roles(
            anonymous=LOGIN,
            learner=200,
            other_learner=404,
            other_member=404,
            trainer=404,
            other_trainer=404,
            admin=200,
        ),
    ),
    "lms_certificates.keys": Case(page("lms_certificates.keys"), everyone()),
    "lms_certificates.admin_list": Case(
        page("lms_certificates.admin_list", "certificate"), admins()
    ),
    "lms_certificates.admin_issue": (
        Case(page("lms_certificates.admin_issue"), admins()),
        Case(  # by hand, to the learner (who has not completed the course)
            page("lms_certificates.admin_issue", "enrolments"),
            admins(302),
            "POST",
            lambda w: {
                "email": w.user("learner").email,
                "course": str(w.get("course").id),
                "force": "y",
                "reason": "Followed the masterclass in person",
            },
            state=lambda w: count(Certificate, user_id=w.user("learner").id),
        ),
    ),
    "lms_certificates.admin_detail": Case(
        certificate_url("lms_certificates.admin_detail"), admins()
    ),
    "lms_certificates.admin_revoke": Case(
        certificate_url("lms_certificates.admin_revoke"),
        admins(302),
        "POST",
        lambda w: {"reason": "Fraud"},
        state=lambda w: column(Certificate, "revoked_at", id=w.get("certificate").id),
    ),
    "lms_certificates.admin_correct": Case(
        certificate_url("lms_certificates.admin_correct"),
        admins(302),
        "POST",
        lambda w: {"name": "Salma Bennani", "reason": "Misspelt name"},
    ),
    "lms_certificates.verify_upload": (
        Case(page("lms_certificates.verify_upload"), everyone()),
        Case(  # a PDF that is none of ours: the page says so, and nothing is recorded
            page("lms_certificates.verify_upload"),
            everyone(),
            "POST",
            lambda w: {"pdf": (io.BytesIO(b"%PDF-1.4\n% not a certificate\n"), "mine.pdf")},
            changed_by=(),
        ),
    ),
    "lms_certificates.verify_page": Case(
        certificate_url("lms_certificates.verify_page"), everyone()
    ),
    "lms_certificates.verify_json": Case(
        certificate_url("lms_certificates.verify_json"), everyone()
    ),
    # Open Badges 3.0: public like the verify page (the e-mail is only in it salted and hashed)
    "lms_certificates.credential_json": Case(
        certificate_url("lms_certificates.credential_json"), everyone()
    ),
    "lms_certificates.baked_badge": Case(
        certificate_url("lms_certificates.baked_badge"), everyone()
    ),
    "lms_certificates.badge_image": Case(page("lms_certificates.badge_image"), everyone()),
    "lms_certificates.status_list": Case(  # list 0 exists once a certificate is in it
        lambda world: (
            world.get("certificate") and world.url("lms_certificates.status_list", list_number=0)
        ),
        everyone(),
    ),
    "lms_certificates.did_document": (
        Case(page("lms_certificates.did_document"), everyone()),
        Case(lambda world: "/.well-known/did.json", everyone()),  # did:web at a host's root
    ),
    # bulk work on certificates (invalid forms: 400, so that no job starts) and jobs
    "lms_certificates.admin_bulk": Case(page("lms_certificates.admin_bulk", "job"), admins()),
    "lms_certificates.admin_bulk_issue": Case(
        page("lms_certificates.admin_bulk_issue"), admins(400), method="POST"
    ),
    "lms_certificates.admin_bulk_reissue": Case(
        page("lms_certificates.admin_bulk_reissue"), admins(400), method="POST"
    ),
    "lms_certificates.admin_bulk_notify": Case(
        page("lms_certificates.admin_bulk_notify"), admins(400), method="POST"
    ),
    "lms_certificates.admin_bulk_zip": Case(
        lambda w: w.url("lms_certificates.admin_bulk_zip", cohort=w.get("cohort_a").id), admins(302)
    ),
    "lms_certificates.cohort_zip": Case(
        cohort_url("lms_certificates.cohort_zip", "certificate"), COHORT_STAFF
    ),
    "lms_jobs.job_list": Case(page("lms_jobs.job_list", "job"), admins()),
    "lms_jobs.detail": Case(job_url("lms_jobs.detail"), admins()),
    "lms_jobs.progress_json": Case(
        job_url("lms_jobs.progress_json"),
        {**admins(), "anonymous": 401},  # JSON: no redirect
    ),
    "lms_jobs.cancel": Case(job_url("lms_jobs.cancel"), admins(302), method="POST"),
    "lms_jobs.resume": Case(job_url("lms_jobs.resume"), admins(302), method="POST"),
    # SCORM: the package's files for the sandboxed frame, where no cookie comes: the grant in
    # the URL is the key, whoever asks; commits and a new attempt for the enrolled learners
    # LTI 1.3 tool: its public keys; a login initiation or a launch without a platform's
    # message is refused with a page that says why, whoever sends it (the platform is the peer)
    "lms_lti.jwks": Case(page("lms_lti.jwks"), everyone()),
    "lms_lti.login": (
        Case(page("lms_lti.login"), everyone(400)),
        Case(page("lms_lti.login"), everyone(400), method="POST"),
    ),
    "lms_lti.launch": Case(page("lms_lti.launch"), everyone(400), method="POST"),
    # Dynamic Registration: the platform opens a one-time link; without a valid one, whoever
    # opens it is told the link is unknown (the token is the key, not the account)
    "lms_lti.register": Case(
        lambda w: w.url("lms_lti.register", token="not-a-link"), everyone(404)
    ),
    # the deep-linking picker exists only for a browser that came with an instructor's
    # deep-linking launch (kept in its session): no account or role opens it
    "lms_lti.deep_link": (
        Case(page("lms_lti.deep_link"), everyone(403)),
        Case(
            page("lms_lti.deep_link"),
            everyone(403),
            method="POST",
            data=lambda w: {"item": "civics"},
        ),  # fmt: skip
    ),
    # the choice of account of a launch whose e-mail has an account here exists only for the
    # browser that made that launch (its token in its session): no account or role opens it
    "lms_lti.choose_account": (
        Case(page("lms_lti.choose_account"), everyone(404)),
        Case(
            page("lms_lti.choose_account"),
            everyone(404),
            method="POST",
            data=lambda w: {"password": "correct horse battery", "link": "1"},
        ),  # fmt: skip
    ),
    # importing the platform's members: staff of the cohort, and only from a launch of a
    # platform whose context maps to the cohort (cohort A has none: 404 for its staff)
    "lms_lti.import_roster": Case(
        cohort_url("lms_lti.import_roster"),
        roles(
            anonymous=LOGIN,
            learner=403,
            other_learner=403,
            other_member=403,
            trainer=404,
            other_trainer=403,
            admin=404,
        ),
        "POST",
        state=lambda w: count(RosterImport, cohort_id=w.get("cohort_a").id),
    ),  # fmt: skip
    # Admin › LTI platforms: administrators only
    "lms_lti_platforms.platform_list": Case(page("lms_lti_platforms.platform_list"), admins()),
    "lms_lti_platforms.platform_new": (
        Case(page("lms_lti_platforms.platform_new"), admins()),
        Case(
            page("lms_lti_platforms.platform_new"),
            admins(302),
            "POST",
            lambda w: _lti_platform_form(w, "new-client"),
            state=lti_platforms_count,
        ),
    ),
    "lms_lti_platforms.platform_edit": (
        Case(
            lambda w: w.url(
                "lms_lti_platforms.platform_edit", platform_id=w.get("lti_platform").id
            ),
            admins(),
        ),
        Case(
            lambda w: w.url(
                "lms_lti_platforms.platform_edit", platform_id=w.get("lti_platform").id
            ),
            admins(302),
            "POST",
            lambda w: {**_lti_platform_form(w), "name": "Moodle of the region"},
            state=lambda w: w.get("lti_platform").name,
        ),
    ),
    "lms_lti_platforms.platform_disable": Case(
        lambda w: w.url("lms_lti_platforms.platform_disable", platform_id=w.get("lti_platform").id),
        admins(302),
        "POST",
        state=lambda w: w.get("lti_platform").enabled,
    ),
    "lms_lti_platforms.registration_links": (
        Case(page("lms_lti_platforms.registration_links", "lti_registration_link"), admins()),
        Case(
            page("lms_lti_platforms.registration_links"),
            admins(),
            "POST",
            lambda w: {"label": "Canvas of the region"},
            state=lti_registration_links_count,
        ),
    ),
    "lms_lti_platforms.registration_link_revoke": Case(
        lambda w: w.url(
            "lms_lti_platforms.registration_link_revoke",
            link_id=w.get("lti_registration_link").id,
        ),
        admins(302),
        "POST",
        state=lambda w: w.get("lti_registration_link").revoked_at is not None,
    ),
    "lms_lti_platforms.platform_enable": Case(
        lambda w: w.url("lms_lti_platforms.platform_enable", platform_id=w.get("lti_platform").id),
        admins(302),
        "POST",
    ),
    # Admin › LTI scores (the AGS outbox): "send now" wakes the sender (and is audited); "send
    # again" gives the failed score its attempts back
    "lms_lti_scores.outbox": Case(page("lms_lti_scores.outbox", "lti_score_failed"), admins()),
    "lms_lti_scores.send_now": Case(
        page("lms_lti_scores.send_now"),
        admins(302),
        "POST",
        state=lambda w: count(AuditEvent, action="lti.scores_send_now"),
    ),
    "lms_lti_scores.retry": Case(
        page("lms_lti_scores.retry"),
        admins(302),
        "POST",
        lambda w: {"score": w.get("lti_score_failed").id},
        state=lti_score_attempts,
    ),
    "lms_scorm.content": Case(scorm_content_url, everyone()),
    "lms_scorm.commit": Case(
        scorm_url("lms_scorm.commit", number=1),
        {**LEARNERS_ONLY, "learner": 200, "other_learner": 200, "other_member": 200},
        "POST",
        scorm_commit,
        state=scorm_attempts,
    ),
    "lms_scorm.restart": Case(
        scorm_url("lms_scorm.restart"), LEARNERS_ONLY, "POST", state=scorm_attempts
    ),
    "lms_scorm.upload": (
        Case(page("lms_scorm.upload", "course"), admins()),
        Case(page("lms_scorm.upload"), admins(400), "POST"),  # 400: no package sent
    ),
    # offline (progressive web app): the manifest, the service worker and the offline page are
    # the same for everyone; a module's download is for its enrolled learners
    "lms_offline.manifest": Case(page("lms_offline.manifest"), everyone()),
    "lms_offline.service_worker": Case(page("lms_offline.service_worker"), everyone()),
    "lms_offline.offline_page": Case(page("lms_offline.offline_page"), everyone()),
    "lms_offline.module_download": Case(
        module_download_url,
        roles(
            anonymous=401,
            learner=200,
            other_learner=200,
            other_member=200,
            trainer=403,
            other_trainer=403,
            admin=403,
        ),  # fmt: skip
    ),
    "lms_offline.sync": Case(
        page("lms_offline.sync", "enrolments"),
        {**members(200), "anonymous": 401},
        "POST",
        json=offline_queue,
        state=lambda w: count(OfflineAction, user_id=w.user("learner").id),
        changed_by=("learner",),
    ),
    # Web Push: any logged-in user subscribes her own browser; only its owner unsubscribes it
    "lms_push.subscribe": Case(
        page("lms_push.subscribe"),
        {**members(200), "anonymous": 401},
        "POST",
        json=push_subscription,
        state=lambda w: count(PushSubscription),
    ),
    "lms_push.unsubscribe": Case(
        page("lms_push.unsubscribe", "learner_push_subscription"),
        {**dict.fromkeys(ROLES, 404), "anonymous": 401, "learner": 200},
        "POST",
        json=lambda w: {"endpoint": w.get("learner_push_subscription").endpoint},
        state=lambda w: count(PushSubscription, user_id=w.user("learner").id),
    ),
    # the push outbox page (administrators): "send now" wakes the sender (and is audited);
    # "send again" queues the refused notification again
    "lms_push.outbox": Case(page("lms_push.outbox", "push_refused"), admins()),
    "lms_push.send_now": Case(
        page("lms_push.send_now"),
        admins(302),
        "POST",
        state=lambda w: count(AuditEvent, action="push.send_now"),
    ),
    "lms_push.retry": Case(
        page("lms_push.retry"),
        admins(302),
        "POST",
        lambda w: {"message": w.get("push_refused").id},
        state=lambda w: column(PushMessage, "status", id=w.get("push_refused").id),
    ),
}


# -- innovation circles ---------------------------------------------------------------------------
# circle A1: the learner's (cohort A, trained by the trainer); circle A2: other_member's, in the
# same cohort. Self-formation is open in cohort A. The course's assignment is a team milestone.


@factory("team_lesson")
def _team_lesson(world: World):
    lesson = _lesson(world, "field-work")
    lesson.settings = {**lesson.settings, "team": True}
    return lesson


def _circle(world: World, name: str, role: str) -> Circle:
    cohort = world.get("cohort_a")
    circle = Circle(cohort_id=cohort.id, name=name, code=f"{name}{world.number:04d}")
    circle.project = Project(title=f"Project {name}")
    circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=world.user(role).id)]
    db.session.add(circle)
    return circle


@factory("circle_a")
def _circle_a(world: World):
    circle = _circle(world, "A1", "learner")
    db.session.add(CircleSettings(cohort_id=circle.cohort_id, self_formation=True, max_members=12))
    return circle


@factory("circle_a2")
def _circle_a2(world: World):
    world.get("circle_a")
    circle = _circle(world, "A2", "other_member")
    db.session.flush()
    return circle


@factory("circles")
def _circles(world: World):
    return world.get("circle_a2") and world.get("circle_a")


@factory("ally")
def _ally(world: World):
    from lms.circles.operations import add_ally

    letter = FileStorage(io.BytesIO(b"%PDF-1.4\n% support\n"), filename="support.pdf")
    project = world.get("circles").project
    return add_ally(world.user("learner"), project, "Commune", "commune", "Mayor", "A room",
                    letter)  # fmt: skip


@factory("team_submission")
def _team_submission(world: World):
    from lms.circles.milestones import hand_in

    upload = FileStorage(io.BytesIO(b"%PDF-1.4\n% charter\n"), filename="charter.pdf")
    return hand_in(world.user("learner"), world.get("circles"), world.get("team_lesson"),
                   "Our charter", upload)  # fmt: skip


def circle_url(endpoint: str, *objects: str, **ids: str) -> Callable[[World], str]:
    """A URL of circle A1 (the learner's), once ``objects`` exist."""

    def build(world: World) -> str:
        for name in objects:
            world.get(name)
        values = {key: world.get(name).id for key, name in ids.items()}
        return world.url(endpoint, circle_id=world.get("circles").id, **values)

    return build


def milestone_url(endpoint: str, *objects: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        for name in objects:
            world.get(name)
        return world.url(endpoint, circle_id=world.get("circles").id,
                         lesson_id=world.get("team_lesson").id)  # fmt: skip

    return build


#: a circle's own pages: its members, the cohort's trainers, administrators
CIRCLE_VIEW = roles(anonymous=LOGIN, learner=200, other_learner=403, other_member=403,
                    trainer=200, other_trainer=403, admin=200)  # fmt: skip


def circle_view(status: int) -> Expected:
    return {**CIRCLE_VIEW, "learner": status, "trainer": status, "admin": status}


#: what only the circle's members do (hand in, leave): facilitators are not members
MEMBER_ONLY = {**CIRCLE_VIEW, "learner": 302, "trainer": 403, "admin": 403}
#: refused to everyone logged in with the reason (already in a circle, not of the cohort...)
NOT_JOINABLE = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 400)}


def active_members(world: World) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(CircleMember)
        .where(CircleMember.circle_id == world.get("circle_a").id, CircleMember.left_at.is_(None))
    )


PROJECT_FORM = {"title": "A job café", "theme": "employment", "stage": "diagnosis", "outcome": ""}

CIRCLE_CASES: dict[str, Case | tuple[Case, ...]] = {
    "lms_circles.mine": Case(page("lms_circles.mine", "circles"), members()),
    # in these two worlds other_member is in no circle yet (circle A2 is not made): she creates
    # one, or joins circle A1 with its code; everyone else is refused with the reason
    "lms_circles.join": Case(
        page("lms_circles.join"),
        {**NOT_JOINABLE, "other_member": 302},
        "POST",
        lambda w: {"code": w.get("circle_a").code},
        state=active_members,
        changed_by=("other_member",),
    ),
    "lms_circles.create": Case(
        cohort_url("lms_circles.create", "circle_a"),
        {**NOT_JOINABLE, "other_member": 302},
        "POST",
        lambda w: {"name": "A new one"},
        state=lambda w: count(Circle),
        changed_by=("other_member",),
    ),
    "lms_circles.circle": Case(circle_url("lms_circles.circle"), CIRCLE_VIEW),
    "lms_circles.leave": Case(
        circle_url("lms_circles.leave"), MEMBER_ONLY, "POST", state=active_members
    ),
    "lms_circles.project": (
        Case(circle_url("lms_circles.project"), CIRCLE_VIEW),
        Case(
            circle_url("lms_circles.project"),
            circle_view(302),
            "POST",
            lambda w: PROJECT_FORM,
            state=lambda w: column(Project, "title", id=w.get("circles").project.id),
        ),
    ),
    "lms_circles.allies": Case(circle_url("lms_circles.allies", "ally"), CIRCLE_VIEW),
    "lms_circles.add_ally": Case(
        circle_url("lms_circles.add_ally"),
        circle_view(302),
        "POST",
        lambda w: {"organisation": "Amal", "kind": "association"},
        state=lambda w: count(ProjectAlly),
    ),
    "lms_circles.remove_ally": Case(
        circle_url("lms_circles.remove_ally", ally_id="ally"),
        circle_view(302),
        "POST",
        state=lambda w: count(ProjectAlly),
    ),
    "lms_circles.ally_letter": Case(
        circle_url("lms_circles.ally_letter", ally_id="ally"), CIRCLE_VIEW
    ),
    # the facilitator's pages
    "lms_circles.cohort_circles": Case(
        cohort_url("lms_circles.cohort_circles", "circles"), COHORT_STAFF
    ),
    # the learner and other_member, in no circle in this world, form one
    "lms_circles.form_circle": Case(
        cohort_url("lms_circles.form_circle"),
        cohort_staff(302),
        "POST",
        lambda w: {"name": "Formed", "members": [w.user("learner").id, w.user("other_member").id]},
        state=lambda w: count(Circle),
    ),
    "lms_circles.settings": Case(
        cohort_url("lms_circles.settings"),
        cohort_staff(302),
        "POST",
        lambda w: {"self_formation": "y", "max_members": "5"},
        state=lambda w: column(CircleSettings, "max_members", cohort_id=w.get("cohort_a").id),
    ),
    "lms_circles.due_date": Case(
        cohort_url("lms_circles.due_date"),
        cohort_staff(302),
        "POST",
        lambda w: {"lesson": w.get("team_lesson").id, "due_on": "2026-05-01"},
        state=lambda w: count(MilestoneDue),
    ),
    "lms_circles.waive": Case(
        cohort_url("lms_circles.waive"),
        cohort_staff(302),
        "POST",
        lambda w: {"email": w.user("other_learner").email, "reason": "Met the trainer"},
        state=lambda w: count(PrerequisiteWaiver),
    ),
    "lms_circles.members": Case(
        circle_url("lms_circles.members"), {**COHORT_STAFF, "learner": 403}
    ),
    # other_member, in no circle in this world (circle A2 is not made), is added to circle A1
    "lms_circles.add_member": Case(
        lambda w: w.url("lms_circles.add_member", circle_id=w.get("circle_a").id),
        cohort_staff(302),
        "POST",
        lambda w: {"user": w.user("other_member").id},
        state=active_members,
    ),
    "lms_circles.remove_member": Case(
        lambda w: w.url(
            "lms_circles.remove_member",
            circle_id=w.get("circle_a").id,
            member_id=w.get("circle_a").memberships[0].id,
        ),
        cohort_staff(302),
        "POST",
        state=active_members,
    ),
    # team milestones
    "lms_circles.milestone": Case(milestone_url("lms_circles.milestone"), CIRCLE_VIEW),
    "lms_circles.hand_in": Case(
        milestone_url("lms_circles.hand_in"),
        MEMBER_ONLY,
        "POST",
        lambda w: {"text": "Our charter"},
        state=lambda w: count(TeamSubmission),
    ),
    "lms_circles.review": Case(
        milestone_url("lms_circles.review", "team_submission"),
        {**cohort_staff(302), "learner": 403},
        "POST",
        lambda w: {"accept": "1", "feedback": "", "version": w.get("team_submission").version},
        state=lambda w: column(TeamSubmission, "status", id=w.get("team_submission").id),
    ),
    "lms_circles.version_file": Case(
        lambda w: w.url(
            "lms_circles.version_file",
            circle_id=w.get("circles").id,
            lesson_id=w.get("team_lesson").id,
            version_id=w.get("team_submission").versions[0].id,
        ),
        CIRCLE_VIEW,
    ),
    "lms_circles.for_lesson": Case(
        lambda w: w.url("lms_circles.for_lesson", lesson_id=w.get("team_lesson").id),
        members(302),
    ),
}
EXPECTED.update(CIRCLE_CASES)


# -- publishing and the showcase (lms/circles/showcase) ------------------------------------------
# "agreed": circle A1's members all agree and its title is given in both languages; "published":
# a facilitator has published it. An unpublished project is never seen by anyone outside its
# circle (404, as if it did not exist); a published one, its sheet and the showcase by everyone.


@factory("agreed")
def _agreed(world: World):
    circle = world.get("circles")
    for member in circle.members:
        member.consents_to_publish = True
    circle.project.second_title = "مشروع"
    return circle


@factory("published")
def _published(world: World):
    circle = world.get("agreed")
    circle.project.published_at = datetime(2026, 11, 1, tzinfo=UTC)
    return circle


def project_url(endpoint: str, *objects: str, circle: str = "circles") -> Callable[[World], str]:
    def build(world: World) -> str:
        for name in objects:
            world.get(name)
        return world.url(endpoint, project_id=world.get(circle).project.id)

    return build


def published_at(world: World):
    return column(Project, "published_at", id=world.get("circles").project.id)


#: circle A2's unpublished project (other_member's): its members and facilitators only (a preview)
UNPUBLISHED = roles(anonymous=404, learner=404, other_learner=404, other_member=200, trainer=200,
                    other_trainer=404, admin=200)  # fmt: skip

SHOWCASE_CASES: dict[str, Case | tuple[Case, ...]] = {
    "lms_showcase.publishing": Case(circle_url("lms_showcase.publishing"), CIRCLE_VIEW),
    "lms_showcase.consent": Case(
        circle_url("lms_showcase.consent"),
        MEMBER_ONLY,
        "POST",
        lambda w: {"publish": "y", "show_first_name": "y"},
        state=lambda w: column(CircleMember, "consent_at", user_id=w.user("learner").id),
    ),
    "lms_showcase.publish": Case(
        circle_url("lms_showcase.publish", "agreed"),
        {**cohort_staff(302), "learner": 403},
        "POST",
        state=published_at,
    ),
    "lms_showcase.unpublish": Case(
        circle_url("lms_showcase.unpublish", "published"),
        {**cohort_staff(302), "learner": 403},
        "POST",
        state=published_at,
    ),
    "lms_showcase.project_page": (
        Case(project_url("lms_showcase.project_page", "published"), everyone()),
        Case(project_url("lms_showcase.project_page", circle="circle_a2"), UNPUBLISHED),
    ),
    "lms_showcase.project_sheet": (
        Case(project_url("lms_showcase.project_sheet", "published"), everyone()),
        Case(project_url("lms_showcase.project_sheet", circle="circle_a2"), UNPUBLISHED),
    ),
    "lms_showcase.showcase": Case(page("lms_showcase.showcase", "published"), everyone()),
}
EXPECTED.update(SHOWCASE_CASES)


# -- a circle's journal (lms/circles/journal): circle A1's, never other_member's (circle A2) ----


def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


@factory("journal_entry")
def _journal_entry(world: World):
    from lms.circles.journal.operations import create_entry

    return create_entry(world.get("circles"), world.user("learner"), "Our first meeting",
                        [_tiny_png()])  # fmt: skip


def journal_rows(model: str) -> Callable[[World], int]:
    from lms.circles.journal import models as journal_models

    return lambda w: count(getattr(journal_models, model))


JOURNAL_CASES: dict[str, Case | tuple[Case, ...]] = {
    "lms_journal.journal": Case(circle_url("lms_journal.journal", "journal_entry"), CIRCLE_VIEW),
    # only members write; facilitators read and comment
    "lms_journal.write": Case(
        circle_url("lms_journal.write"),
        MEMBER_ONLY,
        "POST",
        lambda w: {"text": "We met the mayor"},
        state=journal_rows("JournalEntry"),
    ),
    "lms_journal.comment": Case(
        circle_url("lms_journal.comment", entry_id="journal_entry"),
        circle_view(302),
        "POST",
        lambda w: {f"c{w.get('journal_entry').id}-text": "Well done"},
        state=journal_rows("JournalComment"),
    ),
    "lms_journal.photo": Case(
        lambda w: w.url(
            "lms_journal.photo",
            circle_id=w.get("circles").id,
            photo_id=w.get("journal_entry").photos[0].id,
        ),  # fmt: skip
        CIRCLE_VIEW,
    ),
}
EXPECTED.update(JOURNAL_CASES)


# -- indicators of circle A1's project (lms/circles/indicators): members and facilitators ------


@factory("indicator")
def _indicator(world: World):
    from lms.circles.indicators.operations import add_indicator, record_value

    indicator = add_indicator(world.get("circles").project, name="Jobs", unit="", baseline="1",
                              target="5")  # fmt: skip
    record_value(indicator, measured_on="2026-11-01", value="2", source="register")
    return indicator


def indicator_rows(model: str) -> Callable[[World], int]:
    from lms.circles.indicators import models as indicator_models

    return lambda w: count(getattr(indicator_models, model))


INDICATOR_CASES: dict[str, Case | tuple[Case, ...]] = {
    "lms_indicators.indicators": Case(
        circle_url("lms_indicators.indicators", "indicator"), CIRCLE_VIEW
    ),
    "lms_indicators.add": Case(
        circle_url("lms_indicators.add"),
        circle_view(302),
        "POST",
        lambda w: {"name": "Trained", "unit": "people", "baseline": "0", "target": "30"},
        state=indicator_rows("Indicator"),
    ),
    "lms_indicators.record": Case(
        circle_url("lms_indicators.record", indicator_id="indicator"),
        circle_view(302),
        "POST",
        lambda w: {
            f"v{w.get('indicator').id}-measured_on": "2026-12-01",
            f"v{w.get('indicator').id}-value": "4",
        },  # fmt: skip
        state=indicator_rows("IndicatorValue"),
    ),
}
EXPECTED.update(INDICATOR_CASES)


# -- consultations of citizens (lms/circles/consultations) --------------------------------------
# An open consultation of circle A1 (the learner's) with one entered answer and its text, a draft
# one with a question, and a CSV import waiting for confirmation. Its pages are the circle's own
# (CIRCLE_VIEW); hiding a text is the facilitators'; the public page is everyone's.


def _new_consultation(world: World, status: str):
    from lms.circles.consultations import operations as consult

    circle = world.get("circles")
    learner = world.user("learner")
    consultation = consult.create_consultation(
        learner, circle.project, consult.ConsultationDetails({"fr": "Avis", "ar": "رأي"})
    )
    consult.add_question(learner, consultation, consult.QuestionDetails(
        "single", {"fr": "Oui ?", "ar": "نعم؟"}, [{"fr": "Oui", "ar": "نعم"}, {"fr": "Non", "ar": "لا"}]))  # fmt: skip
    consult.add_question(learner, consultation, consult.QuestionDetails("text", {"fr": "Idée ?", "ar": "فكرة؟"}))  # fmt: skip
    if status == "open":
        consult.open_consultation(learner, consultation)
    return consultation


@factory("consultation")
def _consultation(world: World):
    from datetime import date

    from lms.circles.consultations import answers as consult_answers
    from lms.circles.consultations import operations as consult

    consultation = _new_consultation(world, "open")
    first, text = consultation.questions
    read = consult_answers.check(consultation.questions, {first.id: ["c1"], text.id: ["Un bus"]})
    consult.record_entered_answer(world.user("learner"), consultation, read, "paper", "Tissa",
                                  date(2026, 11, 20), date(2026, 12, 1))  # fmt: skip
    return consultation


@factory("draft_consultation")
def _draft_consultation(world: World):
    return _new_consultation(world, "draft")


@factory("consultation_text")
def _consultation_text(world: World):
    from lms.circles.consultations.models import ConsultationValue

    consultation = world.get("consultation")
    db.session.flush()
    return db.session.scalars(
        select(ConsultationValue).filter_by(consultation_id=consultation.id, choice=None)
    ).one()


@factory("hidden_text")
def _hidden_text(world: World):
    from lms.circles.consultations.operations import hide_text

    value = world.get("consultation_text")
    hide_text(world.user("trainer"), value, "Insults")
    return value


@factory("consultation_import")
def _consultation_import(world: World):
    from datetime import date

    from lms.circles.consultations.operations import upload_import

    data = b"canal;commune;date;Q1\npapier;Tissa;2026-11-20;Oui\n"
    return upload_import(world.user("learner"), world.get("consultation"), "answers.csv", data,
                         date(2026, 12, 1))  # fmt: skip


def consultation_url(endpoint: str, name: str = "consultation", **ids) -> Callable[[World], str]:
    def build(world: World) -> str:
        consultation = world.get(name)
        values = {}
        for key, spec in ids.items():
            values[key] = spec(world) if callable(spec) else world.get(spec).id
        return world.url(endpoint, consultation_id=consultation.id, **values)

    return build


def first_question(name: str):
    return lambda w: w.get(name).questions[0].id


def public_url(endpoint: str) -> Callable[[World], str]:
    return lambda w: w.url(endpoint, code=w.get("consultation").code)


def consultation_column(name: str, model_name: str = "consultation"):
    from lms.circles.consultations.models import Consultation

    return lambda w: column(Consultation, name, id=w.get(model_name).id)


def consultation_rows(model: str) -> Callable[[World], int]:
    from lms.circles.consultations import models as consult_models

    return lambda w: count(getattr(consult_models, model))


#: hiding or showing a citizen's text: the circle's facilitators and administrators
MODERATORS = roles(anonymous=LOGIN, learner=403, other_learner=403, other_member=403,
                   trainer=302, other_trainer=403, admin=302)  # fmt: skip

CONSULTATION_FORM = {"title_fr": "Transport", "title_ar": "النقل", "communes": "Tissa"}
QUESTION_FORM = {"kind": "single", "prompt_fr": "Bus ?", "prompt_ar": "حافلة؟",
                 "choices_fr": "Oui\nNon", "choices_ar": "نعم\nلا"}  # fmt: skip
ENTRY_FORM = {"channel": "phone", "commune": "Tissa", "date": "2026-11-20"}


def entry_data(world: World) -> dict:
    return {**ENTRY_FORM, f"q{world.get('consultation').questions[0].id}": "c2"}


CONSULTATION_CASES: dict[str, Case | tuple[Case, ...]] = {
    "lms_consultations.index": Case(page("lms_consultations.index", "consultation"), members()),
    "lms_consultations.circle_list": Case(
        circle_url("lms_consultations.circle_list", "consultation"), CIRCLE_VIEW
    ),
    "lms_consultations.create": (
        Case(circle_url("lms_consultations.create"), CIRCLE_VIEW),
        Case(
            circle_url("lms_consultations.create"),
            circle_view(302),
            "POST",
            lambda w: CONSULTATION_FORM,
            state=consultation_rows("Consultation"),
        ),  # fmt: skip
    ),
    "lms_consultations.detail": Case(consultation_url("lms_consultations.detail"), CIRCLE_VIEW),
    "lms_consultations.edit": (
        Case(consultation_url("lms_consultations.edit"), CIRCLE_VIEW),
        Case(
            consultation_url("lms_consultations.edit"),
            circle_view(302),
            "POST",
            lambda w: CONSULTATION_FORM,
            state=consultation_column("titles"),
        ),  # fmt: skip
    ),
    "lms_consultations.add_question": (
        Case(consultation_url("lms_consultations.add_question", "draft_consultation"), CIRCLE_VIEW),
        Case(
            consultation_url("lms_consultations.add_question", "draft_consultation"),
            circle_view(302),
            "POST",
            lambda w: QUESTION_FORM,
            state=consultation_rows("ConsultationQuestion"),
        ),  # fmt: skip
    ),
    "lms_consultations.edit_question": (
        Case(
            consultation_url(
                "lms_consultations.edit_question",
                "draft_consultation",
                question_id=first_question("draft_consultation"),
            ),
            CIRCLE_VIEW,
        ),  # fmt: skip
        Case(
            consultation_url(
                "lms_consultations.edit_question",
                "draft_consultation",
                question_id=first_question("draft_consultation"),
            ),
            circle_view(302),
            "POST",
            lambda w: QUESTION_FORM,
            state=lambda w: [
                q.prompts
                for q in w.get("draft_consultation").questions
                if not db.session.refresh(q)
            ],
        ),  # fmt: skip
    ),
    "lms_consultations.delete_question": Case(
        consultation_url(
            "lms_consultations.delete_question",
            "draft_consultation",
            question_id=first_question("draft_consultation"),
        ),
        circle_view(302),
        "POST",
        state=consultation_rows("ConsultationQuestion"),
    ),  # fmt: skip
    "lms_consultations.open_consultation": Case(
        consultation_url("lms_consultations.open_consultation", "draft_consultation"),
        circle_view(302),
        "POST",
        state=consultation_column("status", "draft_consultation"),
    ),  # fmt: skip
    "lms_consultations.close_consultation": Case(
        consultation_url("lms_consultations.close_consultation"),
        circle_view(302),
        "POST",
        state=consultation_column("status"),
    ),  # fmt: skip
    "lms_consultations.attach": Case(
        consultation_url("lms_consultations.attach"),
        circle_view(302),
        "POST",
        lambda w: {"lesson": w.get("team_lesson").id},
        state=consultation_column("milestone_lesson_id"),
    ),  # fmt: skip
    "lms_consultations.poster_page": Case(
        consultation_url("lms_consultations.poster_page"), CIRCLE_VIEW
    ),
    "lms_consultations.poster_pdf": Case(
        consultation_url("lms_consultations.poster_pdf"), CIRCLE_VIEW
    ),
    "lms_consultations.enter": (
        Case(consultation_url("lms_consultations.enter"), CIRCLE_VIEW),
        Case(
            consultation_url("lms_consultations.enter"),
            circle_view(302),
            "POST",
            entry_data,
            state=consultation_rows("ConsultationAnswer"),
        ),  # fmt: skip
    ),
    "lms_consultations.import_upload": (
        Case(consultation_url("lms_consultations.import_upload"), CIRCLE_VIEW),
        Case(
            consultation_url("lms_consultations.import_upload"),
            circle_view(302),
            "POST",
            lambda w: {
                "file": (
                    io.BytesIO(b"canal;commune;date;Q1\nradio;Tissa;2026-11-20;Non\n"),
                    "a.csv",
                )
            },
            state=consultation_rows("ConsultationImport"),
        ),  # fmt: skip
    ),
    "lms_consultations.import_template": Case(
        consultation_url("lms_consultations.import_template"), CIRCLE_VIEW
    ),
    "lms_consultations.import_preview": Case(
        consultation_url("lms_consultations.import_preview", import_id="consultation_import"),
        CIRCLE_VIEW,
    ),
    "lms_consultations.import_confirm": Case(
        consultation_url("lms_consultations.import_confirm", import_id="consultation_import"),
        circle_view(302),
        "POST",
        state=consultation_rows("ConsultationAnswer"),
    ),  # fmt: skip
    "lms_consultations.results": Case(consultation_url("lms_consultations.results"), CIRCLE_VIEW),
    "lms_consultations.export": Case(consultation_url("lms_consultations.export"), CIRCLE_VIEW),
    "lms_consultations.texts": Case(
        consultation_url(
            "lms_consultations.texts", question_id=lambda w: w.get("consultation").questions[1].id
        ),
        CIRCLE_VIEW,
    ),  # fmt: skip
    "lms_consultations.hide": Case(
        consultation_url("lms_consultations.hide", value_id="consultation_text"),
        MODERATORS,
        "POST",
        lambda w: {"reason": "Insults"},
        state=lambda w: (
            db.session.refresh(w.get("consultation_text")) or w.get("consultation_text").hidden_at
        ),
    ),  # fmt: skip
    "lms_consultations.show": Case(
        consultation_url("lms_consultations.show", value_id="hidden_text"),
        MODERATORS,
        "POST",
        state=lambda w: db.session.refresh(w.get("hidden_text")) or w.get("hidden_text").hidden_at,
    ),  # fmt: skip
    # the public page: anyone answers an open consultation (each role from a new device)
    "lms_consultations.public": (
        Case(public_url("lms_consultations.public"), everyone()),
        Case(
            public_url("lms_consultations.public"),
            everyone(303),
            "POST",
            lambda w: {f"q{w.get('consultation').questions[0].id}": "c1"},
            state=consultation_rows("ConsultationAnswer"),
            changed_by=ROLES,
        ),  # fmt: skip
    ),
    "lms_consultations.thanks": Case(public_url("lms_consultations.thanks"), everyone()),
}
EXPECTED.update(CONSULTATION_CASES)


# -- the xAPI outbox (administrators) -----------------------------------------------------------


@factory("xapi_refused")
def _xapi_refused(world: World):
    """A statement about the learner that the LRS refused (so it can be sent again)."""
    from lms.records.models import XapiStatement

    row = XapiStatement(
        statement_id=f"00000000-0000-5000-8000-{world.number:012d}",
        user_id=world.user("learner").id,
        verb="registered",
        statement={"id": "refused"},
        status="rejected",
        error="HTTP 400: invalid",
    )
    db.session.add(row)
    return row


def xapi_status(world: World):
    from lms.records.models import XapiStatement

    return column(XapiStatement, "status", id=world.get("xapi_refused").id)


RECORDS_CASES: dict[str, Case | tuple[Case, ...]] = {
    "lms_records.outbox": Case(page("lms_records.outbox", "xapi_refused"), admins()),
    # no LRS is set up here: the administrator's "send now" is refused with a message and
    # changes nothing (tests/records/test_outbox_page.py sends to a real Ralph)
    "lms_records.send_now": Case(
        page("lms_records.send_now"), admins(302), "POST", changed_by=()
    ),  # fmt: skip
    "lms_records.retry": Case(
        page("lms_records.retry"),
        admins(302),
        "POST",
        lambda w: {"statement": w.get("xapi_refused").id},
        state=xapi_status,
    ),
}
EXPECTED.update(RECORDS_CASES)


# -- running the checks -------------------------------------------------------------------------


def cases_of(endpoint: str) -> tuple[Case, ...]:
    entry = EXPECTED[endpoint]
    return entry if isinstance(entry, tuple) else (entry,)


def client_for(app, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        user = world.user(role)
        db.session.flush()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def outcome(app, response) -> int | str:
    if response.status_code == 302:
        with app.test_request_context():
            login_path = url_for("lms_users.login")
        if urlsplit(response.headers["Location"]).path == login_path:
            return LOGIN
    return response.status_code


def check(app, world: World, case: Case, role: str) -> list[str]:
    """What went wrong with this request (nothing: an empty list)."""
    url = case.url(world)
    data = case.data(world) if case.data else None
    client = client_for(app, world, role)
    changes = case.may_change_things_for(role)
    refused_post = case.method != "GET" and not changes  # (GETs share a world: they change nothing)
    state_before = case.state(world) if case.state else None
    counts_before = row_counts() if refused_post else None
    db.session.commit()
    body = {"json": case.json(world)} if case.json else {}
    response = client.open(url, method=case.method, data=data, **body)
    what = f"{case.method} {url} as {role}"
    problems = []
    got = outcome(app, response)
    if got != case.expected[role]:
        where = f" → {response.headers.get('Location')}" if response.status_code == 302 else ""
        problems.append(f"{what}: expected {case.expected[role]}, got {got}{where}")
    # A page or file for a logged-in user stays in no cache (shared phones); public things may.
    cache = response.headers.get("Cache-Control", "")
    kept = cache != "no-store" and "public" not in cache
    if role != "anonymous" and response.status_code != 302 and kept:
        problems.append(f"{what}: Cache-Control {cache!r}, not 'no-store'")
    db.session.expire_all()  # read what the request left in the database
    if refused_post:
        counts_after = row_counts()
        changed = {
            t: (n, counts_after[t]) for t, n in counts_before.items() if counts_after[t] != n
        }
        if changed:
            problems.append(f"{what}: should change nothing, but rows changed {changed}")
    if case.state:
        state_after = case.state(world)
        if changes and state_after == state_before:
            problems.append(f"{what}: should change {state_before!r}, left it as it was")
        elif not changes and state_after != state_before:
            problems.append(
                f"{what}: should change nothing, changed {state_before!r} → {state_after!r}"
            )
    return problems


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt with a small cost factor (as in tests/lms/conftest.py): the same code path."""
    monkeypatch.setattr("lms.users.models.PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def app_config(app_config):
    # every role asks for a reset link from the same address (test_security checks the limit)
    return {
        **app_config,
        "WTF_CSRF_ENABLED": False,
        "LMS_RESET_LIMIT": "100 per hour",
        "LMS_PUSH_INSECURE_ENDPOINTS": True,
    }


BLUEPRINTS = sorted({endpoint.split(".")[0] for endpoint in EXPECTED})


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_access(app, make_course, blueprint):
    """Every case of the blueprint's endpoints, every role; all mismatches are listed at once."""
    app.test_client_class = IsolatedClient
    problems = []
    read_only = World(make_course)  # GET requests change nothing, so they share one world
    for endpoint in sorted(e for e in EXPECTED if e.split(".")[0] == blueprint):
        for case in cases_of(endpoint):
            world = read_only if case.method == "GET" else World(make_course)
            for role in ROLES:
                problems += [f"{endpoint}: {problem}" for problem in check(app, world, case, role)]
                if case.may_change_things_for(role):
                    world = World(make_course)  # the next role starts from a clean world
    assert problems == [], "\n".join(problems)


def test_every_url_rule_has_an_entry(app, make_course):
    """Add a case to EXPECTED for every new URL rule and method (see the top of this file)."""
    rules = {
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        if not _is_static(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    }
    endpoints = {endpoint for endpoint, _, _ in rules}
    missing = sorted(endpoints - set(EXPECTED))
    stale = sorted(set(EXPECTED) - endpoints)
    assert missing == [], f"URL rules without an access-matrix entry: {missing}"
    assert stale == [], f"access-matrix entries for endpoints that no longer exist: {stale}"

    # Each case has all six roles, uses a method its rule takes, and every rule is exercised
    # with every method it takes (a rule that takes GET and POST needs a case for each).
    world = World(make_course)
    adapter = app.url_map.bind("lms.test")
    exercised = set()
    for endpoint in EXPECTED:
        for case in cases_of(endpoint):
            assert set(case.expected) == set(ROLES), endpoint
            assert case.changed_by is None or set(case.changed_by) <= set(ROLES), endpoint
            rule, _ = adapter.match(
                urlsplit(case.url(world)).path, method=case.method, return_rule=True
            )
            assert rule.endpoint == endpoint, (endpoint, rule.rule)
            exercised.add((rule.endpoint, rule.rule, case.method))
    unexercised = sorted(rules - exercised)
    assert unexercised == [], f"URL rule and method pairs no case reaches: {unexercised}"


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")
