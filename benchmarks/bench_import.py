"""Benchmark: import the bundled curriculum packs into a fresh SQLite database, then again.

The second import finds every pack unchanged (one content-hash look-up per course, no Markdown
parsed). Targets: first import under 3 s, unchanged re-import under 0.5 s.

    .venv/bin/python benchmarks/bench_import.py

Before the RESULT line it checks that each pack really was imported (its course, and as many
live modules and lessons as the pack folder has) and that the second run found each unchanged;
if not, it says what is wrong and exits with status 1.

Ends with one line: ``RESULT import_s=... reimport_s=...``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from curriculum.db import db  # noqa: E402
from curriculum.importer import BUNDLED_PACKS_DIR, import_bundled_packs  # noqa: E402
from curriculum.models import Course, Lesson, Module  # noqa: E402
from curriculum.pack import load_pack  # noqa: E402
from lms import create_app  # noqa: E402
from lms.models import import_all_models  # noqa: E402


def timed_import() -> tuple[float, list[str]]:
    started = time.perf_counter()
    lines = list(import_bundled_packs())
    db.session.commit()
    return time.perf_counter() - started, lines


def expected_packs() -> dict[str, tuple[int, int]]:
    """``slug → (modules, lessons)`` of each bundled pack folder, read (outside the timings)."""
    expected = {}
    for folder in sorted(
        p for p in BUNDLED_PACKS_DIR.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        pack, problems = load_pack(folder)
        if pack is None:
            fail(f"{folder.name}: the pack has {len(problems)} problem(s), e.g. {problems[0]}")
        expected[pack.slug] = (len(pack.modules), sum(len(m.lessons) for m in pack.modules))
    if not expected:
        fail(f"no pack folder in {BUNDLED_PACKS_DIR}")
    return expected


def imported_problems(
    expected: dict[str, tuple[int, int]], lines: list[str], unchanged: bool
) -> list[str]:
    """What does not match: the printed line of each pack, and its rows in the database."""
    problems = []
    for slug, (modules, lessons) in expected.items():
        line = (
            f"{slug}: unchanged"
            if unchanged
            else f"{slug}: imported ({modules} modules, {lessons} lessons)"
        )
        if line not in lines:
            problems.append(f"{slug}: expected the line '{line}'")
        course_id = db.session.scalar(
            select(Course.id).where(Course.slug == slug, Course.archived_at.is_(None))
        )
        if course_id is None:
            problems.append(f"{slug}: no course in the database")
            continue
        live_modules = db.session.scalar(
            select(func.count())
            .select_from(Module)
            .where(Module.course_id == course_id, Module.archived_at.is_(None))
        )
        live_lessons = db.session.scalar(
            select(func.count())
            .select_from(Lesson)
            .where(Lesson.course_id == course_id, Lesson.archived_at.is_(None))
        )
        if (live_modules, live_lessons) != (modules, lessons):
            problems.append(
                f"{slug}: {live_modules} modules and {live_lessons} lessons in the database,"
                f" {modules} and {lessons} in the pack"
            )
    courses = db.session.scalar(select(func.count()).select_from(Course))
    if courses != len(expected):
        problems.append(f"{courses} courses in the database, {len(expected)} packs")
    return problems


def fail(message: str) -> NoReturn:
    print(f"FAILED {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lms-bench-import-") as directory:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.sqlite3",
                "SECRET_KEY": "benchmark",
            },
            instance_path=directory,
        )
        with app.app_context():
            import_all_models()
            db.metadata.create_all(db.engine)
            expected = expected_packs()
            import_s, lines = timed_import()
            for line in lines:
                print(line)
            problems = imported_problems(expected, lines, unchanged=False)
            reimport_s, lines = timed_import()
            for line in lines:
                print(line)
            problems += imported_problems(expected, lines, unchanged=True)
            db.session.remove()
            db.engine.dispose()
    if problems:
        fail("the packs were not all imported:\n  " + "\n  ".join(problems))
    print(f"RESULT import_s={import_s:.3f} reimport_s={reimport_s:.3f}")


if __name__ == "__main__":
    main()
