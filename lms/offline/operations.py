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
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
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

from .journal import apply_entry
from .models import ACTION_KINDS, OfflineAction

#: the most items one request may carry (the phone sends its queue in smaller batches)
MAX_ITEMS = 1000
#: the lessons already looked up in this batch (in the session's info: gone with the request)
CONTEXTS_KEY = "lms_offline_contexts"
KEY_LENGTH = 64


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


class Refused(LMSError):
    """An item that cannot be applied (and, when it is malformed, cannot even be kept)."""


def apply_items(user, items: object) -> list[ItemResult]:
    """Apply every item of the queue the phone sent, in the order they happened; one result per
    item, in the order they were sent."""
    if not isinstance(items, list):
        raise InvalidInput(_("The offline queue must be a list of actions."))
    if len(items) > MAX_ITEMS:
        raise InvalidInput(_("Send at most %(n)d offline actions at a time.", n=MAX_ITEMS))
    owner = user_key(user)
    results: list[ItemResult | None] = [None] * len(items)
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append((index, _parse(item, owner)))
        except Refused as refusal:
            key = item.get("key") if isinstance(item, dict) else None
            results[index] = ItemResult(str(key or "")[:KEY_LENGTH], "refused", refusal.message)
    seen: set[str] = set()
    try:
        for index, action in sorted(parsed, key=lambda pair: (pair[1].occurred_at, pair[0])):
            if action.key in seen:  # twice in one batch: answered once, the second as a replay
                results[index] = _replay(user, action)
                continue
            seen.add(action.key)
            results[index] = _apply_once(user, action)
    finally:
        db.session.info.pop(CONTEXTS_KEY, None)
    return [result for result in results if result is not None]


@dataclass
class ParsedItem:
    key: str
    kind: str
    target: str
    occurred_at: datetime
    data: dict
    sha256: str


def _parse(item: object, owner: str) -> ParsedItem:
    if not isinstance(item, dict):
        raise Refused(_("This offline action is not readable."))
    key = item.get("key")
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_LENGTH:
        raise Refused(_("This offline action has no valid key."))
    if item.get("user") != owner:
        raise Refused(
            _("This action was made by another account on this phone: it is not recorded for you.")
        )
    kind = item.get("kind")
    if kind not in ACTION_KINDS:
        raise Refused(_("Unknown kind of offline action: %(kind)s.", kind=str(kind)[:40]))
    data = item.get("data") or {}
    if not isinstance(data, dict):
        raise Refused(_("This offline action is not readable."))
    occurred_at = _occurred_at(item.get("occurred_at"))
    content = {"kind": kind, "data": data, "occurred_at": item.get("occurred_at")}
    if kind == "journal":
        circle = item.get("circle")
        if isinstance(circle, str) and circle.isdigit():
            circle = int(circle)
        if not isinstance(circle, int) or isinstance(circle, bool) or not 0 < circle < 2**31:
            raise Refused(_("This offline action does not say which circle it is for."))
        content["circle"] = circle
        target = f"circle/{circle}"
    else:
        target = item.get("lesson")
        if not isinstance(target, str) or target.count("/") != 2 or len(target) > 255:
            raise Refused(_("This offline action does not say which lesson it is for."))
        content["lesson"] = target
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    return ParsedItem(key, kind, target, occurred_at, data, digest)


def _occurred_at(value: object) -> datetime:
    """When the learner did it: an ISO 8601 time; a phone clock ahead of ours counts as now."""
    if not isinstance(value, str):
        raise Refused(_("This offline action does not say when it was made."))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refused(_("This offline action does not say when it was made.")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(moment.astimezone(UTC), utcnow())


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
    progress = learning.mark_done(enrolment, ctx.lesson)
    _backdate(progress, _moment(enrolment, action))
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


def _quiz(user, action: ParsedItem) -> str:
    ctx, enrolment = _lesson_for(user, action)
    form = action.data.get("form")
    if not isinstance(form, dict) or not all(
        isinstance(values, list) and all(isinstance(v, str) for v in values)
        for values in form.values()
    ):
        raise InvalidInput(_("The answers do not match this quiz."))
    posted = parse_answers(ctx.lesson, form)
    result = learning.submit_quiz(enrolment, ctx.lesson, posted.answers, posted.attempt)
    if result.repeated:
        return _("%(title)s: these answers were already received (%(score)d%%).",
                 title=_title(ctx), score=result.attempt.score)  # fmt: skip
    moment = _moment(enrolment, action)
    result.attempt.submitted_at = min(result.attempt.submitted_at, moment)
    _backdate(result.progress, moment)
    return _("%(title)s: your score is %(score)d%%.", title=_title(ctx),
             score=result.attempt.score)  # fmt: skip


def _assignment(user, action: ParsedItem) -> str:
    ctx, enrolment = _lesson_for(user, action)
    text = action.data.get("text") or ""
    if not isinstance(text, str) or len(text) > 20000:
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
