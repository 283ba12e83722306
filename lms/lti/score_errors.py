"""What a failed post of a score means for its row in the outbox (``score_sender``).

- 409: the platform holds a later score of the learner and keeps it: ``superseded``, done.
- 400, 401 (once the sender has asked for a new access token and tried again), 403, 404, 410,
  422: the platform refuses this score and would refuse it again (its line item deleted by the
  teacher, a learner no longer in the course, a scope withdrawn): ``rejected``, with the
  platform's answer, shown on Admin › LTI scores. It no longer holds up the later scores of
  the learner (they go on in order: the platform orders scores by their timestamps).
- anything else (no connection, no answer in time, 429, 5xx, an access token refused, the
  platform disabled): tried again after a wait that doubles with each attempt (at least what
  the platform's ``Retry-After`` asks), up to ``MAX_ATTEMPTS`` attempts or ``MAX_AGE`` after the
  score changed: then ``given_up``, shown the same way. An administrator's "send again" gives
  either a fresh set of attempts."""

from __future__ import annotations

from datetime import timedelta

import requests
from pylti1p3.exception import LtiServiceException

#: the platform's answers that say this score will never be taken as it is
REFUSALS = frozenset({400, 401, 403, 404, 410, 422})
#: the platform itself is away or asks the tool to slow down: its other scores wait too
PLATFORM_AWAY = frozenset({429, 502, 503, 504})
MAX_ATTEMPTS = 10
MAX_AGE = timedelta(days=7)
#: seconds before the first retry; doubles with each attempt, up to MAX_BACKOFF
BACKOFF = 30.0
MAX_BACKOFF = 6 * 3600.0
ERROR_LENGTH = 1000


class PlatformDisabled(RuntimeError):
    def __init__(self) -> None:
        super().__init__("the platform is disabled")


class TokenRefused(LtiServiceException):
    """The platform's token endpoint did not give an access token: the platform's
    registration or its endpoint is at fault, not the score (tried again later)."""


def http_status(error: Exception) -> int | None:
    return getattr(getattr(error, "response", None), "status_code", None)


def describe(error: Exception) -> str:
    """What failed, for the administrators: the platform's status and answer when it gave one."""
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "status_code"):
        text = f"{type(error).__name__}: HTTP {response.status_code} {response.text[:300]}"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:ERROR_LENGTH]


def superseded(error: Exception) -> bool:
    """409: the platform holds a score of this learner with a later timestamp (it keeps that)."""
    return http_status(error) == 409


def refused(error: Exception) -> bool:
    """The platform refused this score for good (not its token endpoint: that is the
    registration's trouble, and it may be mended)."""
    return not isinstance(error, TokenRefused) and http_status(error) in REFUSALS


def unreachable(error: Exception) -> bool:
    """The platform itself is away (no connection, no answer in time, a gateway's 502-504, a
    429, disabled, no access token): its other scores would fail the same way."""
    if isinstance(error, (requests.ConnectionError, requests.Timeout, PlatformDisabled)):
        return True
    return isinstance(error, TokenRefused) or http_status(error) in PLATFORM_AWAY


def retry_delay(attempts: int, error: Exception | None = None) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling, at least the platform's
    ``Retry-After`` (in seconds), never more than ``MAX_BACKOFF``."""
    wait = BACKOFF * 2 ** max(attempts - 1, 0)
    response = getattr(error, "response", None)  # (a Response is false when it is an error)
    headers = getattr(response, "headers", None) if response is not None else None
    asked = (headers or {}).get("Retry-After", "")
    if str(asked).strip().isdigit():
        wait = max(wait, float(asked))
    return timedelta(seconds=min(wait, MAX_BACKOFF))
