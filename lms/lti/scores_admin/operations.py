"""The administrators' verbs on the LTI scores outbox: send what is queued now (the failed ones
too, without waiting for the end of their wait), and give the failed, refused and given-up
scores a fresh set of attempts. Both wake the sender (``lms.lti.grades``: a Celery task,
else a background thread) after the request commits: a request never talks to a platform."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, or_, update

from curriculum.db import db
from lms.audit.operations import record
from lms.errors import NotFound
from lms.jobs import senders

from ..grade_models import LtiScore
from ..grades import PENDING_KEY

#: the scores "send again" takes: failed (queued, waiting for their next attempt), refused by
#: the platform, given up
RETRIABLE = or_(
    and_(LtiScore.status == "queued", LtiScore.attempts > 0),
    LtiScore.status.in_(("rejected", "given_up")),
)


def send_now(actor) -> None:
    """Wake the sender now: every queued score it can claim, the failed ones too (their wait
    ends now)."""
    db.session.execute(
        update(LtiScore)
        .where(LtiScore.status == "queued", LtiScore.next_attempt_at.is_not(None))
        .values(next_attempt_at=None)
    )
    record(actor, "lti.scores_send_now", "lti_scores", "queue")
    senders.wake_after_commit(PENDING_KEY)


def retry(actor, score_id: int | None = None) -> int:
    """Give the failed, refused and given-up scores (or only the one with ``score_id``) a fresh
    set of attempts, queued again, and wake the sender; how many. Their claims are left alone:
    a score a sender is posting right now is not posted twice."""
    query = update(LtiScore).where(RETRIABLE)
    if score_id is not None:
        query = query.where(LtiScore.id == score_id)
    values = {"status": "queued", "attempts": 0, "next_attempt_at": None}
    count = db.session.execute(query.values(**values)).rowcount
    if score_id is not None and not count:
        raise NotFound(_("This score is not waiting to be sent again."))
    record(actor, "lti.scores_retry", "lti_scores", score_id or "all", count=count)
    if count:
        senders.wake_after_commit(PENDING_KEY)
    return count
