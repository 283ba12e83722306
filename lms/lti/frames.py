"""``frame-ancestors`` for the tool's pages inside a platform: the configured policy plus the web
origins of the platform in play, on the LTI endpoints and on every page of an LTI session; every
other page keeps the configured policy (``'none'`` by default).

The platform in play is the session's (the one it was launched from), else the one a login
initiation names (``iss``); only where none is known yet (the launch's own answer) are all the
enabled platforms' origins allowed. So a platform may frame the pages of its own users only.

The origins are kept per process for ``CACHE_SECONDS`` (no query per page); a commit that
registers, changes or deletes a platform empties this process's copy at once, the other
processes' within ``CACHE_SECONDS``.

The page of Dynamic Registration is framed by a platform not registered yet: only the origin of
the OpenID configuration it names may frame it (``registration_frame_ancestors``).
"""

from __future__ import annotations

import ipaddress
import re
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from sqlalchemy import event

from lms.jobs import senders

from .cookies import FLAG
from .models import LtiPlatform
from .platforms.queries import enabled_origins
from .registration import loopback_http_allowed

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


#: a host name as DNS writes it (letters, digits, hyphens, dots): nothing else reaches the policy
HOST_NAME = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def csp_origin(url: str | None) -> str | None:
    """``scheme://host[:port]`` of ``url`` when it is an https address (or, where the tool
    allows it, http to this machine) of a plain host, without credentials: a source that can
    add nothing else to a policy (no space, quote, semicolon or wildcard)."""
    if not isinstance(url, str) or len(url) > 1000:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    host = (parts.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
        if not HOST_NAME.match(host):
            return None
    loopback = host == "localhost" or (address is not None and address.is_loopback)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and loopback and loopback_http_allowed()
    ):
        return None
    shown = f"[{host}]" if address is not None and address.version == 6 else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port is not None else "")


def registration_frame_ancestors(configuration_url: str | None) -> str:
    """``frame-ancestors`` of the registration page: the origin of the platform's OpenID
    configuration (its issuer's: the registration refuses one on another origin), or only the
    tool itself when the platform named none (or one that is not a usable address)."""
    origin = csp_origin(configuration_url)
    return f"'self' {origin}" if origin else "'self'"


def _forget(app: Flask) -> None:
    app.extensions["lms"].extra.pop(CACHE_KEY, None)


def _platform_changed(mapper, connection, target) -> None:
    senders.wake_after_commit(STALE_KEY)


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(LtiPlatform, _event, _platform_changed)
senders.on_commit(STALE_KEY, _forget)
