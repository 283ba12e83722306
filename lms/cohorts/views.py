"""The trainer's cohort pages: list, create, edit, dashboard, CSV export, printable join poster,
a learner's detail and moving them to another cohort.

Access: every page needs the trainer or administrator role (others get 403). A cohort the user
does not train answers 403 (trainers are staff: that a cohort exists is no secret, acting on it
is refused); an object that does not belong to the cohort named in the URL (a learner, a
session, a roster import of another cohort) answers 404, as if it did not exist there.
"""

from __future__ import annotations

import math

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields import SelectChoice  # tuples as choices are deprecated since WTForms 3.3

from curriculum.db import db
from lms.access import role_required
from lms.errors import LMSError, NotAllowed
from lms.i18n import current_language, text_direction
from lms.users.forms import ActionForm

from . import dashboard as figures
from . import operations, queries, reports
from .forms import CohortForm, MoveForm, NewCohortForm
from .models import Cohort

STAFF = ("trainer", "admin")
PER_PAGE = 100


def managed_cohort(cohort_id: int) -> Cohort:
    """The cohort (404 if none) if the current user manages it (403 otherwise)."""
    cohort = queries.cohort_by_id(cohort_id)
    if not cohort.can_manage(current_user):
        raise NotAllowed()
    return cohort


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
        SelectChoice(user.id, f"{user.name} ({user.email})") for user in queries.staff_choices()
    ]


@role_required(*STAFF)
def cohort_list():
    return render_template("lms/cohorts/list.html", items=queries.managed_cohorts(current_user))


@role_required(*STAFF)
def create():
    form = NewCohortForm()
    courses = {course.id: course for course in queries.open_courses()}
    form.course.choices = [
        SelectChoice(cid, course.title(current_language())) for cid, course in courses.items()
    ]
    _staff_choices(form)
    if request.method == "GET":
        form.trainers.data = [current_user.id]
    if form.validate_on_submit():
        try:
            cohort = operations.create_cohort(
                current_user, courses[form.course.data], _details(form)
            )
        except LMSError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(
                _(
                    "The cohort %(name)s is created. Its join code is %(code)s.",
                    name=cohort.name,
                    code=cohort.join_code,
                ),
                "success",
            )
            return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))
    return render_template(
        "lms/cohorts/form.html", form=form, cohort=None
    ), 400 if form.errors else 200


@role_required(*STAFF)
def edit(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    form = CohortForm(obj=cohort)
    _staff_choices(form)
    if request.method == "GET":
        form.trainers.data = [user.id for user in cohort.trainers]
    if form.validate_on_submit():
        try:
            operations.update_cohort(current_user, cohort, _details(form))
        except LMSError as error:
            db.session.rollback()
            form.name.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))
    return render_template(
        "lms/cohorts/form.html", form=form, cohort=cohort
    ), 400 if form.errors else 200


@role_required(*STAFF)
def renew_code(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    code = operations.renew_join_code(current_user, cohort)
    db.session.commit()
    flash(_("The new join code is %(code)s; the old one no longer works.", code=code), "success")
    return redirect(url_for("lms_cohorts.poster", cohort_id=cohort.id))


def join_link(cohort: Cohort) -> str:
    return url_for("lms_learning.join", code=cohort.join_code, _external=True)


@role_required(*STAFF)
def poster(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    link = join_link(cohort)
    return render_template(
        "lms/cohorts/poster.html",
        cohort=cohort,
        link=link,
        qr=reports.qr_svg(link),
        form=ActionForm(),
    )


@role_required(*STAFF)
def dashboard(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    data = figures.dashboard(cohort)
    chosen = request.args.get("filter") if request.args.get("filter") in figures.FILTERS else None
    learners = data.filtered(chosen)
    pages = max(1, math.ceil(len(learners) / PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    language = current_language()
    bars, height = reports.funnel_bars(data, language, text_direction(language) == "rtl")
    return render_template(
        "lms/cohorts/dashboard.html",
        cohort=cohort,
        data=data,
        counts=data.counts(),
        chosen=chosen,
        learners=learners[(page - 1) * PER_PAGE : page * PER_PAGE],
        matching=len(learners),
        page=page,
        pages=pages,
        bars=bars,
        funnel_height=height,
        funnel_width=reports.FUNNEL_WIDTH,
        join_link=join_link(cohort),
    )


@role_required(*STAFF)
def export(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    body = reports.progress_csv(figures.dashboard(cohort), current_language())
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="cohort-{cohort.id}-progress.csv"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@role_required(*STAFF)
def learner(cohort_id: int, enrolment_id: int):
    cohort = managed_cohort(cohort_id)
    enrolment = queries.enrolment_in_cohort(cohort, enrolment_id)
    return _render_learner(cohort, enrolment, MoveForm())


def _render_learner(cohort, enrolment, move_form: MoveForm, status: int = 200):
    targets = queries.other_cohorts_of_course(cohort, current_user)
    move_form.target.choices = [
        SelectChoice(c.id, f"{c.name} ({c.territory})" if c.territory else c.name) for c in targets
    ]
    return render_template(
        "lms/cohorts/learner.html",
        cohort=cohort,
        enrolment=enrolment,
        modules=queries.learner_detail(cohort, enrolment),
        move_form=move_form,
    ), status


@role_required(*STAFF)
def move(cohort_id: int, enrolment_id: int):
    cohort = managed_cohort(cohort_id)
    enrolment = queries.enrolment_in_cohort(cohort, enrolment_id)
    form = MoveForm()
    form.target.choices = [
        SelectChoice(c.id, c.name) for c in queries.other_cohorts_of_course(cohort, current_user)
    ]
    if not form.validate_on_submit():
        return _render_learner(cohort, enrolment, form, 400)
    target = managed_cohort(form.target.data)
    operations.move_learner(current_user, enrolment, target)
    db.session.commit()
    flash(
        _(
            "%(name)s is now in the cohort %(cohort)s; their progress is kept.",
            name=enrolment.user.name,
            cohort=target.name,
        ),
        "success",
    )
    return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))
