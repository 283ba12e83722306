"""Fixtures of the curriculum tests: the test packs, and editable copies of them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

PACKS = Path(__file__).resolve().parent / "packs"
MINIMAL = PACKS / "minimal"
BROKEN = PACKS / "broken"


@pytest.fixture
def pack_copy(tmp_path) -> Callable[..., Path]:
    """``pack_copy()`` → a copy of the minimal pack that the test may edit."""

    def copy(source: Path = MINIMAL) -> Path:
        target = tmp_path / "packs" / source.name
        shutil.copytree(source, target)
        return target

    return copy


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in a file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
