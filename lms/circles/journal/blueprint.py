"""URL rules of a circle's journal."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_journal", __name__)

journal = "/circles/<int:circle_id>/journal"

bp.add_url_rule(journal, view_func=views.journal)
bp.add_url_rule(journal, view_func=views.write, methods=["POST"], endpoint="write")
bp.add_url_rule(journal + "/<int:entry_id>/comments", view_func=views.comment, methods=["POST"])
bp.add_url_rule(journal + "/photos/<int:photo_id>", view_func=views.photo)
