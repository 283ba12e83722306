"""Importing packs: by slug path, idempotent, in place, archiving and never deleting."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from certificates.models import Certificate
from certificates.rules import evaluate
from curriculum.checker import PackChecker
from curriculum.db import db, utcnow
from curriculum.importer import import_bundled_packs, import_pack
from curriculum.models import Course, CourseAsset, Lesson, Module, QuizChoice, QuizQuestion
from curriculum.pack import PackError, load_pack
from lms.cohorts.operations import CohortDetails, create_cohort
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.operations import (
    enrol,
    mark_done,
    submit_assignment,
    submit_quiz,
)
from lms.reviews.operations import review_submission
from lms.sessions.operations import record_attendance, schedule_session

from .conftest import BROKEN, MINIMAL, edit

COURSE = "minimal-course"
ALL_PATHS = [
    "minimal-course",
    "minimal-course/basics",
    "minimal-course/basics/welcome",
    "minimal-course/basics/check",
    "minimal-course/basics/homework",
    "minimal-course/basics/meeting",
    "minimal-course/assets/diagram.png",
]


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def lesson(slug: str) -> Lesson:
    return db.session.execute(select(Lesson).where(Lesson.slug == slug)).scalar_one()


def imported(folder=MINIMAL, dry_run=False):
    report = import_pack(folder, dry_run=dry_run)
    db.session.commit()
    return report


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_new_pack_is_imported_with_every_lesson_rendered(app):
    report = imported()

    assert report.created and report.added == ALL_PATHS
    assert report.summary() == "minimal-course: imported (1 modules, 4 lessons)"
    course = db.session.execute(select(Course)).scalar_one()
    assert (course.slug, course.serial_prefix, course.complete_languages) == (
        COURSE,
        "MIN",
        ["fr", "en"],
    )
    assert course.certificate_rule["min_attendance"] == 75
    assert course.certificate_rule["signatories"][0]["title"] == {
        "fr": "Directrice",
        "en": "Director",
    }
    welcome = lesson("welcome")
    assert welcome.course_id == course.id
    assert welcome.bodies["en"] == (
        "<p>Welcome to the course.</p>\n"
        '<p><img src="../assets/diagram.png" alt="The diagram"></p>\n'
        '<p>Then do the <a href="../basics/homework" rel="noopener noreferrer">homework</a>.</p>\n'
    )
    assert lesson("homework").settings["submission"] == {
        "text": True, "file": True, "file_types": ["pdf", "png"], "max_file_mb": 5,
    }  # fmt: skip
    assert lesson("meeting").settings == {"duration_minutes": 60}
    quiz = lesson("check")
    assert (quiz.kind, quiz.settings, quiz.bodies) == ("quiz", {"pass_mark": 50, "attempts": 3}, {})
    assert [(q.key, q.type, [c.key for c in q.choices]) for q in quiz.questions] == [
        ("colour", "single", ["a", "b"]),
        ("round", "true_false", ["true", "false"]),
    ]
    asset = db.session.execute(select(CourseAsset)).scalar_one()
    assert (asset.path, asset.mimetype) == ("assets/diagram.png", "image/png")
    assert asset.data == (MINIMAL / "assets/diagram.png").read_bytes()


def test_importing_an_unchanged_pack_writes_nothing(app, count_queries):
    imported()

    with count_queries() as statements:
        report = imported()

    assert report.unchanged and report.summary() == "minimal-course: unchanged"
    assert writes(statements) == []
    assert len(statements) == 1  # one look at the course's content hash


def test_a_dry_run_reports_the_changes_and_writes_nothing(app, count_queries):
    with count_queries() as statements:
        report = imported(dry_run=True)

    assert report.added == ALL_PATHS
    assert report.summary() == "dry run: minimal-course: would be imported (1 modules, 4 lessons)"
    assert writes(statements) == []
    assert count(Course) == 0


def test_an_edited_lesson_is_updated_in_place_and_learners_keep_their_progress(
    app, make_user, pack_copy
):
    folder = pack_copy()
    imported(folder)
    welcome_id = lesson("welcome").id
    user = make_user()
    enrolment = Enrolment(user_id=user.id, course_id=lesson("welcome").course_id)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=welcome_id, status="done"))
    db.session.commit()
    edit(
        folder / "01-basics/01-welcome.fr.md",
        "Bienvenue dans le cours.",
        "Bienvenue, **vraiment**.",
    )
    shutil.move(folder / "01-basics/01-welcome.fr.md", folder / "01-basics/05-welcome.fr.md")
    shutil.move(folder / "01-basics/01-welcome.en.md", folder / "01-basics/05-welcome.en.md")

    report = imported(folder)

    assert (report.added, report.updated, report.archived) == (
        [],
        [
            "minimal-course/basics/check",
            "minimal-course/basics/homework",
            "minimal-course/basics/meeting",
            "minimal-course/basics/welcome",
        ],  # renumbered: every other lesson moved one place up, welcome went last
        [],
    )
    db.session.expire_all()
    welcome = lesson("welcome")
    assert (welcome.id, welcome.position) == (welcome_id, 4)
    assert welcome.bodies["fr"].startswith("<p>Bienvenue, <strong>vraiment</strong>.</p>")
    progress = db.session.execute(select(LessonProgress)).scalar_one()
    assert (progress.lesson_id, progress.status) == (welcome_id, "done")


def complete_the_minimal_course(learner, trainer) -> Enrolment:
    """The learner's real journey through the minimal course: joins a cohort, is present at the
    meeting, reads, passes the quiz and has the homework accepted (which completes the course)."""
    course = db.session.execute(select(Course).where(Course.slug == COURSE)).scalar_one()
    cohort = create_cohort(
        trainer,
        course,
        CohortDetails("Cohorte test", "Azilal", "Demnate", None, None, None, [trainer.id]),
    )
    enrolment = enrol(learner, course, cohort)
    meeting = schedule_session(trainer, cohort, lesson("meeting"), utcnow(), "Dar Chabab")
    record_attendance(trainer, meeting, enrolment, present=True)
    mark_done(enrolment, lesson("welcome"))
    assert submit_quiz(enrolment, lesson("check"), {"colour": ["a"], "round": ["true"]}).passed
    homework = submit_assignment(enrolment, lesson("homework"), "Ma page.")
    review_submission(trainer, homework, accept=True, feedback="")
    db.session.commit()
    return enrolment


def test_a_removed_lesson_is_archived_and_a_completed_enrolment_stays_completed(
    app, make_user, pack_copy
):
    folder = pack_copy()
    imported(folder)
    enrolment = complete_the_minimal_course(make_user(), make_user(roles=("trainer",)))
    assert enrolment.status == "completed"
    before = evaluate(enrolment)
    assert (before.met, before.attendance, before.lessons_required) == (True, 100, 3)
    assert db.session.execute(select(Certificate.enrolment_id)).scalar_one() == enrolment.id
    meeting_id = lesson("meeting").id
    for language in ("fr", "en"):
        (folder / f"01-basics/04-meeting.session.{language}.md").unlink()

    report = imported(folder)

    assert report.archived == ["minimal-course/basics/meeting"]
    assert report.summary() == "minimal-course: 1 archived"
    assert lesson("meeting").archived_at is not None
    db.session.expire_all()
    enrolment = db.session.execute(select(Enrolment)).scalar_one()
    assert enrolment.status == "completed"
    after = evaluate(enrolment)
    # the archived session is left out: no session is left to attend, the rest still holds
    assert (after.met, after.missing, after.attendance) == (True, [], None)
    assert (after.lessons_done, after.lessons_required) == (3, 3)
    assert db.session.execute(select(Certificate.revoked_at)).scalar_one() is None
    # the learner's history of the archived lesson is kept
    kept = select(LessonProgress.status).where(LessonProgress.lesson_id == meeting_id)
    assert db.session.execute(kept).scalar_one() == "done"

    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    report = imported(folder)

    assert report.updated == ["minimal-course/basics/meeting"]
    assert (lesson("meeting").id, lesson("meeting").archived_at) == (meeting_id, None)


def test_quiz_questions_and_choices_are_matched_by_id(app, pack_copy):
    folder = pack_copy()
    imported(folder)
    colour_id = db.session.execute(
        select(QuizQuestion.id).where(QuizQuestion.key == "colour")
    ).scalar_one()
    quiz = folder / "01-basics/02-check.quiz.yaml"
    text = quiz.read_text()
    colour, round_question = text.split("  - id: round\n")
    quiz.write_text(
        colour.replace("text: {fr: Vert, en: Green}", "text: {fr: Gris, en: Grey}")
        + "      - id: c\n        text: {fr: Rouge, en: Red}\n        correct: false\n"
        + "        explanation: {fr: Non il est bleu., en: No it is blue.}\n"
    )

    report = imported(folder)

    assert report.updated == ["minimal-course/basics/check"]
    questions = {q.key: q for q in db.session.execute(select(QuizQuestion)).scalars()}
    assert questions["colour"].id == colour_id and questions["colour"].archived_at is None
    assert questions["round"].archived_at is not None  # removed from the pack: archived, kept
    choices = {c.key: c for c in questions["colour"].choices}
    assert choices["b"].texts == {"fr": "Gris", "en": "Grey"}
    assert (choices["c"].position, choices["c"].correct) == (3, False)
    assert choices["c"].explanations == {"fr": "Non il est bleu.", "en": "No it is blue."}
    assert count(QuizChoice) == 5


def test_a_removed_module_is_archived_with_its_lessons(app, pack_copy):
    folder = pack_copy()
    shutil.copytree(folder / "01-basics", folder / "02-more")
    edit(folder / "02-more/module.yaml", "slug: basics", "slug: more")
    for path in (folder / "02-more").glob("*.md"):
        edit(
            path, "lesson:homework", "lesson:basics/homework"
        ) if "lesson:homework" in path.read_text() else None
    imported(folder)
    shutil.rmtree(folder / "02-more")

    report = imported(folder)

    assert report.archived == [
        "minimal-course/more",
        "minimal-course/more/welcome",
        "minimal-course/more/check",
        "minimal-course/more/homework",
        "minimal-course/more/meeting",
    ]
    archived = db.session.execute(
        select(Module.slug).where(Module.archived_at.is_not(None))
    ).scalars()
    assert list(archived) == ["more"]
    assert count(Lesson) == 8


def test_changed_and_removed_assets(app, pack_copy):
    folder = pack_copy()
    shutil.copy(folder / "assets/diagram.png", folder / "assets/extra.png")
    imported(folder)
    (folder / "assets/extra.png").unlink()
    (folder / "assets/diagram.png").write_bytes(
        (folder / "assets/diagram.png").read_bytes() + b"\0"
    )

    report = imported(folder)

    assert report.updated == ["minimal-course/assets/diagram.png"]
    assert report.removed == ["minimal-course/assets/extra.png"]
    assert [a.path for a in db.session.execute(select(CourseAsset)).scalars()] == [
        "assets/diagram.png"
    ]


def test_a_pack_with_problems_is_refused_and_nothing_is_written(app):
    with pytest.raises(PackError) as error:
        import_pack(BROKEN / "out-of-range")

    assert len(error.value.problems) == 4
    assert count(Course) == 0


def test_a_checked_pack_object_can_be_previewed_then_imported(app):
    pack, _problems = load_pack(MINIMAL)

    preview = import_pack(pack, dry_run=True)
    report = import_pack(pack)
    db.session.commit()

    assert preview.added == report.added == ALL_PATHS
    assert count(Lesson) == 4


def test_import_bundled_packs_yields_a_line_per_pack(app, tmp_path):
    packs = tmp_path / "packs"
    shutil.copytree(MINIMAL, packs / "a-minimal")
    shutil.copytree(BROKEN / "required-lessons", packs / "b-broken")

    lines = list(import_bundled_packs(packs))
    db.session.commit()

    assert lines == [
        "minimal-course: imported (1 modules, 4 lessons)",
        "b-broken: not imported, 1 problem(s):",
        "  b-broken/course.yaml:12: certificate.required_lessons: no lesson 'm/nope' in the pack",
    ]
    assert list(import_bundled_packs(packs))[0] == "minimal-course: unchanged"


# -- the command ---------------------------------------------------------------------------------


def test_import_command_prints_the_changes_and_commits(app, runner):
    result = runner.invoke(args=["curriculum", "import", str(MINIMAL)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "minimal-course: imported (1 modules, 4 lessons)",
        *(f"  added     {path}" for path in ALL_PATHS),
    ]
    db.session.remove()
    assert count(Lesson) == 4


def test_import_command_does_not_parse_an_unchanged_pack(app, runner, monkeypatch, count_queries):
    assert runner.invoke(args=["curriculum", "import", str(MINIMAL)]).exit_code == 0

    def parse(checker):
        raise AssertionError("the unchanged pack was parsed")

    monkeypatch.setattr(PackChecker, "load", parse)
    with count_queries() as statements:
        result = runner.invoke(args=["curriculum", "import", str(MINIMAL)])

    assert result.exit_code == 0, result.output
    assert result.stdout == "minimal-course: unchanged\n"
    assert len(statements) == 1  # one look at the course's content hash


def test_import_command_dry_run_writes_nothing(app, runner):
    result = runner.invoke(args=["curriculum", "import", "--dry-run", str(MINIMAL)])

    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "dry run: minimal-course: would be imported (1 modules, 4 lessons)"
    )
    db.session.remove()
    assert count(Course) == 0


def test_import_command_refuses_a_pack_with_problems(app, runner):
    folder = BROKEN / "required-lessons"

    result = runner.invoke(args=["curriculum", "import", str(folder)])

    assert result.exit_code == 1
    assert result.stdout == (
        f"{folder}/course.yaml:12: certificate.required_lessons: no lesson 'm/nope' in the pack\n"
    )
    db.session.remove()
    assert count(Course) == 0


def test_the_importer_refuses_yaml_aliases_and_writes_nothing(app):
    with pytest.raises(PackError) as error:
        import_pack(BROKEN / "yaml-aliases")

    assert "course.yaml:15: YAML aliases are not allowed" in [str(p) for p in error.value.problems]
    db.session.rollback()
    assert count(Course) == 0
