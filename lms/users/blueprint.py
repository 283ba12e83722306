"""URL rules of the account pages."""

from flask import Blueprint

from . import admin_views, views

bp = Blueprint("lms_users", __name__)

bp.add_url_rule("/register", view_func=views.register, methods=["GET", "POST"])
bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/account", view_func=views.profile, methods=["GET", "POST"])
bp.add_url_rule("/account/logout-everywhere", view_func=views.logout_everywhere, methods=["POST"])
bp.add_url_rule("/account/email", view_func=views.add_email, methods=["POST"])
bp.add_url_rule("/account/email/<token>", view_func=views.confirm_email, methods=["GET", "POST"])
bp.add_url_rule("/account/password", view_func=views.change_password, methods=["GET", "POST"])
bp.add_url_rule("/password/forgot", view_func=views.forgot_password, methods=["GET", "POST"])
bp.add_url_rule("/password/reset/<token>", view_func=views.reset_password, methods=["GET", "POST"])
bp.add_url_rule("/admin/users", view_func=admin_views.admin_users)
bp.add_url_rule(
    "/admin/users/<int:user_id>", view_func=admin_views.admin_user, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/deactivate",
    endpoint="admin_deactivate",
    view_func=admin_views.admin_set_active,
    defaults={"active": False},
    methods=["POST"],
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/reactivate",
    endpoint="admin_reactivate",
    view_func=admin_views.admin_set_active,
    defaults={"active": True},
    methods=["POST"],
)
bp.add_url_rule("/admin/outbox", view_func=admin_views.admin_outbox)
