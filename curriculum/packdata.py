"""What a checked pack holds (plain data, no database), and how its content is hashed.

``Problem`` is one thing wrong in a pack, printed ``path:line: message`` (path relative to the
pack folder). ``Pack`` is a pack that passed every check; the importer writes it to the database.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from . import rendering
from .schema import CourseFile

#: files a pack may carry under assets/, by extension (no SVG: it can hold script)
ASSET_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def located(self, base: str, label: str = "") -> str:
        """The problem with its path prefixed by the pack folder as the user named it (and a
        label before the message: ``warning: ``)."""
        return f"{base.rstrip('/')}/{self.path}:{self.line}: {label}{self.message}"


class PackError(ValueError):
    """A pack cannot be imported; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            f"the pack has {len(problems)} problem(s):\n" + "\n".join(map(str, problems))
        )


@dataclass
class PackChoice:
    key: str
    position: int
    texts: dict[str, str]
    correct: bool
    explanations: dict[str, str]


@dataclass
class PackQuestion:
    key: str
    position: int
    type: str
    prompts: dict[str, str]
    choices: list[PackChoice]


@dataclass
class PackLesson:
    module_slug: str
    slug: str
    position: int
    kind: str
    required: bool
    minutes: int
    titles: dict[str, str]
    settings: dict[str, Any]
    #: sha256 of the lesson's own files (not their names: renumbering keeps it)
    content_hash: str
    paths: list[str]
    questions: list[PackQuestion] = field(default_factory=list)
    tokens: dict[str, list[Token]] = field(default_factory=dict, repr=False)

    @property
    def path(self) -> str:
        return f"{self.module_slug}/{self.slug}"

    def render_bodies(self) -> dict[str, str]:
        """Sanitised HTML per language (empty for a quiz). Rendering rewrites the tokens' links
        in place, which is idempotent, so rendering twice gives the same HTML."""
        return {
            language: rendering.render_tokens(tokens, self.module_slug, language)
            for language, tokens in self.tokens.items()
        }


@dataclass
class PackModule:
    slug: str
    position: int
    titles: dict[str, str]
    summaries: dict[str, str]
    lessons: list[PackLesson]


@dataclass
class Pack:
    root: Path
    course: CourseFile
    modules: list[PackModule]
    #: "assets/x.png" → bytes
    assets: dict[str, bytes]
    content_hash: str
    #: the SCORM packages of its scorm lessons: sha256 → the .zip's bytes
    scorm_packages: dict[str, bytes] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.course.slug

    def lessons(self) -> Iterator[PackLesson]:
        for module in self.modules:
            yield from module.lessons

    def summary(self) -> str:
        lessons = list(self.lessons())
        questions = sum(len(lesson.questions) for lesson in lessons)
        return (
            f"{self.slug}: {len(self.modules)} modules, {len(lessons)} lessons, "
            f"{questions} quiz questions, complete languages: "
            f"{', '.join(self.course.complete_languages)}"
        )


def read_tree(root: Path) -> tuple[dict[str, bytes], set[str], list[str]]:
    """Every file of the pack (``relative/path`` → bytes), its folders, and its symbolic links.

    Names starting with a dot (``.git``, ``.DS_Store``) are skipped.
    """
    files: dict[str, bytes] = {}
    dirs: set[str] = set()
    links: list[str] = []

    def walk(directory: Path, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                relative = prefix + entry.name
                if entry.is_symlink():
                    links.append(relative)
                elif entry.is_dir():
                    dirs.add(relative)
                    walk(Path(entry.path), relative + "/")
                elif entry.is_file():
                    files[relative] = Path(entry.path).read_bytes()

    walk(root, "")
    return files, dirs, links


def content_hash(files: dict[str, bytes]) -> str:
    """sha256 over the sorted relative paths and bytes (and the renderer's version)."""
    digest = hashlib.sha256(f"render:{rendering.RENDER_VERSION}\0".encode())
    for path in sorted(files):
        data = files[path]
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def lesson_digest(parts: Iterable[tuple[str, bytes]]) -> str:
    """sha256 of a lesson's files, keyed by language (or "quiz"), not by file name."""
    digest = hashlib.sha256(f"render:{rendering.RENDER_VERSION}\0".encode())
    for name, data in parts:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
