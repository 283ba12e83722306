"""``lms mail send-pending``: send the queued e-mail and try the failed messages again (from cron
every few minutes when Celery is not used)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .delivery import DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, send_pending


@click.group("mail", help="Outgoing e-mail.")
def mail_group():
    pass


@mail_group.command("send-pending")
@click.option(
    "--max-attempts",
    default=DEFAULT_MAX_ATTEMPTS,
    show_default=True,
    type=click.IntRange(1),
    help="A message that failed this many times is no longer tried.",
)
@click.option(
    "--backoff",
    default=DEFAULT_BACKOFF,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds before a failed message is tried again; doubles with each attempt.",
)
@click.option("--limit", default=None, type=click.IntRange(1), help="At most this many messages.")
@with_appcontext
def send_pending_command(max_attempts: int, backoff: float, limit: int | None) -> None:
    """Send the queued e-mail and retry the failed messages whose wait is over."""
    app = current_app._get_current_object()
    if not app.config["LMS_SMTP_HOST"]:
        raise click.ClickException("SMTP is not configured (set LMS_SMTP_HOST).")
    outcome = send_pending(app, max_attempts=max_attempts, backoff=backoff, limit=limit)
    click.echo(f"Sent {outcome.sent}, failed {outcome.failed}.")
