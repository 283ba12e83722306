"""The learner's and the member's circle pages: my circles (create or join one when the cohort
allows it), a circle's page, leaving it, editing the project and its allies.

Access: a circle's page and its project are for its current members, the cohort's trainers
(facilitators) and administrators; anyone else logged in gets 403. Published projects are shown
to everyone by the public pages (not here).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.boundary import attempt, form_status
from lms.cohorts.queries import cohort_by_id
from lms.errors import NotAllowed, NotFound
from lms.uploads import FILE_MIMETYPES, BadUpload, accepts_large_uploads, upload_folder
from lms.users.forms import ActionForm, require_action_form

from . import operations, queries
from .forms import (
    ALLY_KIND_LABELS,
    OUTCOME_LABELS,
    STAGE_LABELS,
    THEME_LABELS,
    AllyForm,
    JoinCircleForm,
    NewCircleForm,
    ProjectForm,
)
from .indicators import queries as indicator_queries
from .indicators.charts import indicator_chart
from .journal import queries as journal_queries
from .models import STAGES, Circle

LABELS = {
    "stage_labels": STAGE_LABELS,
    "theme_labels": THEME_LABELS,
    "ally_kind_labels": ALLY_KIND_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "stages": STAGES,
}


def _to_circle(circle: Circle):
    return redirect(url_for("lms_circles.circle", circle_id=circle.id))


def _mine_page(new_form=None, join_form=None, status: int = 200):
    return render_template(
        "lms/circles/mine.html",
        items=queries.my_cohorts(current_user),
        new_form=new_form or NewCircleForm(),
        join_form=join_form or JoinCircleForm(),
        **LABELS,
    ), status


@login_required
def mine():
    return _mine_page()


@login_required
def create(cohort_id: int):
    cohort = cohort_by_id(cohort_id)
    form = NewCircleForm()
    if form.validate_on_submit():
        with attempt(form.name) as done:
            circle = operations.create_own_circle(current_user, cohort, form.name.data)
        if done:
            flash(_("Your circle is created. Share its code %(code)s with your teammates.",
                    code=circle.code), "success")  # fmt: skip
            return _to_circle(circle)
        if isinstance(done.error, NotAllowed | NotFound):
            raise done.error
    return _mine_page(new_form=form, status=400)


@login_required
def join():
    form = JoinCircleForm()
    if form.validate_on_submit():
        with attempt(form.code) as done:
            circle = operations.join_by_code(current_user, form.code.data)
        if done:
            flash(_("You joined the circle %(name)s.", name=circle.name), "success")
            return _to_circle(circle)
    return _mine_page(join_form=form, status=form_status(form) if form.errors else 400)


@login_required
def circle(circle_id: int):
    item = queries.visible_circle(circle_id, current_user)
    return render_template(
        "lms/circles/circle.html",
        circle=item,
        project=item.project,
        milestones=queries.milestones_of(item),
        journal=journal_queries.latest(item),
        indicators=indicator_queries.of_project(item.project),
        indicator_chart=indicator_chart,
        action_form=ActionForm(),
        **LABELS,
    )


@login_required
def leave(circle_id: int):
    item = queries.visible_circle(circle_id, current_user)
    require_action_form()
    member = item.membership_of(current_user)
    if member is None:
        raise NotAllowed()
    operations.remove_member(current_user, item, member)
    flash(_("You left the circle %(name)s. Your own progress stays yours.", name=item.name), "info")
    return redirect(url_for("lms_circles.mine"))


def _project_details(form: ProjectForm, project) -> operations.ProjectDetails:
    """What the form says; a field it does not show (to a member) keeps the project's value."""
    return operations.ProjectDetails(
        **{
            name: (form[name].data if name in form else getattr(project, name)) or ""
            for name in operations.ProjectDetails.__annotations__
        }
    )


def _project_form(project) -> ProjectForm:
    """The project's form, showing each person only the stages she may set."""
    form = ProjectForm(obj=project)
    if request.method == "GET":
        form.outcome.data = project.outcome or ""
    settable = project.stages_settable_by(current_user)
    form.stage.choices = [choice for choice in form.stage.choices if choice.value in settable]
    if not project.can_set_outcome(current_user):
        del form.outcome, form.stop_reason
    return form


@login_required
def project(circle_id: int):
    item = queries.editable_project(circle_id, current_user)
    form = _project_form(item)
    if form.validate_on_submit():
        with attempt(form.form_errors) as done:
            operations.update_project(current_user, item, _project_details(form, item))
        if done:
            flash(_("Saved."), "success")
            return _to_circle(item.circle)
    return render_template(
        "lms/circles/project_form.html", circle=item.circle, project=item, form=form, **LABELS
    ), form_status(form)


def _allies_page(project, form, status):
    return render_template(
        "lms/circles/allies.html",
        circle=project.circle,
        project=project,
        form=form,
        action_form=ActionForm(),
        **LABELS,
    ), status


@login_required
def allies(circle_id: int):
    item = queries.editable_project(circle_id, current_user)
    return _allies_page(item, AllyForm(), 200)


@accepts_large_uploads
@login_required
def add_ally(circle_id: int):
    item = queries.editable_project(circle_id, current_user)
    form = AllyForm()
    if form.validate_on_submit():
        with attempt() as done:
            operations.add_ally(current_user, item, form.organisation.data, form.kind.data,
                                form.contact_role.data, form.commitment.data,
                                form.letter.data)  # fmt: skip
        if done:
            flash(_("The ally is added."), "success")
            return redirect(url_for("lms_circles.allies", circle_id=item.circle_id))
        field = form.letter if isinstance(done.error, BadUpload) else form.organisation
        field.errors.append(done.message)
    return _allies_page(item, form, 400)


@login_required
def remove_ally(circle_id: int, ally_id: int):
    item = queries.editable_project(circle_id, current_user)
    ally = queries.ally_of(item, ally_id)
    require_action_form()
    operations.remove_ally(current_user, ally)
    flash(_("The ally is removed."), "info")
    return redirect(url_for("lms_circles.allies", circle_id=item.circle_id))


@login_required
def ally_letter(circle_id: int, ally_id: int):
    item = queries.editable_project(circle_id, current_user)
    ally = queries.ally_of(item, ally_id)
    if not ally.letter_path:
        raise NotFound()
    return send_file(
        upload_folder() / ally.letter_path,
        mimetype=FILE_MIMETYPES[ally.letter_type or "pdf"],
        as_attachment=True,
        download_name=ally.letter_name or "letter",
        max_age=0,
    )
