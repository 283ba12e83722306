"""The role-aware main menu."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _


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
    if user.has_role("admin"):
        items.append(NavItem(_("Users"), url_for("lms_users.admin_users")))
        items.append(NavItem(_("Certificates"), url_for("lms_certificates.admin_list")))
        items.append(NavItem(_("Curricula"), url_for("lms_packs.packs")))
        items.append(NavItem(_("Outbox"), url_for("lms_users.admin_outbox")))
    return items
