"""Packs: ``load_pack(folder)`` → a checked ``Pack``, or every problem found in it.

A ``Pack`` is only returned when there is no problem at all; problems are sorted and print as
``path:line: message`` with the path relative to the pack folder. ``check_pack`` also gives the
warnings (see ``lint.py``), which never stop an import. ``pack_fingerprint`` is the
cheap test whether a pack changed since its import (no Markdown is parsed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .checker import PackChecker
from .packdata import (
    ASSET_TYPES,
    Pack,
    PackChoice,
    PackError,
    PackLesson,
    PackModule,
    PackQuestion,
    Problem,
    content_hash,
    read_tree,
)
from .yamlsource import YamlSyntaxError, load_yaml

__all__ = [
    "ASSET_TYPES",
    "Pack",
    "PackChoice",
    "PackError",
    "PackLesson",
    "PackModule",
    "PackQuestion",
    "PackCheck",
    "Problem",
    "check_pack",
    "load_pack",
    "pack_fingerprint",
]


def load_pack(folder: str | os.PathLike[str]) -> tuple[Pack | None, list[Problem]]:
    """The checked pack (None if there is any problem) and every problem, sorted."""
    return PackChecker(Path(folder)).load()


@dataclass
class PackCheck:
    pack: Pack | None
    problems: list[Problem]
    warnings: list[Problem]


def check_pack(folder: str | os.PathLike[str]) -> PackCheck:
    """The checked pack (None if there is any problem), every problem and every warning."""
    checker = PackChecker(Path(folder))
    pack, problems = checker.load()
    return PackCheck(pack, problems, checker.warnings)


def pack_fingerprint(folder: str | os.PathLike[str]) -> tuple[str | None, str]:
    """``(course slug or None, content hash)`` without parsing lessons: the cheap test whether
    a pack changed since it was imported."""
    files, _dirs, _links = read_tree(Path(folder))
    slug = None
    if "course.yaml" in files:
        try:
            data = load_yaml(files["course.yaml"].decode("utf-8", "replace")).data
        except YamlSyntaxError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("slug"), str):
            slug = data["slug"]
    return slug, content_hash(files)
