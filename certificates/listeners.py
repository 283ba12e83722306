"""Issue the certificate as soon as a course is completed (and the rule holds).

If issuing fails (the renderer is broken, a key cannot be read...), the completion stands: the
failure is logged, a job "certificate pending: <error>" retries it (administrators see it with
the other jobs, and can resume it), and the learner reads that the certificate is being prepared.
"""

from __future__ import annotations

import logging

from flask import Flask

from curriculum.db import db
from lms.signals import completed_enrolment_progressed, course_completed

from .bulk import retry_later
from .operations import on_course_completed

log = logging.getLogger("lms.certificates")


def issue_on_completion(sender, enrolment, **extra) -> None:
    try:
        with db.session.begin_nested():
            on_course_completed(enrolment)
    except Exception as error:  # the completion stands; a job tries again
        log.exception("Could not issue the certificate of enrolment %s", enrolment.id)
        retry_later(enrolment, error)


def connect(app: Flask) -> None:
    course_completed.connect(issue_on_completion, sender=app, weak=False)
    completed_enrolment_progressed.connect(issue_on_completion, sender=app, weak=False)
