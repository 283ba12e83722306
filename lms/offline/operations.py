"""Applying the actions a learner made offline, each exactly once.

The phone sends its queue as a list of items (``{"key", "user", "kind", "lesson",
"occurred_at", "data"}``; a circle journal entry names its ``circle`` instead of a ``lesson``:
``offline/journal.py``). Each item is checked as if it had been sent online, by the same
operations as the online forms (``lms.learning.operations``), and answered on its own: applied
(with what the learner should know, such as a score) or refused (with the reason). One bad item
never stops the others.

Exactly once: the (learner, key) pair is inserted in ``lms_offline_actions`` before the action
is applied, under a unique constraint. A replay, a double send or a second tab sending the same
queue at the same moment meets that row (on PostgreSQL the second insert waits for the first
transaction, then fails) and is answered with the first answer; nothing is applied twice. The
same key with another content is refused. A refusal is kept too (a replay says the same).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from curriculum.db import db, utcnow
from curriculum.models import Course, Lesson, Module
from lms.errors import InvalidInput, LMSError, NotAllowed, NotFound
from lms.i18n import current_language
from lms.learning import operations as learning
from lms.learning.forms import parse_answers
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.queries import load_lesson

from .items import KEY_LENGTH, ParsedItem, Refused, parse, unreadable
from .journal import apply_entry
from .models import OfflineAction

#: the most items one request may carry (the phone sends its queue in smaller batches)
MAX_ITEMS = 1000
#: the lessons already looked up in this batch (in the session's info: gone with the request)
CONTEXTS_KEY = "lms_offline_contexts"

log = logging.getLogger("lms.offline")


def user_key(user) -> str:
    """What a page tells the phone about who is logged in: the name of this user's caches and
    the owner of the actions queued on the phone. Not the user's id (a shared phone shows it to
    the next person), and not guessable without the site's secret."""
    secret = current_app.config["SECRET_KEY"] or ""
    digest = hmac.new(secret.encode(), f"lms-offline:{user.id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


@dataclass
class ItemResult:
    key: str
    #: applied | refused
    status: str
    message: str = ""
    #: this key had been received before: the answer is the first one's
    replay: bool = False

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "status": self.status,
            "message": self.message,
            "replay": self.replay,
        }


def apply_items(user, items: object) -> list[ItemResult]:
    """Apply every item of the queue the phone sent, in the order they happened; one result per
    item, in the order they were sent. Whatever an item holds, it is answered on its own: an
    error while applying one undoes that one only (its savepoint) and refuses it."""
    if not isinstance(items, list):
        raise InvalidInput(_("The offline queue must be a list of actions."))
    if len(items) > MAX_ITEMS:
        raise InvalidInput(_("Send at most %(n)d offline actions at a time.", n=MAX_ITEMS))
    owner, now = user_key(user), utcnow()
    results: list[ItemResult | None] = [None] * len(items)
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append((index, parse(item, owner, now)))
        except Refused as refusal:
            results[index] = ItemResult(_key_of(item), "refused", refusal.message)
    seen: set[str] = set()
    try:
        for index, action in sorted(parsed, key=lambda pair: (pair[1].occurred_at, pair[0])):
            if action.key in seen:  # twice in one batch: answered once, the second as a replay
                results[index] = _replay(user, action)
                continue
            seen.add(action.key)
            try:
                with db.session.begin_nested():
                    results[index] = _apply_once(user, action)
            except Exception:  # a bug or a database error on this item: not the others
                log.exception("Offline action %s of user %s could not be applied", action.key,
                              user.id)  # fmt: skip
                db.session.info.pop(CONTEXTS_KEY, None)  # its objects may have been rolled back
                results[index] = ItemResult(action.key, "refused", _(
                    "This action could not be recorded because of an error on the server. "
                    "Try again later, or do it again online."))  # fmt: skip
    finally:
        db.session.info.pop(CONTEXTS_KEY, None)
    return [result for result in results if result is not None]


def _key_of(item: object) -> str:
    key = item.get("key") if isinstance(item, dict) else None
    return key[:KEY_LENGTH] if isinstance(key, str) else ""


def _replay(user, action: ParsedItem) -> ItemResult:
    row = db.session.scalar(select(OfflineAction).filter_by(user_id=user.id, key=action.key))
    if row is None:  # a malformed twin was refused without being kept
        return ItemResult(action.key, "refused", _("This action was already sent."), replay=True)
    if row.payload_sha256 != action.sha256:
        return ItemResult(
            action.key,
            "refused",
            _("This key was already used for another action: this one is not recorded."),
            replay=True,
        )
    return ItemResult(action.key, row.status, row.message, replay=True)


