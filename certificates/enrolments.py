"""The enrolment a certificate issued by hand belongs to, created when the person had none: it is
an enrolment like any other (audited, and announced by the ``enrolled`` signal, so the learning
records send ``registered`` before the certificate's ``earned``)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course
from lms.audit.operations import record
from lms.learning.models import Enrolment
from lms.signals import enrolled
from lms.users.models import User


def enrolment_for_certificate(admin: User, user: User, course: Course) -> Enrolment:
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=user.id, course_id=course.id))
    if enrolment is not None:
        return enrolment
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    db.session.add(enrolment)
    db.session.flush()
    record(admin, "enrolment.created_for_certificate", "enrolment", enrolment.id,
           course=course.slug)  # fmt: skip
    enrolled.send(current_app._get_current_object(), enrolment=enrolment)
    return enrolment
