"""The plugin contract (DESIGN §3) and the standalone app: configuration, state, prefix, template
override, CLI group, instance folder, SQLite settings, secret key, production mode, health check."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_login.config import COOKIE_NAME
from sqlalchemy import text

from curriculum.db import db
from lms import LMS, create_app
from lms.config import DEFAULTS, from_environment
from lms.errors import ConfigError
from lms.users.operations import create_user
from tests.conftest import PASSWORD, _empty_all_tables

ENVIRONMENT = ("DATABASE_URL", "SECRET_KEY", "LMS_ENV", "LMS_INSTANCE_PATH", "LMS_SITE_NAME")


@pytest.fixture
def clean_environment(monkeypatch):
    """create_app reads the environment: start every standalone-app test from a neutral one."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def bare_host(**config) -> Flask:
    host = Flask("bare_host")
    host.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI="sqlite://", **config)
    return host


# -- configuration -------------------------------------------------------------------------------


def test_defaults_fill_the_gaps_and_keep_what_the_host_set():
    host = bare_host(LMS_SITE_NAME="Académie de Tiznit", LMS_PASSWORD_MIN_LENGTH=12)
    LMS(host)
    assert host.config["LMS_SITE_NAME"] == "Académie de Tiznit"
    assert host.config["LMS_PASSWORD_MIN_LENGTH"] == 12
    for key, value in DEFAULTS.items():
        if key not in ("LMS_SITE_NAME", "LMS_PASSWORD_MIN_LENGTH"):
            assert host.config[key] == value, key


def test_a_misspelt_key_stops_the_start_and_names_the_key():
    host = bare_host(LMS_SITENAME="Académie")
    with pytest.raises(ConfigError, match="LMS_SITENAME") as error:
        LMS(host)
    assert "LMS_SITE_NAME" in str(error.value)  # the likely intended key is suggested
    assert "lms" not in host.extensions  # nothing half-initialised


def test_a_default_language_outside_the_languages_is_refused():
    with pytest.raises(ConfigError, match="LMS_DEFAULT_LANGUAGE"):
        LMS(bare_host(LMS_LANGUAGES=["fr", "ar"], LMS_DEFAULT_LANGUAGE="en"))


def test_an_environment_value_of_the_wrong_type_names_the_variable():
    with pytest.raises(ConfigError, match="LMS_SMTP_PORT"):
        from_environment({"LMS_SMTP_PORT": "twenty-five"})
    with pytest.raises(ConfigError, match="LMS_SMTP_STARTTLS"):
        from_environment({"LMS_SMTP_STARTTLS": "maybe"})
    # variables the product does not read (test settings, the demo password) are left alone
    assert from_environment(
        {"LMS_SMTP_PORT": "25", "LMS_TEST_POSTGRES_URL": "x", "LMS_DEMO_PASSWORD": "y", "HOME": "/"}
    ) == {"LMS_SMTP_PORT": 25}


def test_every_configuration_key_can_be_set_from_the_environment():
    environ = {
        "LMS_LANGUAGES": "fr, ar",
        "LMS_DEFAULT_LANGUAGE": "ar",
        "LMS_PASSWORD_MIN_LENGTH": "14",
        "LMS_LOGIN_LIMIT_PER_ACCOUNT": "2 per minute",
        "LMS_SMTP_STARTTLS": "false",
        "LMS_USERS_PER_PAGE": "5",
        "LMS_PUBLIC_URL": "https://academie.example.ma",
    }
    assert from_environment(environ) == {
        "LMS_LANGUAGES": ["fr", "ar"],
        "LMS_DEFAULT_LANGUAGE": "ar",
        "LMS_PASSWORD_MIN_LENGTH": 14,
        "LMS_LOGIN_LIMIT_PER_ACCOUNT": "2 per minute",
        "LMS_SMTP_STARTTLS": False,
        "LMS_USERS_PER_PAGE": 5,
        "LMS_PUBLIC_URL": "https://academie.example.ma",
    }
    # every documented key is accepted from the environment
    for key, value in DEFAULTS.items():
        text = (
            ",".join(value) if isinstance(value, list) else str(value if value is not None else "x")
        )
        if isinstance(value, bool):
            text = "true" if value else "false"
        assert key in from_environment({key: text})


def test_a_misspelt_environment_variable_stops_the_standalone_app(tmp_path, monkeypatch):
    from lms import create_app

    monkeypatch.setenv("LMS_SMTP_HOSTNAME", "mail.example.org")
    with pytest.raises(ConfigError, match="LMS_SMTP_HOSTNAME.*LMS_SMTP_HOST"):
        create_app(instance_path=str(tmp_path))


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="LMS_ENV='prod'"):
        LMS(bare_host(LMS_ENV="prod"))


# -- state, prefix, init_app --------------------------------------------------------------------


