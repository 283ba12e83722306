"""What "Download for offline" puts on the phone for one module: its lesson pages, the course
page, the images its lessons show, the site's CSS and JavaScript; their size; and the version
that tells the phone when its copy is out of date (a pack imported again, another language)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import CourseAsset
from lms.errors import NotAllowed, NotFound
from lms.i18n import current_language
from lms.learning.queries import Outline, course_by_slug, outline

from .operations import user_key

STATIC = Path(__file__).resolve().parents[1] / "static"
#: the site's files every downloaded page needs
STATIC_FILES = ("lms.css", "offline.js", "offline-db.js", "uploads.js")
#: what a page's own HTML adds to its lesson text (header, menu, forms): for the size estimate
PAGE_OVERHEAD = 6 * 1024
ASSET_LINK = re.compile(r'(?:src|href)="\.\./assets/([^"#?]+)"')


@cache
def static_digest(name: str) -> tuple[str, int]:
    """(sha256, size) of one of the site's static files (they change only with a new release)."""
    data = (STATIC / name).read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


@dataclass
class ModuleDownload:
    course_slug: str
    module_slug: str
    title: str
    version: str
    urls: list[str] = field(default_factory=list)
    size: int = 0

    def as_json(self, user) -> dict:
        owner = user_key(user)
        return {
            "course": self.course_slug,
            "module": self.module_slug,
            "title": self.title,
            "version": self.version,
            "cache": f"lms-{owner}-{self.course_slug}~{self.module_slug}~{self.version}",
            "urls": self.urls,
            "bytes": self.size,
        }


def module_download(course_slug: str, module_slug: str, user) -> ModuleDownload:
    """The files of one module for one enrolled learner (403 if the module is not open to her)."""
    course = course_by_slug(course_slug)
    place: Outline = outline(course, user)
    if place.enrolment is None or place.enrolment.status == "withdrawn":
        raise NotAllowed(_("Join the course to download its lessons."))
    view = next((v for v in place.modules if v.module.slug == module_slug), None)
    if view is None:
        raise NotFound()
    if view.locked:
        raise NotAllowed(_("This module opens when the previous one is done."))
    language = current_language()
    content_language = course.content_language(language)
    urls = [url_for("lms_learning.course", course_slug=course.slug)]
    size = PAGE_OVERHEAD
    assets: set[str] = set()
    versions = [course.content_hash, language, content_language]
    for lesson in view.lessons:
        urls.append(
            url_for(
                "lms_learning.lesson",
                course_slug=course.slug,
                module_slug=view.module.slug,
                lesson_slug=lesson.slug,
            )  # fmt: skip
        )
        body = lesson.bodies.get(content_language) or lesson.bodies.get(course.default_language, "")
        size += PAGE_OVERHEAD + len(body.encode())
        assets.update(unquote(path) for path in ASSET_LINK.findall(body))
        versions.append(lesson.content_hash)
    if assets:
        rows = db.session.execute(
            select(CourseAsset.path, CourseAsset.sha256, func.length(CourseAsset.data)).where(
                CourseAsset.course_id == course.id,
                CourseAsset.path.in_([f"assets/{path}" for path in assets]),
            )
        )
        for path, sha256, length in sorted(rows):
            urls.append(url_for("lms_learning.asset", course_slug=course.slug,
                                path=path.removeprefix("assets/")))  # fmt: skip
            size += length or 0
            versions.append(sha256)
    for name in STATIC_FILES:
        digest, length = static_digest(name)
        urls.append(url_for("lms_core.static", filename=name))
        size += length
        versions.append(digest)
    version = hashlib.sha256("|".join(versions).encode()).hexdigest()[:12]
    title = view.module.title(language)
    return ModuleDownload(course.slug, view.module.slug, title, version, urls, size)
