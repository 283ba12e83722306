"""URL rules of the learner's pages."""

from flask import Blueprint

from lms.uploads import FILE_MIMETYPES

from . import views
from .video import video_embed

bp = Blueprint("lms_learning", __name__)

lesson = "/courses/<course_slug>/<module_slug>/<lesson_slug>"

bp.add_url_rule("/courses", view_func=views.catalogue)
bp.add_url_rule("/courses/<course_slug>", view_func=views.course)
bp.add_url_rule("/courses/<course_slug>/enrol", view_func=views.enrol, methods=["POST"])
bp.add_url_rule("/courses/<course_slug>/assets/<path:path>", view_func=views.asset)
bp.add_url_rule(lesson, view_func=views.lesson)
bp.add_url_rule(lesson + "/done", view_func=views.mark_done, methods=["POST"])
bp.add_url_rule(lesson + "/quiz", view_func=views.submit_quiz, methods=["POST"])
bp.add_url_rule(lesson + "/submission", view_func=views.submit_assignment, methods=["POST"])
bp.add_url_rule("/submissions/<int:submission_id>/file", view_func=views.submission_file)
bp.add_url_rule("/join", view_func=views.join, methods=["GET", "POST"])
bp.add_url_rule("/join/<code>", view_func=views.join, methods=["GET", "POST"])
bp.add_url_rule("/my", view_func=views.my_learning)
bp.add_app_template_filter(video_embed, "video_embed")
bp.add_app_template_filter(lambda kind: FILE_MIMETYPES.get(kind, ""), "mimetype")
