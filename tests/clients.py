"""Test clients shared by several test packages."""

from __future__ import annotations

import contextvars

from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    The ``app`` fixture keeps an application context pushed for the whole test, and Flask reuses
    it for requests: ``g`` would then carry Flask-Login's current user and Flask-Babel's locale
    from one request to the next (and from one client to another). Running each request in an
    empty ``contextvars`` context makes Flask push a fresh application context (fresh ``g``, its
    own database session, removed at the end of the request).
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)
