"""The Celery app of a worker started with Celery's own command: ``celery -A lms.jobs.worker
worker`` (``lms worker`` does the same with the LMS's defaults). It is built only when Celery asks
for it, so that importing this module starts nothing."""

from __future__ import annotations

from celery import Celery

from lms import create_app

from .celery_app import worker_celery

_worker_app: Celery | None = None


def __getattr__(name: str) -> Celery:
    if name in ("app", "celery"):
        global _worker_app
        if _worker_app is None:
            _worker_app = worker_celery(create_app())
        return _worker_app
    raise AttributeError(name)
