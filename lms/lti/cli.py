"""``lms lti keygen``: a new tool key pair (the previous one stays in the JWKS); ``lms lti
send-scores``: post the queued AGS scores and try again the failed ones whose wait is over
(from cron every few minutes when Celery is not used, as ``lms mail send-pending``)."""

import click
from flask import current_app
from flask.cli import AppGroup

from .keys import generate_key, jwks
from .score_sender import send_pending

lti_group = AppGroup("lti", help="The LTI 1.3 tool.")


@lti_group.command("keygen")
def keygen() -> None:
    """Generate a new signing key pair into the instance folder (rotation)."""
    kid = generate_key()
    click.echo(f"New LTI key {kid}; the JWKS lists {len(jwks()['keys'])} key(s).")


@lti_group.command("send-scores")
@click.option("--now", is_flag=True, help="Also the failed scores whose wait is not over.")
def send_scores(now: bool) -> None:
    """Post the queued scores to the platforms and retry the failed ones whose wait is over."""
    outcome = send_pending(current_app._get_current_object(), now=now)
    click.echo(
        f"Sent {outcome['sent']}, failed {outcome['failed']} (tried again later), "
        f"refused by the platform {outcome['rejected']}, given up {outcome['given_up']}."
    )
