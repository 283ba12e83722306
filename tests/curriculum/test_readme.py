"""The authors' guide (curriculum/README.md) shows a complete minimal pack: the test pack itself."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import MINIMAL

README = Path(__file__).resolve().parents[2] / "curriculum" / "README.md"
FILE_BLOCK = re.compile(r"^#### `(?P<path>[^`]+)`\n\n```\w*\n(?P<text>.*?)^```$", re.M | re.S)


def test_the_guide_shows_every_text_file_of_the_minimal_pack_as_it_is():
    section = README.read_text(encoding="utf-8").split("## A complete minimal pack", 1)[1]
    shown = {m["path"]: m["text"] for m in FILE_BLOCK.finditer(section)}
    files = {
        str(path.relative_to(MINIMAL)): path.read_text(encoding="utf-8")
        for path in MINIMAL.rglob("*")
        if path.is_file() and path.suffix in (".yaml", ".md")
    }

    assert sorted(shown) == sorted(files)
    for path, text in files.items():
        assert shown[path] == text, path
    assert "..." not in "".join(shown.values())
