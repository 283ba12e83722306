"""URL rules of publishing (the circle's page), the public project page, its sheet and the
showcase."""

from flask import Blueprint

from . import public_views, views

bp = Blueprint("lms_showcase", __name__)

circle = "/circles/<int:circle_id>"

bp.add_url_rule(circle + "/publishing", view_func=views.publishing)
bp.add_url_rule(circle + "/consent", view_func=views.consent, methods=["POST"])
bp.add_url_rule(circle + "/publish", view_func=views.publish, methods=["POST"])
bp.add_url_rule(circle + "/unpublish", view_func=views.unpublish, methods=["POST"])
bp.add_url_rule("/projects/<int:project_id>", view_func=public_views.project_page)
bp.add_url_rule("/projects/<int:project_id>/sheet.pdf", view_func=public_views.project_sheet)
bp.add_url_rule("/showcase", view_func=public_views.showcase)
