"""The checker behind ``load_pack``: reads every file of a pack and reports every problem.

It never stops at the first problem: each file is read as far as it can be, and checks that span
files (slugs, links, the certificate's lessons) run on whatever was read, so an author fixes a
pack in one round.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import lint, rendering
from .drafts import LessonDraft, ModuleDraft, build_module
from .lessonfiles import (
    LESSON_FILE_RE,
    QUIZ_FILE_RE,
    check_same_settings,
    decode,
    load_document,
    read_lesson_file,
    read_quiz_file,
    validate_document,
)
from .packchecks import check_scorm_packages, link_problem, unknown_requires
from .packdata import ASSET_TYPES, Pack, Problem, content_hash, read_tree
from .schema import CourseFile, ModuleFile
from .yamlsource import YamlDocument

LOGO_TYPES = ("png", "jpg", "jpeg")
MODULE_DIR_RE = re.compile(r"^(?P<number>\d{2,})-(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)$")
#: module slugs that would collide with the course's URLs
RESERVED_MODULE_SLUGS = ("assets",)
#: files allowed at the pack's root besides course.yaml (ignored by the import)
ROOT_EXTRAS = ("README.md",)
MAX_ASSET_PATH = 255  # CourseAsset.path


class PackChecker:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        #: what does not stop an import (see lint.py), filled by ``load``
        self.warnings: list[Problem] = []
        self.requires: list[tuple[int, str]] = []  # (line, slug) of course.yaml's ``requires``
        self.files: dict[str, bytes] = {}
        #: the course's languages, for the translation checks (validation context)
        self.context: dict[str, Any] = {}
        self.default_language: str | None = None

    def report(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def load(self) -> tuple[Pack | None, list[Problem]]:
        if not self.root.is_dir():
            return None, [Problem(self.root.name, 1, "not a folder")]
        self.files, dirs, links = read_tree(self.root)
        for link in links:
            self.report(link, 1, "symbolic links are not allowed in a pack")
        course_document, course = self.load_course()
        modules, assets = self.sort_files(dirs)
        for module in modules:
            self.load_module(module)
        check_scorm_packages(self, modules)
        lesson_paths = self.check_slugs(modules)
        self.check_links(modules, lesson_paths, assets)
        if course_document is not None:
            self.check_certificate(course_document, lesson_paths, assets)
        self.warnings = lint.pack_warnings(modules, self.context)
        self.warnings += unknown_requires(self.root, self.requires)
        problems = sorted(set(self.problems))
        if problems or course is None:
            return None, problems
        pack = Pack(
            root=self.root,
            course=course,
            modules=[
                build_module(module, position, self.files, self.reference_languages())
                for position, module in enumerate(modules, 1)
            ],
            assets={path: self.files[path] for path in assets},
            scorm_packages={
                draft.scorm.sha256: self.files[f"{module.folder}/{draft.front_value('package')}"]
                for module in modules
                for draft in module.lessons
                if draft.scorm is not None
            },
            content_hash=content_hash(self.files),
        )
        return pack, []

    # -- course.yaml ---------------------------------------------------------------------------

    def load_course(self) -> tuple[YamlDocument | None, CourseFile | None]:
        if "course.yaml" not in self.files:
            self.report("course.yaml", 1, "missing file: every pack has a course.yaml")
            return None, None
        text = decode("course.yaml", self.files["course.yaml"], self.report)
        document = load_document("course.yaml", text, self.report) if text is not None else None
        if document is None:
            return None, None
        data = document.data if isinstance(document.data, dict) else {}
        for key in ("languages", "complete_languages"):
            value = data.get(key)
            if isinstance(value, list) and all(isinstance(item, str) for item in value):
                self.context[key] = value
        if "languages" in self.context and "complete_languages" in self.context:
            # a complete language that is not declared is reported once, not in every file
            declared = self.context["languages"]
            self.context["complete_languages"] = [
                language for language in self.context["complete_languages"] if language in declared
            ]
        if isinstance(data.get("default_language"), str):
            self.default_language = data["default_language"]
        course = validate_document("course.yaml", CourseFile, document, self.context, self.report)
        self.check_course_languages(document, data)
        self.check_requires(document, data)
        return document, course

    def check_requires(self, document: YamlDocument, data: dict[str, Any]) -> None:
        """``requires``: other courses' slugs, each once (the slug syntax is the schema's)."""
        requires = data.get("requires")
        seen: set[str] = set()
        for index, slug in enumerate(requires if isinstance(requires, list) else []):
            if not isinstance(slug, str):
                continue
            line = document.line(("requires", index))
            if slug == data.get("slug"):
                self.report(
                    "course.yaml", line, f"requires: a course cannot require itself ('{slug}')"
                )
            elif slug in seen:
                self.report("course.yaml", line, f"requires: '{slug}' is listed twice")
            else:
                self.requires.append((line, slug))
            seen.add(slug)

    def check_course_languages(self, document: YamlDocument, data: dict[str, Any]) -> None:
        languages = self.context.get("languages")
        if languages is None:
            return
        raw_complete = data.get("complete_languages")
        lists = {"languages": languages, "complete_languages": raw_complete}
        for key, values in lists.items():
            seen: set[str] = set()
            for index, language in enumerate(values if isinstance(values, list) else []):
                if not isinstance(language, str):
                    continue
                line = document.line((key, index))
                if language in seen:
                    self.report("course.yaml", line, f"{key}: '{language}' is listed twice")
                elif key == "complete_languages" and language not in languages:
                    self.report(
                        "course.yaml", line, f"complete_languages: '{language}' is not in languages"
                    )
                seen.add(language)
        complete = self.context.get("complete_languages")
        default = data.get("default_language")
        if complete is not None and isinstance(default, str) and default not in complete:
            self.report(
                "course.yaml",
                document.line(("default_language",)),
                f"default_language: '{default}' must be one of complete_languages ({', '.join(complete)})",
            )
        certificate = data.get("certificate")
        wanted = certificate.get("languages") if isinstance(certificate, dict) else None
        for index, language in enumerate(wanted if isinstance(wanted, list) else []):
            if isinstance(language, str) and language not in languages:
                self.report(
                    "course.yaml",
                    document.line(("certificate", "languages", index)),
                    f"certificate.languages: '{language}' is not in languages",
                )

    def check_certificate(
        self, document: YamlDocument, lesson_paths: set[str], assets: set[str]
    ) -> None:
        certificate = document.data.get("certificate") if isinstance(document.data, dict) else None
        if not isinstance(certificate, dict):
            return
        required = certificate.get("required_lessons")
        for index, item in enumerate(required if isinstance(required, list) else []):
            if isinstance(item, str) and item not in lesson_paths:
                line = document.line(("certificate", "required_lessons", index))
                self.report(
                    "course.yaml",
                    line,
                    f"certificate.required_lessons: no lesson '{item}' in the pack",
                )
        logos = certificate.get("logos")
        for index, logo in enumerate(logos if isinstance(logos, list) else []):
            if not isinstance(logo, str):
                continue
            line = document.line(("certificate", "logos", index))
            if logo.rsplit(".", 1)[-1].lower() not in LOGO_TYPES:
                self.report(
                    "course.yaml", line, f"certificate.logos: '{logo}' must be a PNG or JPEG file"
                )
            elif logo not in assets:
                self.report("course.yaml", line, f"certificate.logos: no file '{logo}' in the pack")

    # -- the files and folders of the pack -----------------------------------------------------

    def sort_files(self, dirs: set[str]) -> tuple[list[ModuleDraft], set[str]]:
        """Module folders (in order) and asset paths; reports every file that has no place."""
        modules: dict[str, ModuleDraft] = {}
        assets: set[str] = set()
        unknown_folders: set[str] = set()
        for directory in sorted(dirs):
            top = directory.split("/")[0]
            match = MODULE_DIR_RE.match(top)
            if match and top not in modules:
                modules[top] = ModuleDraft(top, int(match["number"]), match["name"])
            elif not match and top != "assets":
                unknown_folders.add(top)
        for folder in sorted(unknown_folders):
            self.report(folder + "/", 1, "unknown folder: module folders are named like 01-name/")
        for path in sorted(self.files):
            parts = path.split("/")
            if len(parts) == 1:
                if path not in ("course.yaml", *ROOT_EXTRAS):
                    self.report(
                        path,
                        1,
                        "unknown file: a pack holds course.yaml, assets/ and module folders (01-name/)",
                    )
            elif parts[0] == "assets":
                if len(path) > MAX_ASSET_PATH:
                    self.report(
                        path, 1, f"the path is too long (at most {MAX_ASSET_PATH} characters)"
                    )
                elif path.rsplit(".", 1)[-1].lower() in ASSET_TYPES and "." in parts[-1]:
                    assets.add(path)
                else:
                    self.report(
                        path, 1, f"unknown file: assets may be {', '.join(ASSET_TYPES)} files"
                    )
            elif parts[0] in modules:
                if len(parts) > 2:
                    self.report(path, 1, "unknown file: a module folder holds no sub-folders")
                else:
                    self.place_module_file(modules[parts[0]], parts[1])
        ordered = sorted(modules.values(), key=lambda m: (m.number, m.name))
        if not ordered:
            self.report(
                "course.yaml", 1, "the pack has no module folder (01-name/ with a module.yaml)"
            )
        return ordered, assets

    def place_module_file(self, module: ModuleDraft, name: str) -> None:
        path = f"{module.folder}/{name}"
        if name == "module.yaml":
            return
        if name.endswith(".zip") and not name.startswith("."):
            module.packages.add(name)  # a SCORM package, checked with the lesson that plays it
            return
        lesson_match = LESSON_FILE_RE.match(name)
        quiz_match = QUIZ_FILE_RE.match(name)
        if lesson_match:
            language = lesson_match["language"]
            declared = self.context.get("languages")
            if declared is not None and language not in declared:
                self.report(
                    path,
                    1,
                    f"language '{language}' is not one of the pack's languages ({', '.join(declared)})",
                )
                return
            draft = self.lesson_draft(
                module, lesson_match["stem"], int(lesson_match["number"]), quiz=False
            )
            draft.files[language] = read_lesson_file(
                path, lesson_match, self.files[path], self.context, self.report
            )
        elif quiz_match:
            draft = self.lesson_draft(
                module, quiz_match["stem"], int(quiz_match["number"]), quiz=True
            )
            draft.quiz = read_quiz_file(
                path, quiz_match, self.files[path], self.context, self.report
            )
        else:
            self.report(
                path,
                1,
                "unknown file: expected module.yaml, NN-name.LANG.md, NN-name.KIND.LANG.md, "
                "NN-name.quiz.yaml or the .zip of a scorm lesson",
            )

    @staticmethod
    def lesson_draft(module: ModuleDraft, stem: str, number: int, quiz: bool) -> LessonDraft:
        for draft in module.lessons:
            if draft.stem == stem and (draft.quiz is not None) == quiz:
                return draft
        draft = LessonDraft(stem, number)
        module.lessons.append(draft)
        return draft

    # -- modules and lessons -------------------------------------------------------------------

    def load_module(self, module: ModuleDraft) -> None:
        path = f"{module.folder}/module.yaml"
        if path not in self.files:
            self.report(path, 1, "missing file: every module folder has a module.yaml")
        else:
            text = decode(path, self.files[path], self.report)
            module.document = load_document(path, text, self.report) if text is not None else None
            if module.document is not None:
                module.model = validate_document(
                    path, ModuleFile, module.document, self.context, self.report
                )
        module.lessons.sort(key=lambda d: (d.number, d.stem, d.quiz is not None))
        if not module.lessons:
            self.report(path, 1, "the module has no lesson")
        for draft in module.lessons:
            if not draft.quiz:
                self.check_lesson_languages(draft)

    def check_lesson_languages(self, draft: LessonDraft) -> None:
        """A file in every complete language, and the same settings in every file."""
        sample = next(iter(draft.files.values()))
        kind = f".{sample.kind_in_name}" if sample.kind_in_name else ""
        for language in self.context.get("complete_languages") or []:
            if language not in draft.files:
                self.report(
                    draft.first_path(),
                    1,
                    f"missing the '{language}' file of this lesson ({draft.stem}{kind}.{language}.md)",
                )
        reference = draft.reference_file(self.reference_languages())
        for _language, file in sorted(draft.files.items()):
            if file is not reference:
                check_same_settings(reference, file, self.report)

    def reference_languages(self) -> list[str]:
        """The languages whose file is the reference of a lesson, best first."""
        first = [self.default_language] if self.default_language else []
        return first + list(self.context.get("complete_languages") or [])

    def check_slugs(self, modules: list[ModuleDraft]) -> set[str]:
        """Unique module slugs in the course, unique lesson slugs in each module; returns the
        ``module/lesson`` paths of the pack (as written, for link checks)."""
        module_lines: dict[str, str] = {}
        lesson_paths: set[str] = set()
        for module in modules:
            slug = module.raw_slug()
            path = f"{module.folder}/module.yaml"
            if slug is not None and module.document is not None:
                line = module.document.line(("slug",))
                if slug in RESERVED_MODULE_SLUGS:
                    self.report(
                        path,
                        line,
                        f"slug: '{slug}' is reserved (the pack's files are served under it)",
                    )
                if slug in module_lines:
                    self.report(
                        path, line, f"duplicate module slug '{slug}' (also in {module_lines[slug]})"
                    )
                module_lines.setdefault(slug, path)
            seen: dict[str, str] = {}
            for draft in module.lessons:
                lesson_slug, lesson_path, line = draft.raw_slug()
                if lesson_slug is None:
                    continue
                if lesson_slug in seen:
                    self.report(
                        lesson_path,
                        line,
                        f"duplicate lesson slug '{lesson_slug}' (also in {seen[lesson_slug]})",
                    )
                seen.setdefault(lesson_slug, lesson_path)
                if slug is not None:
                    lesson_paths.add(f"{slug}/{lesson_slug}")
        return lesson_paths

    # -- links and images ----------------------------------------------------------------------

    def check_links(
        self, modules: list[ModuleDraft], lesson_paths: set[str], assets: set[str]
    ) -> None:
        for module in modules:
            module_slug = module.raw_slug()
            for draft in module.lessons:
                for file in draft.files.values():
                    for reference in rendering.references(file.tokens, file.body):
                        problem = link_problem(reference, module_slug, lesson_paths, assets)
                        if problem:
                            self.report(file.path, file.body_line + reference.line, problem)
