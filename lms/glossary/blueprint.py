"""URL rule of the glossary page (public)."""

from flask import Blueprint

from . import queries, views

bp = Blueprint("lms_glossary", __name__)

bp.add_url_rule("/glossary", view_func=views.index)
bp.add_app_template_global(queries.has_glossary, "has_glossary")
