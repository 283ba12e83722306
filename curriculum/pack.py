"""Packs: ``load_pack(folder)`` → a checked ``Pack``, or every problem found in it.

A ``Pack`` is only returned when there is no problem at all; problems are sorted and print as
``path:line: message`` with the path relative to the pack folder. ``pack_fingerprint`` is the
cheap test whether a pack changed since its import (no Markdown is parsed).
"""

from __future__ import annotations

import os
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
    "Problem",
    "load_pack",
    "pack_fingerprint",
]


def load_pack(folder: str | os.PathLike[str]) -> tuple[Pack | None, list[Problem]]:
    """The checked pack (None if there is any problem) and every problem, sorted."""
    return PackChecker(Path(folder)).load()


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
