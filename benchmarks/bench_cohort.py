"""Benchmark: the cohort dashboard's server time for 50 and 500 learners, and the CSV export of a
5,000-learner cohort.

A course of 8 modules × 5 lessons; learner n has done n % 41 lessons. Each page is requested in
process with the test client (a logged-in trainer), after two warm-up requests; the figure is the
median of several runs. SQLite in a temporary folder by default, or ``DATABASE_URL``.

    .venv/bin/python benchmarks/bench_cohort.py [--runs 15]

Ends with ``RESULT dashboard50_ms=... dashboard500_ms=... export5000_ms=...``.
Target: ten times the learners costs at most four times the time (dashboard500 ≤ 4 × dashboard50).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from curriculum.db import db  # noqa: E402
from curriculum.models import Course, Lesson, Module  # noqa: E402
from lms import create_app  # noqa: E402
from lms.app import database_url  # noqa: E402
from lms.cohorts.models import Cohort  # noqa: E402
from lms.models import import_all_models  # noqa: E402
from lms.users.models import User  # noqa: E402
from lms.users.operations import create_user  # noqa: E402
from tests.bulk import fill_cohort  # noqa: E402

PASSWORD = "benchmark password"


def make_course() -> list[int]:
    course = Course(
        slug="bench", version="1", content_hash="x", default_language="fr", languages=["fr"], complete_languages=["fr"],
        titles={"fr": "Cours"}, descriptions={}, audience={}, serial_prefix="BEN", certificate_rule={},
    )  # fmt: skip
    db.session.add(course)
    db.session.flush()
    for m in range(8):
        module = Module(
            course=course, slug=f"m{m}", position=m, titles={"fr": f"Module {m}"}, summaries={}
        )
        db.session.add(module)
        for i in range(5):
            lesson = Lesson(
                slug=f"l{i}",
                position=i,
                kind="reading",
                titles={"fr": f"Leçon {i}"},
                content_hash="x",
            )
            lesson.course_id = course.id
            module.lessons.append(lesson)
    db.session.flush()
    return list(
        db.session.scalars(
            select(Lesson.id).join(Module).order_by(Module.position, Lesson.position)
        )
    )


def make_cohort(
    course_id: int, trainer: User, learners: int, lesson_ids: list[int], tag: str
) -> int:
    cohort = Cohort(
        course_id=course_id, name=f"Cohorte {tag}", join_code=f"BENCH{tag}", trainers=[trainer]
    )
    db.session.add(cohort)
    db.session.flush()
    fill_cohort(course_id, cohort.id, learners, lesson_ids, tag)
    return cohort.id


def median_ms(client, url: str, runs: int) -> float:
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lms-bench-cohort-") as directory:
        url = database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite3")
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False},
            instance_path=directory,
        )
        with app.app_context():
            import_all_models()
            db.metadata.drop_all(db.engine)
            db.metadata.create_all(db.engine)
            lesson_ids = make_course()
            course_id = db.session.scalar(select(Course.id))
            trainer = create_user("trainer@example.org", "Trainer", PASSWORD, ["trainer"], "fr")
            db.session.flush()
            small = make_cohort(course_id, trainer, 50, lesson_ids, "s")
            large = make_cohort(course_id, trainer, 500, lesson_ids, "l")
            huge = make_cohort(course_id, trainer, 5000, lesson_ids, "h")
            db.session.remove()
        client = app.test_client()
        client.post("/login", data={"email": "trainer@example.org", "password": PASSWORD})
        dashboard50 = median_ms(client, f"/cohorts/{small}", args.runs)
        dashboard500 = median_ms(client, f"/cohorts/{large}", args.runs)
        export5000 = median_ms(client, f"/cohorts/{huge}/progress.csv", max(3, args.runs // 3))
        lines = client.get(f"/cohorts/{huge}/progress.csv").get_data().count(b"\n")
        print(
            f"dashboard, 50 learners × 40 lessons:  {dashboard50:8.1f} ms (median of {args.runs})"
        )
        print(
            f"dashboard, 500 learners × 40 lessons: {dashboard500:8.1f} ms ({dashboard500 / dashboard50:.2f}× for 10× the learners; target ≤ 4×)"
        )
        print(f"CSV export, 5,000 learners ({lines} lines): {export5000:8.1f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(
        f"RESULT dashboard50_ms={dashboard50:.1f} dashboard500_ms={dashboard500:.1f} export5000_ms={export5000:.1f}"
    )


if __name__ == "__main__":
    main()
