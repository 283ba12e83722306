"""``frame-ancestors`` for the tool's pages inside a platform: the configured policy plus the web
origins of the platform in play, on the LTI endpoints and on every page of an LTI session; every
other page keeps the configured policy (``'none'`` by default).

The platform in play is the session's (the one it was launched from), else the one a login
initiation names (``iss``); only where none is known yet (the launch's own answer) are all the
enabled platforms' origins allowed. So a platform may frame the pages of its own users only.

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


def cached_origins() -> list[tuple[int, str, list[str]]]:
    extra = current_app.extensions["lms"].extra
    cached = extra.get(CACHE_KEY)
    now = time.monotonic()
    if cached is None or cached[0] <= now:
        cached = extra[CACHE_KEY] = (now + CACHE_SECONDS, enabled_origins())
    return cached[1]


def origins_in_play() -> list[str]:
    """The web origins that may frame this response (see the top of the module)."""
    platforms = cached_origins()
    platform_id = session.get("lti_platform_id")
    if platform_id is not None:  # a disabled platform frames nothing
        return [o for pid, _issuer, origins in platforms if pid == platform_id for o in origins]
    issuer = request.values.get("iss")
    if issuer:
        return [o for _pid, iss, origins in platforms if iss == issuer for o in origins]
    return list(dict.fromkeys(o for _pid, _iss, origins in platforms for o in origins))


def in_lti_context() -> bool:
    """An LTI endpoint (login, launch, deep linking...) or a page of a session begun by a launch."""
    if (request.endpoint or "").endswith(".static"):
        return False  # files, not pages (and no "Vary: Cookie" on them)
    return request.blueprint == "lms_lti" or bool(session.get(FLAG))


def frame_ancestors(configured: str) -> str:
    """The ``frame-ancestors`` sources for this response."""
    if not in_lti_context():
        return configured
    origins = origins_in_play()
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
