"""A pack lesson of kind ``scorm``: its package is a .zip of the module folder, checked with the
pack (every problem reported with its file), stored extracted at import, played by the lesson."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.importer import import_pack
from curriculum.models import Lesson
from curriculum.pack import load_pack
from curriculum.scorm import package_folder

from .packages import add_scorm_lesson, handmade_package

MINIMAL = Path(__file__).resolve().parents[1] / "curriculum" / "packs" / "minimal"


@pytest.fixture
def pack(tmp_path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


def test_a_scorm_lesson_is_checked_imported_and_its_package_stored(app, pack, scorm_zip):
    data = scorm_zip("2004.4").read_bytes()
    add_scorm_lesson(pack, data)
    loaded, problems = load_pack(pack)
    assert problems == []
    report = import_pack(loaded)
    db.session.commit()
    assert "minimal-course/basics/water" in report.added
    lesson = db.session.scalar(select(Lesson).filter_by(slug="water"))
    scorm = lesson.settings["scorm"]
    assert lesson.kind == "scorm"
    assert (scorm["version"], scorm["edition"], scorm["launch"]) == (
        "2004",
        "SCORM 2004 4th Edition",
        "index.html",
    )
    assert "An interactive module." in lesson.bodies["en"]
    assert (package_folder(scorm["sha256"]) / "index.html").is_file()
    # a re-import of the same pack changes nothing
    assert import_pack(pack).unchanged


def test_a_new_package_updates_the_lesson(app, pack, scorm_zip):
    add_scorm_lesson(pack, scorm_zip("1.2").read_bytes())
    import_pack(pack)
    first = db.session.scalar(select(Lesson).filter_by(slug="water")).settings["scorm"]["sha256"]
    (pack / "01-basics" / "05-water.zip").write_bytes(scorm_zip("2004.3").read_bytes())
    report = import_pack(pack)
    assert "minimal-course/basics/water" in report.updated
    scorm = db.session.scalar(select(Lesson).filter_by(slug="water")).settings["scorm"]
    assert scorm["sha256"] != first and scorm["edition"] == "SCORM 2004 3rd Edition"


def test_problems_of_scorm_lessons_are_reported_with_their_file(app, pack):
    add_scorm_lesson(pack, handmade_package("../outside.html"))
    (pack / "01-basics" / "06-stray.zip").write_bytes(b"PK")
    _pack, problems = load_pack(pack)
    messages = [str(problem) for problem in problems]
    assert (
        "01-basics/05-water.zip:1: not a SCORM package we can play: imsmanifest.xml: the launch "
        "file '../outside.html' is outside the package." in messages
    )
    assert any(m.startswith("01-basics/06-stray.zip:1: unknown file: a .zip") for m in messages)


def test_a_missing_package_is_reported_on_its_line(app, pack):
    add_scorm_lesson(pack, b"", package="nowhere.zip")
    _pack, problems = load_pack(pack)
    assert (
        "01-basics/05-water.scorm.fr.md:7: package: no file 'nowhere.zip' in the module folder"
        in [str(problem) for problem in problems]
    )


def test_a_package_name_must_be_a_zip_of_the_folder(app, pack):
    add_scorm_lesson(pack, b"", package="../elsewhere/x.zip")
    _pack, problems = load_pack(pack)
    assert any(
        "must be the name of a .zip file in the lesson's module folder" in str(problem)
        for problem in problems
    )


def test_the_demo_package_is_built_from_its_source(tmp_path):
    """The bundled activity's zip is exactly what examples/scorm/build.py makes of its source."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("build", root / "examples/scorm/build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    rebuilt = build.build(tmp_path / "demo.zip").read_bytes()
    assert rebuilt == build.TARGET.read_bytes()
