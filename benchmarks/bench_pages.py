"""Server time of the learner's pages with 20 and with 2,000 learners (issue 4).

Fills two fresh SQLite databases (and two PostgreSQL schemas when LMS_TEST_POSTGRES_URL is set)
with the three bundled packs and 20, then 2,000 learners enrolled in all of them with realistic
progress: cohorts of 25 at different points of the course (sessions held, the next one
scheduled, attendance recorded, announcements in the learners' inboxes) and, where a course
allows it, a quarter of the learners on their own; each learner somewhere along the course
(readings done, quizzes passed at the first, second or third attempt, assignments accepted after
zero or one revision, the current lesson half done: failed attempts, work waiting for review or
sent back) and some finished. Rows go in with bulk inserts; cohorts, sessions and announcements
with the models.

The measured learner, the same in both databases, went through the first module of "Solving
public problems" and half of the second with the app's own operations (a quiz failed then
passed, work accepted, work sent back, a session attended, one missed). The pages: the course
page, the lesson page (a reading, a quiz, an assignment and a session lesson) and "My learning".
Each figure is the median in-process server time of RUNS requests; the two databases take turns
request by request, so that other work on the machine weighs on both alike. Ends with:

    RESULT lesson_ms=... dashboard_ms=... ratio_2000_vs_20=... course_ms=...

(figures with 2,000 learners; lesson_ms is the slowest kind of lesson; the ratio is the worst
page's 2,000 vs 20 learners; target: at most 1.3). A page that misses the target gets its
queries listed, those whose time grew most first.

    .venv/bin/python benchmarks/bench_pages.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.orm import selectinload

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curriculum.db import db, utcnow  # noqa: E402
from curriculum.importer import import_bundled_packs  # noqa: E402
from curriculum.models import Course, Lesson, Module, QuizQuestion  # noqa: E402
from lms import create_app  # noqa: E402
from lms.cohorts.models import Cohort  # noqa: E402
from lms.learning import operations  # noqa: E402
from lms.learning.models import (  # noqa: E402
    Enrolment,
    LessonProgress,
    QuizAttempt,
    Submission,
)
from lms.messages.models import Announcement, Notification  # noqa: E402
from lms.models import import_all_models  # noqa: E402
from lms.reviews.operations import review_submission  # noqa: E402
from lms.sessions.models import Attendance, CohortSession  # noqa: E402
from lms.sessions.operations import record_attendance  # noqa: E402
from lms.users.models import User, UserRole  # noqa: E402
from lms.users.operations import create_user  # noqa: E402

PASSWORD = "benchmark-password"
RUNS = 60
WARM_UP = 5
TARGET = 1.3
COHORT_SIZE = 25
#: a measured learner's cohort has done this many modules (its next session is scheduled)
FIRST_COHORT_REACH = 2
CHUNK = 5000
PAGES = {
    "course": "/courses/solving-public-problems",
    "reading": "/courses/solving-public-problems/mindset/public-entrepreneur",
    "quiz": "/courses/solving-public-problems/mindset/check-mindset",
    "assignment": "/courses/solving-public-problems/define/my-problem-statement",
    "session": "/courses/solving-public-problems/mindset/opening-circle",
    "my learning": "/my",
}
LESSON_PAGES = ("reading", "quiz", "assignment", "session")


@dataclass
class CoursePlan:
    """A course's live lessons in order, and what a filler needs to know of them."""

    id: int
    slug: str
    self_enrolment: bool
    lessons: list[Lesson]
    #: index in ``lessons`` just after each module's last lesson
    module_ends: list[int]
    #: quiz lesson id -> [(question key, choice keys)]
    questions: dict[int, list[tuple[str, list[str]]]]


@dataclass
class CohortPlan:
    id: int
    #: modules whose sessions were held (the cohort works on the next one)
    reach: int
    #: session lesson id -> session id, for the sessions held
    held: dict[int, int] = field(default_factory=dict)
    announcements: list[int] = field(default_factory=list)


