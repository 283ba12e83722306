"""The Celery side: ``lms.push.send_pending`` sends the push outbox (after each commit that queued
notifications, and every ``RETRY_INTERVAL`` seconds from Celery beat, which retries the failed
ones once their wait is over)."""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask

from .delivery import send_pending

RETRY_INTERVAL = 120.0


def register_tasks(celery: Celery, flask_app: Flask, options: dict[str, Any]) -> None:
    @celery.task(name="lms.push.send_pending", **options)
    def send_pending_push() -> dict[str, int]:
        outcome = send_pending(flask_app)
        return {
            "sent": outcome.sent,
            "failed": outcome.failed,
            "gone": outcome.gone,
            "rejected": outcome.rejected,
        }

    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "lms-push-send-pending": {
            "task": "lms.push.send_pending",
            "schedule": RETRY_INTERVAL,
            "options": {"queue": flask_app.config["LMS_CELERY_QUEUE"]},
        },
    }
