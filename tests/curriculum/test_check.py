"""`load_pack` and `lms curriculum check`: every problem of a pack, as path:line: message."""

from __future__ import annotations

import time
import zipfile

import pytest

from curriculum.importer import BUNDLED_PACKS_DIR
from curriculum.pack import load_pack

from .conftest import BROKEN, MINIMAL, edit

SLUG_RULE = "(lowercase letters, digits and single hyphens, at most 80 characters)"
VIDEO_HOSTS = "www.youtube.com, youtube.com, youtu.be, vimeo.com, player.vimeo.com"
TRANSLATED = "(only title, deliverable and rubric are translated)"

BROKEN_PACKS = {
    "yaml-syntax": [
        "01-m/module.yaml:3: YAML syntax error: expected ',' or '}', but got ':'",
    ],
    "yaml-aliases": [
        "01-m/01-l.fr.md:5: YAML anchors are not allowed",
        "01-m/module.yaml:3: YAML aliases are not allowed",
        "course.yaml:15: YAML aliases are not allowed",
    ],
    "unknown-key": [
        "01-m/01-l.fr.md:2: missing key 'minutes'",
        "01-m/01-l.fr.md:5: unknown key 'minuts'",
        "01-m/module.yaml:4: unknown key 'titel'",
    ],
    "missing-key": [
        "course.yaml:1: missing key 'serial_prefix'",
        "course.yaml:10: missing key 'certificate.wording'",
    ],
    "missing-translation": [
        "01-m/module.yaml:2: title: missing translation: en",
        "course.yaml:7: description: 'es' is not one of the pack's languages (fr, en)",
    ],
    "missing-lesson-file": [
        "01-m/01-l.fr.md:1: missing the 'en' file of this lesson (01-l.en.md)",
    ],
    "front-matter-differs": [
        f"01-m/01-l.en.md:5: 'minutes' is 7 here but 5 in 01-l.fr.md {TRANSLATED}",
        f"01-m/01-l.en.md:6: 'required' is false here but true in 01-l.fr.md {TRANSLATED}",
    ],
    "duplicate-slug": [
        "01-m/02-q.quiz.yaml:1: duplicate lesson slug 'l' (also in 01-m/01-l.fr.md)",
        "02-n/module.yaml:1: duplicate module slug 'm' (also in 01-m/module.yaml)",
    ],
    "bad-slug": [
        f"01-m/01-l.fr.md:2: slug: 'Bad_Slug' is not a valid slug {SLUG_RULE}",
        "01-m/module.yaml:1: slug: 'assets' is reserved (the pack's files are served under it)",
    ],
    "quiz-rules": [
        "01-m/02-q.quiz.yaml:7: questions.0: a single question needs exactly one correct choice"
        " (it has 2)",
        "01-m/02-q.quiz.yaml:19: questions.1: a multiple question needs at least one correct choice",
        "01-m/02-q.quiz.yaml:31: questions.2: a true_false question needs exactly two choices,"
        " 'true' and 'false', one of them correct",
    ],
    "duplicate-ids": [
        "01-m/02-q.quiz.yaml:15: duplicate choice id 'a' (first used on line 11)",
        "01-m/02-q.quiz.yaml:19: duplicate question id 'one' (first used on line 7)",
    ],
    "missing-explanation": [
        "01-m/02-q.quiz.yaml:11: missing key 'questions.0.choices.0.explanation' (every choice"
        " says why it is right or wrong, in every complete language)",
        "01-m/02-q.quiz.yaml:17: questions.0.choices.1.explanation: missing translation: en",
    ],
    "out-of-range": [
        "01-m/02-q.quiz.yaml:4: pass_mark: must be between 0 and 100 (got 120)",
        "01-m/02-q.quiz.yaml:5: attempts: must be 0 (unlimited) or more (got -1)",
        "course.yaml:12: certificate.min_quiz_average: must be between 0 and 100 (got -5)",
        "course.yaml:13: certificate.min_attendance: must be between 0 and 100 (got 150)",
    ],
    "required-lessons": [
        "course.yaml:12: certificate.required_lessons: no lesson 'm/nope' in the pack",
    ],
    "broken-links": [
        "01-m/01-l.fr.md:7: link 'lesson:nope': no such lesson in the pack",
        "01-m/01-l.fr.md:9: link 'lesson:other/l': no such lesson in the pack",
        "01-m/01-l.fr.md:12: image 'assets/missing.png': no such file in the pack",
        "01-m/01-l.fr.md:14: link '../notes.md': use lesson:, assets/..., https:// or mailto: links",
    ],
    "no-front-matter": [
        "01-m/01-l.fr.md:1: no front matter: a lesson starts with a '---' line, then slug, kind,"
        " title...",
    ],
    "video": [
        "01-m/01-l.video.fr.md:6: video_url: 'https://evil.example/watch?v=1' must be an https://"
        f" link on {VIDEO_HOSTS}",
        "01-m/01-l.video.fr.md:8: the body is empty: write a text summary of the video after the"
        " front matter",
    ],
    "file-names": [
        "01-m/02-s.session.fr.md:3: kind 'reading' does not match the file name (.session.)",
        "01-m/1-intro.fr.md:1: unknown file: expected module.yaml, NN-name.LANG.md,"
        " NN-name.KIND.LANG.md, NN-name.quiz.yaml or the .zip of a scorm lesson",
        "assets/logo.svg:1: unknown file: assets may be png, jpg, jpeg, gif, webp, pdf files",
        "intro/:1: unknown folder: module folders are named like 01-name/",
        "notes.txt:1: unknown file: a pack holds course.yaml, assets/ and module folders (01-name/)",
    ],
    "languages": [
        "course.yaml:3: default_language: 'en' must be one of complete_languages (fr)",
        "course.yaml:5: complete_languages: 'de' is not in languages",
    ],
}


