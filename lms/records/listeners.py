"""The learning events' listeners: each event's statements go into the outbox, in the
transaction of the change (nothing when no LRS is configured: ``lms xapi replay`` back-fills)."""

from __future__ import annotations

from flask import Flask

from lms import signals

from . import events
from .outbox import enabled, enqueue


def connect(app: Flask) -> None:
    def on(signal, make, user_of):
        def listener(sender, **kwargs):
            if enabled(sender):
                enqueue(make(**kwargs), user_of(**kwargs))

        signal.connect(listener, sender=app, weak=False)

    def by_enrolment(**kwargs):
        return kwargs["enrolment"].user_id

    on(signals.enrolled, lambda enrolment: events.registered(enrolment), by_enrolment)
    on(signals.lesson_opened, events.lesson_opened, by_enrolment)
    on(signals.lesson_completed, events.lesson_completed,
       lambda progress: progress.enrolment.user_id)  # fmt: skip
    on(signals.course_completed, events.course_completed, by_enrolment)
    on(signals.quiz_attempted, events.quiz_attempted, by_enrolment)
    on(signals.attendance_recorded, events.attended, by_enrolment)
    on(signals.certificate_issued, events.earned,
       lambda certificate: certificate.enrolment.user_id)  # fmt: skip
