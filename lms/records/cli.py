"""``lms xapi send`` (from cron when Celery is not used) and ``lms xapi replay --since DATE``."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from curriculum.db import db

from .delivery import send_pending
from .replay import replay


@click.group("xapi", help="Learning records (xAPI statements to an LRS).")
def xapi_group():
    pass


def _require_endpoint() -> None:
    if not current_app.config.get("LMS_XAPI_ENDPOINT"):
        raise click.ClickException("No LRS is configured (set LMS_XAPI_ENDPOINT).")


@xapi_group.command("send")
@click.option("--batch-size", default=None, type=click.IntRange(1), help="Statements per POST.")
@with_appcontext
def send_command(batch_size: int | None) -> None:
    """Send the queued statements to the LRS."""
    _require_endpoint()
    outcome = send_pending(current_app._get_current_object(), batch_size=batch_size, backoff=0)
    click.echo(f"Sent {outcome.sent}, rejected {outcome.rejected}.")
    if outcome.skipped:
        click.echo("Another sender is at work, or the LRS's backoff is not over.")
    if outcome.unavailable:
        raise click.ClickException(f"The LRS failed: {outcome.unavailable}")


@xapi_group.command("replay")
@click.option(
    "--since",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Events from this date (UTC) on.",
)
@with_appcontext
def replay_command(since: datetime) -> None:
    """Queue the statements of every learning event since DATE that the outbox does not hold
    (the same ids as the live events: the LRS keeps each once)."""
    _require_endpoint()
    queued, known = replay(since.replace(tzinfo=UTC))
    db.session.commit()
    click.echo(f"Queued {queued} statements ({known} were already in the outbox).")
