"""The Celery side of the outbox: the task ``lms.mail.send_pending`` (what ``lms mail
send-pending`` does), scheduled after a failed delivery and every ``RETRY_INTERVAL`` seconds by
Celery beat (``lms worker -B``, or ``celery -A lms.jobs.worker beat`` beside the workers)."""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask

from .delivery import send_pending

RETRY_INTERVAL = 300.0


def register_tasks(celery: Celery, flask_app: Flask, options: dict[str, Any]) -> None:
    """Add the mail task to the LMS's Celery app, with the options of its other tasks."""

    @celery.task(name="lms.mail.send_pending", **options)
    def send_pending_mail() -> dict[str, int]:
        outcome = send_pending(flask_app)
        return {"sent": outcome.sent, "failed": outcome.failed}

    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "lms-mail-send-pending": {
            "task": "lms.mail.send_pending",
            "schedule": RETRY_INTERVAL,
            "options": {"queue": flask_app.config["LMS_CELERY_QUEUE"]},
        },
    }
