"""``requires`` must name a real course: the checker warns when no pack beside the one checked
(nor any bundled pack) has the slug, and the import refuses a course requiring a course that is
neither on the site nor in the same import, naming course.yaml and the slug."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.importer import import_bundled_packs, import_pack
from curriculum.models import Course
from curriculum.pack import PackError, check_pack

from .conftest import MINIMAL, edit


def _requiring(tmp_path, slugs: str):
    folder = tmp_path / "packs" / "needs-more"
    shutil.copytree(MINIMAL, folder)
    edit(folder / "course.yaml", "slug: minimal-course\n", "slug: needs-more\n")
    edit(folder / "course.yaml", "serial_prefix: MIN\n", f"serial_prefix: MIN\nrequires: {slugs}\n")
    return folder


def _warnings(folder) -> list[str]:
    return [str(warning) for warning in check_pack(folder).warnings]


def test_the_checker_warns_of_a_required_course_no_pack_has(tmp_path):
    folder = _requiring(tmp_path, "[solving-public-problem]")  # a letter missing
    warnings = _warnings(folder)
    assert any(
        w.startswith("course.yaml:19:") and "'solving-public-problem'" in w for w in warnings
    ), warnings
    assert check_pack(folder).problems == []  # a warning: the import decides

    ok = _requiring(tmp_path / "again", "[solving-public-problems]")  # bundled
    assert not any("requires" in w for w in _warnings(ok))
    beside = _requiring(tmp_path / "third", "[minimal-course]")
    shutil.copytree(MINIMAL, tmp_path / "third" / "packs" / "minimal")
    assert not any("requires" in w for w in _warnings(beside))


def test_the_import_refuses_a_required_course_that_does_not_exist(app, tmp_path):
    folder = _requiring(tmp_path, "[solving-public-problem]")
    with pytest.raises(PackError) as refused:
        import_pack(folder)
    (problem,) = refused.value.problems
    assert problem.path == "course.yaml" and "'solving-public-problem'" in problem.message
    assert db.session.scalar(select(Course).filter_by(slug="needs-more")) is None
    with pytest.raises(PackError):
        import_pack(folder, dry_run=True)


def test_a_required_course_on_the_site_or_in_the_same_import_is_accepted(app, tmp_path):
    folder = _requiring(tmp_path, "[minimal-course]")
    import_pack(folder, importing=frozenset({"minimal-course"}))
    db.session.rollback()
    import_pack(MINIMAL)
    import_pack(folder)
    assert db.session.scalar(select(Course).filter_by(slug="needs-more")).requires == [
        "minimal-course"
    ]


def test_bundled_packs_requiring_each_other_import_in_any_order(app, tmp_path):
    root = tmp_path / "bundle"
    _requiring(tmp_path, "[minimal-course]")
    shutil.copytree(tmp_path / "packs" / "needs-more", root / "a-needs-more")
    shutil.copytree(MINIMAL, root / "z-minimal")  # imported after the pack that requires it
    lines = list(import_bundled_packs(root))
    assert not any("not imported" in line for line in lines), lines
    assert db.session.scalar(select(Course).filter_by(slug="needs-more")) is not None
