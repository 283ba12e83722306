"""URL rules of the curriculum pack administration."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_packs", __name__)

bp.add_url_rule("/admin/packs", view_func=views.packs)
bp.add_url_rule("/admin/packs/upload", view_func=views.upload, methods=["POST"])
bp.add_url_rule("/admin/packs/apply", view_func=views.apply, methods=["POST"])
