"""Checks of a pack that stand on their own (used by :mod:`curriculum.checker`): the target of
each link and image of a lesson, the SCORM packages of a module folder, and whether each course
``requires`` names is one of the packs beside it or bundled."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import rendering
from .packdata import Problem
from .scorm import ScormPackageError, inspect_package
from .yamlsource import YamlSyntaxError, load_yaml

if TYPE_CHECKING:
    from .checker import PackChecker
    from .drafts import ModuleDraft

WEB_SCHEMES = ("https://", "http://", "mailto:")


def check_scorm_packages(checker: PackChecker, modules: list[ModuleDraft]) -> None:
    """Each scorm lesson's package is a .zip of its module folder and a SCORM package we
    play; each .zip of a module folder is the package of a scorm lesson."""
    for module in modules:
        used: set[str] = set()
        for draft in module.lessons:
            name = draft.front_value("package") if draft.quiz is None else None
            if not isinstance(name, str) or draft.kind() != "scorm":
                continue
            used.add(name)
            if name not in module.packages:
                file = draft.reference_file(checker.reference_languages())
                line = file.front.line(("package",)) if file.front else 1
                checker.report(file.path, line, f"package: no file '{name}' in the module folder")
                continue
            path = f"{module.folder}/{name}"
            try:
                draft.scorm = inspect_package(checker.files[path])
            except ScormPackageError as error:
                checker.report(path, 1, f"not a SCORM package we can play: {error.message}")
        for name in sorted(module.packages - used):
            checker.report(
                f"{module.folder}/{name}",
                1,
                "unknown file: a .zip in a module folder is the package of a scorm lesson "
                "(its front matter says package: " + name + ")",
            )


def link_problem(
    reference: rendering.Reference, module_slug: str | None, lessons: set[str], assets: set[str]
) -> str | None:
    """What is wrong with a link or image target of a lesson, or None."""
    target = reference.target
    if reference.kind == "image":
        if target.startswith(rendering.ASSETS_PREFIX):
            return None if target in assets else f"image '{target}': no such file in the pack"
        if target.startswith("https://"):
            return None
        return f"image '{target}': use a file under assets/ or an https:// address"
    if target.startswith(rendering.LESSON_SCHEME):
        path = target[len(rendering.LESSON_SCHEME) :]
        if "/" not in path and module_slug is not None:
            path = f"{module_slug}/{path}"
        return None if path in lessons else f"link '{target}': no such lesson in the pack"
    if target.startswith(rendering.ASSETS_PREFIX):
        return None if target in assets else f"link '{target}': no such file in the pack"
    if target.startswith(WEB_SCHEMES) or target.startswith("#"):
        return None
    return f"link '{target}': use lesson:, assets/..., https:// or mailto: links"


#: the packs that ship with the product (``lms curriculum import`` / ``lms demo`` import them)
BUNDLED_PACKS_DIR = Path(__file__).resolve().parent / "packs"


def course_slug(folder: Path) -> str | None:
    """The slug a pack folder's course.yaml gives (None if it has none)."""
    try:
        data = load_yaml((folder / "course.yaml").read_text(encoding="utf-8", errors="replace"))
    except (OSError, YamlSyntaxError):
        return None
    slug = data.data.get("slug") if isinstance(data.data, dict) else None
    return slug if isinstance(slug, str) else None


def known_course_slugs(root: Path) -> set[str]:
    """The courses of the packs beside ``root`` (checked or imported with it) and the bundled."""
    slugs = set()
    for parent in {root.resolve().parent, BUNDLED_PACKS_DIR}:
        if parent.is_dir():
            slugs.update(course_slug(folder) for folder in parent.iterdir() if folder.is_dir())
    return slugs - {None}


def unknown_requires(root: Path, requires: list[tuple[int, str]]) -> list[Problem]:
    """A warning for each required slug no pack beside it nor bundled has: a typo would silently
    make the requirement void (the import refuses it unless that course is on the site)."""
    known = known_course_slugs(root) if requires else set()
    return [
        Problem(
            "course.yaml",
            line,
            f"requires: no pack here nor bundled has the course '{slug}' "
            "(a typo? the import refuses it unless that course is on the site)",
        )  # fmt: skip
        for line, slug in requires
        if slug not in known
    ]
