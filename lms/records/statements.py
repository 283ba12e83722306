"""Learning events as xAPI 1.0.3 statements.

The id of every statement is a UUID 5 of the event (the enrolment's UUID, the verb, the object
and what makes the event unique), so a retry or a replay of the same event sends the same id and
the LRS keeps it once. The actor is an account on ``LMS_PUBLIC_URL`` with an opaque, stable name
(``lms_xapi_actors``), or the e-mail address when ``LMS_XAPI_ACTOR=mbox``; the registration is
the enrolment's UUID; the cohort is the context's team; province and commune are extensions.

Queuing must cost the learner's request almost nothing, so what does not change is kept per app:
each learner's actor name (read once from the database; a user is keyed with the time the
account was made, so an id a database hands out again never gets another learner's name) and
the activities' definitions, per version of the pack (the course's content hash, the lesson's).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from curriculum.db import db
from curriculum.models import Course, Lesson, Module

from .models import XapiActor

#: the namespace of the statement ids (uuid5 of the event's key)
NAMESPACE = uuid.UUID("6f0b3c52-7a8e-4d1b-9c35-2b1e8d4f6a90")
LANGUAGES = ("fr", "en", "ar")

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": ADL + "registered",
    "launched": ADL + "launched",
    "experienced": ADL + "experienced",
    "completed": ADL + "completed",
    "answered": ADL + "answered",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "attended": ADL + "attended",
    "earned": "http://id.tincanapi.com/verb/earned",
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "interaction": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "certificate": "https://w3id.org/xapi/tla/activity-types/credential",
}
#: lessons the learner reads or watches are "experienced" when opened; the others "launched"
EXPERIENCED_KINDS = ("reading", "video")


CACHE_KEY = "xapi_cache"
#: beyond this many entries a cache starts again empty (a bound on the memory it takes)
CACHE_SIZE = 50_000


def _cache(name: str) -> dict:
    caches = current_app.extensions["lms"].extra.setdefault(CACHE_KEY, {})
    cache = caches.setdefault(name, {})
    if len(cache) > CACHE_SIZE:
        cache.clear()
    return cache


def base_url() -> str:
    """The LMS's public address (the actor's home page, the activities' ids)."""
    public = current_app.config.get("LMS_PUBLIC_URL") or "http://localhost"
    return public.rstrip("/") + current_app.extensions["lms"].url_prefix


def _pack_version(course_id: int) -> str:
    course = db.session.get(Course, course_id)  # in the session already: no query
    return f"{course.version}:{course.content_hash}"


def _cached_activity(key: tuple, make) -> dict:
    """The activity ``make()`` builds, kept under ``key`` (which names the pack's version).
    The same dict goes into every statement: nothing may change it."""
    cache = _cache("activities")
    activity = cache.get(key)
    if activity is None:
        activity = cache[key] = make()
    return activity


def statement_id(*key: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in key)))


def language_map(texts: dict[str, str] | None, fallback: str) -> dict[str, str]:
    """The texts under the languages they are written in (never one language's text under
    another's tag); with none, ``fallback`` (a slug) as undetermined language ("und")."""
    texts = texts or {}
    present = {code: texts[code] for code in LANGUAGES if texts.get(code)}
    return present or {"und": fallback}


def actor_name(user) -> str:
    """The learner's opaque name, created on first use (safe when two requests race)."""
    cache = _cache("actors")
    key = (user.id, user.created_at)
    name = cache.get(key)
    if name is not None:
        return name
    name = stored_name(user.id)
    if name is not None:
        cache[key] = name  # committed: it stays (one made now is kept once it is read back)
        return name
    actor = XapiActor(user_id=user.id, name=str(uuid.uuid4()))
    try:
        with db.session.begin_nested():
            db.session.add(actor)
    except IntegrityError:  # another request made the learner's name first: that one is it
        name = stored_name(user.id)
        if name is None:
            raise
        return name
    return actor.name


def stored_name(user_id: int) -> str | None:
    return db.session.scalar(select(XapiActor.name).where(XapiActor.user_id == user_id))


def actor(user) -> dict:
    if current_app.config["LMS_XAPI_ACTOR"] == "mbox":
        return {"objectType": "Agent", "name": user.name, "mbox": f"mailto:{user.email}"}
    return {
        "objectType": "Agent",
        "account": {"homePage": base_url(), "name": actor_name(user)},
    }


