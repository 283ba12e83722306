"""URL rules of the consultations: the circle's pages, the answers entered or imported by
members, the results, and the public page reached by the short link ``/c/<code>``."""

from flask import Blueprint

from . import entry_views, public_views, results_views, views

bp = Blueprint("lms_consultations", __name__)

one = "/consultations/<int:consultation_id>"
GET_POST = ["GET", "POST"]

bp.add_url_rule("/consultations", view_func=views.index)
bp.add_url_rule("/circles/<int:circle_id>/consultations", view_func=views.circle_list)
bp.add_url_rule(
    "/circles/<int:circle_id>/consultations/new", view_func=views.create, methods=GET_POST
)
bp.add_url_rule(one, view_func=views.detail)
bp.add_url_rule(one + "/edit", view_func=views.edit, methods=GET_POST)
bp.add_url_rule(one + "/questions/new", view_func=views.add_question, methods=GET_POST)
bp.add_url_rule(
    one + "/questions/<int:question_id>/edit", view_func=views.edit_question, methods=GET_POST
)
bp.add_url_rule(
    one + "/questions/<int:question_id>/delete", view_func=views.delete_question, methods=["POST"]
)
bp.add_url_rule(one + "/open", view_func=views.open_consultation, methods=["POST"])
bp.add_url_rule(one + "/close", view_func=views.close_consultation, methods=["POST"])
bp.add_url_rule(one + "/attach", view_func=views.attach, methods=["POST"])
bp.add_url_rule(one + "/poster", view_func=views.poster_page)
bp.add_url_rule(one + "/poster.pdf", view_func=views.poster_pdf)
# answers gathered elsewhere
bp.add_url_rule(one + "/enter", view_func=entry_views.enter, methods=GET_POST)
bp.add_url_rule(one + "/import", view_func=entry_views.import_upload, methods=GET_POST)
bp.add_url_rule(one + "/import/template.csv", view_func=entry_views.import_template)
bp.add_url_rule(one + "/import/<int:import_id>", view_func=entry_views.import_preview)
bp.add_url_rule(
    one + "/import/<int:import_id>/confirm", view_func=entry_views.import_confirm, methods=["POST"]
)
# results
bp.add_url_rule(one + "/results", view_func=results_views.results)
bp.add_url_rule(one + "/results.csv", view_func=results_views.export)
bp.add_url_rule(one + "/questions/<int:question_id>/texts", view_func=results_views.texts)
bp.add_url_rule(one + "/texts/<int:value_id>/hide", view_func=results_views.hide, methods=["POST"])
bp.add_url_rule(one + "/texts/<int:value_id>/show", view_func=results_views.show, methods=["POST"])
# the public page
bp.add_url_rule("/c/<code>", view_func=public_views.public, methods=GET_POST)
bp.add_url_rule("/c/<code>/thanks", view_func=public_views.thanks)
