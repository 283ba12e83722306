"""Importing a checked pack into the database, idempotently.

Identity is the slug path: course by slug, module by (course, slug), lesson by (module, slug),
quiz question by (lesson, id), choice by (question, id). Positions only order things. So a
re-import updates rows in place (learners keep their progress rows), archives what the pack no
longer has (``archived_at``, never a delete: history stays whole) and unarchives what comes back.

``import_pack`` works inside the caller's transaction: it flushes and never commits. With
``dry_run=True`` it writes nothing and returns the same report, as a preview. An unchanged pack
(same content hash as the course's) costs one query and no Markdown parsing.

``Course.certificate_rule`` holds the ``certificate`` mapping of course.yaml with its keys as
written there (required_lessons, min_quiz_average, min_attendance, validity_months, languages,
wording, signatories[{name, title}], logos). ``Lesson.settings`` holds, by kind: video
``video_url``; assignment ``deliverable`` and ``rubric`` (per language) and ``submission``;
session ``duration_minutes``; quiz ``pass_mark``, ``attempts`` and, when some questions say
``shuffle: false``, ``unshuffled`` (their ids: learners see their choices in the file's order);
scorm ``scorm`` (the package's version, launch file and sha256: ``curriculum/scorm.py``). A scorm
lesson's package is extracted under the instance folder (``store_package``) when the import writes,
before the caller's commit: a rolled-back import leaves a folder nothing refers to, reused by the
next import of the same package.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from .db import db, utcnow
from .models import Course, CourseAsset, Lesson, Module, QuizChoice, QuizQuestion
from .pack import (
    ASSET_TYPES,
    Pack,
    PackError,
    PackLesson,
    PackModule,
    Problem,
    load_pack,
    pack_fingerprint,
)
from .packchecks import BUNDLED_PACKS_DIR, course_slug
from .scorm import inspect_package, store_package


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug path."""

    course: str
    dry_run: bool = False
    unchanged: bool = False
    created: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    #: assets the pack no longer has (deleted: nothing of a learner refers to an asset)
    removed: list[str] = field(default_factory=list)
    modules: int = 0
    lessons: int = 0

    @property
    def changed(self) -> bool:
        return not self.unchanged

    def summary(self) -> str:
        prefix = "dry run: " if self.dry_run else ""
        if self.unchanged:
            return f"{prefix}{self.course}: unchanged"
        if self.created:
            verb = "would be imported" if self.dry_run else "imported"
            return f"{prefix}{self.course}: {verb} ({self.modules} modules, {self.lessons} lessons)"
        counts = ", ".join(
            f"{len(items)} {name}"
            for name, items in (
                ("added", self.added),
                ("updated", self.updated),
                ("archived", self.archived),
                ("removed", self.removed),
            )
            if items
        )
        return f"{prefix}{self.course}: {counts or 'no change to the content'}"

    def lines(self) -> list[str]:
        lines = [self.summary()]
        for name, items in (
            ("added", self.added),
            ("updated", self.updated),
            ("archived", self.archived),
            ("removed", self.removed),
        ):
            lines.extend(f"  {name:<9} {item}" for item in items)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def import_pack(
    source: Pack | str | os.PathLike[str], dry_run: bool = False, importing: frozenset = frozenset()
) -> ImportReport:
    """Import a pack (a checked ``Pack`` or a folder) in the caller's transaction.

    Raises ``PackError`` (with every problem) for a folder that does not pass the checks, or
    whose course requires a course that is neither on the site nor among ``importing`` (the
    slugs of the packs imported with it); nothing is written then.
    """
    if isinstance(source, Pack):
        pack = source
    else:
        slug, digest = pack_fingerprint(source)
        if slug is not None:
            known = _find_course(slug, with_children=False)
            if known is not None and known.content_hash == digest:
                return ImportReport(course=slug, dry_run=dry_run, unchanged=True)
        loaded, problems = load_pack(source)
        if loaded is None:
            raise PackError(problems)
        pack = loaded
    _check_required_courses(pack, importing)
    course = _find_course(pack.slug, with_children=True)
    if course is not None and course.content_hash == pack.content_hash:
        return ImportReport(course=pack.slug, dry_run=dry_run, unchanged=True)
    sync = _Sync(pack, course, write=not dry_run)
    sync.run()
    return sync.report


def _check_required_courses(pack: Pack, importing: frozenset) -> None:
    """A required slug must name a course: a typo would make the requirement void."""
    missing = [
        slug
        for slug in pack.course.requires
        if slug not in importing
        and db.session.scalar(select(Course.id).where(Course.slug == slug)) is None
    ]
    if missing:
        raise PackError([
            Problem("course.yaml", 1, f"requires: no course '{slug}' on this site nor in this "
                    "import (a typo? import that course first)")  # fmt: skip
            for slug in missing
        ])  # fmt: skip


