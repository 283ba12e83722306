"""Read side of the LTI scores page: how many scores are in each state, the platform's last
error, one page of the latest scores with their platform, placement and learner (four queries,
whatever the page size). A score that failed stays ``queued`` (the later scores of its learner
wait behind it) with its attempts counted: that is its "failed" state here; one the platform
refused for good is ``rejected``, one that failed too often ``given_up``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, literal_column

from lms.jobs.outbox_queries import latest, names_by_id, rows_page, state_counts, user_names

from ..grade_models import LtiScore
from ..models import LtiPlatform, LtiResourceLink

#: queued: waiting for its first attempt; failed: an attempt failed, the sender tries it again;
#: rejected: the platform refused it (400, 401, 403, 404, 410, 422); given_up: it failed too many
#: times, or for too long; sent: the platform has it; superseded: the platform holds a later
#: score of the learner
STATES = ("queued", "failed", "rejected", "given_up", "sent", "superseded")
#: the states "send again" offers (``operations.RETRIABLE``)
RETRIABLE_STATES = ("failed", "rejected", "given_up")
#: literal SQL (no bound parameter), so that PostgreSQL sees the same expression in GROUP BY
STATE = case(
    (and_(LtiScore.status == literal_column("'queued'"), LtiScore.attempts > literal_column("0")),
     literal_column("'failed'")),
    else_=LtiScore.status,
)  # fmt: skip


@dataclass
class ScoresPage:
    pagination: object
    #: by id: the learners' names, the platforms' names, the placements' targets
    learners: dict[int, str]
    platforms: dict[int, str]
    targets: dict[int, str]


def state_of(row: LtiScore) -> str:
    return "failed" if row.status == "queued" and row.attempts else row.status


def retriable(row: LtiScore) -> bool:
    return state_of(row) in RETRIABLE_STATES


def counts() -> dict[str, int]:
    return state_counts(STATE, STATES)


def last_error() -> LtiScore | None:
    """The latest score that failed, was refused or given up (what its platform answered)."""
    return latest(LtiScore, STATE.in_(RETRIABLE_STATES), LtiScore.last_error.is_not(None))


def scores_page(page: int, status: str | None) -> ScoresPage:
    pagination = rows_page(LtiScore, STATE, STATES, page, status)
    rows = pagination.items
    return ScoresPage(
        pagination,
        user_names(rows),
        names_by_id((row.platform_id for row in rows), LtiPlatform.id, LtiPlatform.name),
        names_by_id(
            (row.resource_link_id for row in rows), LtiResourceLink.id, LtiResourceLink.target
        ),
    )
