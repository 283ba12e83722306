"""URL rules of the review queue and of reviewing one piece of work."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_reviews", __name__)

bp.add_url_rule("/reviews", view_func=views.reviews)
bp.add_url_rule("/reviews/<int:submission_id>", view_func=views.review, methods=["GET", "POST"])