def import_bundled_packs(folder: str | os.PathLike[str] = BUNDLED_PACKS_DIR) -> Iterator[str]:
    """Import every pack folder of ``folder`` and yield one printable line per pack (plus the
    problems of a pack that cannot be imported). Flushes; the caller commits. A pack may require
    another of the folder, whatever their order."""
    root = Path(folder)
    paths = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    importing = frozenset(slug for slug in map(course_slug, paths) if slug is not None)
    for path in paths:
        try:
            report = import_pack(path, importing=importing)
        except PackError as error:
            yield f"{path.name}: not imported, {len(error.problems)} problem(s):"
            yield from (f"  {problem.located(path.name)}" for problem in error.problems)
            continue
        yield report.summary()


def _find_course(slug: str, with_children: bool) -> Course | None:
    query = select(Course).where(Course.slug == slug)
    if with_children:
        query = query.options(
            selectinload(Course.modules)
            .selectinload(Module.lessons)
            .selectinload(Lesson.questions)
            .selectinload(QuizQuestion.choices)
        )
    return db.session.execute(query).scalar_one_or_none()


class _Sync:
    """Brings the rows of one course in line with a pack; with ``write=False`` only reports."""

    def __init__(self, pack: Pack, course: Course | None, write: bool):
        self.pack = pack
        self.course = course
        self.write = write
        self.now = utcnow()
        self.report = ImportReport(course=pack.slug, dry_run=not write, created=course is None)
        self.report.modules = len(pack.modules)
        self.report.lessons = sum(len(module.lessons) for module in pack.modules)

    def assign(self, obj: Any, values: dict[str, Any]) -> bool:
        """Set the values that differ (when writing); True if any did."""
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                changed = True
                if self.write:
                    setattr(obj, name, value)
        return changed

    def archive(self, obj: Any, path: str | None) -> None:
        if obj.archived_at is None:
            if path is not None:
                self.report.archived.append(path)
            if self.write:
                obj.archived_at = self.now

    def unarchive(self, obj: Any) -> bool:
        if obj.archived_at is None:
            return False
        if self.write:
            obj.archived_at = None
        return True

    # -- course --------------------------------------------------------------------------------

    def run(self) -> None:
        course_file = self.pack.course
        values = {
            "version": course_file.version,
            "default_language": course_file.default_language,
            "languages": list(course_file.languages),
            "complete_languages": list(course_file.complete_languages),
            "titles": dict(course_file.title),
            "descriptions": dict(course_file.description),
            "audience": dict(course_file.audience),
            "estimated_hours": course_file.estimated_hours,
            "sequential": course_file.sequential,
            "self_enrolment": course_file.self_enrolment,
            "serial_prefix": course_file.serial_prefix,
            "certificate_rule": course_file.certificate.model_dump(),
            "requires": list(course_file.requires),
        }
        if self.course is None:
            self.report.added.append(self.pack.slug)
            if self.write:
                self.course = Course(
                    slug=self.pack.slug, content_hash=self.pack.content_hash, **values
                )
                db.session.add(self.course)
                db.session.flush()  # lessons need the course's id
        elif self.assign(self.course, values):
            self.report.updated.append(self.pack.slug)
        existing = {m.slug: m for m in self.course.modules} if self.course else {}
        for pack_module in self.pack.modules:
            self.sync_module(pack_module, existing.pop(pack_module.slug, None))
        for module in existing.values():
            self.archive(module, f"{self.pack.slug}/{module.slug}")
            for lesson in module.lessons:
                self.archive(lesson, f"{self.pack.slug}/{module.slug}/{lesson.slug}")
        self.sync_assets()
        if self.write:
            for data in self.pack.scorm_packages.values():
                store_package(data, inspect_package(data))
        if self.write and self.course is not None:
            self.course.content_hash = self.pack.content_hash
            self.course.imported_at = self.now
            db.session.flush()

    # -- modules and lessons -------------------------------------------------------------------

    def sync_module(self, pack_module: PackModule, module: Module | None) -> None:
        path = f"{self.pack.slug}/{pack_module.slug}"
        values = {
            "position": pack_module.position,
            "titles": pack_module.titles,
            "summaries": pack_module.summaries,
        }
        existing: dict[str, Lesson] = {}
        if module is None:
            self.report.added.append(path)
            if self.write:
                module = Module(course=self.course, slug=pack_module.slug, **values)
                db.session.add(module)
        else:
            existing = {lesson.slug: lesson for lesson in module.lessons}
            if self.assign(module, values) | self.unarchive(module):
                self.report.updated.append(path)
        for pack_lesson in pack_module.lessons:
            self.sync_lesson(module, pack_lesson, existing.pop(pack_lesson.slug, None))
        for lesson in existing.values():
            if (lesson.settings or {}).get("scorm", {}).get("uploaded"):
                continue  # a SCORM package an administrator added to the module: not the pack's
            self.archive(lesson, f"{path}/{lesson.slug}")

    def sync_lesson(
        self, module: Module | None, pack_lesson: PackLesson, lesson: Lesson | None
    ) -> None:
        path = f"{self.pack.slug}/{pack_lesson.path}"
        values = {
            "position": pack_lesson.position,
            "kind": pack_lesson.kind,
            "required": pack_lesson.required,
            "minutes": pack_lesson.minutes,
            "titles": pack_lesson.titles,
            "settings": pack_lesson.settings,
        }
        if lesson is None:
            self.report.added.append(path)
            if self.write:
                assert self.course is not None
                lesson = Lesson(
                    course_id=self.course.id,
                    module=module,
                    slug=pack_lesson.slug,
                    content_hash=pack_lesson.content_hash,
                    bodies=pack_lesson.render_bodies(),
                    **values,
                )
                db.session.add(lesson)
                self.sync_questions(lesson, pack_lesson)
            return
        content_changed = lesson.content_hash != pack_lesson.content_hash
        changed = self.assign(lesson, values) | self.unarchive(lesson) | content_changed
        if content_changed and self.write:
            lesson.content_hash = pack_lesson.content_hash
            lesson.bodies = pack_lesson.render_bodies()
            self.sync_questions(lesson, pack_lesson)
        if changed:
            self.report.updated.append(path)

    def sync_questions(self, lesson: Lesson, pack_lesson: PackLesson) -> None:
        """Questions and choices by id (only called when writing)."""
        existing = {question.key: question for question in lesson.questions}
        for pack_question in pack_lesson.questions:
            question = existing.pop(pack_question.key, None)
            values = {
                "position": pack_question.position,
                "type": pack_question.type,
                "prompts": pack_question.prompts,
            }
            if question is None:
                question = QuizQuestion(lesson=lesson, key=pack_question.key, **values)
                db.session.add(question)
                choices: dict[str, QuizChoice] = {}
            else:
                self.assign(question, values)
                self.unarchive(question)
                choices = {choice.key: choice for choice in question.choices}
            for pack_choice in pack_question.choices:
                choice_values = {
                    "position": pack_choice.position,
                    "texts": pack_choice.texts,
                    "correct": pack_choice.correct,
                    "explanations": pack_choice.explanations,
                }
                choice = choices.pop(pack_choice.key, None)
                if choice is None:
                    db.session.add(
                        QuizChoice(question=question, key=pack_choice.key, **choice_values)
                    )
                else:
                    self.assign(choice, choice_values)
                    self.unarchive(choice)
            for choice in choices.values():
                self.archive(choice, None)
        for question in existing.values():
            self.archive(question, None)

    # -- assets --------------------------------------------------------------------------------

    def sync_assets(self) -> None:
        existing: dict[str, CourseAsset] = {}
        if self.course is not None and self.course.id is not None:
            rows = db.session.execute(
                select(CourseAsset)
                .where(CourseAsset.course_id == self.course.id)
                .options(defer(CourseAsset.data))
            ).scalars()
            existing = {asset.path: asset for asset in rows}
        for path, data in sorted(self.pack.assets.items()):
            digest = hashlib.sha256(data).hexdigest()
            mimetype = ASSET_TYPES[path.rsplit(".", 1)[-1].lower()]
            asset = existing.pop(path, None)
            label = f"{self.pack.slug}/{path}"
            if asset is None:
                self.report.added.append(label)
                if self.write:
                    assert self.course is not None
                    db.session.add(
                        CourseAsset(
                            course_id=self.course.id,
                            path=path,
                            mimetype=mimetype,
                            sha256=digest,
                            data=data,
                        )
                    )
            elif asset.sha256 != digest or asset.mimetype != mimetype:
                self.report.updated.append(label)
                if self.write:
                    asset.sha256, asset.mimetype, asset.data = digest, mimetype, data
        for path, asset in sorted(existing.items()):
            self.report.removed.append(f"{self.pack.slug}/{path}")
            if self.write:
                db.session.delete(asset)
