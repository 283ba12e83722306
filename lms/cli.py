"""The product's commands (``lms demo``, ``lms users create``, ``lms db-upgrade`` and the command
groups of curriculum, certificates, mail and jobs). The ``lms`` console script itself is
``lms.app.main``."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from certificates.cli import certificates_group
from curriculum.cli import curriculum_group
from curriculum.db import db
from curriculum.importer import import_bundled_packs
from lms.circles import demo as circles_demo
from lms.circles.consultations import demo as consultations_demo
from lms.errors import InvalidInput, LMSError
from lms.jobs.cli import job_commands
from lms.lti.cli import lti_group
from lms.mail.cli import mail_group
from lms.migrate import upgrade_database
from lms.push.cli import push_group
from lms.records.cli import xapi_group
from lms.users import operations


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the LMS's tables to the latest revision (for host apps; standalone: lms db upgrade)."""
    upgrade_database()
    click.echo("The LMS database is up to date.")


@click.group("users", help="Manage accounts.")
def users_group():
    pass


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=("learner",),
    show_default=True,
    type=click.Choice(["learner", "trainer", "admin"]),
    help="Repeat for several roles.",
)
@click.option(
    "--password", default=None, help="Without it: asked on a terminal, else generated and printed."
)
@with_appcontext
def users_create(email: str, name: str, roles: tuple[str, ...], password: str | None) -> None:
    """Create an account (the first administrator, or for scripts)."""
    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = operations.generate_password(), True
    try:
        user = operations.create_user(email, name, password, list(roles))
    except LMSError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))})")
    if generated:
        click.echo(f"Password: {password}")


DEMO_ACCOUNTS = (
    ("admin@example.org", "Amina Administratrice", ("admin", "trainer", "learner")),
    ("trainer@example.org", "Youssef Formateur", ("trainer", "learner")),
    ("learner@example.org", "Salma Apprenante", ("learner",)),
)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--setup-only", is_flag=True, help="Migrate, import and create accounts, but do not serve."
)
@with_appcontext
def demo(host: str, port: int, setup_only: bool) -> None:
    """Set up a demo site (migrate, import the bundled curricula, demo accounts) and serve it."""
    password = os.environ.get("LMS_DEMO_PASSWORD")
    generated = password is None
    if generated:
        password = operations.generate_password()
    try:  # before anything is written
        operations.check_password_rules(password)
    except InvalidInput as error:
        raise click.ClickException(f"LMS_DEMO_PASSWORD: {error.message}") from None
    upgrade_database()
    _import_bundled_packs()
    created = []
    for email, name, roles in DEMO_ACCOUNTS:
        if operations.find_by_email(email) is None:
            operations.create_user(email, name, password, roles, locale="fr")
            created.append(email)
    circles = circles_demo.seed(
        operations.find_by_email("trainer@example.org"),
        operations.find_by_email("learner@example.org"),
        password,
    )
    if circles is not None:
        consultations_demo.seed(circles)
    db.session.commit()
    url = f"http://{host}:{port}{current_app.extensions['lms'].url_prefix}/"
    click.echo(f"\nThe LMS is at {url}")
    for email, _name, roles in DEMO_ACCOUNTS:
        state = "created" if email in created else "exists"
        click.echo(f"  {email:<22} {'/'.join(roles):<24} ({state})")
    if created:
        click.echo(
            f"Password of the new demo accounts: {password}"
            if generated
            else "Password: $LMS_DEMO_PASSWORD"
        )
    if circles is not None:
        names = ", ".join(f"{c.name} ({c.code})" for c in circles.circles)
        click.echo(f"Circles of the cohort {circles.cohort.name}: {names}")
        if circles.created:
            click.echo(f"  and {len(circles_demo.LEARNERS)} more learners: hamza@example.org ...")
    if not setup_only:
        # Flask refuses app.run() inside a CLI command; serve with Werkzeug directly.
        run_simple(host, port, current_app._get_current_object(), threaded=True)


def _import_bundled_packs() -> None:
    for line in import_bundled_packs():
        click.echo(line)


def product_commands() -> list[click.Command]:
    return [
        demo,
        users_group,
        db_upgrade,
        curriculum_group,
        certificates_group,
        mail_group,
        lti_group,
        xapi_group,
        push_group,
        *job_commands(),
    ]
