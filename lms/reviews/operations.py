"""Verbs of reviewing handed-in work: a trainer accepts it (the lesson is done for the learner) or
asks for a revision with feedback; the learner is told in the app and by e-mail."""

from __future__ import annotations

from flask_babel import gettext as _

from curriculum.db import utcnow
from curriculum.rendering import render_markdown
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput
from lms.i18n import in_language_of
from lms.learning.models import Submission
from lms.learning.operations import complete_if_finished, progress_for, set_done
from lms.mail.operations import render_mail, send_mail
from lms.messages.operations import notify
from lms.urls import lesson_links
from lms.users.models import User


def review(trainer: User, submission: Submission, accept: bool, feedback: str) -> Submission:
    """Accept the work or ask for a revision; the learner is told in the app and by e-mail."""
    if submission.status != "submitted":
        raise Conflict(_("This work was already reviewed."))
    review_submission(trainer, submission, accept, feedback)
    learner, lesson = submission.enrolment.user, submission.lesson
    course = lesson.module.course
    path, link = lesson_links(lesson)
    with in_language_of(learner) as language:
        title = lesson.title(course.content_language(language), course.default_language)
        if accept:
            text = _("Your work on “%(lesson)s” was accepted.", lesson=title)
        else:
            text = _("Your trainer asks for a revision of your work on “%(lesson)s”.", lesson=title)
        body = render_mail(
            "lms/emails/review.txt",
            name=learner.name,
            text=text,
            trainer=trainer.name,
            feedback=submission.feedback,
            link=link,
        )
    notify(learner, text, path)
    send_mail(learner.email, text, body)
    return submission


def review_submission(trainer, submission: Submission, accept: bool, feedback: str) -> Submission:
    """A trainer accepts the work (the lesson is done) or asks for a revision with feedback."""
    feedback = (feedback or "").strip()
    if not accept and not feedback:
        raise InvalidInput(_("Say what to improve when you ask for a revision."))
    submission.status = "accepted" if accept else "needs_revision"
    submission.feedback = feedback
    submission.feedback_html = render_markdown(feedback) if feedback else ""
    submission.reviewed_by_id = trainer.id
    submission.reviewed_at = utcnow()
    record(
        trainer,
        "submission.accepted" if accept else "submission.revision_requested",
        "submission",
        submission.id,
    )
    if accept:
        enrolment = submission.enrolment
        progress = progress_for(enrolment, submission.lesson)
        if set_done(progress):
            complete_if_finished(enrolment)
    return submission
