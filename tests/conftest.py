"""Fixtures: an app per test on a real database (SQLite always, PostgreSQL when
LMS_TEST_POSTGRES_URL is set), cleaned after each test; factories; a query counter."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text

from curriculum.db import db
from lms import create_app
from lms.app import database_url
from lms.models import import_all_models
from tests.clients import IsolatedClient
from tests.smtp import smtp  # noqa: F401 - a fixture for every test that checks sent mail

POSTGRES_URL = os.environ.get("LMS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
PASSWORD = "correct horse battery"


def postgres_schema_url(schema: str) -> str:
    """A URL whose connections work in their own schema (one per pytest-xdist worker)."""
    url = database_url(POSTGRES_URL or "")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def fresh_postgres_schema(schema: str) -> str:
    engine = create_engine(database_url(POSTGRES_URL or ""), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return postgres_schema_url(schema)


@pytest.fixture(scope="session")
def worker_name(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url_for_tests(request, worker_name) -> Iterator[str]:
    """A database with every table created (once per backend and worker)."""
    import_all_models()
    if request.param == "sqlite":
        directory = tempfile.mkdtemp(prefix="lms-test-")
        url = f"sqlite:///{directory}/test.sqlite3"
    else:
        url = fresh_postgres_schema(f"lms_test_{worker_name}")
    engine = create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()
    yield url


def _empty_all_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        engine = db.engine
        tables = list(reversed(db.metadata.sorted_tables))
        # DELETE, children first, on both databases: on PostgreSQL a TRUNCATE of every table
        # rewrites their files (~0.4 s a test), a DELETE of a test's few rows takes ~10 ms.
        with engine.begin() as connection:
            for table in tables:
                connection.execute(table.delete())
        engine.dispose()


@pytest.fixture
def app_config(database_url_for_tests) -> dict:
    """Override in a test module to change the configuration of ``app``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url_for_tests,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "lms.test",
        "LMS_PUBLIC_URL": "http://lms.test",
    }


@pytest.fixture
def app(app_config, tmp_path) -> Iterator[Flask]:
    app = create_app(app_config, instance_path=str(tmp_path / "instance"))
    # Each request in its own application context, as in production (see tests/clients.py).
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
    _empty_all_tables(app)


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name


@pytest.fixture
def client(app):
    """A browser that prefers English (the msgids), unless a test sends its own header or the
    user's profile says otherwise; tests about French and Arabic set them."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable:
    """``make_user(email=..., roles=("trainer",), name=..., locale=...)`` → a committed user."""
    from lms.users.operations import create_user

    counter = {"n": 0}

    def factory(
        email: str | None = None,
        roles=("learner",),
        name: str | None = None,
        password: str = PASSWORD,
        locale=None,
        active=True,
    ):
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.org"
        user = create_user(email, name or f"User {counter['n']}", password, list(roles), locale)
        user.active = active
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client) -> Callable:
    def do_login(user, password: str = PASSWORD, follow_redirects: bool = False):
        return client.post(
            "/login",
            data={"email": user.email, "password": password},
            follow_redirects=follow_redirects,
        )

    return do_login


@pytest.fixture
def count_queries(app) -> Callable:
    """``with count_queries() as queries: ...`` then ``len(queries)``."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
                statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


DEFAULT_MODULES = [
    (
        "basics",
        [
            {"slug": "intro", "kind": "reading"},
            {
                "slug": "check",
                "kind": "quiz",
                "settings": {"pass_mark": 70, "attempts": 3},
                "questions": [
                    ("q1", "single", [("a", True), ("b", False)]),
                    ("q2", "multiple", [("a", True), ("b", True), ("c", False)]),
                    ("q3", "true_false", [("true", True), ("false", False)]),
                ],
            },
            {
                "slug": "field-work",
                "kind": "assignment",
                "settings": {
                    "submission": {
                        "text": True,
                        "file": True,
                        "file_types": ["pdf", "png", "jpeg"],
                        "max_file_mb": 1,
                    }
                },
            },
            {"slug": "meeting", "kind": "session", "settings": {"duration_minutes": 120}},
        ],
    ),
    (
        "next-steps",
        [
            {"slug": "wrap-up", "kind": "reading"},
            {"slug": "extra", "kind": "reading", "required": False},
        ],
    ),
]


@pytest.fixture
def make_course(app) -> Callable:
    """``make_course(slug=..., sequential=..., modules=[(module_slug, [lesson specs])])`` →
    a committed course built directly with the models (no pack needed)."""
    from curriculum.models import Course, Lesson, Module, QuizChoice, QuizQuestion

    def factory(
        slug: str = "civics",
        sequential: bool = True,
        self_enrolment: bool = True,
        modules=None,
        languages=("fr", "en"),
    ):
        course = Course(
            slug=slug,
            version="1",
            content_hash="x",
            default_language="fr",
            languages=list(languages) + ["ar"],
            complete_languages=list(languages),
            titles={"fr": f"Cours {slug}", "en": f"Course {slug}", "ar": f"دورة {slug}"},
            descriptions={"fr": "Description", "en": "Description"},
            audience={},
            estimated_hours=3,
            sequential=sequential,
            self_enrolment=self_enrolment,
            serial_prefix="TST",
            certificate_rule={
                "required_lessons": "all",
                "min_quiz_average": 70,
                "min_attendance": 75,
                "validity_months": None,
                "languages": ["fr", "ar"],
                "wording": {"fr": "a suivi", "en": "has completed", "ar": "أتمّ"},
                "signatories": [
                    {
                        "name": "Nadia El Amrani",
                        "title": {"fr": "Directrice", "en": "Director", "ar": "مديرة"},
                    }
                ],
                "logos": [],
            },
        )
        db.session.add(course)
        db.session.flush()
        for m_index, (module_slug, lessons) in enumerate(modules or DEFAULT_MODULES):
            module = Module(
                course=course,
                slug=module_slug,
                position=m_index,
                titles={"fr": f"Module {module_slug}", "en": f"Module {module_slug}"},
                summaries={},
            )
            db.session.add(module)
            for l_index, spec in enumerate(lessons):
                lesson = Lesson(
                    module=module,
                    slug=spec["slug"],
                    position=l_index,
                    kind=spec["kind"],
                    required=spec.get("required", True),
                    minutes=10,
                    titles={code: f"{spec['slug']} ({code})" for code in languages},
                    bodies={code: f"<p>Body of {spec['slug']} in {code}</p>" for code in languages},
                    settings=spec.get("settings", {}),
                    content_hash="x",
                )
                lesson.course_id = course.id
                module.lessons.append(lesson)
                for q_index, (key, qtype, choices) in enumerate(spec.get("questions", [])):
                    question = QuizQuestion(
                        key=key,
                        position=q_index,
                        type=qtype,
                        prompts={code: f"Question {key}?" for code in languages},
                    )
                    lesson.questions.append(question)
                    for c_index, (choice_key, correct) in enumerate(choices):
                        question.choices.append(
                            QuizChoice(
                                key=choice_key,
                                position=c_index,
                                correct=correct,
                                texts={code: f"Choice {choice_key}" for code in languages},
                                explanations={code: f"Because {choice_key}" for code in languages},
                            )
                        )
        db.session.commit()
        return course

    return factory
