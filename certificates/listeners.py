"""Issue the certificate as soon as a course is completed (and the rule holds), and again when a
circle's project changes stage (a rule may ask for ``project_stage``: its members who completed
the course get theirs when the project reaches it).

If issuing fails (the renderer is broken, a key cannot be read...), the completion stands: the
failure is logged, a job "certificate pending: <error>" retries it (administrators see it with
the other jobs, and can resume it), and the learner reads that the certificate is being prepared.
"""

from __future__ import annotations

import logging

from flask import Flask

from curriculum.db import db
from lms.circles.queries import completed_member_enrolments
from lms.signals import completed_enrolment_progressed, course_completed, project_stage_changed

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


def issue_on_stage_change(sender, project, **extra) -> None:
    """Only completed enrolments without a certificate are looked at (``on_course_completed``);
    the rule itself says whether the stage reached is enough."""
    for enrolment in completed_member_enrolments(project):
        issue_on_completion(sender, enrolment)


def connect(app: Flask) -> None:
    course_completed.connect(issue_on_completion, sender=app, weak=False)
    completed_enrolment_progressed.connect(issue_on_completion, sender=app, weak=False)
    project_stage_changed.connect(issue_on_stage_change, sender=app, weak=False)
