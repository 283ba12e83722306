"""Checks of a pack that stand on their own (used by :mod:`curriculum.checker`): the target of
each link and image of a lesson, and the SCORM packages of a module folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import rendering
from .scorm import ScormPackageError, inspect_package

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
