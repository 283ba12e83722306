"""URL rules of the circle pages (members, facilitators)."""

from flask import Blueprint

from . import cohort_views, milestone_views, views

bp = Blueprint("lms_circles", __name__)

circle = "/circles/<int:circle_id>"
cohort = "/cohorts/<int:cohort_id>/circles"
milestone = circle + "/milestones/<int:lesson_id>"

# a learner's circles, forming one, joining one with its code
bp.add_url_rule("/circles", view_func=views.mine)
bp.add_url_rule("/circles/join", view_func=views.join, methods=["POST"])
bp.add_url_rule(cohort + "/mine", view_func=views.create, methods=["POST"])
# a circle, its project and allies
bp.add_url_rule(circle, view_func=views.circle)
bp.add_url_rule(circle + "/leave", view_func=views.leave, methods=["POST"])
bp.add_url_rule(circle + "/project", view_func=views.project, methods=["GET", "POST"])
bp.add_url_rule(circle + "/allies", view_func=views.allies)
bp.add_url_rule(circle + "/allies/new", view_func=views.add_ally, methods=["POST"])
bp.add_url_rule(
    circle + "/allies/<int:ally_id>/delete", view_func=views.remove_ally, methods=["POST"]
)
bp.add_url_rule(circle + "/allies/<int:ally_id>/letter", view_func=views.ally_letter)
# the facilitator's pages
bp.add_url_rule(cohort, view_func=cohort_views.cohort_circles)
bp.add_url_rule(cohort, view_func=cohort_views.form_circle, methods=["POST"])
bp.add_url_rule(cohort + "/settings", view_func=cohort_views.settings, methods=["POST"])
bp.add_url_rule(cohort + "/due-dates", view_func=cohort_views.due_date, methods=["POST"])
bp.add_url_rule(cohort + "/waivers", view_func=cohort_views.waive, methods=["POST"])
bp.add_url_rule(circle + "/members", view_func=cohort_views.members)
bp.add_url_rule(circle + "/members", view_func=cohort_views.add_member, methods=["POST"],
                endpoint="add_member")  # fmt: skip
bp.add_url_rule(
    circle + "/members/<int:member_id>/remove",
    view_func=cohort_views.remove_member,
    methods=["POST"],
)
# team milestones
bp.add_url_rule(milestone, view_func=milestone_views.milestone)
bp.add_url_rule(milestone, view_func=milestone_views.hand_in, methods=["POST"], endpoint="hand_in")
bp.add_url_rule(milestone + "/review", view_func=milestone_views.review, methods=["POST"])
bp.add_url_rule(
    milestone + "/versions/<int:version_id>/file", view_func=milestone_views.version_file
)
bp.add_url_rule("/lessons/<int:lesson_id>/circle", view_func=milestone_views.for_lesson)
