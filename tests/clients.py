"""Test clients shared by several test packages."""

from __future__ import annotations

import contextvars

from flask import has_app_context
from flask.testing import FlaskClient

from curriculum.db import db


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    The ``app`` fixture keeps an application context pushed for the whole test, and Flask reuses
    it for requests: ``g`` would then carry Flask-Login's current user and Flask-Babel's locale
    from one request to the next (and from one client to another). Running each request in an
    empty ``contextvars`` context makes Flask push a fresh application context (fresh ``g``, its
    own database session, removed at the end of the request).
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # The test's own session then reads what the request committed (not objects it loaded
        # before the request, which the identity map would otherwise hand back unchanged).
        if has_app_context():
            db.session.expire_all()
        return response
