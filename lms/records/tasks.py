"""The Celery side: ``lms.records.send_statements`` sends the queue (after each commit that
queued statements, and every ``RETRY_INTERVAL`` seconds from Celery beat); while the LRS is
down the task tries again itself, with a backoff that doubles."""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask

from .delivery import DEFAULT_BACKOFF, MAX_BACKOFF, send_pending

RETRY_INTERVAL = 60.0


def register_tasks(celery: Celery, flask_app: Flask, options: dict[str, Any]) -> None:
    @celery.task(name="lms.records.send_statements", bind=True, **options)
    def send_statements(task) -> dict[str, Any]:
        outcome = send_pending(flask_app)
        if outcome.unavailable:
            countdown = min(DEFAULT_BACKOFF * 2**task.request.retries, MAX_BACKOFF)
            raise task.retry(countdown=countdown, max_retries=20)
        return {"sent": outcome.sent, "rejected": outcome.rejected}

    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "lms-xapi-send": {
            "task": "lms.records.send_statements",
            "schedule": RETRY_INTERVAL,
            "options": {"queue": flask_app.config["LMS_CELERY_QUEUE"]},
        },
    }
