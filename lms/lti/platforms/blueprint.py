"""URL rules of the platforms' registration: the admin pages."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_lti_platforms", __name__)

bp.add_url_rule("/admin/lti/platforms", view_func=views.platform_list)
bp.add_url_rule("/admin/lti/platforms/new", view_func=views.platform_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/admin/lti/platforms/<int:platform_id>", view_func=views.platform_edit, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/admin/lti/platforms/<int:platform_id>/disable",
    endpoint="platform_disable",
    view_func=views.platform_set_enabled,
    defaults={"enabled": False},
    methods=["POST"],
)
bp.add_url_rule(
    "/admin/lti/platforms/<int:platform_id>/enable",
    endpoint="platform_enable",
    view_func=views.platform_set_enabled,
    defaults={"enabled": True},
    methods=["POST"],
)
bp.add_url_rule(
    "/admin/lti/platforms/registration-links",
    view_func=views.registration_links,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/admin/lti/platforms/registration-links/<int:link_id>/revoke",
    view_func=views.registration_link_revoke,
    methods=["POST"],
)
