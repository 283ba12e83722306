"""The glossary page: every term of the packs' glossary in the learner's language, searchable
without JavaScript (``?q=``), each with its own anchor (``#term-<id>``)."""

from __future__ import annotations

from flask import render_template, request

from lms.i18n import current_language

from . import queries


def index():
    query = request.args.get("q", "").strip()
    return render_template(
        "lms/glossary/index.html",
        entries=queries.entries(current_language(), query),
        query=query,
    )
