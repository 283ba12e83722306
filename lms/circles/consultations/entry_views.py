"""Answers gathered elsewhere: a member types them one after another on a phone ("save and
next": the channel, commune and date stay for the next one), or imports a CSV (a preview naming
every bad row, then one confirmation that writes every row or none).

Access: the circle's members and facilitators (``can_edit``); others 403, unknown 404.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from curriculum.db import utcnow
from lms.boundary import attempt
from lms.downloads import attachment
from lms.i18n import current_language
from lms.users.forms import ActionForm, require_action_form

from . import answers, csv_import, operations, queries
from .forms import ImportForm
from .models import OFFLINE_CHANNELS


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _entry_page(consultation, channel: str, commune: str, day: str, read=None,
                problems=(), status: int = 200):  # fmt: skip
    count = queries.answer_counts([consultation.id]).get(consultation.id, 0)
    return render_template(
        "lms/consultations/enter.html", consultation=consultation, channels=OFFLINE_CHANNELS,
        channel=channel, commune=commune, day=day, read=read or answers.ReadAnswers(),
        problems=list(problems), count=count,
    ), status  # fmt: skip


@login_required
def enter(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    today = utcnow().date()
    source = request.form if request.method == "POST" else request.args
    channel = source.get("channel", "paper")
    commune = " ".join(source.get("commune", "").split())
    day = source.get("date", "") or today.isoformat()
    if request.method == "GET":
        return _entry_page(consultation, channel, commune, day)
    read = answers.read_form(consultation.questions, request.form)
    with attempt() as done:
        operations.record_entered_answer(current_user, consultation, read, channel, commune,
                                         _date(day), today)  # fmt: skip
    if not done:
        problems = operations.check_entry(consultation, channel, commune, _date(day), today)
        if not problems and read.ok:
            problems = [done.message]
        elif read.general:
            problems.append(read.general)
        return _entry_page(consultation, channel, commune, day, read, problems, done.status)
    flash(_("Answer saved. Next one:"), "success")
    return redirect(url_for("lms_consultations.enter", consultation_id=consultation.id,
                            channel=channel, commune=commune, date=day))  # fmt: skip


@login_required
def import_upload(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.stream.read(csv_import.MAX_BYTES + 1)
        with attempt() as done:
            imported = operations.upload_import(current_user, consultation,
                                                form.file.data.filename or "", data,
                                                utcnow().date())  # fmt: skip
        if done:
            return redirect(url_for("lms_consultations.import_preview",
                                    consultation_id=consultation.id, import_id=imported.id))  # fmt: skip
        problems = getattr(done.error, "problems", [done.message])
    status = 400 if (form.errors or problems) else 200
    return render_template("lms/consultations/import.html", consultation=consultation,
                           form=form, problems=problems), status  # fmt: skip


def _preview(consultation, imported, error: str = "", status: int = 200):
    return render_template(
        "lms/consultations/import_preview.html", consultation=consultation, imported=imported,
        bad=imported.bad_rows, form=ActionForm(), error=error,
        numbers={q.id: n for n, q in enumerate(consultation.questions, start=1)},
    ), status  # fmt: skip


@login_required
def import_preview(consultation_id: int, import_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    return _preview(consultation, queries.import_of(consultation, import_id))


@login_required
def import_confirm(consultation_id: int, import_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    imported = queries.import_of(consultation, import_id)
    require_action_form()
    with attempt() as done:
        count = operations.confirm_import(current_user, imported)
    if not done:
        return _preview(consultation, imported, done.message, done.status)
    flash(_("%(n)d answers imported.", n=count), "success")
    return redirect(url_for("lms_consultations.results", consultation_id=consultation.id))


@login_required
def import_template(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    body = "\ufeff" + csv_import.template_csv(consultation.questions, current_language())
    return attachment(body.encode("utf-8"), "text/csv; charset=utf-8",
                      f"consultation-{consultation.code}-answers.csv")  # fmt: skip
