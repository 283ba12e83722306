"""Issue the certificate as soon as a course is completed (and the rule holds)."""

from __future__ import annotations

import logging

from flask import Flask

from curriculum.db import db
from lms.signals import completed_enrolment_progressed, course_completed

log = logging.getLogger("lms.certificates")


def connect(app: Flask) -> None:
    def issue_on_completion(sender, enrolment, **extra) -> None:
        from .operations import on_course_completed

        try:
            with db.session.begin_nested():
                on_course_completed(enrolment)
        except Exception:  # the completion stands; an administrator can issue it again later
            log.exception("Could not issue the certificate of enrolment %s", enrolment.id)

    course_completed.connect(issue_on_completion, sender=app, weak=False)
    completed_enrolment_progressed.connect(issue_on_completion, sender=app, weak=False)
