"""The circle's pages of its consultations: the lists, creating and editing one, its questions,
opening and closing it, attaching its results to a milestone, and its printable poster.

Access: members of the circle and its facilitators manage them (anyone else: 403; what does
not exist, or a question of another consultation: 404). Answers, imports and results are in
``entry_views`` and ``results_views``; the public page in ``public_views``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields import SelectChoice

from curriculum.db import utcnow
from curriculum.models import Lesson
from lms.boundary import attempt, form_status
from lms.cohorts.reports import qr_svg
from lms.downloads import attachment
from lms.i18n import current_language
from lms.users.forms import ActionForm, require_action_form

from . import operations, poster, queries
from .forms import AttachForm, ConsultationForm, QuestionForm, lines
from .models import Consultation


def _to_detail(consultation: Consultation):
    return redirect(url_for("lms_consultations.detail", consultation_id=consultation.id))


def public_link(consultation: Consultation) -> str:
    return url_for("lms_consultations.public", code=consultation.code, _external=True)


@login_required
def index():
    items = queries.visible_to(current_user)
    counts = queries.answer_counts([c.id for c in items])
    return render_template("lms/consultations/index.html", items=items, counts=counts,
                           today=utcnow().date())  # fmt: skip


@login_required
def circle_list(circle_id: int):
    project = queries.circle_for(circle_id, current_user)
    items = queries.of_project(project)
    counts = queries.answer_counts([c.id for c in items])
    return render_template("lms/consultations/circle.html", project=project, circle=project.circle,
                           items=items, counts=counts, today=utcnow().date())  # fmt: skip


def _details(form: ConsultationForm) -> operations.ConsultationDetails:
    return operations.ConsultationDetails(
        titles={code: (getattr(form, f"title_{code}").data or "").strip() for code in ("fr", "ar", "en")},
        intros={code: (getattr(form, f"intro_{code}").data or "").strip() for code in ("fr", "ar", "en")},
        communes=lines(form.communes.data),
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
    )  # fmt: skip


def _fill(form: ConsultationForm, consultation: Consultation) -> None:
    for code in ("fr", "ar", "en"):
        getattr(form, f"title_{code}").data = consultation.titles.get(code, "")
        getattr(form, f"intro_{code}").data = consultation.intros.get(code, "")
    form.communes.data = "\n".join(consultation.communes)
    form.opens_on.data, form.closes_on.data = consultation.opens_on, consultation.closes_on


@login_required
def create(circle_id: int):
    project = queries.circle_for(circle_id, current_user)
    form = ConsultationForm()
    if form.validate_on_submit():
        with attempt(form.form_errors) as done:
            consultation = operations.create_consultation(current_user, project, _details(form))
        if done:
            flash(_("The consultation is created as a draft. Add its questions."), "success")
            return _to_detail(consultation)
    return render_template("lms/consultations/form.html", form=form, project=project,
                           consultation=None), form_status(form)  # fmt: skip


@login_required
def detail(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user)
    form = AttachForm()
    milestones = queries.team_milestones(consultation)
    form.lesson.choices = _milestone_choices(milestones)
    form.lesson.data = consultation.milestone_lesson_id or 0
    attached = next((m for m in milestones if m.id == consultation.milestone_lesson_id), None)
    count = queries.answer_counts([consultation.id]).get(consultation.id, 0)
    return render_template(
        "lms/consultations/detail.html", consultation=consultation, count=count,
        state=consultation.state_on(utcnow().date()), link=public_link(consultation),
        attach_form=form, attached=attached, action_form=ActionForm(),
        can_edit=consultation.can_edit(current_user),
    )  # fmt: skip


def _milestone_choices(milestones: list[Lesson]) -> list[SelectChoice]:
    language = current_language()
    return [SelectChoice(0, _("No milestone"))] + [
        SelectChoice(lesson.id, lesson.title(language, "fr")) for lesson in milestones
    ]


@login_required
def edit(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    form = ConsultationForm()
    if request.method == "GET":
        _fill(form, consultation)
    if form.validate_on_submit():
        with attempt(form.form_errors) as done:
            operations.update_consultation(current_user, consultation, _details(form))
        if done:
            flash(_("Saved."), "success")
            return _to_detail(consultation)
    return render_template("lms/consultations/form.html", form=form, project=consultation.project,
                           consultation=consultation), form_status(form)  # fmt: skip


def _question_details(form: QuestionForm) -> operations.QuestionDetails:
    return operations.QuestionDetails(
        kind=form.kind.data,
        prompts={code: (getattr(form, f"prompt_{code}").data or "").strip()
                 for code in ("fr", "ar", "en") if getattr(form, f"prompt_{code}").data},
        choices=form.choice_texts(),
        required=bool(form.required.data),
    )  # fmt: skip


def _question_page(consultation, form, question=None, error: str | None = None, status=None):
    status = status or (400 if (form.errors or error) else 200)
    return render_template("lms/consultations/question.html", consultation=consultation,
                           form=form, question=question, error=error), status  # fmt: skip


@login_required
def add_question(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    form = QuestionForm()
    if form.validate_on_submit():
        with attempt() as done:
            operations.add_question(current_user, consultation, _question_details(form))
        if done:
            flash(_("Question added."), "success")
            return _to_detail(consultation)
        return _question_page(consultation, form, error=done.message, status=done.status)
    return _question_page(consultation, form)


@login_required
def edit_question(consultation_id: int, question_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    question = queries.question_of(consultation, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.kind.data, form.required.data = question.kind, question.required
        for code in ("fr", "ar", "en"):
            getattr(form, f"prompt_{code}").data = question.prompts.get(code, "")
            getattr(form, f"choices_{code}").data = "\n".join(
                c["texts"].get(code, "") for c in question.choices if c["texts"].get(code)
            )
    if form.validate_on_submit():
        with attempt() as done:
            operations.update_question(current_user, question, _question_details(form))
        if done:
            flash(_("Saved."), "success")
            return _to_detail(consultation)
        return _question_page(consultation, form, question, done.message, done.status)
    return _question_page(consultation, form, question)


@login_required
def delete_question(consultation_id: int, question_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    question = queries.question_of(consultation, question_id)
    require_action_form()
    operations.delete_question(current_user, question)
    flash(_("Question removed."), "success")
    return _to_detail(consultation)


@login_required
def open_consultation(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    require_action_form()
    with attempt(flash_error=True) as done:
        operations.open_consultation(current_user, consultation)
    if done:
        flash(_("The consultation is open: share its link or print its poster."), "success")
    return _to_detail(consultation)


@login_required
def close_consultation(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    require_action_form()
    with attempt(flash_error=True) as done:
        operations.close_consultation(current_user, consultation)
    if done:
        flash(_("The consultation is closed: it no longer takes answers online."), "success")
    return _to_detail(consultation)


@login_required
def attach(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user, "can_edit")
    milestones = queries.team_milestones(consultation)
    form = AttachForm()
    form.lesson.choices = _milestone_choices(milestones)
    if not form.validate_on_submit():
        flash(_("Choose a milestone of the list."), "error")
        return _to_detail(consultation)
    lesson = next((m for m in milestones if m.id == form.lesson.data), None)
    operations.attach_to_milestone(current_user, consultation, lesson)
    flash(_("The results are attached to the milestone.") if lesson
          else _("The results are attached to no milestone."), "success")  # fmt: skip
    return _to_detail(consultation)


@login_required
def poster_page(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user)
    link = public_link(consultation)
    return render_template("lms/consultations/poster.html", consultation=consultation,
                           link=link, qr=qr_svg(link))  # fmt: skip


@login_required
def poster_pdf(consultation_id: int):
    consultation = queries.consultation_for(consultation_id, current_user)
    data = poster.render_poster(consultation, public_link(consultation))
    response = attachment(data, "application/pdf", f"consultation-{consultation.code}.pdf")
    return response
