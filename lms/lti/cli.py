"""``lms lti keygen``: a new tool key pair (the previous one stays in the JWKS)."""

import click
from flask.cli import AppGroup

from .keys import generate_key, jwks

lti_group = AppGroup("lti", help="The LTI 1.3 tool.")


@lti_group.command("keygen")
def keygen() -> None:
    """Generate a new signing key pair into the instance folder (rotation)."""
    kid = generate_key()
    click.echo(f"New LTI key {kid}; the JWKS lists {len(jwks()['keys'])} key(s).")
