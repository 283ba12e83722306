"""Security headers and throttling (login failures, verification look-ups)."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_limiter import Limiter
from limits import parse


def security_headers(response: Response) -> Response:
    state = current_app.extensions["lms"]
    if not state.standalone and request.blueprint not in state.blueprint_names:
        return response
    frame_ancestors = current_app.config["LMS_FRAME_ANCESTORS"]
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
        f"frame-ancestors {frame_ancestors}",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if frame_ancestors.strip() == "'none'":
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


class Throttle:
    """Counts events (such as failed logins) per key in the Flask-Limiter storage.

    Unlike a route limit, only the events we ``hit`` count: a successful login costs nothing.
    """

    def __init__(self, limiter: Limiter):
        self.limiter = limiter

    def blocked(self, limit: str, *keys: str) -> bool:
        item = parse(limit)
        return any(not self.limiter.limiter.test(item, key) for key in keys)

    def hit(self, limit: str, *keys: str) -> None:
        item = parse(limit)
        for key in keys:
            self.limiter.limiter.hit(item, key)

    def allow(self, limit: str, key: str) -> bool:
        """Count one event and say whether it was within the limit (for look-ups)."""
        return self.limiter.limiter.hit(parse(limit), key)