class Filler:
    """Learners added in bulk inserts (thousands of rows a second), cohorts with the models."""

    def __init__(self, app, trainer_id: int):
        self.app, self.trainer_id = app, trainer_id
        self.cohorts: dict[tuple[int, int], CohortPlan] = {}
        with app.app_context():
            self.courses = [
                self._plan(c) for c in db.session.scalars(select(Course).order_by(Course.id))
            ]

    @staticmethod
    def _plan(course: Course) -> CoursePlan:
        lessons = list(
            db.session.scalars(
                select(Lesson)
                .join(Lesson.module)
                .where(Lesson.course_id == course.id, Lesson.archived_at.is_(None))
                .order_by(Module.position, Lesson.position)
            )
        )
        ends = [
            i + 1
            for i, lesson in enumerate(lessons)
            if i + 1 == len(lessons) or lessons[i + 1].module_id != lesson.module_id
        ]
        questions = {}
        for lesson in lessons:
            if lesson.kind == "quiz":
                rows = db.session.scalars(
                    select(QuizQuestion)
                    .where(QuizQuestion.lesson_id == lesson.id)
                    .options(selectinload(QuizQuestion.choices))
                )
                questions[lesson.id] = [(q.key, [c.key for c in q.choices]) for q in rows]
        db.session.expunge_all()
        return CoursePlan(course.id, course.slug, course.self_enrolment, lessons, ends, questions)

    def cohort(self, course: CoursePlan, index: int) -> CohortPlan:
        """Cohort ``index`` of the course (made on first use): its held and scheduled sessions
        and one announcement per module started."""
        key = (course.id, index)
        if key in self.cohorts:
            return self.cohorts[key]
        modules = len(course.module_ends)
        reach = (
            FIRST_COHORT_REACH
            if index == 0
            else random.Random(f"{course.slug}/{index}").randint(0, modules)
        )
        now = utcnow()
        cohort = Cohort(
            course_id=course.id,
            name=f"Cohorte {index + 1}",
            province="Béni Mellal-Khénifra",
            commune=f"Commune {index % 17}",
            territory=f"Commune {index % 17}, Béni Mellal-Khénifra",
            starts_on=(now - timedelta(weeks=2 * reach + 1)).date(),
            join_code=f"B{course.id}X{index:05d}",
            trainers=[db.session.get(User, self.trainer_id)],
        )
        db.session.add(cohort)
        db.session.flush()
        plan = CohortPlan(cohort.id, reach)
        sessions = [
            (m, lesson) for m, lesson in self._by_module(course) if lesson.kind == "session"
        ]
        for module, lesson in sessions:
            if module > reach:
                continue
            held = module < reach
            starts = (
                now - timedelta(weeks=2 * (reach - module)) if held else now + timedelta(days=9)
            )
            session = CohortSession(
                cohort_id=cohort.id,
                lesson_id=lesson.id,
                starts_at=starts,
                place="Maison des jeunes",
            )
            db.session.add(session)
            db.session.flush()
            if held:
                plan.held[lesson.id] = session.id
        for module in range(min(reach + 1, modules)):
            body = f"Le module {module + 1} commence : lisez les leçons avant la séance."
            announcement = Announcement(
                cohort_id=cohort.id,
                author_id=self.trainer_id,
                title=f"Module {module + 1}",
                body=body,
                body_html=f"<p>{body}</p>",
            )
            db.session.add(announcement)
            db.session.flush()
            plan.announcements.append(announcement.id)
        self.cohorts[key] = plan
        return plan

    @staticmethod
    def _by_module(course: CoursePlan) -> list[tuple[int, Lesson]]:
        return [
            (next(m for m, end in enumerate(course.module_ends) if i < end), lesson)
            for i, lesson in enumerate(course.lessons)
        ]

    def add_learners(self, count: int, start: int) -> None:
        """Learners ``start`` … ``start + count - 1``, each enrolled in every course."""
        rng = random.Random(start)
        now = utcnow()
        with self.app.app_context():
            last_user = db.session.scalar(select(func.max(User.id))) or 0
            db.session.execute(
                insert(User),
                [
                    {
                        "email": f"l{n}@example.org",
                        "email_key": f"l{n}@example.org",
                        "name": f"Apprenant·e {n}",
                        "locale": "fr",
                        "active": True,
                        "created_at": now,
                    }
                    for n in range(start, start + count)
                ],
            )
            user_ids = list(
                db.session.scalars(select(User.id).where(User.id > last_user).order_by(User.id))
            )
            db.session.execute(
                insert(UserRole), [{"user_id": i, "role": "learner"} for i in user_ids]
            )
            rows: dict[type, list[dict]] = defaultdict(list)
            quiz_scores: dict[tuple[int, int], list[int]] = {}
            for course in self.courses:
                last_enrolment = db.session.scalar(select(func.max(Enrolment.id))) or 0
                plans = []
                for n, user_id in zip(range(start, start + count), user_ids, strict=True):
                    alone = course.self_enrolment and n % 4 == 3
                    cohort = None if alone else self.cohort(course, n // COHORT_SIZE)
                    position = self._position(rng, course, cohort)
                    finished = position == len(course.lessons)
                    plans.append((cohort, position))
                    rows[Enrolment].append(
                        {
                            "user_id": user_id,
                            "course_id": course.id,
                            "cohort_id": cohort.id if cohort else None,
                            "status": "completed" if finished else "active",
                            "enrolled_at": now - timedelta(days=60),
                            "completed_at": now if finished else None,
                            "last_activity_at": now - timedelta(days=rng.randint(0, 30)),
                        }
                    )
                self._flush(rows, Enrolment)
                enrolment_ids = list(
                    db.session.scalars(
                        select(Enrolment.id)
                        .where(Enrolment.id > last_enrolment)
                        .order_by(Enrolment.id)
                    )
                )
                for enrolment_id, user_id, (cohort, position) in zip(
                    enrolment_ids, user_ids, plans, strict=True
                ):
                    self._progress(
                        rng, course, enrolment_id, cohort, position, rows, quiz_scores, now
                    )
                    if cohort is not None:
                        for number, announcement in enumerate(cohort.announcements):
                            rows[Notification].append(
                                {
                                    "user_id": user_id,
                                    "text": "Nouvelle annonce de votre formatrice",
                                    "link": f"/cohorts/{cohort.id}/announcements#a{announcement}",
                                    "created_at": now,
                                    "read_at": None
                                    if number == len(cohort.announcements) - 1
                                    else now,
                                }
                            )
            db.session.flush()  # the cohorts made on the way
            last_progress = db.session.scalar(select(func.max(LessonProgress.id))) or 0
            for model in (LessonProgress, Submission, Attendance, Notification):
                self._flush(rows, model)
            quiz_rows = db.session.execute(
                select(
                    LessonProgress.id, LessonProgress.enrolment_id, LessonProgress.lesson_id
                ).where(LessonProgress.id > last_progress, LessonProgress.attempts > 0)
            )
            for progress_id, enrolment_id, lesson_id in quiz_rows:
                choices = next(
                    c.questions[lesson_id] for c in self.courses if lesson_id in c.questions
                )
                for number, score in enumerate(quiz_scores[(enrolment_id, lesson_id)], 1):
                    answers = {key: [rng.choice(keys)] for key, keys in choices}
                    rows[QuizAttempt].append(
                        {
                            "progress_id": progress_id,
                            "number": number,
                            "score": score,
                            "answers": answers,
                            "submitted_at": now,
                        }
                    )
            self._flush(rows, QuizAttempt)
            db.session.commit()

    @staticmethod
    def _position(rng: random.Random, course: CoursePlan, cohort: CohortPlan | None) -> int:
        """How many lessons the learner is through: near the cohort's pace (they can read
        ahead to the end of the module the cohort works on), anywhere when learning alone."""
        if rng.random() < 0.05:
            return 0  # enrolled, never came back
        modules = len(course.module_ends)
        limit = (
            len(course.lessons)
            if cohort is None or cohort.reach >= modules
            else course.module_ends[cohort.reach]
        )
        return min(limit, int(rng.triangular(0, limit + 1, limit + 1)))

    def _progress(
        self, rng, course, enrolment_id, cohort, position, rows, quiz_scores, now
    ) -> None:
        def progress(lesson, status, **extra):
            rows[LessonProgress].append(
                {
                    "enrolment_id": enrolment_id,
                    "lesson_id": lesson.id,
                    "status": status,
                    "attempts": 0,
                    "first_activity_at": now,
                    "last_activity_at": now,
                    "completed_at": now if status == "done" else None,
                    **extra,
                }
            )

        def upload(enrolment_id, lesson):
            path = f"submissions/{enrolment_id}/{lesson.id}-bench.pdf"
            return {
                "file_name": "terrain.pdf",
                "file_type": "pdf",
                "file_size": 240_000,
                "file_path": path,
            }

        for index, lesson in enumerate(course.lessons):
            if lesson.kind == "session":
                session_id = cohort.held.get(lesson.id) if cohort else None
                if session_id is not None:  # attendance is the cohort's, whatever the pace online
                    present = rng.random() < 0.85
                    rows[Attendance].append(
                        {
                            "session_id": session_id,
                            "enrolment_id": enrolment_id,
                            "present": present,
                            "recorded_by_id": self.trainer_id,
                            "recorded_at": now,
                        }
                    )
                    if present:
                        progress(lesson, "done")
                continue
            if index > position:
                continue
            current = index == position
            if lesson.kind == "quiz":
                if current:
                    scores = [rng.randint(20, 65) for _ in range(rng.randint(0, 2))]
                else:
                    scores = [
                        rng.randint(20, 65) for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2)))
                    ] + [rng.randint(70, 100)]
                if scores:
                    quiz_scores[(enrolment_id, lesson.id)] = scores
                    progress(
                        lesson,
                        "started" if current else "done",
                        attempts=len(scores),
                        score=max(scores),
                    )
            elif lesson.kind == "assignment":
                revised = rng.random() < 0.3
                status = rng.choice(("submitted", "needs_revision")) if current else "accepted"
                feedback = (
                    "Précisez qui est concerné et comment vous l'avez mesuré."
                    if revised or status == "needs_revision"
                    else ""
                )
                rows[Submission].append(
                    {
                        "enrolment_id": enrolment_id,
                        "lesson_id": lesson.id,
                        "text": "Mon travail de terrain : " + "observations, " * 40,
                        **(upload(enrolment_id, lesson) if rng.random() < 0.4 else {}),
                        "status": status,
                        "version": 2 if revised else 1,
                        "feedback": feedback,
                        "feedback_html": f"<p>{feedback}</p>" if feedback else "",
                        "reviewed_by_id": None if status == "submitted" else self.trainer_id,
                        "submitted_at": now,
                    }
                )
                progress(lesson, "started" if current else "done")
            elif not current or rng.random() < 0.5:
                progress(lesson, "started" if current else "done")

    @staticmethod
    def _flush(rows: dict[type, list[dict]], model: type) -> None:
        batch = rows.pop(model, [])
        for chunk in range(0, len(batch), CHUNK):
            db.session.execute(insert(model), batch[chunk : chunk + CHUNK])