def test_state_lives_in_app_extensions_and_one_extension_serves_two_apps():
    extension = LMS(url_prefix="/academy")
    first, second = bare_host(), bare_host()
    extension.init_app(first)
    extension.init_app(second, url_prefix="/learn")
    assert not hasattr(extension, "app")
    assert first.extensions["lms"].url_prefix == "/academy"
    assert second.extensions["lms"].url_prefix == "/learn"
    assert first.extensions["lms"] is not second.extensions["lms"]


def test_every_lms_url_is_under_the_prefix_and_the_host_urls_are_untouched():
    host = bare_host()

    @host.get("/")
    def home():
        return "host"

    LMS(host, url_prefix="/academy/")  # a trailing slash is tolerated
    lms_blueprints = host.extensions["lms"].blueprint_names
    for rule in host.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in lms_blueprints:
            assert rule.rule.startswith("/academy/"), rule.rule
    assert {r.rule for r in host.url_map.iter_rules() if r.endpoint == "home"} == {"/"}
    assert host.test_client().get("/").get_data(as_text=True) == "host"


def test_the_host_overrides_a_template_by_putting_one_at_the_same_path(tmp_path, make_host_app):
    folder = tmp_path / "host_templates"
    (folder / "lms" / "core").mkdir(parents=True)
    (folder / "lms" / "core" / "index.html").write_text(
        '{% extends "lms/base.html" %}{% block content %}<p>Tiznit welcomes you</p>{% endblock %}'
    )
    host = make_host_app(template_folder=folder)
    html = host.test_client().get("/academy/").get_data(as_text=True)
    assert "Tiznit welcomes you" in html
    assert 'class="hero"' not in html  # our own page is not used
    assert 'href="/academy/login"' in html  # the host's page still extends our layout


def test_the_command_group_is_registered_in_a_host_and_at_the_top_level_standalone(app):
    host = bare_host()
    LMS(host)
    group = host.cli.commands["lms"]
    assert {"users", "demo"} <= set(group.commands)
    assert {"users", "demo", "db"} <= set(app.cli.commands)


# -- the standalone app -------------------------------------------------------------------------


def test_standalone_app_keeps_its_sqlite_database_and_secret_in_the_instance_folder(
    clean_environment, tmp_path
):
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True}, instance_path=str(instance))
    assert instance.is_dir()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'lms.sqlite3'}"

    secret = (instance / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == secret and len(secret) >= 32
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
    again = create_app({"TESTING": True}, instance_path=str(instance))
    assert again.config["SECRET_KEY"] == secret  # generated once: sessions survive a restart


def test_sqlite_runs_with_foreign_keys_and_write_ahead_log(clean_environment, tmp_path):
    app = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.remove()
        db.engine.dispose()


def test_database_url_selects_postgresql_with_psycopg(clean_environment, tmp_path):
    clean_environment.setenv("DATABASE_URL", "postgres://lms:secret@db.internal:5432/lms")
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://lms:secret@db.internal:5432/lms"
    )


def test_production_refuses_to_start_without_a_secret_key(clean_environment, tmp_path):
    clean_environment.setenv("LMS_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(instance_path=str(tmp_path / "instance"))
    assert not (tmp_path / "instance" / "secret_key").exists()  # none made up behind our back


def test_production_sends_the_login_cookies_secure_http_only_and_same_site_lax(
    clean_environment, tmp_path, database_url_for_tests
):
    clean_environment.setenv("LMS_ENV", "production")
    clean_environment.setenv("SECRET_KEY", "a-long-production-secret")
    clean_environment.setenv("LMS_PUBLIC_URL", "https://academie.example.org")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url_for_tests,
            "WTF_CSRF_ENABLED": False,
        },
        instance_path=str(tmp_path / "instance"),
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    try:
        with app.app_context():
            create_user("salma@example.org", "Salma", PASSWORD)
            db.session.commit()
        response = app.test_client().post(
            "/login",
            data={"email": "salma@example.org", "password": PASSWORD, "remember": "y"},
            base_url="https://lms.test",
        )
        assert response.status_code == 302
        # name → attributes of every cookie set: the session's and the remember-me one, each sent
        # over HTTPS only, out of scripts' reach, and not on cross-site form posts
        cookies = {
            header.split("=", 1)[0]: {part.strip() for part in header.split(";")[1:]}
            for header in response.headers.getlist("Set-Cookie")
        }
        session_cookie = app.config["SESSION_COOKIE_NAME"]
        remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        assert {session_cookie, remember_cookie} <= set(cookies)
        for name, attributes in cookies.items():
            assert {"Secure", "HttpOnly", "SameSite=Lax"} <= attributes, (name, attributes)
    finally:
        _empty_all_tables(app)


# -- health check -------------------------------------------------------------------------------


def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_check_answers_503_when_the_database_does_not(clean_environment, tmp_path):
    unreachable = tmp_path / "no-such-folder" / "lms.sqlite3"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{unreachable}"},
        instance_path=str(tmp_path / "instance"),
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"
    assert not Path(unreachable).exists()
