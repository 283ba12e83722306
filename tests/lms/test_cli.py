"""The product's commands: ``lms users create`` and ``lms demo --setup-only``."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from curriculum.db import db
from lms.circles import demo as circles_demo
from lms.learning.queries import published_courses
from lms.users.models import User
from lms.users.operations import find_by_email
from tests.conftest import PASSWORD

DEMO_EMAILS = ("admin@example.org", "trainer@example.org", "learner@example.org")
#: the masterclasses bundled in curriculum/packs, by slug, with their French title
BUNDLED_MASTERCLASSES = {
    "solving-public-problems": "Résoudre les problèmes publics",
    "community-leadership": "Leadership communautaire",
    "public-innovation-circles": "Cercles d'innovation publique : employabilité des jeunes",
}


@pytest.fixture
def app_config(app_config):
    # Messages outside a request are in the default language; these tests read the English ones.
    return {**app_config, "LMS_DEFAULT_LANGUAGE": "en"}


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


# -- lms users create ---------------------------------------------------------------------------


def test_create_the_first_administrator(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Amina@Example.org",
            "--name",
            "Amina",
            "--role",
            "admin",
            "--role",
            "trainer",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created Amina@Example.org (admin, trainer)" in result.output
    assert PASSWORD not in result.output
    user = find_by_email("amina@example.org")
    assert user.roles == {"admin", "trainer"} and user.check_password(PASSWORD)


def test_without_a_password_and_no_terminal_one_is_generated_and_printed(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "youssef@example.org", "--name", "Youssef"]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"^Password: (\S+)$", result.output, re.MULTILINE).group(1)
    assert len(password) >= 10
    user = find_by_email("youssef@example.org")
    assert user.roles == {"learner"} and user.check_password(password)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--email", "SALMA@example.org", "--password", PASSWORD],
            "An account with this e-mail already exists.",
        ),
        (["--email", "new@example.org", "--password", "short"], "Use at least 10 characters."),
        (["--email", "not-an-address", "--password", PASSWORD], "This e-mail address is not valid"),
        (
            ["--email", "new@example.org", "--password", PASSWORD, "--role", "owner"],
            "'owner' is not one of",
        ),
    ],
)
def test_bad_input_is_explained_and_creates_nothing(runner, make_user, args, message):
    make_user(email="salma@example.org")
    result = runner.invoke(args=["users", "create", "--name", "Someone", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert count_users() == 1


# -- lms demo --setup-only ----------------------------------------------------------------------


def demo(empty_app, **env):
    result = empty_app.test_cli_runner().invoke(args=["demo", "--setup-only"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def can_log_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_demo_sets_up_an_empty_database_with_three_accounts(empty_app):
    output = demo(empty_app, LMS_DEMO_PASSWORD="demo-password-2026")
    assert "The LMS is at http://127.0.0.1:5000/" in output
    assert output.count("(created)") == 3
    with empty_app.app_context():
        roles = {email: find_by_email(email).roles for email in DEMO_EMAILS}
    assert roles == {
        "admin@example.org": {"admin", "trainer", "learner"},
        "trainer@example.org": {"trainer", "learner"},
        "learner@example.org": {"learner"},
    }
    for email in DEMO_EMAILS:
        assert can_log_in(empty_app, email, "demo-password-2026"), email
    for slug in BUNDLED_MASTERCLASSES:
        assert re.search(rf"^{slug}: imported \(\d+ modules, \d+ lessons\)$", output, re.MULTILINE)
    with empty_app.app_context():
        catalogue = {course.slug: course for course in published_courses()}
        assert sorted(catalogue) == sorted(BUNDLED_MASTERCLASSES)
        for slug, title in BUNDLED_MASTERCLASSES.items():
            course = catalogue[slug]
            assert course.titles["fr"] == title
            live = [m for m in course.modules if m.archived_at is None]
            assert len(live) >= 4 and all(len(m.lessons) >= 3 for m in live), slug
    page = empty_app.test_client().get("/courses", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    for title in BUNDLED_MASTERCLASSES.values():
        assert escape(title) in page.get_data(as_text=True)

    # Run again: nothing is created twice and the passwords are kept.
    again = demo(empty_app, LMS_DEMO_PASSWORD="another-password-2026")
    assert again.count("(exists)") == 3 and "(created)" not in again
    for slug in BUNDLED_MASTERCLASSES:
        assert f"{slug}: unchanged" in again
    with empty_app.app_context():  # the three accounts and the learners of the demo circles
        assert count_users() == 3 + len(circles_demo.LEARNERS)
    assert can_log_in(empty_app, "learner@example.org", "demo-password-2026")


def test_demo_without_a_password_prints_the_generated_one_once(empty_app, monkeypatch):
    monkeypatch.delenv("LMS_DEMO_PASSWORD", raising=False)
    output = demo(empty_app)
    password = re.search(r"Password of the new demo accounts: (\S+)", output).group(1)
    assert can_log_in(empty_app, "admin@example.org", password)
    assert "Password" not in demo(empty_app)  # the accounts exist: no password to show
