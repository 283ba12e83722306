"""Deep Linking 2.0: an instructor in the platform picks a course, a module or a lesson of our
catalogue, and the tool answers with signed ``ltiResourceLink`` content items (a line item for a
quiz or a whole course: those are what send grades back). The platform's settings are honoured:
one item only unless it accepts several (``accept_multiple``), and nothing at all where it does
not accept resource links (``accept_types``: the picker says so)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session, url_for
from flask_babel import gettext as _
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from curriculum.db import db
from curriculum.models import Course, Module
from lms.errors import InvalidInput, NotAllowed
from lms.i18n import SESSION_KEY as LOCALE_KEY
from lms.i18n import available_languages

from .models import LtiPlatform
from .operations import CLAIM
from .roles import is_trainer_role
from .tool_config import DatabaseToolConf

SESSION_KEY = "lti_deep_link"
SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
#: the only kind of content item the tool answers with
RESOURCE_LINK = "ltiResourceLink"
#: how many items one answer may carry (a picker page, not a bulk export)
MAX_ITEMS = 50


@dataclass
class Item:
    """One row of the picker: a course, a module or a lesson, by its slug path."""

    path: str
    title: str
    kind: str  # course | module | lesson
    graded: bool  # a quiz lesson or a whole course: the item carries a line item
    depth: int


def start(platform: LtiPlatform, claims: dict, deployment_id: str) -> None:
    """Remember a valid deep-linking request in the session (refused for learners)."""
    if not is_trainer_role(claims.get(CLAIM + "roles") or []):
        raise NotAllowed(_("Only the platform's instructors can choose what to add to a course."))
    settings = claims.get(SETTINGS) or {}
    if not settings.get("deep_link_return_url"):
        raise InvalidInput(_("The platform did not say where to send the chosen items."))
    locale = str((claims.get(CLAIM + "launch_presentation") or {}).get("locale") or "")
    session[SESSION_KEY] = {
        "platform_id": platform.id,
        "deployment_id": deployment_id,
        "settings": {
            key: settings.get(key)
            for key in ("deep_link_return_url", "accept_types", "accept_multiple", "data")
        },
        "title": str((claims.get(CLAIM + "context") or {}).get("title") or "")[:200],
    }
    language = locale.replace("_", "-").split("-")[0].lower()
    if language in available_languages():
        session[LOCALE_KEY] = language


def pending() -> dict:
    """The deep-linking request of this browser, or 403."""
    request = session.get(SESSION_KEY)
    if not request:
        raise NotAllowed(_('Open this page from your platform\'s "add an activity" screen.'))
    return request


def catalogue(language: str, query: str = "") -> list[Item]:
    """Published courses with their modules and lessons; ``query`` keeps the rows whose title
    (or a parent's title) contains it, case-insensitive."""
    needle = query.strip().casefold()
    courses = db.session.scalars(
        select(Course)
        .where(Course.published.is_(True), Course.archived_at.is_(None))
        .options(selectinload(Course.modules).selectinload(Module.lessons))
        .order_by(Course.slug)
    ).all()
    items: list[Item] = []
    for course in courses:
        course_title = course.title(language)
        rows = [Item(course.slug, course_title, "course", True, 0)]
        for module in sorted(course.modules, key=lambda m: m.position):
            if module.archived_at is not None:
                continue
            module_title = module.title(language)
            module_path = f"{course.slug}/{module.slug}"
            rows.append(Item(module_path, module_title, "module", False, 1))
            for lesson in sorted(module.lessons, key=lambda item: item.position):
                if lesson.archived_at is not None:
                    continue
                title = lesson.title(language, lesson.slug)
                rows.append(Item(f"{module_path}/{lesson.slug}", title, "lesson",
                                 lesson.kind == "quiz", 2))  # fmt: skip
        if needle:
            rows = _matching(rows, needle)
        items.extend(rows)
    return items


def _matching(rows: list[Item], needle: str) -> list[Item]:
    """Rows whose title matches, with their parents (so a lesson keeps its course and module)."""
    keep: set[str] = set()
    for row in rows:
        if needle in row.title.casefold():
            parts = row.path.split("/")
            keep.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return [row for row in rows if row.path in keep]


def accepts_multiple(request: dict) -> bool:
    """The platform takes several items in one answer (``accept_multiple``; yes when unsaid)."""
    return request["settings"].get("accept_multiple") not in (False, "false")


def refusal(request: dict) -> str | None:
    """Why the tool has nothing to offer this request, or ``None``: the platform does not
    accept resource links here (its ``accept_types``; a platform that names none is taken to
    accept them)."""
    accepted = request["settings"].get("accept_types")
    if accepted is None:
        return None
    accepted = [accepted] if isinstance(accepted, str) else [str(t) for t in accepted]
    if RESOURCE_LINK in accepted:
        return None
    types = ", ".join(accepted)[:200] or "—"  # (outside the call: babel reads its literals)
    return _("Your platform does not accept links to activities here (it accepts: %(types)s), "
             "and the tool has nothing else to offer. Add the tool from the screen that adds "
             "an activity or an external tool to the course.", types=types)  # fmt: skip


def chosen_items(request: dict, paths: list[str], language: str) -> list[Item]:
    """The picked rows of the catalogue; an unknown path or no choice is refused, as is more
    than one where the platform takes one, or anything where it takes no resource link."""
    refused = refusal(request)
    if refused:
        raise InvalidInput(refused)
    multiple = accepts_multiple(request)
    if not paths:
        raise InvalidInput(_("Choose at least one course, module or lesson."))
    if len(paths) > MAX_ITEMS:
        raise InvalidInput(_("Choose at most %(count)d items at once.", count=MAX_ITEMS))
    if len(paths) > 1 and not multiple:
        raise InvalidInput(_("Your platform accepts only one item here: choose one."))
    by_path = {item.path: item for item in catalogue(language)}
    unknown = [path for path in paths if path not in by_path]
    if unknown:
        raise InvalidInput(_("This item is not in the catalogue: %(path)s", path=unknown[0]))
    return [by_path[path] for path in dict.fromkeys(paths)]


def response(request: dict, items: list[Item]) -> tuple[str, str]:
    """``(return_url, jwt)``: the signed LtiDeepLinkingResponse carrying ``items``."""
    refused = refusal(request)  # (``chosen_items`` said so already: never signed regardless)
    if refused:
        raise InvalidInput(refused)
    if len(items) > 1 and not accepts_multiple(request):
        raise InvalidInput(_("Your platform accepts only one item here: choose one."))
    platform = db.session.get(LtiPlatform, request["platform_id"])
    conf = DatabaseToolConf()
    registration = conf._registration(platform)
    if registration is None:
        raise NotAllowed(_("This platform is disabled: ask its administrator."))
    resources = []
    for item in items:
        resource = DeepLinkResource()
        resource.set_url(url_for("lms_lti.launch", target=item.path, _external=True))
        resource.set_title(item.title).set_custom_params({"target": item.path})
        if item.graded:
            resource.set_lineitem(
                LineItem().set_score_maximum(100).set_label(item.title).set_resource_id(item.path)
            )
        resources.append(resource)
    settings = request["settings"]
    link = DeepLink(registration, request["deployment_id"], settings)
    return settings["deep_link_return_url"], link.get_response_jwt(resources)
