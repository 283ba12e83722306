"""URLs that work in and out of a request (CLI commands, job workers, e-mails)."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def public_base_url() -> str:
    """``LMS_PUBLIC_URL``, else the request's own root, else http://localhost."""
    configured = current_app.config.get("LMS_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return "http://localhost"


def path_for(endpoint: str, **values) -> str:
    """The path of ``endpoint`` (with the app's prefix), even without a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    adapter = current_app.url_map.bind("localhost", script_name=root)
    return adapter.build(endpoint, values)


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL on the public base (for QR codes, e-mails and JSON links)."""
    return public_base_url() + path_for(endpoint, **values)


def lesson_links(lesson) -> tuple[str, str]:
    """A lesson's page: its path (for in-app notifications) and its absolute URL (for e-mails)."""
    values = {
        "course_slug": lesson.module.course.slug,
        "module_slug": lesson.module.slug,
        "lesson_slug": lesson.slug,
    }
    return path_for("lms_learning.lesson", **values), absolute_url("lms_learning.lesson", **values)
