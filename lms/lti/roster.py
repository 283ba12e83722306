"""NRPS 2.0 roster: a trainer who launched from a platform imports its course's learners into
the cohort the context maps to, through the roster import's preview and confirmation (nothing
written before the trainer confirms, existing accounts invited).

The members are mapped as a launch maps them (``roles``): instructors and teaching assistants are
not roster rows (a launch of theirs makes them trainers of the cohort; an import never does:
trainer rights come from the person's own signed launch), everyone else is a learner. An account
the import creates is linked to the member's platform user id, so that their launch opens it; a
member without a usable e-mail gets an account without e-mail (shown so in the preview), enrolled
at once. A member whose platform user id is already linked opens that account. An existing
account found by its e-mail is only invited: the platform's word on an address is no proof, so
it is linked only by its password, on the member's first launch (``accounts``)."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from lms.cohorts.models import Cohort, RosterImport
from lms.cohorts.operations import keep_roster
from lms.cohorts.roster import ExternalMember, external_rows
from lms.errors import Conflict, InvalidInput, NotFound
from lms.signals import roster_accounts_created
from lms.users.models import User

from .accounts import fallback_name, placeholder_email
from .models import LtiContext, LtiPlatform, LtiUserLink
from .roles import is_trainer_role
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
    platform = db.session.get(LtiPlatform, context.platform_id)
    learners = [m for m in members(context) if m.get("user_id")
                and not is_trainer_role(m.get("roles"))]  # fmt: skip
    subjects = [str(m["user_id"]) for m in learners]
    linked = dict(db.session.execute(
        select(LtiUserLink.subject, User.email).join(User, User.id == LtiUserLink.user_id)
        .where(LtiUserLink.issuer == platform.issuer, LtiUserLink.subject.in_(subjects))
    ).all()) if subjects else {}  # fmt: skip
    rows = []
    for member, subject in zip(learners, subjects, strict=True):
        placeholder = placeholder_email(platform, subject)
        # an account already linked to the member is theirs, whatever the platform says now
        email = linked.get(subject, str(member.get("email") or ""))
        name = str(member.get("name") or "").strip() or fallback_name(platform)
        link = None if subject in linked else {"lti_platform_id": platform.id, "subject": subject}
        rows.append(ExternalMember(name, "" if email == placeholder else email, placeholder, link))
    title = _("Members of %(title)s", title=context.title)[:255]
    return keep_roster(actor, cohort, title, external_rows(rows))


def record_links(sender, roster: RosterImport, accounts: list[tuple[User, dict]], **extra) -> None:
    """Link the accounts a confirmed import created to their members' platform user ids."""
    rows = [(user, link) for user, link in accounts if link and link.get("lti_platform_id")]
    if not rows:
        return
    platforms = {p.id: p for p in db.session.scalars(select(LtiPlatform).where(
        LtiPlatform.id.in_({link["lti_platform_id"] for _user, link in rows})))}  # fmt: skip
    now = utcnow()
    values = [{"platform_id": link["lti_platform_id"], "subject": str(link["subject"]),
               "issuer": platforms[link["lti_platform_id"]].issuer, "user_id": user.id,
               "created_at": now}
              for user, link in rows if link["lti_platform_id"] in platforms]  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.execute(insert(LtiUserLink), values)
    except IntegrityError as error:
        raise Conflict(_("Some of these members opened the course from the platform meanwhile: "
                         "import the members again.")) from error  # fmt: skip


def connect(app: Flask) -> None:
    roster_accounts_created.connect(record_links, sender=app, weak=False)