def build(url: str, instance: str):
    import_all_models()
    engine = create_engine(url)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "LMS_LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
        },
        instance_path=instance,
    )
    with app.app_context():
        for _line in import_bundled_packs():
            pass
        create_user("me@example.org", "Me", PASSWORD)
        trainer = create_user("trainer@example.org", "Formatrice", PASSWORD, ["trainer"], "fr")
        db.session.commit()
        trainer_id = trainer.id
    return app, trainer_id


def me_learns(app, trainer_id: int) -> None:
    """The measured learner joins cohort 1 of every course and works through the first module of
    "Solving public problems" and half of the second, as the app records it."""
    with app.test_request_context():
        me = db.session.scalar(select(User).where(User.email_key == "me@example.org"))
        trainer = db.session.get(User, trainer_id)
        enrolments = {}
        for course in db.session.scalars(select(Course)):
            code = db.session.scalar(
                select(Cohort.join_code).where(Cohort.course_id == course.id).order_by(Cohort.id)
            )
            enrolments[course.slug] = operations.join_cohort(me, code)
        db.session.flush()
        enrolment = enrolments["solving-public-problems"]
        lessons = {
            (lesson.module.slug, lesson.slug): lesson
            for lesson in db.session.scalars(
                select(Lesson).where(Lesson.course_id == enrolment.course_id)
            )
        }

        def quiz(module: str, slug: str, right: bool) -> bool:
            lesson = lessons[(module, slug)]
            answers = {}
            for question in lesson.live_questions:
                good = [c.key for c in question.choices if c.correct]
                answers[question.key] = (
                    good if right else [next(c.key for c in question.choices if not c.correct)]
                )
            return operations.submit_quiz(enrolment, lesson, answers).passed

        def attend(module: str, slug: str, present: bool) -> None:
            lesson = lessons[(module, slug)]
            session = db.session.scalar(
                select(CohortSession).filter_by(cohort_id=enrolment.cohort_id, lesson_id=lesson.id)
            )
            record_attendance(trainer, session, enrolment, present)

        for slug in ("public-problem", "public-entrepreneur", "start-from-what-exists"):
            operations.mark_done(enrolment, lessons[("mindset", slug)])
        assert not quiz("mindset", "check-mindset", right=False)
        assert quiz("mindset", "check-mindset", right=True)
        work = operations.submit_assignment(
            enrolment,
            lessons[("mindset", "territory-assets")],
            "Les atouts de mon douar : " + "une source, " * 30,
        )
        review_submission(trainer, work, True, "Très bon inventaire.")
        attend("mindset", "opening-circle", True)
        operations.mark_done(enrolment, lessons[("define", "from-complaint-to-problem")])
        assert not quiz("define", "check-define", right=False)
        work = operations.submit_assignment(
            enrolment,
            lessons[("define", "my-problem-statement")],
            "Le problème : " + "les jeunes partent, " * 30,
        )
        review_submission(trainer, work, False, "Dites **qui** est touché et **combien**.")
        attend("define", "statement-workshop", False)
        other = enrolments["community-leadership"]
        for lesson in db.session.scalars(
            select(Lesson)
            .where(Lesson.course_id == other.course_id, Lesson.kind == "reading")
            .order_by(Lesson.id)
            .limit(2)
        ):
            operations.mark_done(other, lesson)
        db.session.commit()