def _verb(name: str) -> dict:
    return {"id": VERBS[name], "display": {"en-US": name}}


def course_activity(course: Course) -> dict:
    return _cached_activity(("course", course.id, course.version, course.content_hash),
                            lambda: _course_activity(course))  # fmt: skip


def _course_activity(course: Course) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{base_url()}/courses/{course.slug}",
        "definition": {
            "type": ACTIVITY_TYPES["course"],
            "name": language_map(course.titles, course.slug),
        },
    }


def module_activity(module: Module) -> dict:
    key = ("module", module.id, _pack_version(module.course_id))
    return _cached_activity(key, lambda: _module_activity(module))


def _module_activity(module: Module) -> dict:
    return {
        "objectType": "Activity",
        "id": f"{base_url()}/courses/{module.course.slug}/{module.slug}",
        "definition": {
            "type": ACTIVITY_TYPES["module"],
            "name": language_map(module.titles, module.slug),
        },
    }


def lesson_activity(lesson: Lesson) -> dict:
    key = ("lesson", lesson.id, lesson.content_hash, _pack_version(lesson.course_id))
    return _cached_activity(key, lambda: _lesson_activity(lesson))


def _lesson_activity(lesson: Lesson) -> dict:
    module = lesson.module
    kind = "assessment" if lesson.kind == "quiz" else "lesson"
    return {
        "objectType": "Activity",
        "id": f"{base_url()}/courses/{module.course.slug}/{module.slug}/{lesson.slug}",
        "definition": {
            "type": ACTIVITY_TYPES[kind],
            "name": language_map(lesson.titles, lesson.slug),
        },
    }


def question_activity(lesson: Lesson, question) -> dict:
    key = ("question", lesson.id, question.key, lesson.content_hash,
           _pack_version(lesson.course_id))  # fmt: skip
    return _cached_activity(key, lambda: _question_activity(lesson, question))


def _question_activity(lesson: Lesson, question) -> dict:
    choices = [c for c in question.choices if c.archived_at is None]
    return {
        "objectType": "Activity",
        "id": f"{lesson_activity(lesson)['id']}#{question.key}",
        "definition": {
            "type": ACTIVITY_TYPES["interaction"],
            "name": language_map(question.prompts, question.key),
            "interactionType": "true-false" if question.type == "true_false" else "choice",
            "correctResponsesPattern": [_response([c.key for c in choices if c.correct], question)],
            **(
                {}
                if question.type == "true_false"
                else {
                    "choices": [
                        {"id": c.key, "description": language_map(c.texts, c.key)} for c in choices
                    ]
                }
            ),
        },
    }


def _response(keys: list[str], question) -> str:
    if question.type == "true_false":
        return "true" if keys == ["true"] else "false"
    return "[,]".join(sorted(keys))


def context(enrolment, parents: list[dict], course: Course | None = None) -> dict:
    """The registration, the cohort as a team, the course and its parents, the territory."""
    course = course or enrolment.course
    grouping = [course_activity(course)]
    result: dict[str, Any] = {
        "registration": enrolment.uuid,
        "platform": current_app.config["LMS_SITE_NAME"],
        "contextActivities": {"grouping": grouping, **({"parent": parents} if parents else {})},
    }
    cohort = enrolment.cohort
    if cohort is not None:
        result["team"] = {
            "objectType": "Group",
            "name": cohort.name,
            "account": {"homePage": base_url(), "name": f"cohort-{cohort.id}"},
        }
        extensions = {}
        for field in ("province", "commune"):
            if getattr(cohort, field, ""):
                extensions[f"{base_url()}/xapi/extensions/{field}"] = getattr(cohort, field)
        if extensions:
            result["extensions"] = extensions
    return result


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(
    key: tuple,
    verb: str,
    enrolment,
    activity: dict,
    moment: datetime,
    parents: list[dict] | None = None,
    result: dict | None = None,
) -> dict:
    """One statement about ``enrolment``'s learner; ``key`` identifies the event."""
    statement = {
        "id": statement_id(enrolment.uuid, verb, *key),
        "actor": actor(enrolment.user),
        "verb": _verb(verb),
        "object": activity,
        "context": context(enrolment, parents or []),
        "timestamp": timestamp(moment),
    }
    if result is not None:
        statement["result"] = result
    return statement
