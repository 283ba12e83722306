"""NRPS 2.0 roster: a trainer who launched from a platform imports its course's learners into
the cohort the context maps to, through the CSV roster import's preview and confirmation (every
row checked, nothing written before the trainer confirms, existing accounts invited)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from sqlalchemy import select

from curriculum.db import db
from lms.cohorts.models import Cohort, RosterImport
from lms.cohorts.operations import upload_roster
from lms.errors import InvalidInput, NotFound
from lms.users.models import User

from .models import LtiContext, LtiPlatform
from .score_sender import RunConnector
from .tool_config import DatabaseToolConf

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 50


def linked_context(cohort: Cohort, platform_id: int | None) -> LtiContext:
    """The platform context of ``cohort``, from the platform this browser launched from."""
    context = db.session.scalar(
        select(LtiContext).where(
            LtiContext.cohort_id == cohort.id, LtiContext.platform_id == platform_id
        )
    )
    if context is None or not context.memberships_url:
        raise NotFound(_("Open this cohort from your platform to import its members."))
    return context


def has_members_service(cohort: Cohort, platform_id: int) -> bool:
    return (
        db.session.scalar(
            select(LtiContext.id).where(
                LtiContext.cohort_id == cohort.id,
                LtiContext.platform_id == platform_id,
                LtiContext.memberships_url.is_not(None),
            )
        )
        is not None
    )


def members(context: LtiContext) -> list[dict]:
    """Every active member of the platform's course (all pages of the NRPS answer)."""
    platform = db.session.get(LtiPlatform, context.platform_id)
    registration = DatabaseToolConf()._registration(platform)
    if registration is None:
        raise InvalidInput(_("This platform is disabled: ask its administrator."))
    connector = RunConnector(registration)
    url: str | None = context.memberships_url
    found: list[dict] = []
    for _page in range(MAX_PAGES):
        if not url:
            break
        try:
            answer = connector.make_service_request([NRPS_SCOPE], url, accept=NRPS_TYPE)
        except Exception as error:
            raise InvalidInput(
                _("The platform did not send its members: %(reason)s", reason=type(error).__name__)
            ) from error
        found.extend((answer["body"] or {}).get("members", []))
        url = answer["next_page_url"]
    return [m for m in found if m.get("status", "Active") == "Active"]


def import_members(actor: User, cohort: Cohort, context: LtiContext) -> RosterImport:
    """The platform's learners as a roster awaiting the trainer's confirmation."""
    learners = [
        m for m in members(context) if any(r.endswith("Learner") for r in m.get("roles", []))
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email"])
    for member in learners:
        writer.writerow([member.get("name") or "", member.get("email") or ""])
    return upload_roster(actor, cohort, _("Members of %(title)s", title=context.title)[:255],
                         out.getvalue().encode())  # fmt: skip
