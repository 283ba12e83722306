"""URL rules of Admin › LTI scores (administrators)."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_lti_scores", __name__)

bp.add_url_rule("/admin/lti/scores", view_func=views.outbox, endpoint="outbox")
bp.add_url_rule("/admin/lti/scores/send", view_func=views.send_now, methods=["POST"])
bp.add_url_rule("/admin/lti/scores/retry", view_func=views.retry, methods=["POST"])
