"""Posting the queued AGS scores to the platforms, oldest first, by any number of senders at once
(Celery workers, the thread of each web process, ``lms lti send-scores`` from cron).

A sender claims rows before posting them, in one UPDATE whose subquery picks them
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (a row another sender is claiming is passed over, not
waited for); on SQLite the UPDATE itself is the guard (one writer at a time, and it only takes
rows nobody holds). A claim lasts ``HOLD``: a sender that died leaves its rows to the next one.
So that a slow platform cannot let a claim run out mid-batch and two senders post one score, the
sender renews the row's claim (committed) just before posting it, skips it if another sender took
it over, and writes the outcome only while the row is still its own. No transaction is open
during a call to a platform. A platform that cannot be reached is passed over for the rest of
the run (its scores stay queued, without an attempt counted) so that it does not hold up the
others.
Only the oldest queued score of each learner and placement can be claimed, so that a learner's
scores reach the platform in order; a score that failed waits (``score_errors``: a backoff that
doubles, up to a number of attempts) and the later ones wait behind it (an older score is never
posted after a newer one), unless the platform refused it for good or the sender gave up on it:
then it is set aside, shown to the administrators, and the later ones go on.

Without Celery, the thread woken by a commit sends what is due then; the failed scores are
tried again when their wait is over by ``lms lti send-scores`` run from cron (as ``lms mail
send-pending`` and ``lms xapi send``), or by the next run a commit wakes."""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from curriculum.db import db, utcnow

from .grade_models import LtiScore
from .http import PlatformSession
from .lineitems import SCORE_SCOPE, LineItemBusy, ensure_lineitem
from .models import LtiPlatform
from .score_errors import (
    MAX_AGE,
    MAX_ATTEMPTS,
    PlatformDisabled,
    TokenRefused,
    describe,
    http_status,
    refused,
    retry_delay,
    superseded,
    unreachable,
)
from .tool_config import DatabaseToolConf

#: how long a claim holds; renewed before each post (a post takes a few calls of 25 s at most)
HOLD = timedelta(minutes=5)
BATCH = 50
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


class RunConnector(ServiceConnector):
    """Access tokens kept for one sending run (a token is never reused across key rotations).
    A service that answers 401 is asked again once with a new token (the platform may have
    revoked the one kept); the token endpoint's own refusal is ``TokenRefused``."""

    def __init__(self, registration) -> None:
        super().__init__(registration, PlatformSession())
        self._tokens: dict[str, str] = {}

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return self._tokens.get(scope_key)

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        self._tokens[scope_key] = access_token

    def get_access_token(self, scopes) -> str:
        try:
            return super().get_access_token(scopes)
        except LtiServiceException as error:
            raise TokenRefused("The platform gave no access token.", error.response) from error

    def make_service_request(self, scopes, url, **options):
        try:
            return super().make_service_request(scopes, url, **options)
        except TokenRefused:
            raise
        except LtiServiceException as error:
            if http_status(error) != 401:
                raise
            self._tokens.clear()
            return super().make_service_request(scopes, url, **options)


def scores_url(lineitem_url: str) -> str:
    base, _, query = lineitem_url.partition("?")
    return base.rstrip("/") + "/scores" + (f"?{query}" if query else "")


def body(row: LtiScore) -> dict:
    return {
        "userId": row.subject,
        "scoreGiven": row.score_given,
        "scoreMaximum": row.score_maximum,
        "activityProgress": row.activity_progress,
        "gradingProgress": row.grading_progress,
        "timestamp": row.changed_at.isoformat(),
    }


@dataclass(frozen=True)
class Claimed:
    """A claimed row, read before any call to the platform (no transaction stays open then)."""

    id: int
    platform_id: int
    resource_link_id: int | None
    lineitem_url: str | None
    body: dict
    attempts: int
    changed_at: datetime


@dataclass
class Run:
    """What one sending run passes over: rows that failed or that another sender took over,
    platforms away, placements whose line item another sender is creating (all stay queued for
    the next run). ``now``: the failed scores too, whose wait is not over."""

    holder: str
    now: bool = False
    passed_over: set[int] = field(default_factory=set)
    platforms_away: set[int] = field(default_factory=set)
    links_busy: set[int] = field(default_factory=set)


