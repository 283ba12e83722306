"""Security headers, caching rules and throttling (logins, password resets, verification look-ups)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from flask import Response, current_app, request
from flask_limiter import Limiter
from flask_login import current_user
from limits import parse
from limits.storage import MemoryStorage, RedisStorage


def security_headers(response: Response) -> Response:
    state = current_app.extensions["lms"]
    if not state.standalone and request.blueprint not in state.blueprint_names:
        return response
    frame_ancestors = current_app.config["LMS_FRAME_ANCESTORS"]
    if state.frame_ancestors is not None:  # the LTI pages add the platforms' origins
        frame_ancestors = state.frame_ancestors(frame_ancestors)
    # A view may set its own policy: a SCORM package's files (lms/scorm/content.py) are framed by
    # the lesson page, in a sandbox, and say so themselves.
    own_policy = "Content-Security-Policy" in response.headers
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        # 'self': the sandboxed frame of a scorm lesson
        "frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com; "
        f"frame-ancestors {frame_ancestors}",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if frame_ancestors.strip() == "'none'" and not own_policy:
        response.headers.setdefault("X-Frame-Options", "DENY")
    hsts_seconds = current_app.config["LMS_HSTS_SECONDS"]
    # Only over HTTPS (behind the proxy fix, as the proxy saw it): browsers ignore it over HTTP,
    # and a development server on http://127.0.0.1 must stay reachable.
    if current_app.config["LMS_ENV"] == "production" and request.is_secure and hsts_seconds > 0:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}")
    if _personal(response):
        response.headers["Cache-Control"] = "no-store"
    return response


def _personal(response: Response) -> bool:
    """An answer to a logged-in user: a shared phone's cache (or a proxy's) must not keep it.
    Static files and what a view marked ``public`` (a course's images) are the same for all."""
    if (request.endpoint or "").endswith(".static"):
        return False
    if "public" in response.headers.get("Cache-Control", ""):
        return False
    return bool(current_user and current_user.is_authenticated)


#: (limit such as "5 per 15 minutes", key): one counter
Counted = tuple[str, str]
#: (storage key, limit, seconds the window lasts)
_Counter = tuple[str, int, int]


class Throttle:
    """Counters of attempts (failed logins, reset requests, look-ups) in the Flask-Limiter storage.

    Unlike a route limit, only what is counted here counts. ``take`` counts an attempt on several
    counters *before* it is made, in one atomic step: it counts on all of them, or (if one is at
    its limit) on none and refuses. Of many requests sent at the same instant, exactly those
    within the limits go on. A request that went on and succeeded may ``give_back`` its count (a
    successful login costs nothing). A counter's window opens with its first count and lasts the
    limit's period.
    """

    def __init__(self, limiter: Limiter, key_prefix: str = ""):
        self.limiter = limiter
        self.key_prefix = key_prefix
        self._counters: _MemoryCounters | _RedisCounters | _OtherCounters | None = None

    @property
    def counters(self) -> _MemoryCounters | _RedisCounters | _OtherCounters:
        if self._counters is None:  # the storage exists once Flask-Limiter is set up
            storage = self.limiter.storage
            if isinstance(storage, MemoryStorage):
                self._counters = _MemoryCounters(storage)
            elif isinstance(storage, RedisStorage):
                self._counters = _RedisCounters(storage)
            else:
                self._counters = _OtherCounters(storage)
        return self._counters

    def _resolve(self, counted: Sequence[Counted]) -> list[_Counter]:
        resolved = []
        for limit, key in counted:
            item = parse(limit)
            storage_key = item.key_for(self.key_prefix + "lms-throttle", key)
            resolved.append((storage_key, item.amount, item.get_expiry()))
        return resolved

    def take(self, *counted: Counted) -> bool:
        """Count one attempt on every counter, or refuse (counting nothing) if one is full."""
        return self.counters.take(self._resolve(counted))

    def give_back(self, *counted: Counted) -> None:
        self.counters.give_back([key for key, _limit, _expiry in self._resolve(counted)])

    def clear(self, *counted: Counted) -> None:
        for key, _limit, _expiry in self._resolve(counted):
            self.limiter.storage.clear(key)

    def allow(self, limit: str, key: str) -> bool:
        """Count one event and say whether it was within the limit (for look-ups)."""
        return self.limiter.limiter.hit(parse(limit), self.key_prefix + key)


class _MemoryCounters:
    """One process: a lock makes the check and the counts one step (the storage's own ``incr``
    locks each key apart, and reads the new value outside its lock)."""

    def __init__(self, storage: MemoryStorage):
        self.storage = storage
        self.lock = threading.Lock()

    def take(self, counters: list[_Counter]) -> bool:
        with self.lock:
            if any(self.storage.get(key) >= limit for key, limit, _expiry in counters):
                return False
            for key, _limit, expiry in counters:
                self.storage.incr(key, expiry)
        return True

    def give_back(self, keys: list[str]) -> None:
        with self.lock:
            for key in keys:
                self.storage.decr(key)


#: KEYS: the counters; ARGV: limit and seconds of each, in turn. Redis runs a script alone, so
#: the check and the counts are one step for every process that shares the Redis.
_TAKE_SCRIPT = """
for i, key in ipairs(KEYS) do
    if tonumber(redis.call('get', key) or '0') >= tonumber(ARGV[2 * i - 1]) then
        return 0
    end
end
for i, key in ipairs(KEYS) do
    if redis.call('incr', key) == 1 then
        redis.call('expire', key, ARGV[2 * i])
    end
end
return 1
"""
_GIVE_BACK_SCRIPT = """
for _, key in ipairs(KEYS) do
    if tonumber(redis.call('get', key) or '0') > 0 then
        redis.call('decr', key)
    end
end
"""


class _RedisCounters:
    def __init__(self, storage: RedisStorage):
        self.storage = storage
        connection = storage.get_connection()
        self.take_script = connection.register_script(_TAKE_SCRIPT)
        self.give_back_script = connection.register_script(_GIVE_BACK_SCRIPT)

    def take(self, counters: list[_Counter]) -> bool:
        keys = [self.storage.prefixed_key(key) for key, _limit, _expiry in counters]
        arguments = [value for _key, limit, expiry in counters for value in (limit, expiry)]
        return bool(self.take_script(keys, arguments))

    def give_back(self, keys: list[str]) -> None:
        self.give_back_script([self.storage.prefixed_key(key) for key in keys])


class _OtherCounters:
    """Another Flask-Limiter storage (memcached...): each count is atomic, the set of them is
    not (use Redis with several processes, as the README says)."""

    def __init__(self, storage):
        self.storage = storage

    def take(self, counters: list[_Counter]) -> bool:
        totals = [self.storage.incr(key, expiry) for key, _limit, expiry in counters]
        if all(total <= limit for total, (_k, limit, _e) in zip(totals, counters, strict=True)):
            return True
        self.give_back([key for key, _limit, _expiry in counters])
        return False

    def give_back(self, keys: list[str]) -> None:
        for key in keys:
            self.storage.incr(key, 1, amount=-1)


def login_counters(email: str, address: str | None) -> list[Counted]:
    """The counters a login attempt is held against: the (account, address) pair, the address,
    and the account (at a much higher threshold, so that nobody can lock its owner out)."""
    config = current_app.config
    account = email.strip().lower()
    address = address or "unknown"
    return [
        (config["LMS_LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"], f"login-pair:{account}|{address}"),
        (config["LMS_LOGIN_LIMIT_PER_ADDRESS"], f"login-address:{address}"),
        (config["LMS_LOGIN_LIMIT_PER_ACCOUNT"], f"login-account:{account}"),
    ]


def throttle() -> Throttle:
    return current_app.extensions["lms"].throttle
