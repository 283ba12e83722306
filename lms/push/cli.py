"""``lms push keygen | send-pending | status``: the VAPID key, the outbox by hand (from cron when
Celery is not used), and how many notifications are in each state."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .delivery import send_pending
from .keys import generate_key, key_path, public_key
from .queries import outbox_counts


@click.group("push", help="Web Push notifications.")
def push_group():
    pass


@push_group.command("keygen")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the existing key (every browser then has to turn notifications on again).",
)
@with_appcontext
def keygen_command(replace: bool) -> None:
    """Make the VAPID key pair in the instance folder (done on first need otherwise)."""
    existed = key_path().is_file()
    if existed and not replace:
        click.echo(f"The key already exists: {key_path()} (--replace to make a new one).")
    else:
        generate_key(replace=replace)
        click.echo(f"Made {key_path()}.")
    click.echo(f"Public key: {public_key()}")


@push_group.command("send-pending")
@with_appcontext
def send_pending_command() -> None:
    """Send the queued notifications and retry the failed ones whose wait is over."""
    outcome = send_pending(current_app._get_current_object())
    click.echo(
        f"Sent {outcome.sent}, failed {outcome.failed}, expired {outcome.gone}, "
        f"rejected {outcome.rejected}."
    )


@push_group.command("status")
@with_appcontext
def status_command() -> None:
    """How many notifications are in each state."""
    counts = outbox_counts()
    click.echo(", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "empty")