def claim(run: Run) -> list[Claimed]:
    """Claim up to ``BATCH`` rows, each the oldest queued one of its learner and placement."""
    now = utcnow()
    older = aliased(LtiScore)
    behind = exists().where(
        older.status == "queued",
        older.id < LtiScore.id,
        older.user_id == LtiScore.user_id,
        or_(
            older.resource_link_id == LtiScore.resource_link_id,
            and_(older.resource_link_id.is_(None), older.lineitem_url == LtiScore.lineitem_url),
        ),
    )
    free = or_(LtiScore.claimed_until.is_(None), LtiScore.claimed_until < now)
    picked = (
        select(LtiScore.id)
        .where(LtiScore.status == "queued", free, ~behind)
        .order_by(LtiScore.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    if not run.now:
        picked = picked.where(
            or_(LtiScore.next_attempt_at.is_(None), LtiScore.next_attempt_at <= now)
        )
    if run.passed_over:
        picked = picked.where(LtiScore.id.not_in(run.passed_over))
    if run.platforms_away:
        picked = picked.where(LtiScore.platform_id.not_in(run.platforms_away))
    if run.links_busy:
        picked = picked.where(
            or_(
                LtiScore.resource_link_id.is_(None),
                LtiScore.resource_link_id.not_in(run.links_busy),
            )
        )
    db.session.execute(
        update(LtiScore)
        .where(LtiScore.id.in_(picked.scalar_subquery()), free)
        .values(claimed_by=run.holder, claimed_until=now + HOLD)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = [
        Claimed(
            row.id,
            row.platform_id,
            row.resource_link_id,
            row.lineitem_url,
            body(row),
            row.attempts,
            row.changed_at,
        )
        for row in db.session.scalars(
            select(LtiScore)
            .where(LtiScore.claimed_by == run.holder, LtiScore.status == "queued")
            .order_by(LtiScore.id)
        )
    ]
    db.session.commit()
    return rows


def renew(holder: str, row_id: int) -> bool:
    """Hold the row ``HOLD`` longer, if it is still this sender's (committed before the post)."""
    renewed = db.session.execute(
        update(LtiScore)
        .where(LtiScore.id == row_id, LtiScore.claimed_by == holder, LtiScore.status == "queued")
        .values(claimed_until=utcnow() + HOLD)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return renewed == 1


def finish(holder: str, row_id: int, **values) -> bool:
    """Write the outcome and let the row go, only if this sender still holds it (another one that
    took it over after the claim ran out writes its own)."""
    written = db.session.execute(
        update(LtiScore)
        .where(LtiScore.id == row_id, LtiScore.claimed_by == holder)
        .values(**values, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return written == 1


def _connector(cache: dict, conf: DatabaseToolConf, platform_id: int) -> RunConnector | None:
    if platform_id not in cache:
        registration = conf._registration(db.session.get(LtiPlatform, platform_id))
        cache[platform_id] = registration and RunConnector(registration)
    return cache[platform_id]


def _post(connector: RunConnector | None, row: Claimed, holder: str) -> str:
    """Post the score (finding or creating the line item first if need be); its line item URL."""
    if connector is None:
        raise PlatformDisabled()
    lineitem_url = row.lineitem_url or ensure_lineitem(connector, row.resource_link_id, holder)
    connector.make_service_request([SCORE_SCOPE], scores_url(lineitem_url), is_post=True,
                                   data=json.dumps(row.body), content_type=SCORE_TYPE)  # fmt: skip
    return lineitem_url


def send_one(run: Run, row: Claimed, conf: DatabaseToolConf, connectors: dict) -> str:
    """``sent``, ``superseded``, ``failed`` (an attempt counted, tried again after its wait),
    ``rejected`` / ``given_up`` (set aside: see ``score_errors``), ``skipped`` (left queued, no
    attempt) or ``lost`` (another sender took the row over: it neither posts nor writes). A run
    deals with a row once: whatever happens, it does not claim it again."""
    run.passed_over.add(row.id)
    if row.platform_id in run.platforms_away or row.resource_link_id in run.links_busy:
        finish(run.holder, row.id)
        return "skipped"
    connector = _connector(connectors, conf, row.platform_id)
    if not renew(run.holder, row.id):
        return "lost"
    try:
        lineitem_url = _post(connector, row, run.holder)
    except LineItemBusy:
        run.links_busy.add(row.resource_link_id)
        finish(run.holder, row.id)
        return "skipped"
    except Exception as error:  # down, refused, disabled: see score_errors
        db.session.rollback()
        return _failed(run, row, error)
    written = finish(run.holder, row.id, status="sent", sent_at=utcnow(), last_error=None,
                     next_attempt_at=None, lineitem_url=lineitem_url)  # fmt: skip
    return "sent" if written else "lost"


def _failed(run: Run, row: Claimed, error: Exception) -> str:
    """Write what the failure means for the row (``score_errors``); the outcome's name."""
    reason = describe(error)
    if superseded(error):  # the platform keeps its later score: done
        finish(run.holder, row.id, status="superseded", last_error=reason)
        return "superseded"
    attempts = row.attempts + 1
    counted = {"attempts": LtiScore.attempts + 1, "last_error": reason}
    if refused(error):
        finish(run.holder, row.id, status="rejected", next_attempt_at=None, **counted)
        return "rejected"
    if unreachable(error):
        run.platforms_away.add(row.platform_id)
    if attempts >= MAX_ATTEMPTS or row.changed_at <= utcnow() - MAX_AGE:
        finish(run.holder, row.id, status="given_up", next_attempt_at=None, **counted)
        return "given_up"
    finish(run.holder, row.id, next_attempt_at=utcnow() + retry_delay(attempts, error), **counted)
    return "failed"


def send_pending(app: Flask, now: bool = False) -> dict[str, int]:
    """Post the queued scores this sender can claim whose wait is over (all of them if ``now``);
    a failure holds back that learner's later scores for the placement (they are tried again
    by a later run), and a platform that cannot be reached holds back only its own scores.
    How many were sent, failed (to be tried again), refused by the platform, given up."""
    outcomes: Counter[str] = Counter()
    run = Run(f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:100], now=now)
    with app.app_context():
        conf = DatabaseToolConf()
        connectors: dict[int, RunConnector | None] = {}
        while rows := claim(run):
            for row in rows:
                outcomes[send_one(run, row, conf, connectors)] += 1
    return {key: outcomes[key] for key in ("sent", "failed", "rejected", "given_up")}
