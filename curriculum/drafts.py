"""A pack being read: modules and lessons as found on disk, before they are known to be valid,
and their conversion into the ``Pack`` data once every check has passed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .lessonfiles import LessonFile, QuizSource
from .packdata import PackChoice, PackLesson, PackModule, PackQuestion, lesson_digest
from .schema import ModuleFile, QuizFile
from .scorm import ScormPackage
from .yamlsource import YamlDocument


@dataclass
class LessonDraft:
    stem: str
    number: int
    files: dict[str, LessonFile] = field(default_factory=dict)
    quiz: QuizSource | None = None
    #: a scorm lesson's package, once checked
    scorm: ScormPackage | None = None

    def first_path(self) -> str:
        return self.quiz.path if self.quiz else sorted(f.path for f in self.files.values())[0]

    def reference_file(self, languages: list[str]) -> LessonFile:
        """The file other languages are compared with: the first of ``languages`` there is."""
        for language in languages:
            if language in self.files:
                return self.files[language]
        return self.files[sorted(self.files)[0]]

    def front_value(self, key: str) -> Any:
        """A front matter value as written in the lesson's first file that has it (even if the
        files have other problems)."""
        for file in sorted(self.files.values(), key=lambda f: f.path):
            data = file.front.data if file.front is not None else None
            if isinstance(data, dict) and key in data:
                return data[key]
        return None

    def kind(self) -> str | None:
        return "quiz" if self.quiz is not None else self.front_value("kind")

    def raw_slug(self) -> tuple[str | None, str, int]:
        """The slug as written (even if the file has other problems), its file and line."""
        documents: list[tuple[str, YamlDocument | None]] = (
            [(self.quiz.path, self.quiz.document)]
            if self.quiz
            else [(f.path, f.front) for f in sorted(self.files.values(), key=lambda f: f.path)]
        )
        for path, document in documents:
            if document is not None and isinstance(document.data, dict):
                slug = document.data.get("slug")
                if isinstance(slug, str):
                    return slug, path, document.line(("slug",))
        return None, self.first_path(), 1


@dataclass
class ModuleDraft:
    folder: str
    number: int
    name: str
    document: YamlDocument | None = None
    model: ModuleFile | None = None
    lessons: list[LessonDraft] = field(default_factory=list)
    #: the .zip files of the folder (SCORM packages of its scorm lessons)
    packages: set[str] = field(default_factory=set)

    def raw_slug(self) -> str | None:
        data = self.document.data if self.document else None
        slug = data.get("slug") if isinstance(data, dict) else None
        return slug if isinstance(slug, str) else None


def build_quiz_lesson(
    module_slug: str, source: QuizSource, position: int, data: bytes
) -> PackLesson:
    quiz: QuizFile | None = source.model
    assert quiz is not None
    questions = [
        PackQuestion(
            key=question.id,
            position=index,
            type=question.type,
            prompts=dict(question.prompt),
            choices=[
                PackChoice(
                    choice.id,
                    number,
                    dict(choice.text),
                    choice.correct,
                    dict(choice.explanation or {}),
                )
                for number, choice in enumerate(question.choices, 1)
            ],
        )
        for index, question in enumerate(quiz.questions, 1)
    ]
    return PackLesson(
        module_slug=module_slug,
        slug=quiz.slug,
        position=position,
        kind="quiz",
        required=quiz.required,
        minutes=quiz.minutes,
        titles=dict(quiz.title),
        settings=quiz_settings(quiz),
        content_hash=lesson_digest([("quiz", data)]),
        paths=[source.path],
        questions=questions,
    )


def quiz_settings(quiz: QuizFile) -> dict[str, Any]:
    """What a quiz lesson keeps in ``Lesson.settings``: the pass mark, the attempts allowed, and
    the ids of the questions whose choices are shown in the file's order (``shuffle: false``)."""
    settings: dict[str, Any] = {"pass_mark": quiz.pass_mark, "attempts": quiz.attempts}
    unshuffled = [question.id for question in quiz.questions if not question.shuffle]
    if unshuffled:
        settings["unshuffled"] = unshuffled
    return settings


def build_module(
    module: ModuleDraft, position: int, files: dict[str, bytes], reference_languages: list[str]
) -> PackModule:
    """The checked module (only called when the whole pack has no problem)."""
    assert module.model is not None
    slug = module.model.slug
    lessons = [
        build_quiz_lesson(slug, draft.quiz, index, files[draft.quiz.path])
        if draft.quiz is not None
        else build_lesson(slug, draft, index, files, reference_languages)
        for index, draft in enumerate(module.lessons, 1)
    ]
    return PackModule(slug, position, dict(module.model.title), dict(module.model.summary), lessons)


def build_lesson(
    module_slug: str,
    draft: LessonDraft,
    position: int,
    files: dict[str, bytes],
    reference_languages: list[str],
) -> PackLesson:
    by_language = dict(sorted(draft.files.items()))
    models = {language: file.model for language, file in by_language.items()}
    reference = draft.reference_file(reference_languages).model
    assert reference is not None and all(models.values())
    settings: dict[str, Any] = {}
    if reference.kind == "video":
        settings["video_url"] = reference.video_url  # type: ignore[attr-defined]
    elif reference.kind == "assignment":
        settings["deliverable"] = {lang: m.deliverable for lang, m in models.items()}  # type: ignore[union-attr]
        settings["rubric"] = {lang: list(m.rubric) for lang, m in models.items()}  # type: ignore[union-attr]
        settings["submission"] = reference.submission.model_dump()  # type: ignore[attr-defined]
        if reference.team:  # type: ignore[attr-defined]
            settings["team"] = True
    elif reference.kind == "session":
        settings["duration_minutes"] = reference.duration_minutes  # type: ignore[attr-defined]
    parts = [(lang, files[f.path]) for lang, f in by_language.items()]
    if reference.kind == "scorm":
        assert draft.scorm is not None
        settings.update(draft.scorm.settings())
        parts.append(("package", draft.scorm.sha256.encode()))
    return PackLesson(
        module_slug=module_slug,
        slug=reference.slug,
        position=position,
        kind=reference.kind,
        required=reference.required,
        minutes=reference.minutes,
        titles={language: model.title for language, model in models.items()},  # type: ignore[union-attr]
        settings=settings,
        content_hash=lesson_digest(parts),
        paths=[file.path for file in by_language.values()],
        tokens={language: file.tokens for language, file in by_language.items()},
    )
