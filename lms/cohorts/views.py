"""The trainer's cohort pages: list, create, edit, dashboard, CSV export, printable join poster,
a learner's detail and moving them to another cohort.

Access: every page needs the trainer or administrator role (others get 403). A cohort the user
does not train answers 403 (trainers are staff: that a cohort exists is no secret, acting on it
is refused); an object that does not belong to the cohort named in the URL (a learner, a
session, a roster import of another cohort) answers 404, as if it did not exist there.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields import SelectChoice  # tuples as choices are deprecated since WTForms 3.3

from lms.access import STAFF, role_required
from lms.boundary import attempt, form_status
from lms.circles.queries import late_milestones
from lms.downloads import attachment
from lms.errors import NotAllowed
from lms.i18n import current_language, text_direction
from lms.users.forms import ActionForm, require_action_form

from . import dashboard as figures
from . import operations, queries, reports
from .forms import CohortForm, MoveForm, NewCohortForm
from .models import Cohort

PER_PAGE = 100


def _details(form: CohortForm) -> operations.CohortDetails:
    return operations.CohortDetails(
        name=form.name.data or "",
        province=form.province.data or "",
        commune=form.commune.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        capacity=form.capacity.data,
        trainer_ids=list(form.trainers.data or []),
    )


def _staff_choices(form: CohortForm) -> None:
    form.trainers.choices = [
        SelectChoice(user.id, f"{user.name} ({user.email})" if user.has_email else user.name)
        for user in queries.staff_choices()
    ]


def _new_cohort_form() -> tuple[NewCohortForm, dict]:
    form = NewCohortForm()
    courses = {course.id: course for course in queries.open_courses()}
    form.course.choices = [
        SelectChoice(cid, course.title(current_language())) for cid, course in courses.items()
    ]
    _staff_choices(form)
    if request.method == "GET":
        form.trainers.data = [current_user.id]
    return form, courses


def _to_dashboard(cohort: Cohort):
    return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))


@role_required(*STAFF)
def cohort_list():
    return render_template("lms/cohorts/list.html", items=queries.managed_cohorts(current_user),
                           can_create=Cohort.can_create(current_user))  # fmt: skip


@role_required(*STAFF)
def create():
    if not Cohort.can_create(current_user):
        raise NotAllowed()
    form, courses = _new_cohort_form()
    if form.validate_on_submit():
        with attempt(form.name) as done:
            cohort = operations.create_cohort(
                current_user, courses[form.course.data], _details(form)
            )
        if done:
            flash(_("The cohort %(name)s is created. Its join code is %(code)s.",
                    name=cohort.name, code=cohort.join_code), "success")  # fmt: skip
            return _to_dashboard(cohort)
    return render_template("lms/cohorts/form.html", form=form, cohort=None), form_status(form)


@role_required(*STAFF)
def edit(cohort_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    form = CohortForm(obj=cohort)
    _staff_choices(form)
    if request.method == "GET":
        form.trainers.data = [user.id for user in cohort.trainers]
    if form.validate_on_submit():
        with attempt(form.name) as done:
            operations.update_cohort(current_user, cohort, _details(form))
        if done:
            flash(_("Saved."), "success")
            return _to_dashboard(cohort)
    return render_template("lms/cohorts/form.html", form=form, cohort=cohort), form_status(form)


@role_required(*STAFF)
def renew_code(cohort_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    require_action_form()
    code = operations.renew_join_code(current_user, cohort)
    flash(_("The new join code is %(code)s; the old one no longer works.", code=code), "success")
    return redirect(url_for("lms_cohorts.poster", cohort_id=cohort.id))


def join_link(cohort: Cohort) -> str:
    return url_for("lms_learning.join", code=cohort.join_code, _external=True)


@role_required(*STAFF)
def poster(cohort_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    link = join_link(cohort)
    return render_template(
        "lms/cohorts/poster.html", cohort=cohort, link=link, qr=reports.qr_svg(link),
        form=ActionForm(),
    )  # fmt: skip


@role_required(*STAFF)
def dashboard(cohort_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    data = figures.dashboard(cohort)
    language = current_language()
    bars, height = reports.funnel_bars(data, language, text_direction(language) == "rtl")
    page = figures.learners_page(
        data, request.args.get("filter"), request.args.get("page", 1, type=int), PER_PAGE
    )
    return render_template(
        "lms/cohorts/dashboard.html", cohort=cohort, data=data, counts=data.counts(), bars=bars,
        funnel_height=height, funnel_width=reports.FUNNEL_WIDTH, join_link=join_link(cohort),
        late_milestones=late_milestones(cohort, date.today()), **page,
    )  # fmt: skip


@role_required(*STAFF)
def export(cohort_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    body = reports.progress_csv(figures.dashboard(cohort), current_language())
    return attachment(
        body.encode("utf-8"), "text/csv; charset=utf-8", f"cohort-{cohort.id}-progress.csv"
    )


@role_required(*STAFF)
def learner(cohort_id: int, enrolment_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    enrolment = queries.enrolment_in_cohort(cohort, enrolment_id)
    return _render_learner(cohort, enrolment, MoveForm())


def _move_form(cohort: Cohort, form: MoveForm) -> MoveForm:
    targets = queries.other_cohorts_of_course(cohort, current_user)
    form.target.choices = [
        SelectChoice(c.id, f"{c.name} ({c.territory})" if c.territory else c.name) for c in targets
    ]
    return form


def _render_learner(cohort, enrolment, move_form: MoveForm, status: int = 200):
    return render_template(
        "lms/cohorts/learner.html",
        cohort=cohort,
        enrolment=enrolment,
        modules=queries.learner_detail(cohort, enrolment),
        move_form=_move_form(cohort, move_form),
    ), status


@role_required(*STAFF)
def move(cohort_id: int, enrolment_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    enrolment = queries.enrolment_in_cohort(cohort, enrolment_id)
    form = _move_form(cohort, MoveForm())
    if not form.validate_on_submit():
        return _render_learner(cohort, enrolment, form, 400)
    target = queries.managed_cohort(form.target.data, current_user)
    operations.move_learner(current_user, enrolment, target)
    flash(_("%(name)s is now in the cohort %(cohort)s; their progress is kept.",
            name=enrolment.user.name, cohort=target.name), "success")  # fmt: skip
    return _to_dashboard(cohort)
