"""Server time of the learner's pages with 20 and then 2,000 learners (issue 4).

Fills a fresh SQLite database (and PostgreSQL when LMS_TEST_POSTGRES_URL is set) with the three
bundled packs and learners enrolled in all of them with realistic progress, then measures the
median in-process time of a lesson page and of "My learning" for one learner. Ends with:

    RESULT lesson_ms=... dashboard_ms=... ratio_2000_vs_20=...

(figures of the 2,000-learner run; the ratio compares both pages' total at 2,000 vs 20 learners;
target: at most 1.3). Run: .venv/bin/python benchmarks/bench_pages.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curriculum.db import db  # noqa: E402
from curriculum.importer import import_bundled_packs  # noqa: E402
from curriculum.models import Course, Lesson  # noqa: E402
from lms import create_app  # noqa: E402
from lms.learning.models import Enrolment, LessonProgress  # noqa: E402
from lms.models import import_all_models  # noqa: E402
from lms.users.models import User, UserRole  # noqa: E402
from lms.users.operations import create_user  # noqa: E402

PASSWORD = "benchmark-password"
RUNS = 40


def build(url: str, instance: str):
    import_all_models()
    engine = create_engine(url)
    db.metadata.drop_all(engine)
    db.metadata.create_all(engine)
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "LMS_LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute"}, instance_path=instance)
    with app.app_context():
        for _line in import_bundled_packs():
            pass
        create_user("me@example.org", "Me", PASSWORD)
        db.session.commit()
    return app


def add_learners(app, count: int, start: int) -> None:
    """``count`` more learners, each enrolled in every course, with progress on a random share."""
    rng = random.Random(start)
    with app.app_context():
        lessons = {c: list(db.session.scalars(select(Lesson.id).where(Lesson.course_id == c).order_by(Lesson.id)))
                   for c in db.session.scalars(select(Course.id))}
        users = [{"email": f"l{n}@example.org", "email_key": f"l{n}@example.org", "name": f"Learner {n}", "active": True}
                 for n in range(start, start + count)]
        db.session.execute(insert(User), users)
        ids = list(db.session.scalars(select(User.id).where(User.email_key.in_([u["email_key"] for u in users]))))
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        enrolments = [{"user_id": i, "course_id": c, "status": "active"} for i in ids for c in lessons]
        db.session.execute(insert(Enrolment), enrolments)
        rows = db.session.execute(select(Enrolment.id, Enrolment.course_id).where(Enrolment.user_id.in_(ids))).all()
        progress = []
        for enrolment_id, course_id in rows:
            done = rng.randint(0, len(lessons[course_id]))
            progress.extend({"enrolment_id": enrolment_id, "lesson_id": lesson_id, "status": "done", "attempts": 0}
                            for lesson_id in lessons[course_id][:done])
        for chunk in range(0, len(progress), 5000):
            db.session.execute(insert(LessonProgress), progress[chunk:chunk + 5000])
        db.session.commit()


def measure(app) -> tuple[float, float]:
    client = app.test_client()
    client.post("/login", data={"email": "me@example.org", "password": PASSWORD})
    for slug in ("solving-public-problems", "community-leadership", "public-innovation-circles"):
        client.post(f"/courses/{slug}/enrol")
    client.post("/courses/solving-public-problems/mindset/public-problem/done")
    lesson_url = "/courses/solving-public-problems/mindset/public-entrepreneur"

    def median_ms(url: str) -> float:
        for _ in range(5):
            client.get(url)
        times = []
        for _ in range(RUNS):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(times)

    return median_ms(lesson_url), median_ms("/my")


def run(label: str, url: str) -> tuple[float, float, float]:
    instance = tempfile.mkdtemp(prefix="lms-bench-")
    app = build(url, instance)
    add_learners(app, 20, 0)
    lesson20, dash20 = measure(app)
    add_learners(app, 1980, 20)
    lesson2000, dash2000 = measure(app)
    ratio = (lesson2000 + dash2000) / (lesson20 + dash20)
    print(f"{label}: 20 learners lesson {lesson20:.1f} ms, my learning {dash20:.1f} ms; "
          f"2000 learners lesson {lesson2000:.1f} ms, my learning {dash2000:.1f} ms; ratio {ratio:.2f}")
    return lesson2000, dash2000, ratio


def main() -> None:
    results = [run("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")]
    postgres = os.environ.get("LMS_TEST_POSTGRES_URL")
    if postgres:
        from lms.app import database_url

        engine = create_engine(database_url(postgres), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS lms_bench CASCADE"))
            connection.execute(text("CREATE SCHEMA lms_bench"))
        engine.dispose()
        results.append(run("postgresql", database_url(postgres) + "?options=-csearch_path%3Dlms_bench"))
    lesson, dashboard, ratio = max(results, key=lambda r: r[2])
    print(f"RESULT lesson_ms={lesson:.1f} dashboard_ms={dashboard:.1f} ratio_2000_vs_20={ratio:.2f}")


if __name__ == "__main__":
    main()
