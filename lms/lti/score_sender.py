"""Posting the queued AGS scores to the platforms, oldest first, by any number of senders at once
(Celery workers, the thread of each web process, ``flask lti send-scores``).

A sender claims rows before posting them, in one UPDATE whose subquery picks them
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (a row another sender is claiming is passed over, not
waited for); on SQLite the UPDATE itself is the guard (one writer at a time, and it only takes
rows nobody holds). A claim lasts ``HOLD``: a sender that died leaves its rows to the next one.
Only the oldest queued score of each learner and placement can be claimed, so that a learner's
scores reach the platform in order; a score that fails stays queued and the later ones wait
behind it (an older score is never posted after a newer one)."""

from __future__ import annotations

import json
import os
import secrets
import socket
from datetime import timedelta

from flask import Flask
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from curriculum.db import db, utcnow

from .grade_models import LtiScore
from .http import PlatformSession
from .lineitems import SCORE_SCOPE, ensure_lineitem
from .models import LtiPlatform
from .tool_config import DatabaseToolConf

#: how long a claim holds (a sender posts a claimed batch well within it)
HOLD = timedelta(minutes=5)
BATCH = 50
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


class RunConnector(ServiceConnector):
    """Access tokens kept for one sending run (a token is never reused across key rotations)."""

    def __init__(self, registration) -> None:
        super().__init__(registration, PlatformSession())
        self._tokens: dict[str, str] = {}

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return self._tokens.get(scope_key)

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        self._tokens[scope_key] = access_token


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


def describe(error: Exception) -> str:
    """What failed, for the administrators: the platform's status and answer when it gave one."""
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "status_code"):
        return f"{type(error).__name__}: HTTP {response.status_code} {response.text[:300]}"
    return f"{type(error).__name__}: {error}"


def _superseded(error: Exception) -> bool:
    """409: the platform holds a score of this learner with a later timestamp (it keeps that)."""
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) == 409


def claim(holder: str, passed_over: set[int]) -> list[LtiScore]:
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
    if passed_over:
        picked = picked.where(LtiScore.id.not_in(passed_over))
    db.session.execute(
        update(LtiScore)
        .where(LtiScore.id.in_(picked.scalar_subquery()), free)
        .values(claimed_by=holder, claimed_until=now + HOLD)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(LtiScore)
            .where(LtiScore.claimed_by == holder, LtiScore.status == "queued")
            .order_by(LtiScore.id)
        )
    )


def _connector(cache: dict, conf: DatabaseToolConf, platform_id: int) -> RunConnector | None:
    if platform_id not in cache:
        registration = conf._registration(db.session.get(LtiPlatform, platform_id))
        cache[platform_id] = registration and RunConnector(registration)
    return cache[platform_id]


def _post(connector: RunConnector | None, row: LtiScore) -> None:
    if connector is None:
        raise RuntimeError("the platform is disabled")
    if not row.lineitem_url:
        row.lineitem_url = ensure_lineitem(connector, row.resource_link_id)
    connector.make_service_request([SCORE_SCOPE], scores_url(row.lineitem_url), is_post=True,
                                   data=json.dumps(body(row)), content_type=SCORE_TYPE)  # fmt: skip


def send_pending(app: Flask) -> dict[str, int]:
    """Post the queued scores this sender can claim; a failure holds back that learner's
    later scores for the placement (they are tried again by the next run)."""
    sent = failed = 0
    holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:100]
    with app.app_context():
        conf = DatabaseToolConf()
        connectors: dict[int, RunConnector | None] = {}
        passed_over: set[int] = set()
        while rows := claim(holder, passed_over):
            for row in rows:
                try:
                    _post(_connector(connectors, conf, row.platform_id), row)
                except Exception as error:  # down, refused, disabled: the row waits, in place
                    if _superseded(error):  # the platform keeps its later score: done
                        row.status, row.last_error = "superseded", describe(error)[:1000]
                    else:
                        row.attempts += 1
                        row.last_error = describe(error)[:1000]
                        passed_over.add(row.id)
                        failed += 1
                else:
                    row.status, row.sent_at, row.last_error = "sent", utcnow(), None
                    sent += 1
                row.claimed_by = row.claimed_until = None
                db.session.commit()
    return {"sent": sent, "failed": failed}
