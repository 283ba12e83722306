"""Sending a commit as the lesson page does, and reading the attempt back."""

from __future__ import annotations

import json

from sqlalchemy import select

from curriculum.db import db
from lms.scorm.models import ScormAttempt


def commit_url(lesson, number=1):
    return f"/scorm/lessons/{lesson.id}/attempts/{number}/commit"


def send(client, lesson, core, session="s1", sequence=1, number=1, **extra):
    payload = {"session": session, "sequence": sequence, "cmi": {"core": core}, **extra}
    return client.post(commit_url(lesson, number), data=json.dumps(payload),
                       content_type="application/json")  # fmt: skip


def attempt(lesson) -> ScormAttempt:
    db.session.expire_all()
    return db.session.scalar(select(ScormAttempt).filter_by(lesson_id=lesson.id))
