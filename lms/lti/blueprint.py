"""URL rules of the LTI 1.3 tool."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_lti", __name__, template_folder="templates")
bp.add_app_template_global(views.lti_roster_available, "lti_roster_available")

bp.add_url_rule("/lti/jwks.json", view_func=views.jwks)
bp.add_url_rule("/lti/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/lti/register/<token>", view_func=views.register)
bp.add_url_rule("/lti/launch", view_func=views.launch, methods=["POST"])
bp.add_url_rule("/lti/account", view_func=views.choose_account, methods=["GET", "POST"])
bp.add_url_rule("/lti/deep-link", view_func=views.deep_link, methods=["GET", "POST"])
bp.add_url_rule(
    "/lti/cohorts/<int:cohort_id>/roster", view_func=views.import_roster, methods=["POST"]
)
