"""URL rules of the site-wide pages; also serves the LMS's static files and templates."""

from flask import Blueprint
from flask_wtf.csrf import generate_csrf

from . import views

bp = Blueprint(
    "lms_core",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/lms-static",
)

# Every LMS page carries CSRF tokens in plain forms (logout, language switcher), even when the host
# app has not set up Flask-WTF's CSRFProtect; a global (not a context processor) so macros see it.
bp.add_app_template_global(generate_csrf, "csrf_token")

bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/healthz", view_func=views.healthz)
bp.add_url_rule("/language", view_func=views.set_language, methods=["POST"])
