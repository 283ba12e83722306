"""The pack format's circle keys: ``team: true`` on an assignment, ``requires`` and
``certificate.project_stage`` in course.yaml; checked by the pack checker, and set in the bundled
public-innovation-circles pack."""

from __future__ import annotations

from curriculum.importer import BUNDLED_PACKS_DIR
from curriculum.pack import load_pack
from tests.curriculum.conftest import edit, pack_copy  # noqa: F401 - the fixture


def _problems(folder) -> list[str]:
    pack, problems = load_pack(folder)
    return [str(problem) for problem in problems]


def test_the_bundled_circles_pack_has_four_team_milestones_and_requires_the_masterclass():
    pack, problems = load_pack(BUNDLED_PACKS_DIR / "public-innovation-circles")
    assert problems == []
    team = [
        f"{module.slug}/{lesson.slug}"
        for module in pack.modules
        for lesson in module.lessons
        if lesson.settings.get("team")
    ]
    assert team == [
        "charter/our-charter",
        "diagnosis/diagnosis-file",
        "prototype/test-card",
        "pilot/pilot-file-pitch",
    ]
    assert list(pack.course.requires) == ["solving-public-problems"]
    assert pack.course.certificate.project_stage == "presented"


def test_team_requires_and_project_stage_are_checked(pack_copy):  # noqa: F811
    folder = pack_copy()
    edit(folder / "course.yaml", "serial_prefix: MIN\n",
         "serial_prefix: MIN\nrequires: [minimal-course, Other_Course, spp, spp]\n")  # fmt: skip
    edit(folder / "course.yaml", "  required_lessons: all\n",
         "  required_lessons: all\n  project_stage: launched\n")  # fmt: skip
    edit(
        folder / "01-basics/03-homework.assignment.fr.md",
        "max_file_mb: 5",
        "max_file_mb: 5\nteam: true",
    )
    edit(
        folder / "01-basics/03-homework.assignment.en.md",
        "max_file_mb: 5",
        "max_file_mb: 5\nteam: yes",
    )
    problems = _problems(folder)
    assert any("course.yaml:19" in p and "a course cannot require itself" in p for p in problems)
    assert any("requires" in p and "Other_Course" in p for p in problems)
    assert any("'spp' is listed twice" in p for p in problems)
    assert any("project_stage" in p for p in problems)
    assert any("03-homework.assignment.en.md" in p and "team" in p for p in problems), problems
