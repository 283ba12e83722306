"""Two requests at the same instant, each on its own connection (PostgreSQL)."""

from __future__ import annotations

import threading

from curriculum.db import db
from curriculum.models import Lesson
from lms.learning import operations
from lms.learning.models import Enrolment


def mark_done_twice_at_once(app, enrolment_id: int, lesson_id: int) -> list[Exception]:
    """Two threads mark the same lesson done at the same moment; returns their errors."""
    return twice_at_once(app, enrolment_id, lesson_id, operations.mark_done)


def submit_quiz_twice_at_once(
    app, enrolment_id: int, lesson_id: int, answers: dict, attempt: int
) -> list[Exception]:
    """The same quiz form sent twice at the same moment (a double click on a slow phone)."""
    return twice_at_once(
        app,
        enrolment_id,
        lesson_id,
        lambda enrolment, lesson: operations.submit_quiz(enrolment, lesson, answers, attempt),
    )


def twice_at_once(app, enrolment_id: int, lesson_id: int, operation) -> list[Exception]:
    """Two threads run ``operation(enrolment, lesson)`` at the same moment; returns their errors."""
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def worker():
        try:
            with app.app_context():
                enrolment = db.session.get(Enrolment, enrolment_id)
                lesson = db.session.get(Lesson, lesson_id)
                barrier.wait()
                operation(enrolment, lesson)
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