def login(app):
    client = app.test_client()
    response = client.post("/login", data={"email": "me@example.org", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def measure(apps: dict[str, object]) -> dict[str, dict[str, float]]:
    """The median server time of every page of every database, in milliseconds.

    The databases take turns, request by request (in one order, then the other): a busy machine
    slows them alike, so the ratio stays fair when other work shares the processor.
    """
    clients = {size: login(app) for size, app in apps.items()}
    times: dict[str, dict[str, list[float]]] = {size: defaultdict(list) for size in apps}
    for run in range(WARM_UP + RUNS):
        order = list(clients.items()) if run % 2 else list(clients.items())[::-1]
        for page, url in PAGES.items():
            for size, client in order:
                began = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, (url, response.status_code)
                if run >= WARM_UP:
                    times[size][page].append(elapsed)
    return {
        size: {page: statistics.median(values) for page, values in pages.items()}
        for size, pages in times.items()
    }


def query_times(app) -> dict[str, dict[str, float]]:
    """Per page, the median time of each query (statement text -> ms) over a few requests."""
    client = login(app)
    result = {}
    with app.app_context():
        engine = db.engine
    for page, url in PAGES.items():
        samples: dict[str, list[float]] = defaultdict(list)
        started: list[float] = []

        def before(*_args, started=started):
            started.append(time.perf_counter())

        def after(_conn, _cursor, statement, *_args, samples=samples, started=started):
            samples[" ".join(statement.split())].append(
                (time.perf_counter() - started.pop()) * 1000
            )

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            for _ in range(15):
                client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        result[page] = {
            statement: statistics.median(values) for statement, values in samples.items()
        }
    return result


def report_growth(small_app, large_app, pages: list[str]) -> None:
    """The queries of ``pages`` whose time grew most from the small to the large database."""
    small, large = query_times(small_app), query_times(large_app)
    for page in pages:
        total = sum(small[page].values()), sum(large[page].values())
        print(f"  {page}: all queries {total[0]:.2f} -> {total[1]:.2f} ms; grew most:")
        growth = sorted(
            large[page].items(),
            key=lambda item: item[1] - small[page].get(item[0], 0.0),
            reverse=True,
        )
        for statement, ms in growth[:3]:
            print(f"    {small[page].get(statement, 0.0):7.2f} -> {ms:7.2f} ms  {statement[:300]}")


def prepare(url: str, learners: int, folder: str):
    """A database with the packs, ``learners`` learners and the measured learner."""
    app, trainer_id = build(url, f"{folder}/instance-{learners}")
    filler = Filler(app, trainer_id)
    filler.add_learners(min(learners, 20), 0)
    me_learns(app, trainer_id)  # with the first 20, as in the small database
    if learners > 20:
        filler.add_learners(learners - 20, 20)
    if url.startswith("postgresql"):  # the planner's statistics, as autovacuum keeps them
        with app.app_context():
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    return app


def run(label: str, small_url: str, large_url: str, folder: str) -> tuple[dict[str, float], float]:
    began = time.perf_counter()
    apps = {"20": prepare(small_url, 20, folder), "2000": prepare(large_url, 2000, folder)}
    filled = time.perf_counter() - began
    with apps["2000"].app_context():
        models = (Enrolment, LessonProgress, QuizAttempt, Submission, Attendance, Cohort)
        counts = {
            m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models
        }
    figures = " · ".join(f"{name} {n}" for name, n in counts.items())
    print(f"{label}: 2000 learners = {figures} (both databases filled in {filled:.0f} s)")
    times = measure(apps)
    for size, pages in times.items():
        figures = ", ".join(f"{page} {ms:.1f}" for page, ms in pages.items())
        print(f"{label}: {size} learners (ms): {figures}")
    ratios = {page: times["2000"][page] / times["20"][page] for page in PAGES}
    worst = max(ratios.values())
    figures = ", ".join(f"{page} {r:.2f}" for page, r in ratios.items())
    print(f"{label}: ratio 2000 vs 20: {figures}; worst {worst:.2f}")
    if worst > TARGET:
        report_growth(apps["20"], apps["2000"], [p for p, r in ratios.items() if r > TARGET])
    return times["2000"], worst


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lms-bench-pages-") as folder:
        sqlite = [f"sqlite:///{folder}/{name}.sqlite3" for name in ("small", "large")]
        results = [run("sqlite", *sqlite, folder)]
        postgres = os.environ.get("LMS_TEST_POSTGRES_URL")
        if postgres:
            from lms.app import database_url

            schemas = ("lms_bench", "lms_bench_large")
            engine = create_engine(database_url(postgres), isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                for schema in schemas:
                    connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine.dispose()
            urls = [f"{database_url(postgres)}?options=-csearch_path%3D{s}" for s in schemas]
            results.append(run("postgresql", *urls, folder))
    times, ratio = max(results, key=lambda r: r[1])
    lesson = max(times[page] for page in LESSON_PAGES)
    print(
        f"RESULT lesson_ms={lesson:.1f} dashboard_ms={times['my learning']:.1f} "
        f"ratio_2000_vs_20={ratio:.2f} course_ms={times['course']:.1f}"
    )


if __name__ == "__main__":
    main()
