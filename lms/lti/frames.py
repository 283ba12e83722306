"""``frame-ancestors`` for the tool's pages inside a platform: the configured policy plus the web
origins of the enabled registered platforms, on the LTI endpoints and on every page of an LTI
session; every other page keeps the configured policy (``'none'`` by default).

The origins are kept per process for ``CACHE_SECONDS`` (no query per page); a commit that
registers, changes or deletes a platform empties this process's copy at once, the other
processes' within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request, session
from sqlalchemy import event

from lms.jobs import senders

from .cookies import FLAG
from .models import LtiPlatform
from .platforms.queries import enabled_origins

CACHE_KEY = "lti-frame-origins"
STALE_KEY = "lti-frame-origins-stale"
CACHE_SECONDS = 30


def cached_origins() -> list[str]:
    extra = current_app.extensions["lms"].extra
    cached = extra.get(CACHE_KEY)
    now = time.monotonic()
    if cached is None or cached[0] <= now:
        cached = extra[CACHE_KEY] = (now + CACHE_SECONDS, enabled_origins())
    return cached[1]


def in_lti_context() -> bool:
    """An LTI endpoint (login, launch, deep linking...) or a page of a session begun by a launch."""
    if (request.endpoint or "").endswith(".static"):
        return False  # files, not pages (and no "Vary: Cookie" on them)
    return request.blueprint == "lms_lti" or bool(session.get(FLAG))


def frame_ancestors(configured: str) -> str:
    """The ``frame-ancestors`` sources for this response."""
    if not in_lti_context():
        return configured
    origins = cached_origins()
    if not origins:
        return configured
    sources = [s for s in configured.split() if s.lower() != "'none'"]
    return " ".join(dict.fromkeys([*sources, *origins]))


def _forget(app: Flask) -> None:
    app.extensions["lms"].extra.pop(CACHE_KEY, None)


def _platform_changed(mapper, connection, target) -> None:
    senders.wake_after_commit(STALE_KEY)


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(LtiPlatform, _event, _platform_changed)
senders.on_commit(STALE_KEY, _forget)