def problems_of(folder) -> list[str]:
    pack, problems = load_pack(folder)
    assert (pack is None) == bool(problems)
    return [str(problem) for problem in problems]


def test_the_minimal_pack_has_no_problem():
    pack, problems = load_pack(MINIMAL)

    assert problems == []
    assert pack.summary() == (
        "minimal-course: 1 modules, 4 lessons, 2 quiz questions, complete languages: fr, en"
    )
    [module] = pack.modules
    assert [(lesson.slug, lesson.kind) for lesson in module.lessons] == [
        ("welcome", "reading"),
        ("check", "quiz"),
        ("homework", "assignment"),
        ("meeting", "session"),
    ]
    homework = module.lessons[2]
    assert homework.titles == {"en": "The homework", "fr": "Le devoir"}
    assert homework.settings["rubric"] == {"en": ["It is clear."], "fr": ["C'est clair."]}
    assert list(pack.assets) == ["assets/diagram.png"]


def test_every_kind_of_broken_pack_has_a_folder_and_a_test():
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(BROKEN_PACKS)


@pytest.mark.parametrize("kind", sorted(BROKEN_PACKS))
def test_a_broken_pack_reports_each_problem_with_its_file_and_line(kind):
    assert problems_of(BROKEN / kind) == BROKEN_PACKS[kind]


def test_every_problem_is_reported_not_only_the_first(pack_copy):
    folder = pack_copy()
    edit(folder / "01-basics/module.yaml", "slug: basics", "slug: basics\ncolour: red")
    edit(folder / "01-basics/01-welcome.en.md", "minutes: 10", "minutes: 12")
    edit(folder / "01-basics/02-check.quiz.yaml", "pass_mark: 50", "pass_mark: 500")
    (folder / "assets/diagram.png").unlink()

    assert problems_of(folder) == [
        "01-basics/01-welcome.en.md:5: 'minutes' is 12 here but 10 in 01-welcome.fr.md"
        f" {TRANSLATED}",
        "01-basics/01-welcome.en.md:10: image 'assets/diagram.png': no such file in the pack",
        "01-basics/01-welcome.fr.md:10: image 'assets/diagram.png': no such file in the pack",
        "01-basics/02-check.quiz.yaml:7: pass_mark: must be between 0 and 100 (got 500)",
        "01-basics/module.yaml:2: unknown key 'colour'",
    ]