def _apply_once(user, action: ParsedItem) -> ItemResult:
    row = OfflineAction(
        user_id=user.id,
        key=action.key,
        kind=action.kind,
        target=action.target,
        payload_sha256=action.sha256,
        occurred_at=action.occurred_at,
        status="refused",
        message="",
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return _replay(user, action)
    try:
        with db.session.begin_nested():
            message = APPLY[action.kind](user, action)
    except LMSError as refusal:
        row.status = "refused"
        row.message = refusal.message or _(
            "This lesson is not available: your action is not recorded."
        )
    else:
        row.status, row.message = "applied", message
    db.session.flush()
    return ItemResult(action.key, row.status, row.message)


# -- each kind, checked as the online form is ------------------------------------------------------


def _lesson_for(user, action: ParsedItem):
    """The lesson and the learner's enrolment, refused with a reason the learner understands.
    Kept for the rest of the batch (a queue holds many actions on the same lessons), except a
    locked one: an earlier action of the batch may open its module."""
    known = db.session.info.setdefault(CONTEXTS_KEY, {})
    if action.target in known:
        return known[action.target]
    ctx, enrolment = _load_lesson_for(user, action)
    if not ctx.locked:
        known[action.target] = ctx, enrolment
    return ctx, enrolment


def _load_lesson_for(user, action: ParsedItem):
    course_slug, module_slug, lesson_slug = action.target.split("/")
    lesson = db.session.scalar(
        select(Lesson)
        .join(Course, Lesson.course_id == Course.id)
        .join(Module, Lesson.module_id == Module.id)
        .where(Course.slug == course_slug, Module.slug == module_slug, Lesson.slug == lesson_slug)
    )
    if lesson is None:
        raise NotFound(_("This lesson does not exist (any more)."))
    if lesson.archived_at is not None or lesson.module.archived_at is not None:
        raise NotFound(_("This lesson was removed from the course: your action is not recorded."))
    ctx = load_lesson(course_slug, module_slug, lesson_slug, user)
    enrolment = ctx.require_learner()
    cohort = enrolment.cohort
    if cohort is not None and cohort.archived_at is not None:
        raise NotAllowed(_("Your cohort is closed: your action is not recorded."))
    if enrolment.status == "withdrawn":
        raise NotAllowed(_("You left this course: your action is not recorded."))
    return ctx, enrolment


def _title(ctx) -> str:
    return ctx.lesson.title(
        ctx.course.content_language(current_language()), ctx.course.default_language
    )


def _done(user, action: ParsedItem) -> str:
    ctx, enrolment = _lesson_for(user, action)
    completed = enrolment.status == "completed"
    progress = learning.mark_done(enrolment, ctx.lesson)
    _backdate(progress, _moment(enrolment, action))
    _backdate_completion(enrolment, completed)
    return _("%(title)s: done.", title=_title(ctx))


def _moment(enrolment: Enrolment, action: ParsedItem) -> datetime:
    """When it happened: the phone's time, but never before the learner enrolled (a phone whose
    clock was never set says 1970)."""
    return max(action.occurred_at, enrolment.enrolled_at)


def _backdate(progress: LessonProgress, moment: datetime) -> None:
    """The lesson was done when the learner did it offline, not when the phone found a network."""
    if progress.first_activity_at > moment:
        progress.first_activity_at = moment
    if progress.completed_at is not None and progress.completed_at > moment:
        progress.completed_at = moment


def _backdate_completion(enrolment: Enrolment, was_completed: bool) -> None:
    """A course this action completed was completed when its last required lesson was done
    (offline, maybe), not when the phone found a network."""
    if was_completed or enrolment.status != "completed" or enrolment.completed_at is None:
        return
    last = db.session.scalar(
        select(func.max(LessonProgress.completed_at))
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .where(
            LessonProgress.enrolment_id == enrolment.id,
            LessonProgress.status == "done",
            Lesson.completes_course,
        )  # fmt: skip
    )
    if last is not None and last < enrolment.completed_at:
        enrolment.completed_at = last


def _quiz(user, action: ParsedItem) -> str:
    ctx, enrolment = _lesson_for(user, action)
    form = action.data.get("form")
    if not isinstance(form, dict) or not all(
        isinstance(values, list) and all(isinstance(v, str) for v in values)
        for values in form.values()
    ):
        raise InvalidInput(_("The answers do not match this quiz."))
    posted = parse_answers(ctx.lesson, form)
    completed = enrolment.status == "completed"
    # the same answers for an attempt already recorded are that attempt (sent twice); others
    # are the next attempt, or refused when none is left (learning.submit_quiz)
    result = learning.submit_quiz(enrolment, ctx.lesson, posted.answers, posted.attempt)
    if result.repeated:
        return _("%(title)s: these answers were already received (%(score)d%%).",
                 title=_title(ctx), score=result.attempt.score)  # fmt: skip
    moment = _moment(enrolment, action)
    result.attempt.submitted_at = min(result.attempt.submitted_at, moment)
    _backdate(result.progress, moment)
    _backdate_completion(enrolment, completed)
    return _("%(title)s: your score is %(score)d%%.", title=_title(ctx),
             score=result.attempt.score)  # fmt: skip


def _assignment(user, action: ParsedItem) -> str:
    ctx, enrolment = _lesson_for(user, action)
    text = action.data.get("text") or ""
    if not isinstance(text, str):
        raise unreadable()
    if len(text) > 20000:
        raise InvalidInput(_("Your answer is too long (at most 20,000 characters)."))
    upload = _file(action.data.get("file"))
    submission = learning.submit_assignment(enrolment, ctx.lesson, text, upload)
    submission.submitted_at = min(submission.submitted_at, _moment(enrolment, action))
    return _("%(title)s: your work is handed in.", title=_title(ctx))


def _file(value: object) -> FileStorage | None:
    """A file queued on the phone: its name and its bytes in base64."""
    if value in (None, {}):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        raise InvalidInput(_("The attached file could not be read."))
    try:
        data = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(_("The attached file could not be read.")) from None
    return FileStorage(io.BytesIO(data), filename=str(value.get("name") or "file")[:200])


APPLY = {"done": _done, "quiz": _quiz, "assignment": _assignment, "journal": apply_entry}
