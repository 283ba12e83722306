"""The line item of a placement the platform launched without one (a course put in with a plain
link: the AGS claim carries ``lineitems`` but no ``lineitem``). The sender, never the learner's
request, finds the tool's line item for that resource link in the context's line items (GET
filtered by ``resource_link_id`` and ``tag``), else creates it (POST: label, scoreMaximum,
resourceLinkId, tag), and keeps its URL on the placement. One sender at a time does so per
placement: it claims the placement for a while (``lineitem_claimed_by`` / ``_until``, committed
before it calls the platform; no lock is held during the calls), and another sender that finds
the claim leaves that placement's scores queued for its next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import or_, select, update

from curriculum.db import db, utcnow
from curriculum.models import Course, Lesson, Module

from .models import LtiResourceLink

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MAXIMUM = 100
#: how long a sender's claim on a placement's line item holds (its calls take 25 s at most each)
CLAIM_HOLD = timedelta(minutes=5)


class PlacementLineItems(AssignmentsGradesService):
    """pylti1p3's service, listing only the line items of one resource link and tag (AGS 2.0
    §3.2.5 query parameters) instead of every line item of the context."""

    def __init__(self, connector: ServiceConnector, lineitems_url: str, filters: dict) -> None:
        super().__init__(connector, {"scope": [LINEITEM_SCOPE, SCORE_SCOPE],
                                     "lineitems": lineitems_url})  # fmt: skip
        separator = "&" if "?" in lineitems_url else "?"
        self._filtered_url = lineitems_url + separator + urlencode(filters)

    def get_lineitems(self):
        pages = self._service_connector.get_paginated_data(
            self._service_data["scope"], self._filtered_url, accept=CONTAINER
        )
        for page in pages:
            yield from page["body"] if isinstance(page["body"], list) else []


def tag_of(link: LtiResourceLink) -> str:
    """The tag the tool gives its line items: what the placement shows (``course/module/...``)."""
    return f"lms:{link.target}"[:255]


def label_of(target: str) -> str:
    """The platform's column title: the lesson's, module's or course's title."""
    slugs = target.split("/")
    course = db.session.scalar(select(Course).where(Course.slug == slugs[0]))
    if course is None:
        return target
    titled = course
    if len(slugs) > 1:
        module = db.session.scalar(
            select(Module).where(Module.course_id == course.id, Module.slug == slugs[1])
        )
        titled = module or course
        if module is not None and len(slugs) > 2:
            lesson = db.session.scalar(
                select(Lesson).where(Lesson.module_id == module.id, Lesson.slug == slugs[2])
            )
            titled = lesson or module
    titles = titled.titles or {}
    return titles.get(course.default_language) or next(iter(titles.values()), target)


class LineItemBusy(Exception):
    """Another sender is finding or creating this placement's line item (its claim holds): this
    sender leaves the placement's scores queued for now."""


@dataclass(frozen=True)
class Wanted:
    """What the sender looks for on the platform (read before any call to it)."""

    lineitems_url: str
    resource_link_id: str
    tag: str
    label: str


def ensure_lineitem(connector: ServiceConnector, link_id: int, holder: str) -> str:
    """The placement's line item URL, found or created on the platform and kept on the
    placement (so that the next score of any learner finds it). No transaction is open during
    the calls to the platform: the placement is claimed first (committed), and the URL written
    only if no one wrote one meanwhile."""
    wanted = _claim(link_id, holder)
    if isinstance(wanted, str):
        return wanted
    try:
        found = _find_or_create(connector, wanted)
    except BaseException:
        db.session.rollback()
        _release(link_id, holder)
        raise
    db.session.execute(
        update(LtiResourceLink)
        .where(LtiResourceLink.id == link_id, LtiResourceLink.lineitem_url.is_(None))
        .values(lineitem_url=found, lineitem_claimed_by=None, lineitem_claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    kept = db.session.scalar(
        select(LtiResourceLink.lineitem_url).where(LtiResourceLink.id == link_id)
    )  # another sender's, if one was written meanwhile (its claim had run out)
    _release(link_id, holder)
    return kept or found


def _claim(link_id: int, holder: str) -> str | Wanted:
    """The placement's line item URL if it has one, else what to look for once this sender
    holds the placement's claim (committed); ``LineItemBusy`` while another sender holds it."""
    now = utcnow()
    free = or_(
        LtiResourceLink.lineitem_claimed_until.is_(None),
        LtiResourceLink.lineitem_claimed_until < now,
        LtiResourceLink.lineitem_claimed_by == holder,
    )
    claimed = db.session.execute(
        update(LtiResourceLink)
        .where(LtiResourceLink.id == link_id, LtiResourceLink.lineitem_url.is_(None), free)
        .values(lineitem_claimed_by=holder, lineitem_claimed_until=now + CLAIM_HOLD)
        .execution_options(synchronize_session=False)
    ).rowcount
    link = db.session.scalars(
        select(LtiResourceLink)
        .where(LtiResourceLink.id == link_id)
        .execution_options(populate_existing=True)
    ).one()
    try:
        if link.lineitem_url:
            return link.lineitem_url
        if not claimed:
            raise LineItemBusy(f"another sender is creating the line item of placement {link_id}")
        if not link.lineitems_url:
            raise LookupError("the platform gave this placement no line item")
        tag = tag_of(link)
        return Wanted(link.lineitems_url, link.resource_link_id, tag, label_of(link.target))
    finally:
        db.session.commit()  # the claim, and no transaction left open during the calls


def _release(link_id: int, holder: str) -> None:
    db.session.execute(
        update(LtiResourceLink)
        .where(LtiResourceLink.id == link_id, LtiResourceLink.lineitem_claimed_by == holder)
        .values(lineitem_claimed_by=None, lineitem_claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _find_or_create(connector: ServiceConnector, wanted: Wanted) -> str:
    """The platform's line item for the placement (GET filtered by link and tag), else a new one
    (POST): calls to the platform only, no database."""
    item = (
        LineItem()
        .set_label(wanted.label)
        .set_score_maximum(SCORE_MAXIMUM)
        .set_resource_link_id(wanted.resource_link_id)
        .set_tag(wanted.tag)
    )
    service = PlacementLineItems(connector, wanted.lineitems_url,
                                 {"resource_link_id": wanted.resource_link_id, "tag": wanted.tag})  # fmt: skip
    found = service.find_or_create_lineitem(
        item,
        condition=lambda found: (
            found.get("resourceLinkId") == wanted.resource_link_id
            and found.get("tag") == wanted.tag
        ),
    )
    if not found.get_id():
        raise LookupError("the platform answered a line item without an id")
    return found.get_id()
