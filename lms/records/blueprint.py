"""URL rules of the xAPI outbox page (administrators)."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_records", __name__)

bp.add_url_rule("/admin/xapi", view_func=views.outbox, endpoint="outbox")
bp.add_url_rule("/admin/xapi/send", view_func=views.send_now, methods=["POST"])
bp.add_url_rule("/admin/xapi/retry", view_func=views.retry, methods=["POST"])
