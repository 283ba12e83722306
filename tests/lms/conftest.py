"""Fixtures of the foundation tests: empty databases (migrations, ``lms demo``) and host apps that
mount the LMS the way another Flask site would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from curriculum.db import db
from lms import LMS, create_app
from lms.app import database_url
from tests.clients import IsolatedClient
from tests.conftest import BACKENDS, POSTGRES_URL, _empty_all_tables, fresh_postgres_schema


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt with a small cost factor: the same code path, a thousandth of the time."""
    monkeypatch.setattr("lms.users.models.PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture(autouse=True)
def isolated_requests(request) -> None:
    """Every test client of the test's app (the shared ``client`` fixture included: autouse
    fixtures run first) runs each request in a fresh application context, as in production
    (see tests/clients.py)."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").test_client_class = IsolatedClient


def dispose_engines(app: Flask) -> None:
    """Close the app's pooled connections (PostgreSQL will not drop a schema they still use)."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, worker_name, tmp_path) -> Iterator[str]:
    """A database with no table at all: SQLite in a temporary file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    schema = f"lms_empty_{worker_name}"
    yield fresh_postgres_schema(schema)
    engine = create_engine(database_url(POSTGRES_URL or ""), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def empty_app(empty_database_url, tmp_path) -> Iterator[Flask]:
    """The standalone app on an empty database (nothing created: that is the test's job)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "WTF_CSRF_ENABLED": False,
        },
        instance_path=str(tmp_path / "empty-instance"),
    )
    yield app
    dispose_engines(app)


@pytest.fixture
def make_host_app(database_url_for_tests, tmp_path) -> Iterator[Callable[..., Flask]]:
    """``make_host_app(url_prefix="/academy", template_folder=None, **config)``: a host Flask app
    with its own page at ``/`` that mounts the LMS, on the test database (emptied afterwards)."""
    created: list[Flask] = []

    def factory(
        url_prefix: str = "/academy", template_folder: Path | None = None, **config
    ) -> Flask:
        host = Flask(
            "host_site",
            template_folder=str(template_folder) if template_folder else None,
            instance_path=str(tmp_path / f"host-instance-{len(created)}"),
        )
        host.config.update(
            TESTING=True,
            SECRET_KEY="host-secret",
            SQLALCHEMY_DATABASE_URI=database_url_for_tests,
            WTF_CSRF_ENABLED=False,
            **config,
        )

        @host.get("/")
        def host_home():
            return "<h1>The host's own home page</h1>"

        LMS(host, url_prefix=url_prefix)
        host.test_client_class = IsolatedClient
        created.append(host)
        return host

    yield factory
    for host in created:
        _empty_all_tables(host)
