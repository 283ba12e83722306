"""URL rules of a circle project's indicators."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_indicators", __name__)

page = "/circles/<int:circle_id>/indicators"

bp.add_url_rule(page, view_func=views.indicators)
bp.add_url_rule(page, view_func=views.add, methods=["POST"], endpoint="add")
bp.add_url_rule(page + "/<int:indicator_id>/values", view_func=views.record, methods=["POST"])
