"""What every LMS page's template needs: the role-aware main menu, the language and its
direction, the language switcher."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _

from lms.i18n import LANGUAGE_NAMES, available_languages, current_language, text_direction
from lms.messages.queries import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def main_menu(user) -> list[NavItem]:
    items: list[NavItem] = [
        NavItem(_("Masterclasses"), url_for("lms_learning.catalogue")),
        NavItem(_("My learning"), url_for("lms_learning.my_learning")),
        NavItem(_("My certificates"), url_for("lms_certificates.mine")),
    ]
    if user.has_role("learner"):
        unread = getattr(user, "unread_notifications", None)
        if unread is None:  # a user loaded by a host app's own login manager
            unread = unread_count(user)
        label = _("Notifications (%(n)d)", n=unread) if unread else _("Notifications")
        items.append(NavItem(label, url_for("lms_messages.notifications")))
        items.append(NavItem(_("My circles"), url_for("lms_circles.mine")))
    if user.has_role("trainer") or user.has_role("admin"):
        items.append(NavItem(_("My cohorts"), url_for("lms_cohorts.cohort_list")))
        items.append(NavItem(_("Reviews"), url_for("lms_reviews.reviews")))
    if user.has_role("admin"):
        items.append(NavItem(_("Users"), url_for("lms_users.admin_users")))
        items.append(NavItem(_("Certificates"), url_for("lms_certificates.admin_list")))
        items.append(NavItem(_("Curricula"), url_for("lms_packs.packs")))
        items.append(NavItem(_("Jobs"), url_for("lms_jobs.job_list")))
        items.append(NavItem(_("Outbox"), url_for("lms_users.admin_outbox")))
        items.append(NavItem(_("Learning records"), url_for("lms_records.outbox")))
        items.append(NavItem(_("Push notifications"), url_for("lms_push.outbox")))
        items.append(NavItem(_("LTI platforms"), url_for("lms_lti_platforms.platform_list")))
        items.append(NavItem(_("LTI scores"), url_for("lms_lti_scores.outbox")))
    return items


def template_globals() -> dict:
    """What the LMS's templates need (in a host app, given to the LMS's own pages only)."""
    language = current_language()
    return {
        "lms_nav": main_menu,
        "dir_of": text_direction,
        "back_arrow": "→" if text_direction(language) == "rtl" else "←",
        "forward_arrow": "←" if text_direction(language) == "rtl" else "→",
        "lang": language,
        "text_dir": text_direction(language),
        # Arabic separates the items of a list with its own comma.
        "list_sep": "، " if text_direction(language) == "rtl" else ", ",
        "language_names": LANGUAGE_NAMES,
        "available_languages": available_languages(),
        "site_name": current_app.config["LMS_SITE_NAME"],
    }
