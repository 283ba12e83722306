"""URL rules of Web Push: subscribing a browser, and the outbox page (administrators)."""

from flask import Blueprint

from . import views
from .admin import views as admin_views
from .keys import public_key
from .queries import subscribed_digests

bp = Blueprint("lms_push", __name__)

bp.add_url_rule("/push/subscribe.json", view_func=views.subscribe, methods=["POST"])
bp.add_url_rule("/push/unsubscribe.json", view_func=views.unsubscribe, methods=["POST"])
bp.add_url_rule("/admin/push", view_func=admin_views.outbox, endpoint="outbox")
bp.add_url_rule("/admin/push/send", view_func=admin_views.send_now, methods=["POST"])
bp.add_url_rule("/admin/push/retry", view_func=admin_views.retry, methods=["POST"])
bp.add_app_template_global(public_key, "push_public_key")
bp.add_app_template_global(subscribed_digests, "push_digests")
