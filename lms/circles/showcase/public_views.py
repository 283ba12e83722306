"""The public pages of the circles' work: a published project's page and its one-page sheet
(PDF), and the showcase of published projects per programme and province, with filters (a GET
form: it works without script and can be bookmarked or shared).

Access: anyone, logged in or not, sees a published project; before it is published only its
circle's members and facilitators see the page (a preview), anyone else gets a 404.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import force_locale
from flask_login import current_user

from curriculum.db import utcnow
from lms.circles.views import LABELS
from lms.downloads import attachment
from lms.i18n import current_language, text_direction

from . import queries, sheet
from .forms import ShowcaseFilters


def project_page(project_id: int):
    project = queries.project_for(project_id, current_user)
    language = current_language()
    page = queries.public_page(
        project, language, utcnow().date(), text_direction(language) == "rtl"
    )
    return render_template(
        "lms/showcase/project.html", page=page, project=project,
        is_arabic=sheet.is_arabic, **LABELS,
    )  # fmt: skip


def project_sheet(project_id: int):
    project = queries.project_for(project_id, current_user)
    with force_locale("fr"):  # French with Arabic, whatever the visitor's language
        data = sheet.render_sheet(queries.public_page(project, "fr", utcnow().date()))
    return attachment(data, "application/pdf", sheet.filename(project))


def showcase():
    filters = queries.Filters.read(request.args)
    found = queries.showcase(filters)
    form = ShowcaseFilters(request.args)
    form.offer(found.provinces, found.courses, current_language())
    return render_template(
        "lms/showcase/showcase.html", showcase=found, filters=filters, form=form, **LABELS
    )
