"""The administrators' verbs on the LTI scores outbox: send what is queued now, and give the
failed scores a fresh set of attempts. Both wake the sender (``lms.lti.grades``: a Celery task,
else a background thread) after the request commits: a request never talks to a platform."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from curriculum.db import db
from lms.audit.operations import record
from lms.errors import NotFound
from lms.jobs import senders

from ..grade_models import LtiScore
from ..grades import PENDING_KEY


def send_now(actor) -> None:
    """Wake the sender now: every queued score it can claim, the failed ones too."""
    record(actor, "lti.scores_send_now", "lti_scores", "queue")
    senders.wake_after_commit(PENDING_KEY)


def retry(actor, score_id: int | None = None) -> int:
    """Give the failed scores (or only the one with ``score_id``) their attempts back and wake
    the sender; how many were queued again. Their claims are left alone: a score a sender is
    posting right now is not posted twice."""
    query = update(LtiScore).where(LtiScore.status == "queued", LtiScore.attempts > 0)
    if score_id is not None:
        query = query.where(LtiScore.id == score_id)
    count = db.session.execute(query.values(attempts=0)).rowcount
    if score_id is not None and not count:
        raise NotFound(_("This score is not waiting to be sent again."))
    record(actor, "lti.scores_retry", "lti_scores", score_id or "all", count=count)
    if count:
        senders.wake_after_commit(PENDING_KEY)
    return count
