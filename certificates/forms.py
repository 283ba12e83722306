"""Certificate forms (field validation only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class IssueForm(FlaskForm):
    email = EmailField(
        _l("E-mail of the person"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    name = StringField(
        _l("Full name (only if the person has no account yet)"),
        validators=[Optional(), Length(max=200)],
    )
    course = SelectField(_l("Course"), validators=[DataRequired()])
    force = BooleanField(_l("Issue even though the course's rule is not met"))
    reason = TextAreaField(
        _l("Reason (kept in the audit trail)"), validators=[DataRequired(), Length(max=2000)]
    )


class RevokeForm(FlaskForm):
    """Shares the certificate's page with ``CorrectForm``: their fields have distinct ids."""

    reason = TextAreaField(
        _l("Reason for revoking"), validators=[DataRequired(), Length(max=2000)], id="revoke-reason"
    )


class CorrectForm(FlaskForm):
    name = StringField(
        _l("Corrected full name"), validators=[DataRequired(), Length(max=200)], id="correct-name"
    )
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[DataRequired(), Length(max=2000)],
        id="correct-reason",
    )


class VerifyUploadForm(FlaskForm):
    pdf = FileField(
        _l("Certificate (PDF), credential (.json) or badge (.png)"), validators=[FileRequired()]
    )


class BulkIssueForm(FlaskForm):
    """Issue to every eligible learner of a cohort, or of a course (choose one). The three bulk
    forms share a page: their fields have distinct ids."""

    cohort = SelectField(_l("Cohort"), validators=[Optional()], id="issue-cohort")
    course = SelectField(
        _l("or every learner of the course"), validators=[Optional()], id="issue-course"
    )
    notify = BooleanField(
        _l("E-mail each learner that the certificate is ready"), id="issue-notify"
    )


class BulkReissueForm(FlaskForm):
    cohort = SelectField(_l("Cohort"), validators=[Optional()], id="reissue-cohort")
    course = SelectField(
        _l("or every certificate of the course"), validators=[Optional()], id="reissue-course"
    )
    serials = TextAreaField(
        _l("or only these serials, one per line"),
        validators=[Optional(), Length(max=200_000)],
        id="reissue-serials",
    )
    reason = TextAreaField(
        _l("Reason (e.g. the course title was corrected)"),
        validators=[DataRequired(), Length(max=2000)],
        id="reissue-reason",
    )


class BulkNotifyForm(FlaskForm):
    cohort = SelectField(_l("Cohort"), validators=[Optional()], id="notify-cohort")
    course = SelectField(
        _l("or every learner of the course"), validators=[Optional()], id="notify-course"
    )
