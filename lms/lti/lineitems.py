"""The line item of a placement the platform launched without one (a course put in with a plain
link: the AGS claim carries ``lineitems`` but no ``lineitem``). The sender, never the learner's
request, finds the tool's line item for that resource link in the context's line items (GET
filtered by ``resource_link_id`` and ``tag``), else creates it (POST: label, scoreMaximum,
resourceLinkId, tag), and keeps its URL on the placement. One sender at a time does so per
placement: the placement's row is locked (PostgreSQL: a row lock; SQLite: the write lock)."""

from __future__ import annotations

from urllib.parse import urlencode

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select, update

from curriculum.db import db
from curriculum.models import Course, Lesson, Module

from .models import LtiResourceLink

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MAXIMUM = 100


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


def ensure_lineitem(connector: ServiceConnector, link_id: int) -> str:
    """The placement's line item URL, found or created on the platform (committed at once, so
    that the next score of any learner finds it)."""
    # take the placement's row lock first: a second sender waits here, then reads the URL
    db.session.execute(
        update(LtiResourceLink)
        .where(LtiResourceLink.id == link_id)
        .values(lineitems_url=LtiResourceLink.lineitems_url)
        .execution_options(synchronize_session=False)
    )
    link = db.session.scalars(
        select(LtiResourceLink)
        .where(LtiResourceLink.id == link_id)
        .execution_options(populate_existing=True)
    ).one()
    if link.lineitem_url:
        db.session.commit()
        return link.lineitem_url
    try:
        if not link.lineitems_url:
            raise LookupError("the platform gave this placement no line item")
        tag = tag_of(link)
        wanted = (
            LineItem()
            .set_label(label_of(link.target))
            .set_score_maximum(SCORE_MAXIMUM)
            .set_resource_link_id(link.resource_link_id)
            .set_tag(tag)
        )
        service = PlacementLineItems(connector, link.lineitems_url,
                                     {"resource_link_id": link.resource_link_id, "tag": tag})  # fmt: skip
        found = service.find_or_create_lineitem(
            wanted,
            condition=lambda item: (
                item.get("resourceLinkId") == link.resource_link_id and item.get("tag") == tag
            ),
        )
        if not found.get_id():
            raise LookupError("the platform answered a line item without an id")
    except BaseException:
        db.session.rollback()
        raise
    link.lineitem_url = found.get_id()
    db.session.commit()
    return link.lineitem_url
