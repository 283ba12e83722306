"""The shape of every YAML mapping of a pack, as pydantic models (see curriculum/README.md).

Every model forbids unknown keys (usually a typo) and is strict (``minutes: "20"`` is an error,
``required: yes`` too). Translated fields check their languages against the course's, passed as
the validation context ``{"languages": [...], "complete_languages": [...]}``.

``problems_from_error`` turns a ``ValidationError`` into ``(line, message)`` pairs, using the line
map of the YAML the data came from. Checks that span several fields or files live in ``pack.py``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .schema_errors import dotted, problems_from_error
from .yamlsource import YamlDocument

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
SERIAL_PREFIX_RE = re.compile(r"^[A-Z]{2,5}$")
LESSON_KINDS = ("reading", "video", "assignment", "session", "scorm")
FILE_TYPES = ("pdf", "jpeg", "png")
VIDEO_HOSTS = ("www.youtube.com", "youtube.com", "youtu.be", "vimeo.com", "player.vimeo.com")
MAX_SLUG_LENGTH = 80


# -- field types ------------------------------------------------------------------------------


def _slug(value: str) -> str:
    if not SLUG_RE.match(value) or len(value) > MAX_SLUG_LENGTH:
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid slug (lowercase letters, digits and single hyphens, "
            "at most 80 characters)",
            {"value": value},
        )
    return value


def _id_text(value: Any) -> Any:
    """Quiz ids as written: ``id: true`` is the id "true", ``id: 1`` the id "1"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return value