def test_a_quiz_text_missing_a_complete_language_and_a_key_given_twice(pack_copy):
    folder = pack_copy()
    edit(folder / "01-basics/02-check.quiz.yaml", "      en: What colour is the sky?\n", "")
    edit(folder / "01-basics/module.yaml", "slug: basics", "slug: basics\nslug: basics")

    assert problems_of(folder) == [
        "01-basics/02-check.quiz.yaml:12: questions.0.prompt: missing translation: en",
        "01-basics/module.yaml:2: key 'slug' is given twice",
    ]


def test_wrong_types_say_what_was_expected(pack_copy):
    folder = pack_copy()
    edit(folder / "01-basics/04-meeting.session.fr.md", "required: true", "required: yes")
    edit(folder / "01-basics/04-meeting.session.en.md", "required: true", "required: yes")
    edit(folder / "01-basics/02-check.quiz.yaml", "{fr: Faux, en: False}", "{fr: Faux, en: 0}")

    assert problems_of(folder) == [
        "01-basics/02-check.quiz.yaml:41: questions.1.choices.1.text.en: must be text (got 0: put"
        " it in quotes)",
        "01-basics/04-meeting.session.en.md:6: required: must be true or false (got 'yes')",
        "01-basics/04-meeting.session.fr.md:6: required: must be true or false (got 'yes')",
    ]


def test_symbolic_links_in_a_folder_pack_are_refused(pack_copy, tmp_path):
    folder = pack_copy()
    secret = tmp_path / "secret.png"
    secret.write_bytes((folder / "assets/diagram.png").read_bytes())
    (folder / "assets/secret.png").symlink_to(secret)
    (folder / "02-more").symlink_to(folder / "01-basics", target_is_directory=True)

    assert problems_of(folder) == [
        "02-more:1: symbolic links are not allowed in a pack",
        "assets/secret.png:1: symbolic links are not allowed in a pack",
    ]


def test_the_bundled_packs_pass_the_check():
    for folder in sorted(BUNDLED_PACKS_DIR.iterdir()):
        if folder.is_dir():
            assert problems_of(folder) == [], folder.name


# -- the command ---------------------------------------------------------------------------------


def test_check_prints_a_summary_and_exits_0_for_a_good_pack(runner):
    result = runner.invoke(args=["curriculum", "check", str(MINIMAL)])

    assert result.exit_code == 0
    assert result.stdout == (
        "OK minimal-course: 1 modules, 4 lessons, 2 quiz questions, complete languages: fr, en\n"
    )


def test_check_prints_every_problem_with_the_path_given_and_exits_1(runner):
    folder = BROKEN / "out-of-range"

    result = runner.invoke(args=["curriculum", "check", str(folder)])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{folder}/{line}" for line in BROKEN_PACKS["out-of-range"]
    ]
    assert "4 problem(s) found" in result.stderr


def test_check_accepts_a_zip_of_the_pack(runner, tmp_path):
    archive = tmp_path / "minimal.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(MINIMAL.rglob("*")):
            zf.write(path, f"minimal/{path.relative_to(MINIMAL)}")

    result = runner.invoke(args=["curriculum", "check", str(archive)])

    assert result.exit_code == 0
    assert result.stdout.startswith("OK minimal-course:")


def test_a_pack_of_billion_laughs_is_refused_in_milliseconds(runner):
    """course.yaml holds six levels of nine aliases (9**6 strings if they were expanded)."""
    folder = BROKEN / "yaml-aliases"
    started = time.perf_counter()

    checked = runner.invoke(args=["curriculum", "check", str(folder)])
    imported = runner.invoke(args=["curriculum", "import", str(folder)])

    assert time.perf_counter() - started < 2
    for result in (checked, imported):
        assert result.exit_code == 1
        assert f"{folder}/course.yaml:15: YAML aliases are not allowed" in result.stdout
        assert f"{folder}/01-m/module.yaml:3: YAML aliases are not allowed" in result.stdout
