"""The results of a consultation: counts and shares per choice, per channel and per commune as
SVG charts, the short texts (a facilitator hides an abusive one: audited, never deleted), and the
CSV export of every answer.

Access: the circle's members and facilitators see the results (others 403); only facilitators
hide or show a text (members 403); a text of another consultation answers 404.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.access import is_safe_redirect
from lms.downloads import attachment
from lms.errors import NotFound
from lms.i18n import current_language, text_direction
from lms.users.forms import require_action_form

from . import csv_export, operations, queries
from .forms import HideForm


@login_required
def results(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user)
    language = current_language()
    data = queries.results(consultation, language, text_direction(language) == "rtl")
    return render_template(
        "lms/consultations/results.html", consultation=consultation, results=data,
        moderator=consultation.can_moderate(current_user), hide_form=HideForm(),
        per_page=queries.TEXTS_PER_PAGE,
    )  # fmt: skip


@login_required
def texts(consultation_id: int, question_id: int):
    consultation = queries.consultation_for(consultation_id, current_user)
    question = queries.question_of(consultation, question_id)
    if question.kind != "text":
        raise NotFound()
    page = max(request.args.get("page", 1, type=int), 1)
    items, total = queries.texts(question, page)
    pages = max((total + queries.TEXTS_PER_PAGE - 1) // queries.TEXTS_PER_PAGE, 1)
    return render_template(
        "lms/consultations/texts.html", consultation=consultation, question=question,
        items=items, total=total, page=page, pages=pages,
        moderator=consultation.can_moderate(current_user), hide_form=HideForm(),
    )  # fmt: skip


@login_required
def export(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user)
    language = current_language()
    chunks = csv_export.export_rows(
        consultation.questions, language, queries.export_answers(consultation)
    )
    body = "".join(chunks).encode("utf-8")
    return attachment(body, "text/csv; charset=utf-8", f"consultation-{consultation.code}.csv")


def _back(consultation):
    target = request.form.get("back", "")
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for("lms_consultations.results", consultation_id=consultation.id))


@login_required
def hide(consultation_id: int, value_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_moderate")
    value = queries.text_of(consultation, value_id)
    form = HideForm()
    if not form.validate_on_submit():
        flash(_("Say why the answer is hidden."), "error")
        return _back(consultation)
    operations.hide_text(current_user, value, form.reason.data.strip())
    flash(_("The answer is hidden. It is kept, and can be shown again."), "success")
    return _back(consultation)


@login_required
def show(consultation_id: int, value_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_moderate")
    value = queries.text_of(consultation, value_id)
    require_action_form()
    operations.show_text(current_user, value)
    flash(_("The answer is shown again."), "success")
    return _back(consultation)