def _language(value: str) -> str:
    if not LANGUAGE_RE.match(value):
        raise PydanticCustomError(
            "language", "'{value}' is not a two-letter language code", {"value": value}
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value.strip()


def _at_most_40(value: str) -> str:
    if len(value) > 40:
        raise PydanticCustomError("too_long", "must be at most 40 characters")
    return value


def _range(low: int | None, high: int | None, what: str):
    def check(value: int) -> int:
        if (low is not None and value < low) or (high is not None and value > high):
            raise PydanticCustomError(
                "range", "must be {what} (got {value})", {"what": what, "value": value}
            )
        return value

    return check


def _version(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Key = Annotated[str, BeforeValidator(_id_text), AfterValidator(_slug)]
Language = Annotated[str, AfterValidator(_language)]
Text = Annotated[str, AfterValidator(_not_blank)]
Percent = Annotated[int, AfterValidator(_range(0, 100, "between 0 and 100"))]
Minutes = Annotated[int, AfterValidator(_range(0, None, "0 or more"))]


def _translations(complete_only: bool):
    """A mapping language → text, checked against the course's languages (validation context)."""

    def check(value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        context = info.context or {}
        declared = context.get("languages")
        needed = context.get("complete_languages" if complete_only else "languages")
        for language in value:
            _language(language)
            if declared is not None and language not in declared:
                raise PydanticCustomError(
                    "language",
                    "'{language}' is not one of the pack's languages ({declared})",
                    {"language": language, "declared": ", ".join(declared)},
                )
        if needed is not None:
            missing = [lang for lang in needed if not (value.get(lang) or "").strip()]
            if missing:
                raise PydanticCustomError(
                    "translation",
                    "missing translation: {missing}",
                    {"missing": ", ".join(missing)},
                )
        return {language: text.strip() for language, text in value.items()}

    return check


#: translated text needed in every declared language (titles, description, wording)
AllTexts = Annotated[dict[str, str], AfterValidator(_translations(complete_only=False))]
#: translated text needed in every complete language (teaching content)
CompleteTexts = Annotated[dict[str, str], AfterValidator(_translations(complete_only=True))]


def _required_lessons(value: Any) -> str | list[str]:
    if value == "all":
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        for item in value:
            module, _, lesson = item.partition("/")
            if not (SLUG_RE.match(module) and SLUG_RE.match(lesson)):
                raise PydanticCustomError(
                    "lesson_path", "'{item}' is not a 'module/lesson' slug path", {"item": item}
                )
        return value
    raise PydanticCustomError("required_lessons", "must be 'all' or a list of 'module/lesson'")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# -- course.yaml ------------------------------------------------------------------------------


class Signatory(Model):
    name: Text
    title: AllTexts


class CertificateRule(Model):
    required_lessons: Annotated[Any, AfterValidator(_required_lessons)] = "all"
    min_quiz_average: Percent | None = None
    min_attendance: Percent | None = None
    validity_months: Annotated[int, AfterValidator(_range(1, None, "1 or more"))] | None = None
    languages: list[Language] = Field(min_length=1, max_length=2)
    wording: AllTexts
    signatories: list[Signatory] = Field(default_factory=list)
    logos: list[str] = Field(default_factory=list)
    #: the member's circle's project must have reached this stage (innovation circles)
    project_stage: Literal["charter", "diagnosis", "prototype", "pilot", "presented"] | None = None


def _serial_prefix(value: str) -> str:
    if not SERIAL_PREFIX_RE.match(value):
        raise PydanticCustomError(
            "serial_prefix", "'{value}' must be 2 to 5 capital letters", {"value": value}
        )
    return value


class CourseFile(Model):
    slug: Slug
    version: Annotated[
        str, BeforeValidator(_version), AfterValidator(_not_blank), AfterValidator(_at_most_40)
    ]
    default_language: Language
    languages: list[Language] = Field(min_length=1)
    complete_languages: list[Language] = Field(min_length=1)
    title: AllTexts
    description: AllTexts
    audience: CompleteTexts
    estimated_hours: Annotated[int, AfterValidator(_range(0, None, "0 or more"))]
    sequential: StrictBool = False
    self_enrolment: StrictBool = True
    serial_prefix: Annotated[str, AfterValidator(_serial_prefix)]
    #: slugs of the courses a learner completes before enrolling in this one
    requires: list[Slug] = Field(default_factory=list)
    certificate: CertificateRule


# -- module.yaml ------------------------------------------------------------------------------


class ModuleFile(Model):
    slug: Slug
    title: AllTexts
    summary: CompleteTexts


# -- lesson front matter ----------------------------------------------------------------------


def _video_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or (parts.hostname or "") not in VIDEO_HOSTS:
        raise PydanticCustomError(
            "video_url",
            "'{value}' must be an https:// link on {hosts}",
            {"value": value, "hosts": ", ".join(VIDEO_HOSTS)},
        )
    return value


class Submission(Model):
    text: StrictBool = True
    file: StrictBool = False
    file_types: list[Literal["pdf", "jpeg", "png"]] = Field(
        default_factory=lambda: list(FILE_TYPES)
    )
    max_file_mb: Annotated[int, AfterValidator(_range(1, 20, "between 1 and 20"))] = 5

    @model_validator(mode="after")
    def accepts_something(self) -> Submission:
        if not (self.text or self.file):
            raise PydanticCustomError("submission", "text, file or both must be true")
        if self.file and not self.file_types:
            raise PydanticCustomError(
                "submission", "file_types must not be empty when file is true"
            )
        return self


class ReadingFront(Model):
    slug: Slug
    kind: Literal["reading"]
    title: Text
    minutes: Minutes
    required: StrictBool = True


class VideoFront(ReadingFront):
    kind: Literal["video"]
    video_url: Annotated[str, AfterValidator(_video_url)]


class AssignmentFront(ReadingFront):
    kind: Literal["assignment"]
    deliverable: Text
    rubric: list[Text] = Field(min_length=1)
    submission: Submission = Field(default_factory=Submission)
    #: team work: handed in once by a circle, reviewed once, done for every member
    team: StrictBool = False


class SessionFront(ReadingFront):
    kind: Literal["session"]
    duration_minutes: Annotated[int, AfterValidator(_range(1, None, "1 or more"))]


def _package_name(value: str) -> str:
    if "/" in value or "\\" in value or not value.endswith(".zip") or value.startswith("."):
        raise PydanticCustomError(
            "package",
            "'{value}' must be the name of a .zip file in the lesson's module folder",
            {"value": value},
        )
    return value


class ScormFront(ReadingFront):
    """A SCORM package played in the lesson page; the body introduces it."""

    kind: Literal["scorm"]
    #: the SCORM 1.2 or 2004 .zip, in the same module folder as the lesson's files
    package: Annotated[str, AfterValidator(_package_name)]


class AnyFront(Model):
    """Used when ``kind`` is wrong: every kind's keys are allowed, so only ``kind`` is reported."""

    slug: Slug
    kind: Literal["reading", "video", "assignment", "session", "scorm"]
    title: Text
    minutes: Minutes
    required: StrictBool = True
    video_url: str | None = None
    deliverable: str | None = None
    rubric: list[str] | None = None
    submission: dict[str, Any] | None = None
    team: bool | None = None
    duration_minutes: int | None = None
    package: str | None = None


FRONT_MATTER_MODELS: dict[str, type[ReadingFront]] = {
    "reading": ReadingFront,
    "video": VideoFront,
    "assignment": AssignmentFront,
    "session": SessionFront,
    "scorm": ScormFront,
}
#: front matter keys whose value is written in each language (all others must be equal)
TRANSLATED_FRONT_MATTER = ("title", "deliverable", "rubric")


def front_matter_model(data: Any) -> type[Model]:
    kind = data.get("kind") if isinstance(data, dict) else None
    return FRONT_MATTER_MODELS.get(kind, AnyFront) if isinstance(kind, str) else AnyFront


# -- quiz -------------------------------------------------------------------------------------


class Choice(Model):
    id: Key
    text: CompleteTexts
    correct: StrictBool
    #: why this choice is right or wrong, shown after an attempt (every complete language)
    explanation: CompleteTexts


class Question(Model):
    id: Key
    type: Literal["single", "multiple", "true_false"]
    prompt: CompleteTexts
    choices: list[Choice] = Field(min_length=2)
    #: false: learners see the choices in the file's order (e.g. "all of the above" last);
    #: true_false questions always keep their order
    shuffle: StrictBool = True

    @model_validator(mode="after")
    def correct_choices(self) -> Question:
        correct = sum(1 for choice in self.choices if choice.correct)
        if self.type == "single" and correct != 1:
            raise PydanticCustomError(
                "quiz",
                "a single question needs exactly one correct choice (it has {n})",
                {"n": correct},
            )
        if self.type == "multiple" and correct < 1:
            raise PydanticCustomError(
                "quiz", "a multiple question needs at least one correct choice"
            )
        if self.type == "true_false":
            ids = sorted(choice.id for choice in self.choices)
            if ids != ["false", "true"] or correct != 1:
                raise PydanticCustomError(
                    "quiz",
                    "a true_false question needs exactly two choices, 'true' and 'false', "
                    "one of them correct",
                )
        return self


class QuizFile(Model):
    slug: Slug
    title: AllTexts
    minutes: Minutes
    required: StrictBool = True
    pass_mark: Percent
    attempts: Annotated[int, AfterValidator(_range(0, None, "0 (unlimited) or more"))]
    questions: list[Question] = Field(min_length=1)


# -- errors → problems ------------------------------------------------------------------------


def validate(
    model: type[Model], document: YamlDocument, context: dict[str, Any] | None = None
) -> tuple[Any, list[tuple[int, str]]]:
    """The validated model (or None) and the ``(line, message)`` problems of a YAML document."""
    problems = [
        (line, f"key '{dotted((*path, key))}' is given twice")
        for path, key, line in document.duplicate_keys
    ]
    try:
        instance = model.model_validate(document.data, context=context)
    except ValidationError as error:
        return None, problems + problems_from_error(error, document)
    return instance, problems
